#!/usr/bin/env bash
# bench/fetch.sh ARCHIVER: the fetch benchmark of issue 4, against the local HTTPS test server.
#
# 1. Fetch an index of $PAGES articles (default 100; each page with $IMAGES images of its own)
#    with $LATENCY seconds added to every answer (default 0.15) and --delay $DELAY (default 0.2),
#    and print the wall time next to the ideal schedule the politeness limits allow: article
#    requests to one host start at least max(delay, latency / pages-per-host) apart, so the last
#    page starts (PAGES - 1) times that after the first, and its answer and then its images (6 at
#    once per host) each take one latency.  Target: wall <= 1.25 x ideal.
# 2. Archive $NOOP entries (default 1000) without latency, then time a second run over them: it
#    must send no article request and take under 0.3 s.
# Each line also gives the CPU time (user + sys) and the peak RSS of the archiver process
# (/usr/bin/time, package `time`; for the no-op re-run, those of its best run).
# When $RESULTS names a folder, the figures also go to $RESULTS/fetch.json:
#   {"pages", "images", "latency", "delay", "wall", "cpu", "maxrss_kb", "bytes" (du -sb of the
#    archive written), "ideal", "ratio",
#    "noop": {"entries", "best", "cpu", "maxrss_kb", "article_requests"}}  (times in seconds)
# Needs root (the server binds 127.0.0.90:443, as the tests do).  Not a test: it fails only when
# the program fails, never on time.
set -euo pipefail
archiver=$(realpath "${1:?usage: bench/fetch.sh path/to/archiver}")
src=$(cd "$(dirname "$0")/.." && pwd)
PAGES=${PAGES:-100} IMAGES=${IMAGES:-3} LATENCY=${LATENCY:-0.15} DELAY=${DELAY:-0.2}
NOOP=${NOOP:-1000}
ADDR=127.0.0.90
[ -x /usr/bin/time ] || { echo "bench/fetch.sh: /usr/bin/time is missing (package time)" >&2; exit 1; }
if [ -n "${RESULTS:-}" ]; then
    mkdir -p "$RESULTS"
    RESULTS=$(realpath "$RESULTS")
fi
work=$(mktemp -d /tmp/archiver-bench-fetch.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
cd "$work"

# --- certificates, pages, images ---
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=bench CA" -keyout ca.key \
    -out ca.pem -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=mp.weixin.qq.com" -keyout server.key \
    -out server.csr 2>/dev/null
printf '%s\n' "subjectAltName=DNS:mp.weixin.qq.com,DNS:mmbiz.qpic.cn" "basicConstraints=CA:FALSE" \
    "extendedKeyUsage=serverAuth" >ext.cnf
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
    -out server.pem -extfile ext.cnf 2>/dev/null

python3 - "$PAGES" "$IMAGES" "$LATENCY" "$NOOP" <<'PY'
import json, os, struct, sys, zlib
pages, images, latency, noop = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])

def png(seed):
    # A small valid PNG whose pixels differ per image, so no two images share content.
    w, h = 64, 48
    rows = b""
    for y in range(h):
        rows += b"\0" + bytes([(x + y + seed) % 256 for x in range(w)] * 3)[: w * 3]
    def chunk(t, d):
        c = struct.pack(">I", len(d)) + t + d
        return c + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))

def page(tok, n):
    imgs = "".join(f'<p><img data-src="https://mmbiz.qpic.cn/mmbiz_png/{tok}/{k}/640?wx_fmt=png" alt="图{k}"></p>\n'
                   for k in range(n))
    body = "".join(f"<p>第{k}段：用于基准测试的正文，包含一些中文和 ASCII text.</p>\n" for k in range(40))
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{tok}</title>
<meta property="og:title" content="Bench article {tok}">
<meta property="og:url" content="https://mp.weixin.qq.com/s/{tok}">
</head><body><div id="js_article"><h1 class="rich_media_title" id="activity-name">Bench article {tok}</h1>
<div id="meta_content"><a id="js_name">基准账号</a></div>
<div class="rich_media_content" id="js_content">{body}{imgs}</div></div>
<script>var ct = "1700000000";</script></body></html>
"""

def make(prefix, count, nimg, delay):
    os.makedirs(prefix, exist_ok=True)
    routes, index = [], ["# 2023-11", ""]
    for i in range(count):
        tok = f"{prefix}{i:05d}"
        with open(f"{prefix}/{tok}.html", "w", encoding="utf-8") as f:
            f.write(page(tok, nimg))
        routes.append({"host": "mp.weixin.qq.com", "path": f"/s/{tok}", "file": f"{prefix}/{tok}.html",
                       "type": "text/html; charset=utf-8", "delay": delay})
        for k in range(nimg):
            name = f"{prefix}/{tok}-{k}.png"
            with open(name, "wb") as f:
                f.write(png(i * 31 + k))
            routes.append({"host": "mmbiz.qpic.cn", "path": f"/mmbiz_png/{tok}/{k}/640", "file": name,
                           "type": "image/png", "delay": delay})
        index.append(f"【11.{i % 28 + 1:02d}】 article {i} https://mp.weixin.qq.com/s/{tok}")
        index.append("")
    return routes, "\n".join(index)

r1, i1 = make("slow", pages, images, latency)
r2, i2 = make("noop", noop, 1, 0)
json.dump(r1 + r2, open("routes.json", "w"))
open("slow.md", "w", encoding="utf-8").write(i1)
open("noop.md", "w", encoding="utf-8").write(i2)
PY

python3 "$src/tests/e2e/server.py" --bind "$ADDR" --port 443 --cert server.pem --key server.key \
    --routes routes.json --log requests.log --ready ready --lifetime 3600 2>server.err &
for _ in $(seq 1 100); do [ -s ready ] && break; sleep 0.05; done
[ -s ready ] || { cat server.err >&2; exit 1; }

net=(--resolve "mp.weixin.qq.com:443:$ADDR" --resolve "mmbiz.qpic.cn:443:$ADDR" --cacert ca.pem)
pages_in() { python3 -c 'import json,sys; print(sum(1 for l in open(sys.argv[1]) if json.loads(l)["host"] == "mp.weixin.qq.com"))' requests.log; }

# timed ARGS...: runs the archiver under /usr/bin/time, which writes "%e %U %S %M" (wall, user,
# sys, peak RSS in KiB) to time.out; the exit status is the archiver's.
timed() { /usr/bin/time -f '%e %U %S %M' -o time.out "$archiver" "$@"; }

# --- 1. the polite fetch ---
start=$(date +%s.%N)
timed fetch slow.md --archive slow-archive --delay "$DELAY" --quiet "${net[@]}"
end=$(date +%s.%N)
cp time.out slow.time
du -sb slow-archive | cut -f1 >slow.bytes
python3 - "$start" "$end" "$PAGES" "$IMAGES" "$LATENCY" "$DELAY" <<'PY'
import json, math, sys
start, end, pages, images, latency, delay = map(float, sys.argv[1:])
wall = end - start
interval = max(delay, latency / 2)  # 2 article pages at once per host
ideal = (pages - 1) * interval + latency + math.ceil(images / 6) * latency
_, user, sys_, rss = open("slow.time").read().split()[-4:]
cpu, rss = float(user) + float(sys_), int(rss)
size = int(open("slow.bytes").read())
print(f"fetch: {int(pages)} articles x {int(images)} images, latency {latency:.2f} s, --delay {delay:.2f}: "
      f"wall {wall:.2f} s, ideal {ideal:.2f} s, ratio {wall / ideal:.3f} (target <= 1.25)")
print(f"fetch: cpu {cpu:.2f} s (user {float(user):.2f} + sys {float(sys_):.2f}), peak RSS {rss / 1024:.1f} MiB, "
      f"archive {size / 1e6:.1f} MB")
json.dump({"pages": int(pages), "images": int(images), "latency": latency, "delay": delay,
           "wall": round(wall, 3), "cpu": round(cpu, 3), "maxrss_kb": rss, "bytes": size,
           "ideal": round(ideal, 3), "ratio": round(wall / ideal, 4)}, open("slow.json", "w"))
PY

# --- 2. the no-op re-run ---
"$archiver" fetch noop.md --archive noop-archive --delay 0 --quiet "${net[@]}"
before=$(pages_in)
best=
for _ in 1 2 3; do
    start=$(date +%s.%N)
    timed fetch noop.md --archive noop-archive --delay 0 --quiet "${net[@]}" 2>/dev/null
    end=$(date +%s.%N)
    t=$(python3 -c "print(f'{$end - $start:.3f}')")
    if [ -z "$best" ] || python3 -c "import sys; sys.exit(0 if $t < $best else 1)"; then
        best=$t
        cp time.out noop.time
    fi
done
after=$(pages_in)
read -r _ user sys_ rss < <(tail -n 1 noop.time)
cpu=$(python3 -c "print(f'{$user + $sys_:.3f}')")
rss_mib=$(python3 -c "print(f'{$rss / 1024:.1f}')")
echo "no-op re-run on $NOOP archived entries: best of 3 ${best} s (target < 0.3 s), article requests sent: $((after - before))"
echo "no-op re-run: cpu ${cpu} s, peak RSS ${rss_mib} MiB (of the best run)"

if [ -n "${RESULTS:-}" ]; then
    python3 - "$RESULTS/fetch.json" "$NOOP" "$best" "$cpu" "$rss" "$((after - before))" <<'PY'
import json, sys
out, entries, best, cpu, rss, requests = sys.argv[1:]
r = json.load(open("slow.json"))
r["noop"] = {"entries": int(entries), "best": float(best), "cpu": float(cpu), "maxrss_kb": int(rss),
             "article_requests": int(requests)}
with open(out, "w") as f:
    json.dump(r, f, indent=2)
    f.write("\n")
PY
    echo "figures written to $RESULTS/fetch.json"
fi
