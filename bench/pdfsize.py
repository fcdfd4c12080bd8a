#!/usr/bin/env python3
"""bench/pdfsize.py PDF [ARCHIVE IDS]: where the bytes of a PDF go, as one JSON object on stdout.

Method: `qpdf --json=2 --json-key=qpdf --json-stream-data=none PDF` lists every object with the
dictionary of every stream; a stream's /Length (resolved when it is a reference) is the size of
its data as stored in the file, encoded.  The streams are sorted into
  - images: /Subtype /Image (soft masks included), split into JPEG (/Filter /DCTDecode, alone or
    in a chain) and the others;
  - fonts: the font programs, the streams a font descriptor points at with /FontFile, /FontFile2
    or /FontFile3, and the glyph procedures (/CharProcs) of Type 3 fonts, which are their program
    (Chromium's Skia draws CJK OpenType/CFF fonts as Type 3 fonts);
  - content: page /Contents and /Subtype /Form XObjects (the drawing of text and shapes);
  - other streams: ToUnicode maps, CIDSets, metadata, object streams, xref streams...
and "else" = the file's size - images - fonts, everything that is neither an image nor a font
program (content, other streams, and the objects' syntax, the xref table, the trailer: what
"structure" is), also per page.  Pages: pdfinfo.

With ARCHIVE and IDS (a file of article ids, one a line), the source images are the image files
under ARCHIVE/articles/<id>/ for each id (found by their first bytes: JPEG, PNG, GIF, WebP), and
the JPEG streams are matched to the JPEG files: each one's raw data is read at the offset that
`qpdf --show-xref` gives for its object and compared (SHA-256) with the files, so "passthrough"
counts the JPEG streams that are a source file byte for byte.
"""
import hashlib
import json
import mmap
import os
import re
import subprocess
import sys

FONT_KEYS = ("/FontFile", "/FontFile2", "/FontFile3")


def qpdf_objects(path):
    r = subprocess.run(["qpdf", "--json=2", "--json-key=qpdf", "--json-stream-data=none", path],
                       capture_output=True, check=False)
    if r.returncode not in (0, 3):  # 3: warnings
        sys.exit(f"pdfsize.py: qpdf --json failed on {path}: {r.stderr.decode(errors='replace')}")
    objs = {}
    for key, val in json.loads(r.stdout)["qpdf"][1].items():
        m = re.fullmatch(r"obj:(\d+ \d+ R)", key)
        if m:
            objs[m.group(1)] = val
    return objs


def offsets(path):
    """{'N G R': byte offset} of the objects stored uncompressed."""
    r = subprocess.run(["qpdf", "--show-xref", path], capture_output=True, text=True, check=False)
    out = {}
    for line in r.stdout.splitlines():
        m = re.match(r"(\d+)/(\d+): uncompressed; offset = (\d+)", line)
        if m:
            out[f"{m.group(1)} {m.group(2)} R"] = int(m.group(3))
    return out


def refs_in(value, keys, found):
    """Adds to found the references under any of keys, anywhere inside value."""
    if isinstance(value, dict):
        for k, v in value.items():
            if k in keys and isinstance(v, str) and v.endswith(" R"):
                found.add(v)
            else:
                refs_in(v, keys, found)
    elif isinstance(value, list):
        for v in value:
            refs_in(v, keys, found)


def type3_fonts(value, found):
    """Adds to found the Type 3 font dictionaries anywhere inside value."""
    if isinstance(value, dict):
        if value.get("/Subtype") == "/Type3":
            found.append(value)
        for v in value.values():
            type3_fonts(v, found)
    elif isinstance(value, list):
        for v in value:
            type3_fonts(v, found)


def kind_of(head):
    if head[:3] == b"\xff\xd8\xff":
        return "jpeg"
    if head[:8] == b"\x89PNG\r\n\x1a\n":
        return "png"
    if head[:4] == b"GIF8":
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


def sources(archive, ids_file):
    """{kind: [(bytes, sha256)]} of the image files of the articles listed in ids_file."""
    out = {}
    with open(ids_file) as f:
        ids = [line.strip() for line in f if line.strip()]
    for art in ids:
        for root, _, files in os.walk(os.path.join(archive, "articles", art), followlinks=True):
            for name in sorted(files):
                p = os.path.join(root, name)
                with open(p, "rb") as f:
                    data = f.read()
                kind = kind_of(data[:12])
                if kind:
                    out.setdefault(kind, []).append((len(data), hashlib.sha256(data).hexdigest()))
    return out


def pages_of(path):
    r = subprocess.run(["pdfinfo", path], capture_output=True, text=True, check=False)
    m = re.search(r"^Pages:\s+(\d+)", r.stdout, re.M)
    return int(m.group(1)) if m else 0


def main():
    if len(sys.argv) not in (2, 4):
        sys.exit(__doc__.split("\n\n")[0])
    path = sys.argv[1]
    objs = qpdf_objects(path)

    def resolve(v):
        while isinstance(v, str) and v.endswith(" R") and v in objs:
            v = objs[v].get("value")
        return v

    fonts, contents, type3 = set(), set(), []
    for val in objs.values():
        if "value" in val:
            refs_in(val["value"], FONT_KEYS, fonts)
            type3_fonts(val["value"], type3)
            v = val["value"]
            if isinstance(v, dict) and v.get("/Type") == "/Page":
                c = v.get("/Contents")
                if isinstance(c, str) and isinstance(objs.get(c, {}).get("value"), list):
                    c = objs[c]["value"]  # a reference to an array of streams
                contents.update(x for x in (c if isinstance(c, list) else [c]) if isinstance(x, str))
        else:
            refs_in(val["stream"]["dict"], FONT_KEYS, fonts)
    for font in type3:  # a Type 3 font's program: the glyph procedures of its /CharProcs
        procs = resolve(font.get("/CharProcs"))
        if isinstance(procs, dict):
            fonts.update(v for v in procs.values() if isinstance(v, str) and v.endswith(" R"))

    size = os.path.getsize(path)
    acc = {k: [0, 0] for k in ("jpeg", "image_other", "font", "content", "stream_other")}
    jpeg_objs = []
    for ref, val in objs.items():
        if "stream" not in val:
            continue
        d = val["stream"]["dict"]
        n = resolve(d.get("/Length", 0))
        n = n if isinstance(n, int) else 0
        filters = d.get("/Filter", [])
        filters = filters if isinstance(filters, list) else [filters]
        if d.get("/Subtype") == "/Image":
            key = "jpeg" if "/DCTDecode" in filters else "image_other"
            if key == "jpeg":
                jpeg_objs.append((ref, n))
        elif ref in fonts:
            key = "font"
        elif ref in contents or d.get("/Subtype") == "/Form":
            key = "content"
        else:
            key = "stream_other"
        acc[key][0] += 1
        acc[key][1] += n

    pages = pages_of(path)
    images = acc["jpeg"][1] + acc["image_other"][1]
    rest = size - images - acc["font"][1]
    rep = dict(path=path, bytes=size, pages=pages,
               images=dict(count=acc["jpeg"][0] + acc["image_other"][0], bytes=images),
               jpeg=dict(count=acc["jpeg"][0], bytes=acc["jpeg"][1]),
               image_other=dict(count=acc["image_other"][0], bytes=acc["image_other"][1]),
               fonts=dict(count=acc["font"][0], bytes=acc["font"][1]),
               content=dict(count=acc["content"][0], bytes=acc["content"][1]),
               stream_other=dict(count=acc["stream_other"][0], bytes=acc["stream_other"][1]),
               structure=rest - acc["content"][1] - acc["stream_other"][1],
               rest=rest, rest_per_page=rest / pages if pages else None)

    if len(sys.argv) == 4:
        src = sources(sys.argv[2], sys.argv[3])
        rep["sources"] = {k: dict(count=len(v), bytes=sum(b for b, _ in v)) for k, v in src.items()}
        rep["sources_bytes"] = sum(x["bytes"] for x in rep["sources"].values())
        hashes = {h for _, h in src.get("jpeg", [])}
        where = offsets(path)
        same = [0, 0]
        with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as m:
            for ref, n in jpeg_objs:
                off = where.get(ref)
                if off is None:
                    continue
                # the data starts after "stream" and its end of line (CRLF or LF)
                at = m.find(b"stream", off)
                at += 6
                at += 2 if m[at:at + 2] == b"\r\n" else 1
                if hashlib.sha256(m[at:at + n]).hexdigest() in hashes:
                    same[0] += 1
                    same[1] += n
        rep["jpeg_passthrough"] = dict(count=same[0], bytes=same[1])
    json.dump(rep, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
