# shellcheck shell=bash
# tests/e2e/fetch-lib.sh: helpers shared by the `archiver fetch` end-to-end tests (t22xx), sourced
# after lib.sh.  Not a test itself (ctest runs tNNNN-*.sh only).
#
#   fetch_init ADDR          certificates and the address the test server will listen on
#   mkpage FILE TITLE [URL[|ALT]]...
#                            a minimal WeChat article page (#js_article, #js_content) with one
#                            paragraph and one <img data-src=URL alt=ALT> per URL
#   mkindex URL|TOKEN...     index.md: one month, one entry per argument (a bare token stands for
#                            https://mp.weixin.qq.com/s/TOKEN)
#   af ARGS...               `archiver fetch` on index.md into $ARCH (default ./archive), every
#                            test host resolved to the server, quick defaults (--delay 0 --retries 1 --timeout 5);
#                            later ARGS override them; af_exec: the same, exec'd
#   pycheck [OUT] <<PY       Python assertions (see FETCH_PRELUDE); OUT, when given, is a --json
#                            summary bound to `j` (with `ent`, its entries by id)
#   routes <<JSON            replaces routes.json atomically (the server reloads it, and resets
#                            its fail_first counters)
#   wait_for_request PATH    waits (up to 10 s) until the server has logged a request for PATH

fetch_init() {
    ADDR=$1
    make_certs || skip_all "openssl cannot make test certificates"
}

mkpage() {
    local file=$1 title=$2 u alt
    shift 2
    {
        printf '<!DOCTYPE html><html><head><meta charset="utf-8">'
        printf '<meta property="og:title" content="%s"><title>%s</title></head>\n' "$title" "$title"
        printf '<body><div id="js_article"><h1 id="activity-name">%s</h1>' "$title"
        printf '<a id="js_name">测试账号</a>\n<div id="js_content"><p>正文：%s。</p>\n' "$title"
        for u in "$@"; do
            alt=
            case $u in *'|'*) alt=${u#*|} u=${u%%|*} ;; esac
            printf '<p><img data-src="%s" alt="%s"></p>\n' "$u" "$alt"
        done
        printf '</div></div></body></html>\n'
    } >"$file"
}

mkindex() {
    local u n=0
    {
        printf '# 2024-12\n\n'
        for u in "$@"; do
            n=$((n + 1))
            case $u in http*) ;; *) u="https://mp.weixin.qq.com/s/$u" ;; esac
            printf '【12.%02d】 entry %d %s\n\n' "$n" "$n" "$u"
        done
    } >index.md
}

_af_args() {
    AF_ARGS=(index.md --archive "${ARCH:-archive}" --cacert "$CACERT"
        --resolve "mp.weixin.qq.com:443:$ADDR" --resolve "mmbiz.qpic.cn:443:$ADDR"
        --resolve "mmbiz.qlogo.cn:443:$ADDR" --resolve "www.example.com:443:$ADDR"
        --resolve "example.com:443:$ADDR" --resolve "images.example.net:443:$ADDR"
        --delay 0 --retries 1 --timeout 5)
}

af() {
    local AF_ARGS
    _af_args
    "$ARCHIVER" fetch "${AF_ARGS[@]}" "$@"
}

# af_exec ARGS...: af replacing the shell, so that `( af_exec ... ) & pid=$!` is the archiver's
# own PID (for kill -9 and the lock holder's PID).
af_exec() {
    local AF_ARGS
    _af_args
    exec "$ARCHIVER" fetch "${AF_ARGS[@]}" "$@"
}

FETCH_PRELUDE='
import gzip, json, os, re, sys, urllib.parse
ARCH = os.environ.get("ARCH", "archive")
log = []
if os.path.exists("requests.log"):
    log = [json.loads(l) for l in open("requests.log", encoding="utf-8")]
j, ent = None, {}
if len(sys.argv) > 1 and sys.argv[1]:
    j = json.load(open(sys.argv[1], encoding="utf-8"))
    ent = {e["id"]: e for e in j["entries"]}
def hits(path, host=None):
    """Requests for path (compared with the query when path has one)."""
    return [e for e in log if (host is None or e["host"] == host) and
            (e["path"] == path if "?" in path else e["path"].split("?", 1)[0] == path)]
def pages():
    return [e for e in log if e["host"] == "mp.weixin.qq.com"]
def adir(i, arch=None):
    return os.path.join(arch or ARCH, "articles", i)
def meta(i, arch=None):
    return json.load(open(os.path.join(adir(i, arch), "meta.json"), encoding="utf-8"))
def html(i, arch=None):
    return open(os.path.join(adir(i, arch), "article.html"), encoding="utf-8").read()
def results(m):
    return [h["result"] for h in m["history"]]
def magic_ext(b):
    if b.startswith(b"\x89PNG\r\n\x1a\n"): return "png"
    if b.startswith(b"\xff\xd8\xff"): return "jpg"
    if b.startswith(b"GIF8"): return "gif"
    if b[:4] == b"RIFF" and b[8:12] == b"WEBP": return "webp"
    return None
def img_srcs(h):
    """The src of every <img> (not data-src)."""
    return re.findall(r"<img\b[^>]*?\ssrc=\"([^\"]*)\"", h)
'

pycheck() {
    local code
    code=$(cat)
    python3 -c "$FETCH_PRELUDE$code" "${1:-}"
}

routes() {
    cat >routes.json.new && mv routes.json.new routes.json
}

wait_for_request() {
    for _ in $(seq 1 500); do
        grep -q "\"path\": \"$1" requests.log 2>/dev/null && return 0
        sleep 0.02
    done
    echo "no request for $1 in 10 s" >&2
    return 1
}
