#!/usr/bin/env bash
# bench/archive.sh ARCHIVER WORK: makes the benchmark archive that bench/epub.sh and bench/pdf.sh
# measure, in the folder WORK (made when missing).
#
# An archive of $ARTICLES articles (default 200) made with `archiver fetch` from the local HTTPS
# test server (tests/e2e/server.py, bound to $ADDR:443 with certificates made here): copy k of the
# five real pages of tests/data/wechat/ (article-01, article-02, repost-01, image-post-01,
# text-post-01), each copy with its own token, mid, sn and title and its own images (distinct
# pixels: JPEG, PNG, every $WEBP_EVERY-th one WebP (default 20; 0: none), the fixtures' GIFs;
# 600-1200 px wide), so that deduplication hides none of their cost.  The index spreads them over
# $MONTHS months (default 8).  Copies 0 are the fixtures themselves: they make "the test archive"
# of $SMALL articles (default 5).  Every article must end up archived with all its images
# (`archiver status`), or the script fails.
#
# $SIZES (default none) names more sizes, e.g. "1000 2000": the archive then holds as many
# articles as the largest, and each size gets its index (the first N articles).
#
# It leaves in WORK: A/ (the archive), index-1.md, index-$SMALL.md, index-$ARTICLES.md,
# index-N.md for each N of $SIZES and ids-N.txt (the article ids of each index, in index order),
# and next to them what made them
# (pages/, img/, routes.json, the certificates, the server's log, status.json).  The pages and the
# images are the same bytes on every run (fixed seeds; the images are written and routed in a
# fixed order); the archive differs only in what `archiver fetch` stamps with the clock.
#
# WORK/.made records ARTICLES, SIZES, SMALL, MONTHS, WEBP_EVERY and the checksums of this script and of
# the five fixtures.  When it matches, the archive is there already and nothing is done (one line
# says so); otherwise what an earlier run made is removed and the archive made again.  A WORK that
# is neither empty nor a folder of this script's (.made or .making in it) is refused.  Runs of
# this script wait for each other (flock on /run/lock/archiver-bench-$ADDR.lock).
# Needs root (the server binds $ADDR:443, as the tests do) and the packages of scripts/setup.sh.
set -euo pipefail
archiver=$(realpath "${1:?usage: bench/archive.sh path/to/archiver WORK}")
work=${2:?usage: bench/archive.sh path/to/archiver WORK}
src=$(cd "$(dirname "$0")/.." && pwd)
ARTICLES=${ARTICLES:-200} SMALL=${SMALL:-5} MONTHS=${MONTHS:-8} SIZES=${SIZES:-}
WEBP_EVERY=${WEBP_EVERY:-20} # every n-th image is served as WebP (0: none)
ADDR=127.0.0.91
die() { echo "bench/archive.sh: $*" >&2; exit 1; }

if ! [ "$ARTICLES" -ge 2 ] || ! [ "$SMALL" -ge 1 ] || ! [ "$SMALL" -le "$ARTICLES" ]; then
    die "needs ARTICLES >= 2 and 1 <= SMALL <= ARTICLES (have ARTICLES=$ARTICLES SMALL=$SMALL)"
fi
[ "$MONTHS" -ge 1 ] || die "MONTHS must be at least 1"
total=$ARTICLES # the articles of the archive: the largest size
for n in $SIZES; do
    [[ "$n" =~ ^[0-9]+$ ]] && [ "$n" -ge 2 ] || die "SIZES must be numbers of articles >= 2 (have '$n')"
    [ "$n" -le "$total" ] || total=$n
done
[ "$WEBP_EVERY" -ge 0 ] || die "WEBP_EVERY must be 0 or more"

mkdir -p "$work"
work=$(realpath "$work")
# one make at a time: they share $ADDR:443 (and a WORK being made is not ready to be taken)
command -v flock >/dev/null || die "flock (util-linux) is missing"
exec 9>"/run/lock/archiver-bench-$ADDR.lock"
flock 9
fixtures=()
for f in article-01 article-02 repost-01 image-post-01 text-post-01; do
    fixtures+=("$src/tests/data/wechat/$f.html")
done
stamp=$(
    echo "ARTICLES=$ARTICLES SIZES=$SIZES SMALL=$SMALL MONTHS=$MONTHS WEBP_EVERY=$WEBP_EVERY"
    cd "$src" && sha256sum bench/archive.sh "${fixtures[@]#"$src/"}"
)
if [ -f "$work/.made" ] && [ "$(cat "$work/.made")" = "$stamp" ]; then
    echo "archive of $total articles already made in $work (bench/archive.sh: same parameters)"
    exit 0
fi
if [ ! -e "$work/.made" ] && [ ! -e "$work/.making" ] && [ -n "$(ls -A "$work")" ]; then
    die "$work is not empty and holds no archive of bench/archive.sh (.made): give an empty folder"
fi

[ "$(id -u)" -eq 0 ] || die "needs root: the test server binds $ADDR:443"
"$archiver" help fetch >/dev/null 2>&1 || die "$archiver has no 'fetch' command"
for t in python3 openssl /usr/bin/convert; do
    command -v "$t" >/dev/null || die "$t is missing: run bash scripts/setup.sh first"
done

cd "$work"
# What an earlier make left (other parameters, or cut short), then the mark of a make under way.
rm -rf .made A pages img base.mpc base.cache base.ppm routes.json index-*.md ids-*.txt \
    status.json requests.log ready server.err server.key server.csr server.pem ca.key ca.pem \
    ca.srl ext.cnf
echo "$stamp" >.making

server=
cleanup() { [ -z "$server" ] || kill "$server" 2>/dev/null || true; }
trap cleanup EXIT

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
# Writes pages/, img/, routes.json, index-N.md for N = 1, $SMALL, $ARTICLES and each of $SIZES,
# and ids-N.txt (the article ids of each index, in index order).
echo "making $total articles from tests/data/wechat/ and their images in $work"
python3 - "$src" "$archiver" "$total" "$SMALL" "$MONTHS" "$WEBP_EVERY" $ARTICLES $SIZES <<'PY'
import concurrent.futures as cf, json, os, random, re, struct, subprocess, sys, urllib.parse, zlib

src, archiver = sys.argv[1], sys.argv[2]
articles, small, months, webp_every = map(int, sys.argv[3:7])
sizes = set(map(int, sys.argv[7:]))  # the indexes besides 1 and small (articles is the largest)
FIXTURES = ["article-01", "article-02", "repost-01", "image-post-01", "text-post-01"]
CONVERT = "/usr/bin/convert"
BASE_W, BASE_H = 2400, 1800

def convert_json(path):
    r = subprocess.run([archiver, "convert", path, "--json"], capture_output=True, check=True)
    return json.loads(r.stdout)

def token_of(url):
    m = re.fullmatch(r"https://mp\.weixin\.qq\.com/s/([A-Za-z0-9_-]+)", url or "")
    if not m:
        sys.exit(f"bench/archive.sh: no /s/<token> URL in a fixture: {url!r}")
    return m.group(1)

fixtures = []
for name in FIXTURES:
    path = f"{src}/tests/data/wechat/{name}.html"
    j = convert_json(path)
    meta = j["meta"]
    if j["class"] != "article":
        sys.exit(f"bench/archive.sh: {name}.html is no longer converted as an article ({j['class']})")
    imgs = []
    for u in j["images"]:
        p = urllib.parse.urlsplit(u)
        seg = p.path.split("/")
        if p.netloc != "mmbiz.qpic.cn" or len(seg) < 4 or len(seg[2]) < 20:
            sys.exit(f"bench/archive.sh: {name}.html: unexpected image URL {u}")
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
    sys.exit("bench/archive.sh: ImageMagick could not make the base picture")
with open("base.ppm", "rb") as f:
    BASE = f.read()
BASE_OFF = len(BASE) - BASE_W * BASE_H * 3
if BASE_OFF < 0 or not BASE.startswith(b"P6"):
    sys.exit("bench/archive.sh: ImageMagick made no 8-bit PPM of the base picture")

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
            sys.exit(f"bench/archive.sh: ImageMagick failed: {r.stderr.decode(errors='replace')}")
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
        sys.exit(f"bench/archive.sh: the copy of {fx['name']} does not convert like it: "
                 f"{j['class']}, {j['meta']['title']!r}, {len(j['images'])} images")
    if j["meta"]["short_url"] != f"https://mp.weixin.qq.com/s/{token}":
        sys.exit(f"bench/archive.sh: the copy of {fx['name']} keeps its URL {j['meta']['short_url']}")

nimg = 0
# processes, not threads: png() is Python (forked workers; make_images is this script's own)
with cf.ProcessPoolExecutor(max_workers=os.cpu_count() or 2) as ex:
    # routes in article order, whichever thread finishes first: the same routes.json every run
    futs = [(ex.submit(make_images, i, jobs), paths) for i, paths, jobs in img_jobs]
    for fu, paths in futs:
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

for n in sorted({1, small, articles} | sizes):
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
"$archiver" fetch "index-$total.md" --archive A --delay 0 --quiet "${net[@]}" || rc=$?
end=$(date +%s.%N)
[ "$rc" -eq 0 ] || die "archiver fetch failed (exit $rc)"
kill "$server" 2>/dev/null || true
wait "$server" 2>/dev/null || true
server=
"$archiver" status "index-$total.md" --archive A --json >status.json
python3 - "$start" "$end" <<'PY'
import json, sys
s = json.load(open("status.json"))
ents = [e for m in s["months"] for e in m["entries"]]
bad = [(e["id"], e["state"], e["detail"]) for e in ents
       if e["state"] != "archived" or (e["images"] and (e["images"]["failed"] or e["images"]["gone"]))]
if bad:
    sys.exit(f"bench/archive.sh: not every article was archived with all its images: {bad[:5]}")
print(f"fetched {len(ents)} articles ({sum(e['images']['ok'] for e in ents if e['images'])} images)"
      f" in {float(sys.argv[2]) - float(sys.argv[1]):.1f} s")
PY

mv .making .made
