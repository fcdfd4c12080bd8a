#!/usr/bin/env bash
# bench/epub.sh ARCHIVER: the EPUB benchmark, next to pandoc, measured in the same run.
#
# 1. Makes an archive of $ARTICLES articles (default 200) with `archiver fetch` from the local
#    HTTPS test server (tests/e2e/server.py): copy k of the five real pages of tests/data/wechat/
#    (article-01, article-02, repost-01, image-post-01, text-post-01), each copy with its own
#    token, mid, sn and title and its own images (distinct pixels: JPEG, PNG, some WebP, the
#    fixtures' GIFs; 600-1200 px wide), so that deduplication hides none of their cost.  The
#    index spreads them over $MONTHS months (default 8).  Copies 0 are the fixtures themselves:
#    they make "the test archive" of $SMALL articles (default 5).
# 2. Times `archiver epub` for a book of 1 article, of $SMALL and of $ARTICLES: once cold (the
#    archive's cache of transcoded pictures emptied first), then warm, the best wall time of
#    $RUNS runs, default 3 (user+sys CPU and peak RSS of that run).  The 1-article book gives
#    the fixed cost (cover, fonts, the package's skeleton): per article = (t_N - t_1) / (N - 1),
#    fixed = t_1 - per article.
# 3. Times pandoc (Debian package `pandoc`, installed here when missing; skipped with a note when
#    it cannot be) converting the same article.html files, in index order, into one EPUB 3 with
#    a table of contents (--toc), its images resolved through --resource-path, once per size.
# Targets (issue): pandoc's time per article over archiver's per article (its fixed cost left
# out) >= 30 at $ARTICLES articles; archiver's peak RSS <= 30 MB plus the cover's raster
# (width x height x 4 bytes).  Needs root (the server binds $ADDR:443, as the tests do) and the
# packages of scripts/setup.sh.  Not a test: it fails only when a program fails, never on time.
set -euo pipefail
archiver=$(realpath "${1:?usage: bench/epub.sh path/to/archiver}")
src=$(cd "$(dirname "$0")/.." && pwd)
ARTICLES=${ARTICLES:-200} SMALL=${SMALL:-5} RUNS=${RUNS:-3} MONTHS=${MONTHS:-8}
WEBP_EVERY=${WEBP_EVERY:-20} # every n-th image is served as WebP (0: none)
KEEP=${KEEP:-0}               # 1: keep the work folder (archive, books) for a closer look
ADDR=127.0.0.91
die() { echo "bench/epub.sh: $*" >&2; exit 1; }

if ! [ "$ARTICLES" -ge 2 ] || ! [ "$SMALL" -ge 1 ] || ! [ "$SMALL" -le "$ARTICLES" ]; then
    die "needs ARTICLES >= 2 and 1 <= SMALL <= ARTICLES (have ARTICLES=$ARTICLES SMALL=$SMALL)"
fi
[ "$RUNS" -ge 1 ] || die "RUNS must be at least 1"
[ "$(id -u)" -eq 0 ] || die "needs root: the test server binds $ADDR:443"
"$archiver" help epub >/dev/null 2>&1 || die "$archiver has no 'epub' command"
for t in python3 openssl /usr/bin/convert; do
    command -v "$t" >/dev/null || die "$t is missing: run bash scripts/setup.sh first"
done

# Debian packages the way scripts/setup.sh installs them.
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
install_pkg() {
    local sudo=
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    echo "bench/epub.sh: installing $*" >&2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get update -q >/dev/null &&
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "$@" >/dev/null
}
if [ ! -x /usr/bin/time ]; then
    install_pkg time || die "cannot install the package 'time' (/usr/bin/time)"
fi
pandoc_ok=1
if ! have_pkg pandoc || ! command -v pandoc >/dev/null; then
    install_pkg pandoc || true
fi
if ! command -v pandoc >/dev/null; then
    pandoc_ok=0
    echo "pandoc not available (apt-get install pandoc failed): the comparison is skipped"
fi

work=$(mktemp -d /tmp/archiver-bench-epub.XXXXXX)
server=
cleanup() {
    [ -z "$server" ] || kill "$server" 2>/dev/null || true
    if [ "$KEEP" = 1 ]; then echo "work folder kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
cd "$work"

# --- certificates ---
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=bench CA" -keyout ca.key \
    -out ca.pem -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=mp.weixin.qq.com" -keyout server.key \
    -out server.csr 2>/dev/null
printf '%s\n' "subjectAltName=DNS:mp.weixin.qq.com,DNS:mmbiz.qpic.cn" "basicConstraints=CA:FALSE" \
    "extendedKeyUsage=serverAuth" >ext.cnf
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
    -out server.pem -extfile ext.cnf 2>/dev/null

# --- pages, images, routes, indexes ---
# Writes pages/, img/, routes.json, index-1.md, index-$SMALL.md, index-$ARTICLES.md and
# ids-N.txt (the article ids of each index, in index order).
echo "making $ARTICLES articles from tests/data/wechat/ and their images in $work"
python3 - "$src" "$archiver" "$ARTICLES" "$SMALL" "$MONTHS" "$WEBP_EVERY" <<'PY'
import concurrent.futures as cf, json, os, random, re, struct, subprocess, sys, urllib.parse, zlib

src, archiver = sys.argv[1], sys.argv[2]
articles, small, months, webp_every = map(int, sys.argv[3:7])
FIXTURES = ["article-01", "article-02", "repost-01", "image-post-01", "text-post-01"]
CONVERT = "/usr/bin/convert"
BASE_W, BASE_H = 2400, 1800

def convert_json(path):
    r = subprocess.run([archiver, "convert", path, "--json"], capture_output=True, check=True)
    return json.loads(r.stdout)

def token_of(url):
    m = re.fullmatch(r"https://mp\.weixin\.qq\.com/s/([A-Za-z0-9_-]+)", url or "")
    if not m:
        sys.exit(f"bench/epub.sh: no /s/<token> URL in a fixture: {url!r}")
    return m.group(1)

fixtures = []
for name in FIXTURES:
    path = f"{src}/tests/data/wechat/{name}.html"
    j = convert_json(path)
    meta = j["meta"]
    if j["class"] != "article":
        sys.exit(f"bench/epub.sh: {name}.html is no longer converted as an article ({j['class']})")
    imgs = []
    for u in j["images"]:
        p = urllib.parse.urlsplit(u)
        seg = p.path.split("/")
        if p.netloc != "mmbiz.qpic.cn" or len(seg) < 4 or len(seg[2]) < 20:
            sys.exit(f"bench/epub.sh: {name}.html: unexpected image URL {u}")
        imgs.append((seg[1], seg[2], seg[3]))  # kind (mmbiz_png...), hash, size
    with open(path, "rb") as f:
        raw = f.read()
    fixtures.append(dict(name=name, raw=raw, title=meta["title"], token=token_of(meta["short_url"]),
                         mid=meta["mid"], sn=meta["sn"], images=imgs))

def copy_page(fx, k):
    """Copy k of a fixture: its own token, mid, sn, title and image URLs (k = 0: the fixture)."""
    if k == 0:
        return fx["raw"], fx["token"], fx["title"], [h for _, h, _ in fx["images"]]
    token = fx["token"][:-4] + f"{k:04d}"
    title = f"{fx['title']}（之{k}）"
    rep = {fx["token"]: token, fx["sn"]: fx["sn"][:-4] + f"{k:04x}", fx["title"]: title}
    hashes = []
    for _, h, _ in fx["images"]:
        rep[h] = h + f"x{k:03d}"
        hashes.append(rep[h])
    keys = sorted(rep, key=len, reverse=True)
    pat = re.compile("|".join(re.escape(x) for x in keys).encode())
    page = pat.sub(lambda m: rep[m.group(0).decode()].encode(), fx["raw"])
    mid = fx["mid"]
    page = re.sub(rb"(?<![0-9])" + mid.encode() + rb"(?![0-9])", str(int(mid) + k).encode(), page)
    return page, token, title, hashes

# --- images: distinct pixels for each (article, image) ---
RAMP = bytes(int(128 + 100 * ((i * (c + 3)) % 512 - 256) / 256) & 255
             for i in range(4096) for c in range(3))

def png(w, h, seed):
    """A screenshot-like PNG: a coloured bar, lines of 'text', now and then a photo (a piece of
    the base picture) or a gradient."""
    rnd = random.Random(seed)
    bg = bytes((250, 250, 250))
    ink = bytes((rnd.randrange(20, 80),) * 3)
    rows = [b"\0" + bytes((rnd.randrange(30, 220), rnd.randrange(30, 220), rnd.randrange(30, 220))) * w] * 48
    white = b"\0" + bg * w
    while len(rows) < h:
        r = rnd.random()
        if r < 0.08:  # a photo
            bh = min(rnd.randrange(80, 220), h - len(rows))
            x0, y0 = rnd.randrange(0, BASE_W - w), rnd.randrange(0, BASE_H - bh)
            for y in range(y0, y0 + bh):
                o = BASE_OFF + (y * BASE_W + x0) * 3
                rows.append(b"\0" + bg * 24 + BASE[o:o + 3 * (w - 48)] + bg * 24)
            rows.extend([white] * 12)
            continue
        if r < 0.18:  # a gradient
            off = rnd.randrange(0, 2048)
            for y in range(min(rnd.randrange(60, 200), h - len(rows))):
                o = (off + y * 3) % 2048 * 3
                rows.append(b"\0" + bg * 24 + RAMP[o:o + 3 * (w - 48)] + bg * 24)
            rows.extend([white] * 12)
            continue
        x, segs = 24, []
        while x < w - 80:
            n = rnd.randrange(6, 60)
            segs.append((x, n))
            x += n + rnd.randrange(4, 14)
        variants = []
        for v in range(3):
            row = bytearray(bg * w)
            for sx, n in segs:
                if (sx + v) % 3:
                    row[sx * 3:(sx + n) * 3] = ink * n
            variants.append(b"\0" + bytes(row))
        for y in range(14):
            rows.append(variants[(y * 7 + seed) % 3])
        rows.extend([white] * 10)
    raw = b"".join(rows[:h])
    def chunk(t, d):
        c = struct.pack(">I", len(d)) + t + d
        return c + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))

os.makedirs("pages", exist_ok=True)
os.makedirs("img", exist_ok=True)
# The base picture: photo-like (a plasma fractal), cut into the JPEG, WebP and GIF images and the
# photos of the PNG ones.
if subprocess.run([CONVERT, "-size", f"{BASE_W}x{BASE_H}", "-seed", "4242", "plasma:fractal",
                   "-depth", "8", "-write", "base.mpc", "base.ppm"]).returncode:
    sys.exit("bench/epub.sh: ImageMagick could not make the base picture")
with open("base.ppm", "rb") as f:
    BASE = f.read()
BASE_OFF = len(BASE) - BASE_W * BASE_H * 3
if BASE_OFF < 0 or not BASE.startswith(b"P6"):
    sys.exit("bench/epub.sh: ImageMagick made no 8-bit PPM of the base picture")

TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp", "gif": "image/gif"}
ASPECT = [0.56, 0.75, 1.0, 1.33, 0.62, 1.5]

def make_images(i, jobs):
    """jobs: [(j, kind)]; writes img/iii-jj.ext; returns [(j, file, type)]."""
    cmd, out = [CONVERT, "xc:black"], []  # null: below needs an image
    for j, kind in jobs:
        s = i * 64 + j + 1
        if kind.endswith("gif"):
            ext = "gif"
        elif webp_every and s % webp_every == 0:
            ext = "webp"
        elif kind.endswith("png"):
            ext = "png"
        else:
            ext = "jpg"
        w = 600 + (s * 7919) % 601
        if ext == "gif":
            w = 300 + (s * 7919) % 201
        h = min(BASE_H - 100, max(200, int(w * ASPECT[s % len(ASPECT)])))
        name = f"img/{i:03d}-{j:02d}.{ext}"
        out.append((j, name, TYPES[ext]))
        if ext == "png":
            with open(name, "wb") as f:
                f.write(png(w, h, s))
            continue
        x, y = (s * 977) % (BASE_W - w), (s * 631) % (BASE_H - h)
        cmd += ["(", f"base.mpc[{w}x{h}+{x}+{y}]", "+repage", "-channel", "RGB"[s % 3],
                "-evaluate", "add", f"{s % 9 + 1}%", "+channel"]
        if ext == "jpg":
            cmd += ["-quality", str(80 + s % 12), "-sampling-factor", "2x2"]
            if s % 3 == 0:
                cmd += ["-interlace", "Plane"]
        elif ext == "webp":
            cmd += ["-quality", "80"]
        else:
            cmd += ["-colors", "128"]
        cmd += ["-write", name, "+delete", ")"]
    if len(cmd) > 2:
        cmd.append("null:")
        r = subprocess.run(cmd, capture_output=True)
        if r.returncode:
            sys.exit(f"bench/epub.sh: ImageMagick failed: {r.stderr.decode(errors='replace')}")
    return out

# --- the articles ---
routes, entries, check = [], [], []
img_jobs = []
for i in range(articles):
    fx, k = fixtures[i % len(fixtures)], i // len(fixtures)
    page, token, title, hashes = copy_page(fx, k)
    with open(f"pages/{token}.html", "wb") as f:
        f.write(page)
    routes.append({"host": "mp.weixin.qq.com", "path": f"/s/{token}", "file": f"pages/{token}.html",
                   "type": "text/html; charset=utf-8"})
    paths = [f"/{kind}/{h}/{size}" for (kind, _, size), h in zip(fx["images"], hashes)]
    img_jobs.append((i, paths, [(j, kind) for j, (kind, _, _) in enumerate(fx["images"])]))
    entries.append((token, title))
    if k == 1:
        check.append((fx, f"pages/{token}.html", token, title))

# each copy must convert like its fixture, with its own title and its own images
for fx, path, token, title in check:
    j = convert_json(path)
    if j["class"] != "article" or j["meta"]["title"] != title or len(j["images"]) != len(fx["images"]):
        sys.exit(f"bench/epub.sh: the copy of {fx['name']} does not convert like it: "
                 f"{j['class']}, {j['meta']['title']!r}, {len(j['images'])} images")
    if j["meta"]["short_url"] != f"https://mp.weixin.qq.com/s/{token}":
        sys.exit(f"bench/epub.sh: the copy of {fx['name']} keeps its URL {j['meta']['short_url']}")

nimg = 0
with cf.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as ex:
    futs = {ex.submit(make_images, i, jobs): (i, paths) for i, paths, jobs in img_jobs}
    for fu in cf.as_completed(futs):
        i, paths = futs[fu]
        for j, name, typ in fu.result():
            routes.append({"host": "mmbiz.qpic.cn", "path": paths[j], "file": name, "type": typ})
            nimg += 1
json.dump(routes, open("routes.json", "w"))

def write_index(n):
    per = -(-n // min(months, n))
    lines, ids = ["# 基准测试文集", ""], []
    for i, (token, title) in enumerate(entries[:n]):
        if i % per == 0:
            m = 12 - i // per  # 2025-12, 2025-11, ... going down the file
            y = 2025
            while m < 1:
                m, y = m + 12, y - 1
            lines += [f"# {y}-{m:02d}", ""]
        lines += [f"【{m:02d}.{i % per % 28 + 1:02d}】 {title} https://mp.weixin.qq.com/s/{token}", ""]
        ids.append(token)
    open(f"index-{n}.md", "w", encoding="utf-8").write("\n".join(lines))
    open(f"ids-{n}.txt", "w").write("\n".join(ids) + "\n")

for n in sorted({1, small, articles}):
    write_index(n)
size = sum(os.path.getsize(f"img/{f}") for f in os.listdir("img"))
kinds = {}
for f in os.listdir("img"):
    kinds[f.rsplit(".", 1)[1]] = kinds.get(f.rsplit(".", 1)[1], 0) + 1
print(f"{articles} pages, {nimg} images ({', '.join(f'{v} {k}' for k, v in sorted(kinds.items()))}),"
      f" {size / 1e6:.1f} MB of images")
PY

python3 "$src/tests/e2e/server.py" --bind "$ADDR" --port 443 --cert server.pem --key server.key \
    --routes routes.json --log requests.log --ready ready --lifetime 3600 2>server.err &
server=$!
for _ in $(seq 1 100); do [ -s ready ] && break; sleep 0.05; done
[ -s ready ] || { cat server.err >&2; die "the test server did not start on $ADDR:443"; }

net=(--resolve "mp.weixin.qq.com:443:$ADDR" --resolve "mmbiz.qpic.cn:443:$ADDR" --cacert ca.pem)
start=$(date +%s.%N)
rc=0
"$archiver" fetch "index-$ARTICLES.md" --archive A --delay 0 --quiet "${net[@]}" || rc=$?
end=$(date +%s.%N)
[ "$rc" -eq 0 ] || die "archiver fetch failed (exit $rc)"
kill "$server" 2>/dev/null || true
wait "$server" 2>/dev/null || true
server=
"$archiver" status "index-$ARTICLES.md" --archive A --json >status.json
python3 - "$start" "$end" <<'PY'
import json, sys
s = json.load(open("status.json"))
ents = [e for m in s["months"] for e in m["entries"]]
bad = [(e["id"], e["state"], e["detail"]) for e in ents
       if e["state"] != "archived" or (e["images"] and (e["images"]["failed"] or e["images"]["gone"]))]
if bad:
    sys.exit(f"bench/epub.sh: not every article was archived with all its images: {bad[:5]}")
print(f"fetched {len(ents)} articles ({sum(e['images']['ok'] for e in ents if e['images'])} images)"
      f" in {float(sys.argv[2]) - float(sys.argv[1]):.1f} s")
PY

# --- measure ---
# measure NAME RUNS OUT CMD...: the best wall time of RUNS runs of CMD, which writes OUT; NAME.t
# holds "wall user sys maxrss_kb" of that run.  Before each run OUT is removed and the disk
# synced, so that no run pays for the write-back of the one before.  Returns 1 (its standard
# error shown) when CMD fails.
measure() {
    local name=$1 runs=$2 out=$3
    shift 3
    : >"$name.all"
    for _ in $(seq 1 "$runs"); do
        rm -f "$out"
        sync
        if ! /usr/bin/time -f '%e %U %S %M' -o "$name.one" "$@" >"$name.out" 2>"$name.err"; then
            tail -n 20 "$name.err" >&2
            return 1
        fi
        tail -n 1 "$name.one" >>"$name.all"
    done
    sort -n -k1,1 "$name.all" | head -n 1 >"$name.t"
}

sizes=$(printf '%s\n' 1 "$SMALL" "$ARTICLES" | sort -nu)
for n in $sizes; do
    # The first build is cold: no transcoded picture in the archive's cache (.cache/epub).  The
    # measured runs after it are warm, as every rebuild of an archive is.
    rm -rf A/.cache
    measure "arc-$n-cold" 1 "arc-$n.epub" "$archiver" epub "index-$n.md" --archive A \
        --epub "arc-$n.epub" --json || die "archiver epub index-$n.md failed"
    cp "arc-$n-cold.out" "arc-$n.json"
    measure "arc-$n" "$RUNS" "arc-$n.epub" "$archiver" epub "index-$n.md" --archive A \
        --epub "arc-$n.epub" --quiet || die "archiver epub index-$n.md failed"
done

# The PDF of the same books (the first cut of the PDF back end; its peers are issue 7's): best
# wall time of $RUNS runs.
for n in $sizes; do
    measure "pdf-$n" "$RUNS" "pdf-$n.pdf" "$archiver" pdf "index-$n.md" --archive A \
        --pdf "pdf-$n.pdf" --json || die "archiver pdf index-$n.md failed"
done

pandoc_cmd() { # pandoc_cmd N: the same article.html files, in index order, into one EPUB
    local n=$1 id rp='' files=()
    while read -r id; do
        files+=("A/articles/$id/article.html")
        rp+="${rp:+:}A/articles/$id"
    done <"ids-$n.txt"
    PANDOC_ARGS=(pandoc -f html -t epub3 --toc --metadata title=基准测试文集 --metadata lang=zh-CN
        --resource-path="$rp" -o "pan-$n.epub" "${files[@]}")
}
if [ "$pandoc_ok" = 1 ]; then
    echo "pandoc: $(pandoc --version | head -n 1), once per size:" \
        "pandoc -f html -t epub3 --toc --metadata title=… --metadata lang=zh-CN" \
        "--resource-path=A/articles/<id1>:…:A/articles/<idN> -o pan-N.epub" \
        "A/articles/<id1>/article.html … A/articles/<idN>/article.html"
    for n in $(printf '%s\n' "$SMALL" "$ARTICLES" | sort -nu); do
        pandoc_cmd "$n"
        if ! measure "pan-$n" 1 "pan-$n.epub" "${PANDOC_ARGS[@]}"; then
            echo "pandoc failed on $n articles: the comparison is skipped"
            pandoc_ok=0
            break
        fi
    done
fi

# --- report ---
python3 - "$ARTICLES" "$SMALL" "$pandoc_ok" <<'PY'
import json, os, re, struct, sys, zipfile
big, small, pandoc_ok = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == "1"

def t(name):
    wall, user, sys_, rss = open(f"{name}.t").read().split()
    return dict(wall=float(wall), cpu=float(user) + float(sys_), rss=int(rss) / 1024)

def images_in(path):
    with zipfile.ZipFile(path) as z:
        return sum(1 for n in z.namelist() if re.search(r"\.(jpe?g|png|gif|webp|svg)$", n, re.I))

def cover(path):
    """(width, height, bytes) of the EPUB's cover-image, or None."""
    with zipfile.ZipFile(path) as z:
        opf_path = re.search(rb'full-path="([^"]+)"', z.read("META-INF/container.xml")).group(1).decode()
        opf = z.read(opf_path).decode()
        for item in re.findall(r"<item\b[^>]*>", opf):
            if re.search(r'properties="[^"]*cover-image', item):
                href = re.search(r'href="([^"]+)"', item).group(1)
                name = os.path.normpath(os.path.join(os.path.dirname(opf_path), href))
                data = z.read(name)
                if data[:8] == b"\x89PNG\r\n\x1a\n":
                    w, h = struct.unpack(">II", data[16:24])
                    return w, h, len(data)
                return None

sizes = sorted({1, small, big})
arc = {n: t(f"arc-{n}") for n in sizes}
rep = {n: json.load(open(f"arc-{n}.json"))["epub"] for n in sizes}
pan = {n: t(f"pan-{n}") for n in sorted({small, big})} if pandoc_ok else {}
per = (arc[big]["wall"] - arc[1]["wall"]) / (big - 1)
fixed = arc[1]["wall"] - per
cov = cover(f"arc-{big}.epub")
cover_mb = cov[0] * cov[1] * 4 / 2**20 if cov else 0.0

print(f"fixed cost (cover, fonts, skeleton): {fixed * 1000:.0f} ms wall "
      f"(1-article book {arc[1]['wall'] * 1000:.0f} ms, {arc[1]['cpu'] * 1000:.0f} ms CPU, "
      f"{arc[1]['rss']:.1f} MB peak RSS); per article {per * 1000:.2f} ms = (t{big} - t1) / {big - 1}")
if cov:
    print(f"cover: {cov[0]}x{cov[1]} PNG, {cov[2] / 1024:.0f} KiB, raster {cover_mb:.1f} MB")
else:
    print("cover: none found in the EPUB (no cover-image item)")

hdr = (f"{'N':>4} {'arch wall':>9} {'CPU':>7} {'RSS MB':>7} {'EPUB bytes':>11} {'images':>7} "
       f"{'per art':>8} | {'pandoc wall':>11} {'CPU':>7} {'RSS MB':>7} {'EPUB bytes':>11} {'images':>7} {'per art':>8} | {'ratio':>6}")
print(hdr)
print("-" * len(hdr))
for n in sizes:
    a, r = arc[n], rep[n]
    var = (a["wall"] - fixed) / n
    line = (f"{n:>4} {a['wall']:>8.3f}s {a['cpu']:>6.2f}s {a['rss']:>7.1f} "
            f"{os.path.getsize(f'arc-{n}.epub'):>11} {images_in(f'arc-{n}.epub'):>7} "
            f"{var * 1000:>6.2f}ms |")
    if n in pan and var > 0:
        p = pan[n]
        pp = p["wall"] / n
        line += (f" {p['wall']:>10.2f}s {p['cpu']:>6.2f}s {p['rss']:>7.1f} {os.path.getsize(f'pan-{n}.epub'):>11} "
                 f"{images_in(f'pan-{n}.epub'):>7} {pp * 1000:>6.1f}ms | {pp / var:>5.1f}x")
    else:
        line += f" {'':>10}  {'':>7} {'':>7} {'':>11} {'':>7} {'':>8} |"
    print(line)
print(f"'images': image files in the EPUB (archiver's count its cover); archiver packaged "
      f"{rep[big]['images']} images of the articles in the {big}-article book "
      f"({rep[big]['images_transcoded']} transcoded, {rep[big]['images_missing']} missing); "
      f"'per art' leaves archiver's fixed cost out; ratio = pandoc per art / archiver per art")

cold = {n: t(f"arc-{n}-cold") for n in sizes}
per_cold = (cold[big]["wall"] - cold[1]["wall"]) / (big - 1)
print(f"cold (first build: every WebP transcoded, none from the cache): {big} articles "
      f"{cold[big]['wall']:.3f} s wall, {cold[big]['cpu']:.2f} s CPU, {cold[big]['rss']:.1f} MB; "
      f"per article {per_cold * 1000:.2f} ms" +
      (f", {(pan[big]['wall'] / big) / per_cold:.1f}x pandoc" if pandoc_ok and per_cold > 0 else ""))

ok = lambda c: "PASS" if c else "MISS"
if pandoc_ok and per > 0:
    ratio = (pan[big]["wall"] / big) / per
    print(f"target: pandoc / archiver per article at {big} articles >= 30x: {ratio:.1f}x  {ok(ratio >= 30)}")
    for n in pan:
        miss = rep[n]["images"] - images_in(f"pan-{n}.epub")
        if miss > 0:
            print(f"note: pandoc's {n}-article EPUB lacks {miss} of the {rep[n]['images']} images")
else:
    print(f"target: pandoc / archiver per article at {big} articles >= 30x: not measured")
limit = 30 + cover_mb
print(f"target: peak RSS at {big} articles <= 30 MB + cover ({limit:.1f} MB): "
      f"{arc[big]['rss']:.1f} MB  {ok(arc[big]['rss'] <= limit)}")

print("PDF (archiver pdf, A5):")
pdf = {n: t(f"pdf-{n}") for n in sizes}
prep = {n: json.load(open(f"pdf-{n}.out"))["pdf"] for n in sizes}
for n in sizes:
    r = prep[n]
    print(f"{n:>4} articles: {r['pages']:>6} pages {pdf[n]['wall']:>8.3f}s wall {pdf[n]['cpu']:>7.2f}s CPU "
          f"{pdf[n]['rss']:>7.1f} MB RSS {r['bytes']:>11} bytes, {r['images']} pictures "
          f"({r['images_passthrough']} JPEG as they are)")
if prep[big]["pages"] > prep[1]["pages"]:
    per_page = (pdf[big]["wall"] - pdf[1]["wall"]) / (prep[big]["pages"] - prep[1]["pages"])
    print(f"PDF marginal cost: {per_page * 1000:.2f} ms per page (issue 7 target <= 6 ms)")
PY
