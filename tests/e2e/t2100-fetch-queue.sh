#!/usr/bin/env bash
# t2100: the fetch queue against the test server: browser-like headers and no Referer, decoded
# gzip, redirects (chains, loops, other schemes), size caps, conditional GET, TLS verification and
# URLs that are not http(s).  tests/tools/fetchtool prints one JSON line per finished request.
. "$(dirname "$0")/lib.sh"
require_tool python3 openssl
[ -x "${FETCHTOOL:-}" ] || skip_all "FETCHTOOL does not name the fetchtool binary"

ADDR=127.0.0.21
python3 -c 'import sys; sys.stdout.write("a" * 10000)' >big.txt
python3 -c 'import sys; sys.stdout.write("x" * 1000)' >thousand.txt
cat >routes.json <<'JSON'
[
  {"host": "mp.weixin.qq.com", "path": "/s/plain", "body": "plain page", "headers": {"Last-Modified": "Wed, 01 May 2024 10:00:00 GMT"}},
  {"host": "mp.weixin.qq.com", "path": "/s/zipped", "body": "compressed body, compressed body", "gzip": true},
  {"host": "mp.weixin.qq.com", "path": "/s/hop1", "redirect": "https://mp.weixin.qq.com/s/hop2"},
  {"host": "mp.weixin.qq.com", "path": "/s/hop2", "redirect": "https://www.example.com/end"},
  {"host": "www.example.com", "path": "/end", "body": "the end"},
  {"host": "mp.weixin.qq.com", "path": "/s/loop", "redirect": "https://mp.weixin.qq.com/s/loop"},
  {"host": "mp.weixin.qq.com", "path": "/s/to-ftp", "redirect": "ftp://mp.weixin.qq.com/x"},
  {"host": "mp.weixin.qq.com", "path": "/s/to-file", "redirect": "file:///etc/passwd"},
  {"host": "mp.weixin.qq.com", "path": "/s/thousand", "file": "thousand.txt"},
  {"host": "mp.weixin.qq.com", "path": "/s/bomb", "file": "big.txt", "gzip": true},
  {"host": "mmbiz.qpic.cn", "path": "/big", "file": "thousand.txt", "type": "image/png"},
  {"host": "mp.weixin.qq.com", "path": "/s/tagged", "body": "v1", "etag": "\"v1\""},
  {"host": "mp.weixin.qq.com", "path": "/s/dated", "body": "d1", "last_modified": "Wed, 01 May 2024 10:00:00 GMT"},
  {"host": "mp.weixin.qq.com", "path": "/s/tls", "body": "secret"},
  {"host": "mp.weixin.qq.com", "path": "/s/gone", "status": 404, "body": "no such page"}
]
JSON

. "$(dirname "$0")/fetchtool-lib.sh"

make_certs || skip_all "openssl cannot make test certificates"
start_server $ADDR routes.json || exit 1

test_expect_success 'a page comes with browser headers and no Referer' '
    ft --body --page https://mp.weixin.qq.com/s/plain --image https://mp.weixin.qq.com/s/plain >out &&
    test_lines 2 out &&
    fcheck out <<-\PY
	for r in lines:
	    assert r["err"] == "OK" and r["status"] == 200 and r["attempts"] == 1, r
	    assert r["body"] == "plain page" and r["bytes"] == 10, r
	    assert r["content_type"] == "text/html; charset=utf-8", r
	    assert r["last_modified"] == "Wed, 01 May 2024 10:00:00 GMT", r
	    assert r["final_url"] == "https://mp.weixin.qq.com/s/plain", r
	h = [e["headers"] for e in hits("/s/plain")]
	assert len(h) == 2, h
	for x in h:
	    assert x["user-agent"].startswith("Mozilla/5.0 (Windows NT 10.0; Win64; x64)"), x
	    assert x["accept-language"] == "zh-CN,zh;q=0.9", x
	    assert "gzip" in x["accept-encoding"], x
	    assert "referer" not in x, x
	    assert "if-none-match" not in x and "if-modified-since" not in x, x
	accepts = sorted(x["accept"] for x in h)
	assert accepts[0].startswith("image/avif") and accepts[1].startswith("text/html"), accepts
	PY
'

test_expect_success '--user-agent replaces the User-Agent' '
    ft --user-agent "TestAgent/1.0" --page "https://mp.weixin.qq.com/s/plain?ua" >out &&
    fcheck out <<-\PY
	ua = [e["headers"]["user-agent"] for e in log if e["path"] == "/s/plain?ua"]
	assert ua == ["TestAgent/1.0"], ua
	PY
'

test_expect_success 'a gzip body is decoded' '
    ft --body --page https://mp.weixin.qq.com/s/zipped >out &&
    fcheck out <<-\PY
	r = res["/s/zipped"]
	assert r["err"] == "OK" and r["body"] == "compressed body, compressed body", r
	assert r["bytes"] == 32 and r["content_length"] != 32, r
	PY
'

test_expect_success 'a redirect chain is followed, without Referer, to the final URL' '
    ft --body --page https://mp.weixin.qq.com/s/hop1 >out &&
    fcheck out <<-\PY
	r = res["/s/hop1"]
	assert r["err"] == "OK" and r["status"] == 200 and r["body"] == "the end", r
	assert r["final_url"] == "https://www.example.com/end", r
	chain = [(e["host"], e["path"]) for e in log if e["path"] in ("/s/hop1", "/s/hop2", "/end")]
	assert chain == [("mp.weixin.qq.com", "/s/hop1"), ("mp.weixin.qq.com", "/s/hop2"),
	                 ("www.example.com", "/end")], chain
	assert all("referer" not in e["headers"] for e in log), "a Referer was sent"
	PY
'

test_expect_success 'a redirect loop ends after 5 redirects, without retries' '
    ft --retries 3 --page https://mp.weixin.qq.com/s/loop >out &&
    fcheck out <<-\PY
	r = res["/s/loop"]
	assert r["err"] == "HTTP" and r["status"] == 302 and r["attempts"] == 1, r
	assert "redirect" in r["error"], r
	assert len(hits("/s/loop")) == 6, len(hits("/s/loop"))
	PY
'

test_expect_success 'redirects to ftp: and file: are refused' '
    ft --page https://mp.weixin.qq.com/s/to-ftp --page https://mp.weixin.qq.com/s/to-file >out &&
    test_lines 2 out &&
    fcheck out <<-\PY
	for p in ("/s/to-ftp", "/s/to-file"):
	    r = res[p]
	    assert r["err"] == "URL" and r["attempts"] == 1 and r["bytes"] == 0, r
	    assert "not supported" in r["error"], r
	    assert len(hits(p)) == 1, p
	PY
'

test_expect_success 'a URL that is not http(s) fails at once, nothing sent' '
    : >>requests.log && before=$(wc -l <requests.log) &&
    ft --page ftp://mp.weixin.qq.com/s/x --image "file:///etc/passwd" --page "not a url" >out &&
    test_lines 3 out &&
    test "$(wc -l <requests.log)" = "$before" &&
    fcheck out <<-\PY
	for r in lines:
	    assert r["err"] == "URL" and r["attempts"] == 0 and r["status"] == 0, r
	    assert r["t"] < 0.5, r
	PY
'

test_expect_success 'bodies over the cap are ETOOBIG, with or without a small Content-Length' '
    ft --max-bytes 999 --retries 3 --page https://mp.weixin.qq.com/s/thousand \
        --image https://mmbiz.qpic.cn/big --page https://mp.weixin.qq.com/s/bomb >out &&
    ft --max-bytes 1000 --page "https://mp.weixin.qq.com/s/thousand?exact" \
        --page "https://mp.weixin.qq.com/s/bomb?fits" --max-bytes 10000 >fits &&
    fcheck out <<-\PY
	for p in ("/s/thousand", "/big", "/s/bomb"):
	    r = res[p]
	    assert r["err"] == "TOOBIG" and r["attempts"] == 1 and r["bytes"] == 0, r
	    assert len(hits(p)) == 1, p
	# The gzip body is small on the wire: the cap is met while decoding, in the write callback.
	assert res["/s/bomb"]["content_length"] < 999, res["/s/bomb"]
	PY
    fcheck fits <<-\PY
	assert [r["err"] for r in lines] == ["OK", "OK"], lines
	assert sorted(r["bytes"] for r in lines) == [1000, 10000], lines
	PY
'

test_expect_success 'conditional GET: ETag and Last-Modified give 304 with an empty body' '
    ft --page https://mp.weixin.qq.com/s/tagged --page https://mp.weixin.qq.com/s/dated >first &&
    ft --etag "\"v1\"" --page https://mp.weixin.qq.com/s/tagged >etag &&
    ft --last-modified "Wed, 01 May 2024 10:00:00 GMT" --page https://mp.weixin.qq.com/s/dated >lm &&
    ft --etag "\"v0\"" --body --page https://mp.weixin.qq.com/s/tagged >changed &&
    fcheck first <<-\PY
	assert res["/s/tagged"]["etag"] == "\"v1\"" and res["/s/tagged"]["status"] == 200, lines
	assert res["/s/dated"]["last_modified"] == "Wed, 01 May 2024 10:00:00 GMT", lines
	PY
    fcheck etag <<-\PY
	r = res["/s/tagged"]
	assert r["err"] == "OK" and r["status"] == 304 and r["bytes"] == 0 and r["attempts"] == 1, r
	assert hits("/s/tagged")[1]["headers"]["if-none-match"] == "\"v1\"", hits("/s/tagged")
	PY
    fcheck lm <<-\PY
	r = res["/s/dated"]
	assert r["err"] == "OK" and r["status"] == 304 and r["bytes"] == 0, r
	assert hits("/s/dated")[1]["headers"]["if-modified-since"] == "Wed, 01 May 2024 10:00:00 GMT"
	PY
    fcheck changed <<-\PY
	r = res["/s/tagged"]
	assert r["status"] == 200 and r["body"] == "v1", r
	PY
'

test_expect_success 'TLS is verified: without the test CA the request fails, no fallback' '
    "$FETCHTOOL" --resolve "mp.weixin.qq.com:443:$ADDR" --delay 0 --retries 2 \
        --page https://mp.weixin.qq.com/s/tls >out &&
    fcheck out <<-\PY
	r = res["/s/tls"]
	assert r["err"] == "NET" and r["attempts"] == 1 and r["status"] == 0, r
	assert "certificate" in r["error"], r
	assert hits("/s/tls") == [], hits("/s/tls")
	PY
'

test_expect_success 'a 404 is a result, not a failure, and not retried' '
    ft --retries 3 --body --page https://mp.weixin.qq.com/s/gone >out &&
    fcheck out <<-\PY
	r = res["/s/gone"]
	assert r["err"] == "OK" and r["status"] == 404 and r["attempts"] == 1, r
	assert r["body"] == "no such page", r
	PY
'

test_expect_success '--connect-to reaches the server with the real URL' '
    "$FETCHTOOL" --connect-to "mp.weixin.qq.com:443:$ADDR:443" --cacert "$CACERT" --delay 0 \
        --body --page "https://mp.weixin.qq.com/s/plain?via=connect-to" >out &&
    fcheck out <<-\PY
	r = lines[0]
	assert r["err"] == "OK" and r["body"] == "plain page", r
	assert [e["host"] for e in log if e["path"] == "/s/plain?via=connect-to"] == ["mp.weixin.qq.com"]
	PY
'

test_done
