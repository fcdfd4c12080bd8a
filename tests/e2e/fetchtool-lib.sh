# tests/e2e/fetchtool-lib.sh: what the fetch-queue tests (t21xx) share: fcheck, Python assertions
# over fetchtool's output and the request log, and ft, fetchtool pointed at the test server on
# $ADDR.  Sourced after lib.sh; not a test itself (its name is not tNNNN-*.sh).

# fcheck OUT <<PY: runs the Python assertions on stdin with `lines` (fetchtool's JSON lines in
# OUT), `res` (those lines by URL path), `log` (the server's requests), hits(path) and starts(path).
FCHECK_PRELUDE='
import json, os, sys, urllib.parse
lines = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
res = {urllib.parse.urlsplit(r["url"]).path or r["url"]: r for r in lines}
log = []
if os.path.exists(sys.argv[2]):
    log = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8")]
def hits(path):
    return [e for e in log if e["path"] == path]
def starts(path):
    return sorted(e["t"] for e in hits(path))
'
fcheck() {
    local code
    code=$(cat)
    python3 -c "$FCHECK_PRELUDE$code" "$1" "$TRASH/requests.log"
}

ft() {
    "$FETCHTOOL" --resolve "mp.weixin.qq.com:443:$ADDR" --resolve "www.example.com:443:$ADDR" \
        --resolve "mmbiz.qpic.cn:443:$ADDR" --cacert "$CACERT" --seed 7 --delay 0 --retries 1 "$@"
}
