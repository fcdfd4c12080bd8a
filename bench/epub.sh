#!/usr/bin/env bash
# bench/epub.sh ARCHIVER: the EPUB benchmark, next to pandoc, measured in the same run.
#
# 1. The archive is bench/archive.sh's: $ARTICLES articles (default 200) fetched with `archiver
#    fetch` from the local HTTPS test server (tests/e2e/server.py), copies of the five real pages
#    of tests/data/wechat/ (article-01, article-02, repost-01, image-post-01, text-post-01), each
#    copy with its own token, mid, sn and title and its own images (distinct pixels: JPEG, PNG,
#    some WebP, the fixtures' GIFs; 600-1200 px wide), so that deduplication hides none of their
#    cost.  The index spreads them over $MONTHS months (default 8).  Copies 0 are the fixtures
#    themselves: they make "the test archive" of $SMALL articles (default 5).  It is made in
#    $WORK when that is given (or taken from there when it is made already: bench/run makes it
#    once for this script and bench/pdf.sh; a WORK given is never removed), else in a folder of
#    this script's own, removed at exit unless KEEP=1.
# 2. Times `archiver epub` for a book of 1 article, of $SMALL and of $ARTICLES: once cold (the
#    archive's cache of transcoded pictures emptied first), then warm, the best wall time of
#    $RUNS runs, default 3 (user+sys CPU and peak RSS of that run).  The 1-article book gives
#    the fixed cost (cover, fonts, the package's skeleton): per article = (t_N - t_1) / (N - 1),
#    fixed = t_1 - per article.  $SIZES (default none) names larger books for archiver alone
#    (e.g. "1000 2000"; the archive is made as large as the largest), run $RUNS_BIG times warm
#    (default 1) after their cold run: the cost per article (chapter) at each N, and its growth.
# 3. Times pandoc (Debian package `pandoc`, installed here when missing; skipped with a note when
#    it cannot be) converting the same article.html files, in index order, into one EPUB 3 with
#    a table of contents (--toc), its images resolved through --resource-path, once per size.
# Targets (issue): pandoc's time per article over archiver's per article (its fixed cost left
# out) >= 30 at $ARTICLES articles; archiver's peak RSS <= 30 MB plus the cover's raster
# (width x height x 4 bytes); at the largest N (issue 7): per article <= 2 ms, peak RSS <= 300 MB,
# the cost per article growing linearly.  With $RESULTS (a folder) the figures and targets are
# also written to RESULTS/epub.json (bench/report.py reads it).  Needs root (the server binds $ADDR:443, as the tests do) and the
# packages of scripts/setup.sh.  Not a test: it fails only when a program fails, never on time.
set -euo pipefail
archiver=$(realpath "${1:?usage: bench/epub.sh path/to/archiver}")
src=$(cd "$(dirname "$0")/.." && pwd)
ARTICLES=${ARTICLES:-200} SMALL=${SMALL:-5} RUNS=${RUNS:-3} MONTHS=${MONTHS:-8}
SIZES=${SIZES:-} RUNS_BIG=${RUNS_BIG:-1} RESULTS=${RESULTS:-}
WEBP_EVERY=${WEBP_EVERY:-20} # every n-th image is served as WebP (0: none)
KEEP=${KEEP:-0}               # 1: keep the work folder (archive, books) for a closer look
WORK=${WORK:-}                # a folder for the archive and the books, kept (bench/archive.sh)
ADDR=127.0.0.91               # bench/archive.sh's test server
die() { echo "bench/epub.sh: $*" >&2; exit 1; }

if ! [ "$ARTICLES" -ge 2 ] || ! [ "$SMALL" -ge 1 ] || ! [ "$SMALL" -le "$ARTICLES" ]; then
    die "needs ARTICLES >= 2 and 1 <= SMALL <= ARTICLES (have ARTICLES=$ARTICLES SMALL=$SMALL)"
fi
[ "$RUNS" -ge 1 ] && [ "$RUNS_BIG" -ge 1 ] || die "RUNS and RUNS_BIG must be at least 1"
for n in $SIZES; do
    [[ "$n" =~ ^[0-9]+$ ]] && [ "$n" -ge 2 ] || die "SIZES must be numbers of articles >= 2 (have '$n')"
done
[ -z "$RESULTS" ] || { mkdir -p "$RESULTS" && RESULTS=$(realpath "$RESULTS"); } ||
    die "cannot make the results folder $RESULTS"
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

if [ -n "$WORK" ]; then
    work=$WORK # the caller's: kept
else
    work=$(mktemp -d /tmp/archiver-bench-epub.XXXXXX)
    cleanup() { if [ "$KEEP" = 1 ]; then echo "work folder kept: $work"; else rm -rf "$work"; fi; }
    trap cleanup EXIT
fi
ARTICLES=$ARTICLES SIZES=$SIZES SMALL=$SMALL MONTHS=$MONTHS WEBP_EVERY=$WEBP_EVERY \
    bash "$src/bench/archive.sh" "$archiver" "$work" || die "bench/archive.sh failed"
cd "$work"

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

sizes=$(printf '%s\n' 1 "$SMALL" "$ARTICLES" $SIZES | sort -nu)
for n in $sizes; do
    runs=$RUNS
    [ "$n" -le "$ARTICLES" ] || runs=$RUNS_BIG
    # The first build is cold: no transcoded picture in the archive's cache (.cache/epub).  The
    # measured runs after it are warm, as every rebuild of an archive is.
    rm -rf A/.cache
    measure "arc-$n-cold" 1 "arc-$n.epub" "$archiver" epub "index-$n.md" --archive A \
        --epub "arc-$n.epub" --json || die "archiver epub index-$n.md failed"
    cp "arc-$n-cold.out" "arc-$n.json"
    measure "arc-$n" "$runs" "arc-$n.epub" "$archiver" epub "index-$n.md" --archive A \
        --epub "arc-$n.epub" --quiet || die "archiver epub index-$n.md failed"
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
python3 - "$ARTICLES" "$SMALL" "$pandoc_ok" "$RESULTS" $SIZES <<'PY'
import json, os, re, struct, sys, zipfile
big, small, pandoc_ok = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == "1"
results, more = sys.argv[4], sorted(set(map(int, sys.argv[5:])))

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

sizes = sorted({1, small, big} | set(more))
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
targets = []

def target(what, figure, passed, text):
    """One target: printed, and kept for RESULTS/epub.json."""
    targets.append(dict(what=what, figure=figure, ok=passed, text=text))
    print(f"target: {what}: {text}  {ok(passed) if passed is not None else ''}".rstrip())

if pandoc_ok and per > 0:
    ratio = (pan[big]["wall"] / big) / per
    target(f"pandoc / archiver per article at {big} articles >= 30x", ratio, ratio >= 30,
           f"{ratio:.1f}x ({pan[big]['wall'] / big * 1000:.1f} ms / {per * 1000:.2f} ms)")
    for n in pan:
        miss = rep[n]["images"] - images_in(f"pan-{n}.epub")
        if miss > 0:
            print(f"note: pandoc's {n}-article EPUB lacks {miss} of the {rep[n]['images']} images")
else:
    target(f"pandoc / archiver per article at {big} articles >= 30x", None, None, "not measured")
limit = 30 + cover_mb
target(f"peak RSS at {big} articles <= 30 MB + cover ({limit:.1f} MB)", arc[big]["rss"],
       arc[big]["rss"] <= limit, f"{arc[big]['rss']:.1f} MB")

top = max(sizes)
growth = {n: (arc[n]["wall"] - arc[1]["wall"]) * 1000 / (n - 1) for n in sizes if n > 1}
print("per article (chapter) at each size, warm: " +
      ", ".join(f"{n}: {g:.2f} ms" for n, g in growth.items()))
if top != big:
    g = growth[top]
    target(f"per article (chapter) at {top} articles <= 2 ms", g, g <= 2, f"{g:.2f} ms = (t{top} - t1) / {top - 1}")
    target(f"peak RSS at {top} articles <= 300 MB", arc[top]["rss"], arc[top]["rss"] <= 300,
           f"{arc[top]['rss']:.1f} MB")
    lin = growth[top] / growth[big] if growth[big] > 0 else None
    if lin is not None:
        target(f"linear growth {big} -> {top} articles (ms per article within 1.25x)", lin, lin <= 1.25,
               f"{growth[big]:.2f} -> {growth[top]:.2f} ms ({lin:.2f}x)")

if results:
    runs = {}
    for n in sizes:
        runs[f"arc-{n}"] = dict(program="archiver", articles=n, wall=arc[n]["wall"], cpu=arc[n]["cpu"],
                                peak_rss_mb=arc[n]["rss"], bytes=os.path.getsize(f"arc-{n}.epub"),
                                cold_wall=cold[n]["wall"], cold_cpu=cold[n]["cpu"], cold_rss_mb=cold[n]["rss"])
    for n in pan:
        runs[f"pan-{n}"] = dict(program="pandoc", articles=n, wall=pan[n]["wall"], cpu=pan[n]["cpu"],
                                peak_rss_mb=pan[n]["rss"], bytes=os.path.getsize(f"pan-{n}.epub"))
    with open(os.path.join(results, "epub.json"), "w") as f:
        json.dump(dict(sizes=sizes, peers_at=big, runs=runs, fixed_ms=fixed * 1000,
                       growth={str(n): dict(per_article_ms=g) for n, g in growth.items()},
                       targets=targets), f, indent=1)
PY
