#!/usr/bin/env bash
# t5000: `archiver build` makes the EPUB from an archive fetched from the real WeChat fixtures
# (articles, an image post, a text post, reposts, a deleted and a removed page, an entry whose
# server answers 404): epubcheck passes with no message at all; the nav and the NCX are the
# index (its months and entries in its order, with titles and dates); every chapter holds its
# article's text and every image it references is in the package, deduplicated, WebP
# transcoded; entries without a copy keep their place with a line saying why; nothing remote or
# active; two builds are byte-identical whatever TZ says; the identifier survives new entries;
# --order, --from/--to, --lang, --max-image-px and `archiver epub`; mutool renders its pages.
# Set T5000_KEEP=DIR to keep the books and the rendered pages for a look.
. "$(dirname "$0")/lib.sh"
. "$TEST_SRCDIR/tests/e2e/fetch-lib.sh"
require_tool python3 openssl convert cwebp identify java mutool
[ -f /usr/share/java/epubcheck.jar ] || skip_all "epubcheck is not installed"
fetch_init 127.0.0.50

. "$TEST_SRCDIR/tests/e2e/book-lib.sh"

# epubcheck FILE: no fatal, error, warning or usage message at all.
epubcheck() {
    java -jar /usr/share/java/epubcheck.jar "$1" --json "$1.check.json" >"$1.check.out" 2>&1
    python3 - "$1.check.json" <<-\PY
	import json, sys
	d = json.load(open(sys.argv[1], encoding="utf-8"))
	msgs = d["messages"]
	for m in msgs:
	    print(m["severity"], m["ID"], m["message"], [l.get("path") for l in m["locations"]][:3])
	assert not msgs, "%d epubcheck messages" % len(msgs)
	assert d["checker"]["nFatal"] == d["checker"]["nError"] == d["checker"]["nWarning"] == 0
	PY
}

# bcheck EPUB <<PY: Python assertions with the package open: `z` (ZipFile), `opf`, `nav`,
# `ncx` (ElementTree roots), `items` (manifest id -> (href, media-type, properties)),
# `spine` (hrefs), `text(name)` (a page's text, whitespace removed), `page(name)` (its markup).
BOOK_PRELUDE='
import html, io, json, os, re, sys, zipfile
import xml.etree.ElementTree as ET
NS = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/",
      "x": "http://www.w3.org/1999/xhtml", "ncx": "http://www.daisy.org/z3986/2005/ncx/",
      "ops": "http://www.idpf.org/2007/ops"}
z = zipfile.ZipFile(sys.argv[1])
names = z.namelist()
opf_path = ET.fromstring(z.read("META-INF/container.xml")).find(
    ".//{urn:oasis:names:tc:opendocument:xmlns:container}rootfile").get("full-path")
base = os.path.dirname(opf_path)
def full(href):
    return os.path.normpath(os.path.join(base, href)) if base else href
opf = ET.fromstring(z.read(opf_path))
items = {i.get("id"): (i.get("href"), i.get("media-type"), i.get("properties") or "")
         for i in opf.find("opf:manifest", NS)}
spine = [items[r.get("idref")][0] for r in opf.find("opf:spine", NS)]
nav_href = [h for h, t, p in items.values() if "nav" in p.split()][0]
nav = ET.fromstring(z.read(full(nav_href)))
ncx = ET.fromstring(z.read(full([h for h, t, p in items.values() if t == "application/x-dtbncx+xml"][0])))
def page(name):
    return z.read(full(name)).decode("utf-8")
def text(name):
    return re.sub(r"\s+", "", "".join(ET.fromstring(z.read(full(name))).find("x:body", NS).itertext()))
def toc():
    """The nav toc as [(month, [(title, href)])]."""
    t = [n for n in nav.iter("{http://www.w3.org/1999/xhtml}nav")
         if n.get("{http://www.idpf.org/2007/ops}type") == "toc"][0]
    out = []
    for li in t.find("x:ol", NS).findall("x:li", NS):
        a = li.find("x:a", NS)
        ol = li.find("x:ol", NS)
        kids = [("".join(k.find("x:a", NS).itertext()), k.find("x:a", NS).get("href"))
                for k in (ol.findall("x:li", NS) if ol is not None else [])]
        out.append(("".join(a.itertext()), kids))
    return out
def ncx_toc():
    nm = ncx.find("ncx:navMap", NS)
    out = []
    for p in nm.findall("ncx:navPoint", NS):
        kids = [(k.find("ncx:navLabel/ncx:text", NS).text, k.find("ncx:content", NS).get("src"))
                for k in p.findall("ncx:navPoint", NS)]
        out.append((p.find("ncx:navLabel/ncx:text", NS).text, kids))
    return out
'
bcheck() {
    local code
    code=$(cat)
    python3 -c "$BOOK_PRELUDE$code" "$1"
}

test_expect_success 'build: exit 0, a summary line per book, book/book.epub and book.pdf by default' '
    "$ARCHIVER" build index.md --year 2025 >out 2>err &&
    test_lines 2 err &&
    test_grep "^build: book/book.epub: 9 chapters \(6 archived, 3 without a copy\), 12 images \(3 transcoded, 0 missing\), " err &&
    test_grep "^build: book/book.pdf: [0-9]+ pages, 9 chapters \(6 archived\), " err &&
    test_lines 0 out &&
    test -f book/book.epub && test -f book/book.pdf &&
    test "$(stat -c %a book/book.epub)" = "$(umask 022 && touch mode.probe && stat -c %a mode.probe)"
'

test_expect_success 'epubcheck: not a single message' '
    epubcheck book/book.epub
'

test_expect_success 'package: mimetype first and stored, images stored, the rest deflated, fixed times' '
    bcheck book/book.epub <<-\PY
	infos = z.infolist()
	assert infos[0].filename == "mimetype" and infos[0].compress_type == zipfile.ZIP_STORED
	assert z.read("mimetype") == b"application/epub+zip"
	assert infos[0].extra == b"", infos[0].extra
	for i in infos[1:]:
	    img = i.filename.rsplit(".", 1)[-1] in ("jpg", "jpeg", "png", "gif")
	    want = zipfile.ZIP_STORED if img else zipfile.ZIP_DEFLATED
	    assert i.compress_type == want, (i.filename, i.compress_type)
	    assert i.date_time == (2024, 12, 24, 0, 26, 40), (i.filename, i.date_time)
	PY
'

test_expect_success 'metadata: title from the index, accounts as creator, zh-CN, uuid, modified, cover both ways' '
    bcheck book/book.epub <<-\PY
	md = opf.find("opf:metadata", NS)
	assert md.find("dc:title", NS).text == "我的收藏"
	creator = md.find("dc:creator", NS).text
	for acct in ["轩辕的编程宇宙", "阮一峰的网络日志", "36氪"]:
	    assert acct in creator, creator
	assert md.find("dc:language", NS).text == "zh-CN"
	uid = opf.get("unique-identifier")
	ident = [e for e in md.findall("dc:identifier", NS) if e.get("id") == uid][0].text
	assert re.fullmatch(r"urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", ident), ident
	open("uuid1", "w").write(ident)
	mod = [e.text for e in md.findall("opf:meta", NS) if e.get("property") == "dcterms:modified"]
	assert mod == ["2024-12-24T00:26:40Z"], mod
	cover = [e.get("content") for e in md.findall("opf:meta", NS) if e.get("name") == "cover"]
	assert len(cover) == 1 and cover[0] in items, cover
	assert "cover-image" in items[cover[0]][2] and items[cover[0]][1] == "image/png", items[cover[0]]
	guide = [(r.get("type"), r.get("href")) for r in opf.find("opf:guide", NS)]
	assert [t for t, h in guide] == ["cover", "toc", "text"], guide
	assert all(full(h) in names for t, h in guide), guide
	PY
'

test_expect_success 'nav and NCX: the index months and entries, in its order, with dates' '
    bcheck book/book.epub <<-\PY
	want = [("2025年12月", ["12.27 AI编程害死我了", "12.20 科技爱好者周刊#372", "12.10 被作者删除的一篇"]),
	        ("2025年5月", ["05.21 比小学生说烂梗更可怕的", "05.03 新能源车均价", "违规的一篇",
	                      "05.01 服务器上没有的一篇"]),
	        ("2025年3月", ["AI编程带给程序员的危与机", "03.02 和死神赛跑"])]
	for got in (toc(), ncx_toc()):
	    assert [(m, [t for t, h in k]) for m, k in got] == want, got
	# chapter hrefs: in spine order, each chapter after its part
	hrefs = [h.split("#")[0] for m, k in toc() for t, h in k]
	assert len(set(hrefs)) == 9
	pos = [spine.index(h) for h in hrefs]
	assert pos == sorted(pos), pos
	assert ncx_toc() and [h for m, k in ncx_toc() for t, h in k] == [h for m, k in toc() for t, h in k]
	# landmarks: cover, toc, bodymatter
	lm = [n for n in nav.iter("{http://www.w3.org/1999/xhtml}nav")
	      if n.get("{http://www.idpf.org/2007/ops}type") == "landmarks"][0]
	types = [a.get("{http://www.idpf.org/2007/ops}type") for a in lm.iter("{http://www.w3.org/1999/xhtml}a")]
	assert types == ["cover", "toc", "bodymatter"], types
	# the part pages list their entries with dates and notes
	parts = [h for h in spine if h.startswith("part")]
	assert len(parts) == 3, spine
	p0 = text(parts[0])
	assert "2025年12月" in p0 and "12.27" in p0 and "抓包软件里埋的雷" in p0, p0
	assert p0.index("AI编程害死我了") < p0.index("科技爱好者周刊") < p0.index("被作者删除的一篇")
	json.dump(hrefs, open("hrefs.json", "w"))
	PY
'

test_expect_success 'chapters: the article text, byline, source link and note; images all in the package' '
    bcheck book/book.epub <<-\PY
	hrefs = json.load(open("hrefs.json"))
	ids = ["KDWh_qGpFN5Vu1TR9t30Mw", "tr38EieqyftubIx2FMWUWw", "P9cMowFQ-QahLRnfHponKw",
	       "4HLBydlmsdykQWKzX30EbA", "JJyPUpHLM2bGvfk5FNvTUA", "-WZT_VzhmSkJRAjb6GwsUA",
	       "NotOnTheServer0000000", "o0tunrGKXwJxw4LZujRQdg", "bRt0seqxnIuoQnASJTU-8w"]
	archived = {"KDWh_qGpFN5Vu1TR9t30Mw", "tr38EieqyftubIx2FMWUWw", "4HLBydlmsdykQWKzX30EbA",
	            "JJyPUpHLM2bGvfk5FNvTUA", "o0tunrGKXwJxw4LZujRQdg", "bRt0seqxnIuoQnASJTU-8w"}
	def body_text(i):
	    h = open("archive/articles/%s/article.html" % i, encoding="utf-8").read()
	    b = h.split("<!-- archiver:body -->", 1)[1].split("<!-- /archiver:body -->", 1)[0]
	    b = re.sub(r"<[^>]+>", "", b)
	    return re.sub(r"\s+", "", html.unescape(b))
	manifest = {full(h) for h, t, p in items.values()}
	for i, h in zip(ids, hrefs):
	    t = text(h)
	    src = "https://mp.weixin.qq.com/s/" + i
	    assert src in page(h), (i, "no source link")
	    if i in archived:
	        m = json.load(open("archive/articles/%s/meta.json" % i, encoding="utf-8"))
	        bt = body_text(i)
	        assert len(bt) > 20 and bt in t, (i, len(bt))
	        assert m["account"] and m["account"] in t, (i, m["account"])
	        assert (m.get("title") or "")[:6] in t, i
	    else:
	        assert "未存档" in t or "已被发布者删除" in t or "违规" in t, (i, t)
	    for s in re.findall(r"<img\b[^>]*\ssrc=\"([^\"]*)\"", page(h)):
	        assert not re.match(r"[a-z]+:", s), (h, s)
	        assert full(s) in names and full(s) in manifest, (h, s)
	    for bad in ("<script", "<iframe", " onload=", " onerror=", " onclick=", "javascript:"):
	        assert bad not in page(h).lower(), (h, bad)
	c = text(hrefs[0])
	assert "抓包软件里埋的雷" in c, c[:300]
	assert "2025年11月10日" in c or "2025-11-10" in c, c[:300]
	assert "服务器上没有的一篇" in text(hrefs[6])
	# every package file is in the manifest and every manifest file in the package
	files = {n for n in names if n not in ("mimetype",) and not n.startswith("META-INF/")}
	assert files == manifest | {opf_path}, (files ^ (manifest | {opf_path}))
	PY
'

test_expect_success 'images: each picture once, WebP transcoded, placeholders for the two 404s' '
    bcheck book/book.epub <<-\PY
	import hashlib
	imgs = [n for n in names if "/images/" in n]
	types = {t for h, t, p in items.values() if t.startswith("image/")}
	assert "image/webp" not in types, types
	assert types <= {"image/png", "image/jpeg", "image/gif"}, types
	digests = [hashlib.sha256(z.read(n)).hexdigest() for n in imgs]
	assert len(digests) == len(set(digests)), "an image stored twice"
	# 12 pictures (plus the WeChat fixtures own inline data: none); the 404s are missing
	assert len(imgs) == 12, imgs
	a2 = page(json.load(open("hrefs.json"))[1])
	assert a2.count("class=\"image-missing\"") == 2, "not two placeholders"
	PY
'

test_expect_success 'not archived: deleted, removed and failed entries say why, in the book language' '
    bcheck book/book.epub <<-\PY
	hrefs = json.load(open("hrefs.json"))
	d, v, f = text(hrefs[2]), text(hrefs[5]), text(hrefs[6])
	assert "删除" in d, d
	assert "违规" in v or "删除" in v or "移除" in v, v
	assert "原文已不存在（HTTP404）" in f, f
	assert "原文已被发布者删除" in d, d
	PY
'

test_expect_success 'two builds are byte-identical, whatever TZ says' '
    TZ=America/New_York "$ARCHIVER" epub index.md --year 2025 --epub b1.epub -q &&
    TZ=Asia/Shanghai "$ARCHIVER" epub index.md --year 2025 --epub b2.epub -q &&
    cmp book/book.epub b1.epub && cmp b1.epub b2.epub &&
    # without SOURCE_DATE_EPOCH the latest fetch time dates the book, not the clock
    (unset SOURCE_DATE_EPOCH && "$ARCHIVER" epub index.md --epub n1.epub -q && sleep 1.1 &&
        "$ARCHIVER" epub index.md --epub n2.epub -q) &&
    cmp n1.epub n2.epub
'

test_expect_success 'transcoded pictures are kept in the archive cache; a damaged one is made again' '
    ls archive/.cache/epub >cached && test_lines 3 cached &&
    ! grep -v -- "-0px-v1\$" cached &&
    "$ARCHIVER" epub index.md --year 2025 --epub c1.epub --json >c1.json 2>err &&
    python3 -c "import json; e = json.load(open(\"c1.json\"))[\"epub\"]; assert e[\"images_cached\"] == 3 and e[\"images_transcoded\"] == 3, e" &&
    cmp b1.epub c1.epub &&
    f=archive/.cache/epub/$(head -1 cached) && head -c 100 "$f" >cut && cat cut >"$f" &&
    "$ARCHIVER" epub index.md --year 2025 --epub c2.epub --json >c2.json 2>err &&
    python3 -c "import json; e = json.load(open(\"c2.json\"))[\"epub\"]; assert e[\"images_cached\"] == 2, e" &&
    cmp b1.epub c2.epub && test "$(stat -c %s "$f")" -gt 100 &&
    rm -r archive/.cache &&
    "$ARCHIVER" epub index.md --year 2025 --epub c3.epub -q 2>err && cmp b1.epub c3.epub
'

test_expect_success 'the identifier stays when the book gains an entry; the file changes' '
    cp index.md index2.md &&
    printf "\n# 02\n\n新的一篇 https://mp.weixin.qq.com/s/AnotherEntry000000000\n" >>index2.md &&
    "$ARCHIVER" epub index2.md --year 2025 --epub b3.epub -q &&
    ! cmp -s b1.epub b3.epub &&
    bcheck b3.epub <<-\PY
	md = opf.find("opf:metadata", NS)
	uid = opf.get("unique-identifier")
	ident = [e for e in md.findall("dc:identifier", NS) if e.get("id") == uid][0].text
	assert ident == open("uuid1").read(), ident
	assert [m for m, k in toc()][-1] == "2025年2月", toc()
	PY
'

test_expect_success '--order oldest, --from/--to, --lang en, --title and --author' '
    "$ARCHIVER" epub index.md --year 2025 --epub o.epub --order oldest -q &&
    "$ARCHIVER" epub index.md --year 2025 --epub r.epub --from 2025-05 --to 2025-12 --lang en -q &&
    "$ARCHIVER" epub index.md --year 2025 --epub t.epub --title "Mein Buch" --author "A. B." -q &&
    epubcheck r.epub &&
    bcheck o.epub <<-\PY &&
	assert [m for m, k in toc()] == ["2025年3月", "2025年5月", "2025年12月"], toc()
	PY
    bcheck r.epub <<-\PY &&
	assert [m for m, k in toc()] == ["December 2025", "May 2025"], toc()
	md = opf.find("opf:metadata", NS)
	assert md.find("dc:language", NS).text == "en"
	uid = opf.get("unique-identifier")
	ident = [e for e in md.findall("dc:identifier", NS) if e.get("id") == uid][0].text
	assert ident != open("uuid1").read(), "a range is another book"
	PY
    bcheck t.epub <<-\PY
	md = opf.find("opf:metadata", NS)
	assert md.find("dc:title", NS).text == "Mein Buch"
	assert md.find("dc:creator", NS).text == "A. B."
	PY
'

test_expect_success 'a title made of the month range when the index has none' '
    sed 1d index.md >untitled.md &&
    "$ARCHIVER" epub untitled.md --year 2025 --epub u.epub -q &&
    bcheck u.epub <<-\PY
	t = opf.find("opf:metadata", NS).find("dc:title", NS).text
	assert t == "文章合集 2025年3月–12月", t
	PY
'

test_expect_success '--max-image-px downscales every image; the book still passes epubcheck' '
    "$ARCHIVER" epub index.md --year 2025 --epub small.epub --max-image-px 100 -q &&
    epubcheck small.epub &&
    mkdir small && (cd small && python3 -c "import zipfile; zipfile.ZipFile(\"../small.epub\").extractall()") &&
    find small -path "*/images/*" -type f >imgs && test -s imgs &&
    while read -r f; do
        set -- $(identify -format "%w %h\n" "$f" | head -1)
        test "$1" -le 100 && test "$2" -le 100 || { echo "$f is $1x$2"; exit 1; }
    done <imgs
'

# render EPUB FIRST LAST: pages FIRST..LAST drawn by mupdf to render-N.pnm, with nothing on
# stderr but the two notes mupdf 1.21 always prints (no ICC engine; "unknown epub version: 3.0").
render() {
    mutool draw -q -r 72 -c rgb -o "render-%d.pnm" "$1" "$2-$3" 2>render.err &&
        ! grep -v -e "ICC support is not available" -e "unknown epub version" render.err
}

# inked PNM...: every page has ink on more than 0.2% of it: not a blank page (a part page, a
# heading and three lines, has about 0.9%).
inked() {
    python3 - "$@" <<-\PY
	import sys
	for path in sys.argv[1:]:
	    d = open(path, "rb").read()
	    parts = d.split(b"\n", 3)  # P6, "W H", 255, pixels
	    assert parts[0] == b"P6", path
	    w, h = map(int, parts[1].split())
	    px = parts[3]
	    assert len(px) == w * h * 3, (path, len(px))
	    dark = sum(1 for i in range(0, len(px), 3 * 7) if px[i] + px[i + 1] + px[i + 2] < 600)
	    assert dark * 7 > w * h / 500, (path, "blank page", dark * 7, w * h)
	PY
}

test_expect_success 'mutool draws the cover, the contents, a part page and chapters' '
    render book/book.epub 1 8 &&
    inked render-1.pnm render-2.pnm render-3.pnm render-4.pnm render-5.pnm render-8.pnm
'

test_expect_success 'a book in English for a small screen draws too' '
    render r.epub 1 4 && inked render-1.pnm render-2.pnm render-3.pnm render-4.pnm
'

if [ -n "${T5000_KEEP:-}" ]; then
    mkdir -p "$T5000_KEEP" && cp book/book.epub r.epub "$T5000_KEEP/" &&
        render book/book.epub 1 12 && for f in render-*.pnm; do convert "$f" "$T5000_KEEP/${f%.pnm}.png"; done
fi

test_done
