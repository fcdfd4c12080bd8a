#!/usr/bin/env bash
# t2000: the HTTPS test server that stands in for the WeChat hosts answers as the fetch tests
# expect, reached the way archiver reaches it (curl's --resolve and --cacert, real URLs).
. "$(dirname "$0")/lib.sh"
require_tool python3 openssl curl

ADDR=127.0.0.20
cp "$TEST_SRCDIR/tests/data/wechat/deleted-01.html" deleted.html
printf 'GIF89a-real' >real.gif
printf 'GIF89a-hotlink' >hotlink.gif
cat >routes.json <<'JSON'
[
  {"host": "mp.weixin.qq.com", "path": "/s/deleted", "file": "deleted.html"},
  {"host": "mp.weixin.qq.com", "path": "/s/busy", "body": "finally", "fail_first": 2, "retry_after": 1},
  {"host": "mp.weixin.qq.com", "path": "/s/zipped", "body": "compressed body", "gzip": true},
  {"host": "mp.weixin.qq.com", "path": "/s/tagged", "body": "v1", "etag": "\"v1\""},
  {"host": "mp.weixin.qq.com", "path": "/s/moved", "redirect": "https://mp.weixin.qq.com/s/deleted"},
  {"host": "mp.weixin.qq.com", "path": "/s/cut", "body": "0123456789abcdef", "fault": "truncate"},
  {"host": "mmbiz.qpic.cn", "path": "/img", "file": "real.gif", "type": "image/gif",
   "foreign_referer_file": "hotlink.gif"}
]
JSON

get() {
    curl -sS --resolve "mp.weixin.qq.com:443:$ADDR" --resolve "mmbiz.qpic.cn:443:$ADDR" \
        --cacert "$CACERT" "$@"
}

# Started in the test's own shell (not a test body's subshell) so that it stops when the test exits.
make_certs || skip_all "openssl cannot make test certificates"
start_server $ADDR routes.json || exit 1

test_expect_success 'real URLs reach it through --resolve; TLS verifies' '
    get -o page.html https://mp.weixin.qq.com/s/deleted &&
    cmp page.html deleted.html &&
    ! curl -sS --resolve "mp.weixin.qq.com:443:$ADDR" https://mp.weixin.qq.com/s/deleted 2>err
'

test_expect_success 'fail_first answers 503 with Retry-After, then succeeds' '
    test "$(get -o /dev/null -w "%{http_code}" https://mp.weixin.qq.com/s/busy)" = 503 &&
    get -D h -o /dev/null https://mp.weixin.qq.com/s/busy &&
    test_grep "^[Rr]etry-[Aa]fter: 1" h &&
    test "$(get https://mp.weixin.qq.com/s/busy)" = finally
'

test_expect_success 'gzip when accepted; ETag gives 304; redirects; truncation' '
    test "$(get --compressed https://mp.weixin.qq.com/s/zipped)" = "compressed body" &&
    get -D h -o /dev/null -H "Accept-Encoding: gzip" https://mp.weixin.qq.com/s/zipped &&
    test_grep "^[Cc]ontent-[Ee]ncoding: gzip" h &&
    test "$(get -o /dev/null -w "%{http_code}" -H "If-None-Match: \"v1\"" https://mp.weixin.qq.com/s/tagged)" = 304 &&
    get -L -o moved.html https://mp.weixin.qq.com/s/moved && cmp moved.html deleted.html &&
    test_must_fail 18 get -o /dev/null https://mp.weixin.qq.com/s/cut
'

test_expect_success 'a foreign Referer gets the hotlink placeholder' '
    test "$(get https://mmbiz.qpic.cn/img)" = GIF89a-real &&
    test "$(get -e https://example.com/ https://mmbiz.qpic.cn/img)" = GIF89a-hotlink &&
    test "$(get -e https://mmbiz.qpic.cn/ https://mmbiz.qpic.cn/img)" = GIF89a-real
'

test_expect_success 'every request is logged with its host, path and headers' '
    python3 - requests.log <<-\PY
	import json, sys
	log = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
	paths = [(e["host"], e["path"]) for e in log]
	assert paths.count(("mp.weixin.qq.com", "/s/busy")) == 3, paths
	assert ("mmbiz.qpic.cn", "/img") in paths
	refs = [e["headers"].get("referer") for e in log if e["path"] == "/img"]
	assert refs == [None, "https://example.com/", "https://mmbiz.qpic.cn/"], refs
	PY
'

test_expect_success 'unmatched requests get 404' '
    test "$(get -o /dev/null -w "%{http_code}" https://mp.weixin.qq.com/nowhere)" = 404
'

test_done
