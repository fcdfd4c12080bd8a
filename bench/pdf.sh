#!/usr/bin/env bash
# bench/pdf.sh ARCHIVER: the PDF benchmark (issues 6 and 7), archiver pdf next to WeasyPrint and headless
# Chromium, measured in the same run on the same archive.
#
# 1. The archive is bench/archive.sh's ($ARTICLES articles, default 200, with their own images;
#    the test archive of $SMALL, default 5): made in $WORK when it is given (and reused from there
#    when it is made already; a WORK given is never removed), else in a folder of its own, removed
#    at exit unless KEEP=1.
# 2. Times `archiver pdf index-N.md --archive A --pdf arc-N.pdf --json` (A5) for N = 1, $SMALL
#    and $ARTICLES: the best wall time of $RUNS runs (default 3), with the CPU and memory of that
#    run; its --json gives pages, bytes and pictures.  Marginal cost per page =
#    (t_N - t_1) / (pages_N - pages_1), N = $ARTICLES.  $SIZES (default none) names larger books
#    for archiver alone (e.g. "1000 2000", the archive made as large as the largest), run
#    $RUNS_BIG times each (default 1); the cost per article and per page is reported at each N,
#    and its growth from $ARTICLES to the largest (linear: the same per page).
# 3. The peers render the same article.html files (A/articles/<id>/article.html, in index order,
#    ids from ids-N.txt) for N = $SMALL and $ARTICLES, once each (they are slow).  Both get one
#    HTML book, peer-N.html: a head with <meta charset=utf-8> and a <style> of
#    `@page { size: A5; margin: 15mm }` followed by A/book.css (the stylesheet article.html links;
#    it keeps the pictures within the page: figure.image img { max-width: 100% }), then the <body>
#    content of each article in a <section style="break-before: page">, its relative src and href
#    pointing into the article's folder (images/x.jpg -> A/articles/<id>/images/x.jpg).
#      weasyprint peer-N.html wp-N.pdf
#      chromium --headless=new --no-sandbox --disable-gpu --no-pdf-header-footer
#               --user-data-dir=WORK/cr-profile --print-to-pdf=cr-N.pdf file://WORK/peer-N.html
#    (--headless when --headless=new does not work; the profile is the run's own, made by a
#    first render of a small page that also warms both peers up).  On a big book (100 articles
#    already) --print-to-pdf writes no PDF: a renderer dies ("V8 error: Empty MaybeLocal") as the
#    finished PDF comes back, it seems as one base64 string.  Then the same print runs again
#    through the DevTools protocol with the PDF streamed (bench/cdp_print.py: Page.printToPDF,
#    preferCSSPageSize, transferMode ReturnAsStream; the same bytes as --print-to-pdf on the
#    small book), and the table marks it "Chromium*".  A peer that is missing, fails, goes over
#    $PEER_MAX_MB of PSS (default 3/4 of the RAM) or runs longer than $PEER_MAX_S seconds
#    (default 7200) gets a note, and no ratios from there on.
# 4. Every program runs under bench/treemem.py: wall time, the user + system CPU of its whole
#    process tree, the tree's peak PSS (and RSS) sampled from /proc (Chromium runs a dozen
#    processes; /usr/bin/time would see one).  ms/page = wall / pages.
# 5. Every PDF: pages (pdfinfo), bytes, and bench/pdfsize.py's breakdown from `qpdf --json`
#    (stream /Length values): image streams (JPEG = DCTDecode, and the others), embedded font
#    programs, and "else", everything that is neither (content streams, other streams, objects'
#    syntax, xref), also per page; the JPEG streams next to the JPEG files of the index's articles
#    (a JPEG kept as it is is its file, byte for byte: pdfsize.py matches them by SHA-256); and the
#    PDF's bytes over the bytes of all the source images.  Images: unique image objects
#    (pdfimages -list) against the source images, to see that the peers show them all.
# Targets (issue 7), at $SMALL and $ARTICLES articles: WeasyPrint wall / archiver wall >= 20;
# Chromium wall / archiver wall >= 5; archiver's peak <= 1/10 of WeasyPrint's (tree PSS); in
# archiver's PDF the JPEG image objects within 2% of their source files, "else" <= 3 KB per
# page, and all its bytes <= 1.10 x its image streams + 3 KB per page; at the largest N:
# archiver's marginal cost <= 6 ms per page and peak RSS <= 300 MB.  With $RESULTS (a folder)
# the figures and targets are also written to RESULTS/pdf.json (bench/report.py reads it).
# The size breakdown (5.) is made for $ARTICLES articles and less: qpdf --json of a PDF of
# tens of thousands of pages takes long, and the larger books have no peers to compare with.  Needs root (archive.sh's
# server binds 127.0.0.91:443; the Debian packages weasyprint, chromium, poppler-utils and qpdf
# are installed when missing).  Not a test: it fails only when archiver (or the making of the
# archive) fails, never on time.
set -euo pipefail
archiver=$(realpath "${1:?usage: bench/pdf.sh path/to/archiver}")
src=$(cd "$(dirname "$0")/.." && pwd)
ARTICLES=${ARTICLES:-200} SMALL=${SMALL:-5} RUNS=${RUNS:-3} MONTHS=${MONTHS:-8}
SIZES=${SIZES:-} RUNS_BIG=${RUNS_BIG:-1} RESULTS=${RESULTS:-}
WEBP_EVERY=${WEBP_EVERY:-20} # every n-th image is served as WebP (0: none)
KEEP=${KEEP:-0}               # 1: keep the work folder (archive, books) for a closer look
WORK=${WORK:-}                # a folder for the archive and the books, kept (bench/archive.sh)
# a peer is stopped when its tree's PSS goes over PEER_MAX_MB (default 3/4 of the RAM), or when it
# runs longer than PEER_MAX_S seconds (default 7200)
PEER_MAX_MB=${PEER_MAX_MB:-$(awk '/^MemTotal:/ { print int($2 * 3 / 4 / 1024) }' /proc/meminfo)}
PEER_MAX_S=${PEER_MAX_S:-7200}
die() { echo "bench/pdf.sh: $*" >&2; exit 1; }

if ! [ "$ARTICLES" -ge 2 ] || ! [ "$SMALL" -ge 1 ] || ! [ "$SMALL" -le "$ARTICLES" ]; then
    die "needs ARTICLES >= 2 and 1 <= SMALL <= ARTICLES (have ARTICLES=$ARTICLES SMALL=$SMALL)"
fi
[ "$RUNS" -ge 1 ] && [ "$RUNS_BIG" -ge 1 ] || die "RUNS and RUNS_BIG must be at least 1"
for n in $SIZES; do
    [[ "$n" =~ ^[0-9]+$ ]] && [ "$n" -ge 2 ] || die "SIZES must be numbers of articles >= 2 (have '$n')"
done
[ -z "$RESULTS" ] || { mkdir -p "$RESULTS" && RESULTS=$(realpath "$RESULTS"); } ||
    die "cannot make the results folder $RESULTS"
[ "$(id -u)" -eq 0 ] || die "needs root: the test server binds 127.0.0.91:443"
"$archiver" help pdf >/dev/null 2>&1 || die "$archiver has no 'pdf' command"
command -v python3 >/dev/null || die "python3 is missing: run bash scripts/setup.sh first"

# Debian packages the way scripts/setup.sh installs them.
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
install_pkg() {
    local sudo=
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    echo "bench/pdf.sh: installing $*" >&2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get update -q >/dev/null &&
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "$@" >/dev/null
}
missing=()
for p in poppler-utils qpdf weasyprint chromium; do
    have_pkg "$p" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
    install_pkg "${missing[@]}" || true
fi
for t in pdfinfo pdfimages qpdf; do
    command -v "$t" >/dev/null || die "$t is missing (apt-get install poppler-utils qpdf failed)"
done
wp_ok=1 cr_ok=1
command -v weasyprint >/dev/null || { wp_ok=0; echo "weasyprint not available: its comparison is skipped"; }
command -v chromium >/dev/null || { cr_ok=0; echo "chromium not available: its comparison is skipped"; }

if [ -n "$WORK" ]; then
    work=$WORK # the caller's: kept
else
    work=$(mktemp -d /tmp/archiver-bench-pdf.XXXXXX)
    cleanup() { if [ "$KEEP" = 1 ]; then echo "work folder kept: $work"; else rm -rf "$work"; fi; }
    trap cleanup EXIT
fi
ARTICLES=$ARTICLES SIZES=$SIZES SMALL=$SMALL MONTHS=$MONTHS WEBP_EVERY=$WEBP_EVERY \
    bash "$src/bench/archive.sh" "$archiver" "$work" || die "bench/archive.sh failed"
work=$(realpath "$work")
cd "$work"

# --- measure ---
# measure NAME RUNS OUT MAX_MB MAX_S CMD...: RUNS runs of CMD (which writes OUT) under
# treemem.py, NAME.K.json the figures of run K; NAME.out and NAME.err CMD's output of the last
# run.  Before each run OUT is removed and the disk synced, so that no run pays for the write-back
# of the one before.  The tree is killed when its PSS goes over MAX_MB or it runs longer than
# MAX_S seconds (0: no limit).  Returns 1 (the end of CMD's standard error shown, OUT removed)
# when CMD fails or leaves no OUT.
measure() {
    local name=$1 runs=$2 out=$3 max=$4 secs=$5 k
    shift 5
    rm -f "$name".*.json
    for k in $(seq 1 "$runs"); do
        rm -f "$out"
        sync
        if ! python3 "$src/bench/treemem.py" -o "$name.$k.json" -m "$max" -t "$secs" "$@" \
            >"$name.out" 2>"$name.err" || [ ! -s "$out" ]; then
            grep -v -e 'dbus' -e '^$' "$name.err" | tail -n 20 >&2
            rm -f "$out"
            return 1
        fi
    done
}

mapfile -t sizes < <(printf '%s\n' 1 "$SMALL" "$ARTICLES" $SIZES | sort -nu)
mapfile -t peer_sizes < <(printf '%s\n' "$SMALL" "$ARTICLES" | sort -nu)
for n in "${sizes[@]}"; do
    runs=$RUNS
    [ "$n" -le "$ARTICLES" ] || runs=$RUNS_BIG
    measure "pdf-arc-$n" "$runs" "arc-$n.pdf" 0 0 "$archiver" pdf "index-$n.md" --archive A \
        --pdf "arc-$n.pdf" --json || die "archiver pdf index-$n.md failed"
    [ "$n" -le "$ARTICLES" ] || rm -f "arc-$n.pdf" # gigabytes, and nothing looks into them
done

# --- the peers ---
python3 - "${peer_sizes[@]}" <<'PY'
import html, re, sys

def peer_book(n):
    """peer-n.html: the article.html files of ids-n.txt in one HTML book (see the header)."""
    with open(f"ids-{n}.txt") as f:
        ids = [line.strip() for line in f if line.strip()]
    with open("A/book.css", encoding="utf-8") as f:
        css = f.read()
    out = ['<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
           '<title>基准测试文集</title>\n<style>\n@page { size: A5; margin: 15mm }\n', css,
           '</style>\n</head>\n<body>\n']
    attr = re.compile(r'(\s(?:src|href)\s*=\s*)(["\'])(.*?)\2', re.S)
    for art in ids:
        with open(f"A/articles/{art}/article.html", encoding="utf-8") as f:
            page = f.read()
        m = re.search(r"<body\b[^>]*>(.*)</body>", page, re.S)
        if not m:
            sys.exit(f"bench/pdf.sh: A/articles/{art}/article.html has no <body>")

        def fix(a):
            if re.match(r"[A-Za-z][A-Za-z0-9+.-]*:|/|#", html.unescape(a.group(3))):
                return a.group(0)  # absolute, from the root, or within the page
            return f"{a.group(1)}{a.group(2)}A/articles/{art}/{a.group(3)}{a.group(2)}"

        out += ['<section style="break-before: page">\n', attr.sub(fix, m.group(1)), "</section>\n"]
    out.append("</body>\n</html>\n")
    with open(f"peer-{n}.html", "w", encoding="utf-8") as f:
        f.write("".join(out))

for n in sys.argv[1:]:
    peer_book(int(n))
PY

# A first render of a small page: checks that the peer works (and which --headless Chromium
# takes), makes Chromium's profile, and brings both programs into the page cache.
printf '%s\n' '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>t</title>' \
    '<style>@page { size: A5; margin: 15mm }</style></head><body><p>中文 text</p></body></html>' \
    >peer-probe.html
if [ "$wp_ok" = 1 ]; then
    if weasyprint peer-probe.html wp-probe.pdf >wp-probe.err 2>&1 && [ -s wp-probe.pdf ]; then
        echo "WeasyPrint: $(weasyprint --version)"
    else
        tail -n 5 wp-probe.err
        echo "weasyprint fails on a small page: its comparison is skipped"
        wp_ok=0
    fi
fi
headless=
if [ "$cr_ok" = 1 ]; then
    rm -rf cr-profile
    for h in --headless=new --headless; do
        rm -f cr-probe.pdf
        if chromium "$h" --no-sandbox --disable-gpu --no-pdf-header-footer \
            --user-data-dir="$work/cr-profile" --print-to-pdf=cr-probe.pdf \
            "file://$work/peer-probe.html" >cr-probe.err 2>&1 && [ -s cr-probe.pdf ]; then
            headless=$h
            break
        fi
    done
    if [ -n "$headless" ]; then
        echo "Chromium: $(chromium --version 2>/dev/null) ($headless)"
    else
        grep -v dbus cr-probe.err | tail -n 5
        echo "chromium --print-to-pdf fails on a small page: its comparison is skipped"
        cr_ok=0
    fi
fi

for n in "${peer_sizes[@]}"; do
    if [ "$wp_ok" = 1 ] && ! measure "pdf-wp-$n" 1 "wp-$n.pdf" "$PEER_MAX_MB" "$PEER_MAX_S" \
        weasyprint "peer-$n.html" "wp-$n.pdf"; then
        echo "WeasyPrint failed on $n articles (see $work/pdf-wp-$n.err): its comparison stops here"
        wp_ok=0
    fi
    [ "$cr_ok" = 1 ] || continue
    rm -f "pdf-cr-$n.cdp" "pdf-cr-$n-cli.json" "pdf-cr-$n-cli.err"
    if measure "pdf-cr-$n" 1 "cr-$n.pdf" "$PEER_MAX_MB" "$PEER_MAX_S" \
        chromium "$headless" --no-sandbox --disable-gpu --no-pdf-header-footer \
        --user-data-dir="$work/cr-profile" --print-to-pdf="cr-$n.pdf" "file://$work/peer-$n.html"; then
        continue
    fi
    # A big PDF kills the renderer --print-to-pdf hands it back through (see bench/cdp_print.py):
    # the same print again, the PDF streamed through the DevTools protocol.
    mv "pdf-cr-$n.err" "pdf-cr-$n-cli.err" 2>/dev/null || true
    mv "pdf-cr-$n.1.json" "pdf-cr-$n-cli.json" 2>/dev/null || true
    echo "Chromium --print-to-pdf failed on $n articles (see $work/pdf-cr-$n-cli.err):" \
        "again through the DevTools protocol (bench/cdp_print.py, Page.printToPDF streamed)"
    if measure "pdf-cr-$n" 1 "cr-$n.pdf" "$PEER_MAX_MB" "$PEER_MAX_S" \
        python3 "$src/bench/cdp_print.py" "file://$work/peer-$n.html" "cr-$n.pdf" \
        chromium "$headless" --no-sandbox --disable-gpu --user-data-dir="$work/cr-profile"; then
        : >"pdf-cr-$n.cdp"
    else
        echo "Chromium failed on $n articles (see $work/pdf-cr-$n.err): its comparison stops here"
        cr_ok=0
    fi
done

# --- sizes ---
for n in "${sizes[@]}"; do
    [ "$n" -le "$ARTICLES" ] || continue
    for p in arc wp cr; do
        [ -s "$p-$n.pdf" ] || continue
        if ! python3 "$src/bench/pdfsize.py" "$p-$n.pdf" A "ids-$n.txt" >"pdf-$p-$n.size.json"; then
            echo "note: bench/pdfsize.py failed on $p-$n.pdf: it is left out"
            rm -f "pdf-$p-$n.size.json"
        fi
        pdfimages -list "$p-$n.pdf" >"pdf-$p-$n.images" 2>/dev/null || true
    done
done

# --- report ---
python3 - "$ARTICLES" "$SMALL" "$RUNS" "$RESULTS" $SIZES <<'PY'
import glob, json, os, re, sys
big, small, runs = map(int, sys.argv[1:4])
results = sys.argv[4]
more = sorted(set(map(int, sys.argv[5:])) - {1, small, big})
sizes = sorted({1, small, big} | set(more))
out = {"sizes": sizes, "peers_at": big, "runs": {}}
NAMES = {"arc": "archiver", "wp": "WeasyPrint", "cr": "Chromium"}

def best(p, n):
    """The figures of the run with the best wall time, or None when it was not measured."""
    runs = [json.load(open(f)) for f in glob.glob(f"pdf-{p}-{n}.*.json")
            if re.fullmatch(rf"pdf-{p}-{n}\.\d+\.json", f)]  # not .size.json
    runs = [r for r in runs if r["rc"] == 0]
    return min(runs, key=lambda r: r["wall"]) if runs else None

def image_objects(p, n):
    """Unique image objects drawn (pdfimages -list; soft masks left out)."""
    seen = set()
    try:
        lines = open(f"pdf-{p}-{n}.images").read().splitlines()[2:]
    except OSError:
        return None
    for line in lines:
        f = line.split()
        if len(f) > 12 and f[2] != "smask":
            seen.add((f[10], f[11]))
    return len(seen)

res, cdp = {}, set()
for n in sizes:
    for p in NAMES:
        t = best(p, n)
        if t is None:
            continue
        if os.path.exists(f"pdf-{p}-{n}.size.json"):
            res[p, n] = dict(t=t, s=json.load(open(f"pdf-{p}-{n}.size.json")), img=image_objects(p, n))
        elif n in more and p == "arc":  # no breakdown of the larger books: archiver's --json
            a = json.load(open(f"pdf-arc-{n}.out"))["pdf"]
            res[p, n] = dict(t=t, s=dict(pages=a["pages"], bytes=a["bytes"]), img=None)
        else:
            continue
        if os.path.exists(f"pdf-{p}-{n}.cdp"):
            cdp.add(n)
arc_json = {n: json.load(open(f"pdf-arc-{n}.out"))["pdf"] for n in sizes}
name = lambda p, n: NAMES[p] + ("*" if p == "cr" and n in cdp else "")

MB = 1e6
hdr = (f"{'N':>4} {'program':<10} {'wall s':>8} {'CPU s':>8} {'PSS MB':>7} {'RSS MB':>7} {'procs':>5} "
       f"{'pages':>6} {'MB':>7} {'ms/page':>8}")
print(hdr)
print("-" * len(hdr))
for n in sizes:
    for p in NAMES:
        if (p, n) not in res:
            continue
        t, s = res[p, n]["t"], res[p, n]["s"]
        print(f"{n:>4} {name(p, n):<10} {t['wall']:>8.3f} {t['cpu']:>8.2f} {t['peak_pss_kb'] / 1024:>7.1f} "
              f"{t['peak_rss_kb'] / 1024:>7.1f} {t['max_procs']:>5} {s['pages']:>6} {s['bytes'] / MB:>7.1f} "
              f"{t['wall'] * 1000 / max(1, s['pages']):>8.2f}")
print(f"archiver: best wall of {runs} runs (CPU and memory of that run); the peers: 1 run.  CPU: user + "
      f"system of the whole process tree; PSS, RSS: the tree's peak (sampled; bench/treemem.py); "
      f"procs: most processes at once")
if cdp:
    print("Chromium*: --print-to-pdf failed (a renderer dies on a PDF this big); printed through the "
          "DevTools protocol instead, the PDF streamed (bench/cdp_print.py, a Python process in the tree)")
    for n in sorted(cdp):
        if not os.path.exists(f"pdf-cr-{n}-cli.json"):
            continue
        c = json.load(open(f"pdf-cr-{n}-cli.json"))
        print(f"  the failed --print-to-pdf at {n}: exit {c['rc']} after {c['wall']:.1f} s, {c['cpu']:.1f} s CPU, "
              f"peak PSS {c['peak_pss_kb'] / 1024:.0f} MB, largest process {c['max_proc_rss_kb'] / 1024:.0f} MB")

print()
hdr = (f"{'N':>4} {'program':<10} {'MB':>7} {'/src img':>8} {'images':>7} {'src':>5} {'JPEG MB':>8} "
       f"{'vs src':>7} {'as is':>9} {'other img':>9} {'fonts MB':>8} {'else KB':>8} {'KB/page':>7}")
print(hdr)
print("-" * len(hdr))
for n in sizes:
    for p in NAMES:
        if (p, n) not in res or "jpeg" not in res[p, n]["s"]:
            continue
        s, img = res[p, n]["s"], res[p, n]["img"]
        src_jpeg = s["sources"].get("jpeg", {"bytes": 0, "count": 0})
        nsrc = sum(v["count"] for v in s["sources"].values())
        diff = (s["jpeg"]["bytes"] / src_jpeg["bytes"] - 1) * 100 if src_jpeg["bytes"] else 0.0
        print(f"{n:>4} {name(p, n):<10} {s['bytes'] / MB:>7.1f} {s['bytes'] / s['sources_bytes']:>7.2f}x "
              f"{img if img is not None else '?':>7} {nsrc:>5} {s['jpeg']['bytes'] / MB:>8.2f} {diff:>+6.1f}% "
              f"{s['jpeg_passthrough']['count']:>4}/{s['jpeg']['count']:<4} "
              f"{s['image_other']['bytes'] / MB:>9.2f} {s['fonts']['bytes'] / MB:>8.2f} "
              f"{s['rest'] / 1024:>8.1f} {s['rest_per_page'] / 1024:>7.2f}")
print("MB: the PDF; /src img: its bytes over the bytes of the source images (every image file of the "
      "index's articles); images: unique image objects drawn (pdfimages -list), src: source images; "
      "JPEG MB: DCTDecode image streams, vs src: next to the JPEG source files, as is: JPEG streams "
      "that are a source file byte for byte / all JPEG streams; other img: the other image streams "
      "(soft masks too); fonts: font programs (Type 3 glyph procedures too); else: all the rest "
      "(bench/pdfsize.py)")
for (p, n), r in sorted(res.items(), key=lambda x: x[0][1]):
    if "sources" not in r["s"]:
        continue
    nsrc = sum(v["count"] for v in r["s"]["sources"].values())
    if r["img"] is not None and r["img"] < nsrc:
        print(f"note: {name(p, n)}'s {n}-article PDF draws {r['img']} image objects for {nsrc} source images")
for n in sizes:
    a = arc_json[n]
    print(f"archiver pdf --json, the {n}-article book: {a['pages']} pages, {a['bytes']} bytes, {a['images']} "
          f"pictures ({a['images_passthrough']} JPEG as they are)")

ok = lambda c: "PASS" if c else "MISS"
targets = []
at = ""  # "at N articles: ", before the targets of one size

def target(what, figure, passed, text):
    """One target: printed, and kept for RESULTS/pdf.json."""
    targets.append(dict(what=at + what, figure=figure, ok=passed, text=text))
    print(f"  target: {what}: {text}  {ok(passed) if passed is not None else ''}".rstrip())

# Cost at each N, from the 1-article book (its fixed cost: fonts, cover, contents) on.
print()
growth = {}
if ("arc", 1) in res:
    a1 = res["arc", 1]
    hdr = (f"{'N':>5} {'pages':>6} {'wall s':>8} {'CPU s':>8} {'RSS MB':>7} {'PSS MB':>7} {'GB':>6} "
           f"{'ms/article':>10} {'ms/page':>8}")
    print("archiver pdf at each size: the marginal cost over the 1-article book")
    print(hdr)
    print("-" * len(hdr))
    for n in sizes:
        if ("arc", n) not in res or n == 1:
            continue
        a = res["arc", n]
        dt = a["t"]["wall"] - a1["t"]["wall"]
        dp = a["s"]["pages"] - a1["s"]["pages"]
        growth[n] = dict(per_article_ms=dt * 1000 / (n - 1), per_page_ms=dt * 1000 / dp if dp > 0 else None)
        print(f"{n:>5} {a['s']['pages']:>6} {a['t']['wall']:>8.2f} {a['t']['cpu']:>8.2f} "
              f"{a['t']['peak_rss_kb'] / 1024:>7.1f} {a['t']['peak_pss_kb'] / 1024:>7.1f} "
              f"{a['s']['bytes'] / 1e9:>6.2f} {growth[n]['per_article_ms']:>10.2f} "
              f"{growth[n]['per_page_ms'] or 0:>8.2f}")

top = max(sizes)
print(f"{top} articles (the largest book):")
if top in growth and growth[top]["per_page_ms"]:
    m = growth[top]["per_page_ms"]
    target(f"at {top} articles: marginal cost <= 6 ms per page", m, m <= 6, f"{m:.2f} ms = (t{top} - t1) / (pages{top} - pages1)")
if ("arc", top) in res:
    r = res["arc", top]["t"]["peak_rss_kb"] / 1024
    target(f"at {top} articles: peak RSS <= 300 MB", r, r <= 300, f"{r:.1f} MB (PSS {res['arc', top]['t']['peak_pss_kb'] / 1024:.1f} MB)")
if big in growth and top in growth and top != big and growth[big]["per_page_ms"]:
    g = growth[top]["per_page_ms"] / growth[big]["per_page_ms"]
    target(f"linear growth {big} -> {top} articles (ms per page within 1.25x)", g, g <= 1.25,
           f"{growth[big]['per_page_ms']:.2f} -> {growth[top]['per_page_ms']:.2f} ms per page ({g:.2f}x)")
for n in sorted({small, big}):
    if ("arc", n) not in res:
        continue
    a = res["arc", n]
    at = f"at {n} articles: "
    print(f"{n} articles:")
    for p, want in (("wp", 20), ("cr", 5)):
        if (p, n) in res:
            r = res[p, n]["t"]["wall"] / a["t"]["wall"]
            target(f"{name(p, n)} wall / archiver wall >= {want}x", r, r >= want,
                   f"{r:.1f}x ({res[p, n]['t']['wall']:.2f} s / {a['t']['wall']:.2f} s)")
        else:
            target(f"{NAMES[p]} wall / archiver wall >= {want}x", None, None, "not measured")
    if ("wp", n) in res:
        r = res["wp", n]["t"]["peak_pss_kb"] / a["t"]["peak_pss_kb"]
        rr = res["wp", n]["t"]["peak_rss_kb"] / a["t"]["peak_rss_kb"]
        target("WeasyPrint peak / archiver peak >= 10x (tree PSS)", r, r >= 10,
               f"{r:.1f}x ({res['wp', n]['t']['peak_pss_kb'] / 1024:.0f} MB / "
               f"{a['t']['peak_pss_kb'] / 1024:.0f} MB; RSS {rr:.1f}x)")
    else:
        target("WeasyPrint peak / archiver peak >= 10x", None, None, "not measured")
    s = a["s"]
    if "jpeg" not in s:
        continue
    src_jpeg = s["sources"].get("jpeg", {"bytes": 0})["bytes"]
    if src_jpeg:
        d = (s["jpeg"]["bytes"] / src_jpeg - 1) * 100
        target("JPEG image objects within 2% of their source files", d, abs(d) <= 2,
               f"{s['jpeg']['bytes']} bytes vs {src_jpeg} ({d:+.2f}%; {s['jpeg_passthrough']['count']} of "
               f"{s['jpeg']['count']} byte for byte)")
    target("else (neither image nor font) <= 3 KB per page", s["rest_per_page"] / 1024,
           s["rest_per_page"] <= 3 * 1024, f"{s['rest_per_page'] / 1024:.2f} KB ({s['rest']} bytes / {s['pages']} pages)")
    img = s["jpeg"]["bytes"] + s["image_other"]["bytes"]
    limit = 1.10 * img + 3 * 1024 * s["pages"]
    target("PDF bytes <= 1.10 x image streams + 3 KB per page", s["bytes"] / limit, s["bytes"] <= limit,
           f"{s['bytes'] / 1e6:.1f} MB vs {limit / 1e6:.1f} MB (images {img / 1e6:.1f} MB, "
           f"{s['pages']} pages; {s['bytes'] / limit:.3f} of the limit)")
    line = ", ".join(f"{name(p, n)} {res[p, n]['s']['bytes'] / res[p, n]['s']['sources_bytes']:.2f}x"
                     for p in NAMES if (p, n) in res and "sources_bytes" in res[p, n]["s"])
    print(f"  bytes / source image bytes ({a['s']['sources_bytes'] / MB:.1f} MB): {line}")
for (p, n), r in sorted(res.items()):
    t = r["t"]
    if t["left_behind"] or t["capped"]:
        print(f"note: {name(p, n)} at {n}: {t['left_behind']} processes left behind, capped: {t['capped']}")

if results:
    for (p, n), r in res.items():
        s = r["s"]
        out["runs"][f"{p}-{n}"] = dict(
            program=name(p, n), articles=n, wall=r["t"]["wall"], cpu=r["t"]["cpu"],
            peak_rss_mb=r["t"]["peak_rss_kb"] / 1024, peak_pss_mb=r["t"]["peak_pss_kb"] / 1024,
            procs=r["t"]["max_procs"], pages=s["pages"], bytes=s["bytes"],
            image_bytes=(s["jpeg"]["bytes"] + s["image_other"]["bytes"]) if "jpeg" in s else None,
            font_bytes=s["fonts"]["bytes"] if "fonts" in s else None)
    out["growth"] = {str(n): g for n, g in growth.items()}
    out["targets"] = targets
    with open(os.path.join(results, "pdf.json"), "w") as f:
        json.dump(out, f, indent=1)
PY
