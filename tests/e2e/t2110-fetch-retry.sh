#!/usr/bin/env bash
# t2110: retries in the fetch queue: 503 and 429 with Retry-After (seconds and HTTP date),
# exponential back-off, exhausted retries, resets and truncated bodies, timeouts, and the
# politeness interval still holding for a retried page.
. "$(dirname "$0")/lib.sh"
require_tool python3 openssl
[ -x "${FETCHTOOL:-}" ] || skip_all "FETCHTOOL does not name the fetchtool binary"

ADDR=127.0.0.22
cat >routes.json <<'JSON'
[
  {"host": "mp.weixin.qq.com", "path": "/s/busy", "body": "finally", "fail_first": 1, "retry_after": 1},
  {"host": "mp.weixin.qq.com", "path": "/s/limited", "body": "at last", "fail_first": 1, "fail_status": 429, "retry_after": 1},
  {"host": "mp.weixin.qq.com", "path": "/s/dated", "body": "later", "fail_first": 1, "retry_after": "@SOON@"},
  {"host": "mp.weixin.qq.com", "path": "/s/backoff", "body": "third time", "fail_first": 2},
  {"host": "mp.weixin.qq.com", "path": "/s/down", "body": "never", "fail_first": 100, "retry_after": 0},
  {"host": "mmbiz.qpic.cn", "path": "/down.png", "body": "never", "fail_first": 100, "fail_status": 502},
  {"host": "mp.weixin.qq.com", "path": "/s/cut", "body": "0123456789abcdef0123456789abcdef", "fault": "truncate"},
  {"host": "mp.weixin.qq.com", "path": "/s/reset", "body": "0123456789abcdef0123456789abcdef", "fault": "reset"},
  {"host": "mp.weixin.qq.com", "path": "/s/slow", "body": "too late", "delay": 3},
  {"host": "mp.weixin.qq.com", "path": "/s/polite", "body": "fine", "fail_first": 1},
  {"host": "mp.weixin.qq.com", "path": "/s/other", "body": "fine"},
  {"host": "mp.weixin.qq.com", "path": "/s/flaky", "body": "recovered", "fault": "reset"}
]
JSON

. "$(dirname "$0")/fetchtool-lib.sh"

make_certs || skip_all "openssl cannot make test certificates"
start_server $ADDR routes.json || exit 1

test_expect_success '503 with Retry-After: 1, then success; the retry waits a second' '
    ft --retries 3 --body --page https://mp.weixin.qq.com/s/busy >out &&
    fcheck out <<-\PY
	r = res["/s/busy"]
	assert r["err"] == "OK" and r["status"] == 200 and r["body"] == "finally", r
	assert r["attempts"] == 2, r
	t = starts("/s/busy")
	assert len(t) == 2 and t[1] - t[0] >= 1.0, t
	PY
'

test_expect_success '429 is handled like 503' '
    ft --retries 3 --body --page https://mp.weixin.qq.com/s/limited >out &&
    fcheck out <<-\PY
	r = res["/s/limited"]
	assert r["err"] == "OK" and r["body"] == "at last" and r["attempts"] == 2, r
	t = starts("/s/limited")
	assert len(t) == 2 and t[1] - t[0] >= 1.0, t
	PY
'

test_expect_success 'Retry-After as an HTTP date is honoured' '
    soon=$(python3 -c "import email.utils, time; print(email.utils.formatdate(time.time() + 3, usegmt=True))") &&
    sed "s/@SOON@/$soon/" routes.json >routes.new && mv routes.new routes.json &&
    ft --retries 3 --page https://mp.weixin.qq.com/s/dated >out &&
    fcheck out <<-\PY
	r = res["/s/dated"]
	assert r["err"] == "OK" and r["attempts"] == 2, r
	t = starts("/s/dated")
	# The date lies 2 to 3 s ahead; back-off alone would have waited at most 0.625 s.
	assert len(t) == 2 and t[1] - t[0] >= 1.5, t
	PY
'

test_expect_success 'without Retry-After the back-off grows exponentially (0.5 s, 1 s, +-25%)' '
    ft --retries 3 --page https://mp.weixin.qq.com/s/backoff >out &&
    fcheck out <<-\PY
	r = res["/s/backoff"]
	assert r["err"] == "OK" and r["attempts"] == 3, r
	t = starts("/s/backoff")
	g = [b - a for a, b in zip(t, t[1:])]
	assert len(g) == 2, t
	assert 0.37 <= g[0] <= 0.9 and 0.74 <= g[1] <= 1.5, g
	PY
'

test_expect_success 'retries exhausted on 5xx: EHTTP with the status, retries+1 attempts' '
    ft --retries 2 --page https://mp.weixin.qq.com/s/down --image https://mmbiz.qpic.cn/down.png >out &&
    fcheck out <<-\PY
	r = res["/s/down"]
	assert r["err"] == "HTTP" and r["status"] == 503 and r["attempts"] == 3, r
	i = res["/down.png"]
	assert i["err"] == "HTTP" and i["status"] == 502 and i["attempts"] == 3, i
	assert len(hits("/s/down")) == 3 and len(hits("/down.png")) == 3
	PY
'

test_expect_success 'a truncated body is retried, then ENET' '
    ft --retries 2 --page https://mp.weixin.qq.com/s/cut >out &&
    fcheck out <<-\PY
	r = res["/s/cut"]
	assert r["err"] == "NET" and r["attempts"] == 3 and r["bytes"] == 0, r
	assert "remaining" in r["error"], r
	assert len(hits("/s/cut")) == 3
	PY
'

test_expect_success 'a connection reset mid-body is retried, then ENET' '
    ft --retries 1 --page https://mp.weixin.qq.com/s/reset >out &&
    fcheck out <<-\PY
	r = res["/s/reset"]
	assert r["err"] == "NET" and r["attempts"] == 2 and r["bytes"] == 0, r
	assert "reset" in r["error"].lower(), r
	assert len(hits("/s/reset")) == 2
	PY
'

test_expect_success 'a timeout is retried, then ENET' '
    ft --retries 1 --timeout 0.5 --page https://mp.weixin.qq.com/s/slow >out &&
    fcheck out <<-\PY
	r = res["/s/slow"]
	assert r["err"] == "NET" and r["attempts"] == 2, r
	assert "timed out" in r["error"].lower(), r
	assert len(hits("/s/slow")) == 2
	PY
'

test_expect_success 'a retried page still keeps the politeness interval' '
    ft --retries 2 --delay 1 --page https://mp.weixin.qq.com/s/polite \
        --page https://mp.weixin.qq.com/s/other >out &&
    fcheck out <<-\PY
	assert [r["err"] for r in lines] == ["OK", "OK"], lines
	assert res["/s/polite"]["attempts"] == 2, lines
	t = sorted(e["t"] for e in log if e["path"] in ("/s/polite", "/s/other"))
	assert len(t) == 3, t
	g = [b - a for a, b in zip(t, t[1:])]
	assert min(g) >= 0.95, g
	PY
'

# Last: rewriting routes.json makes the server reload it and reset its fail_first counters.
test_expect_success 'a reset connection is retried and the retry succeeds' '
    (
        for _ in $(seq 1 250); do
            grep -q "/s/flaky" requests.log 2>/dev/null && break
            sleep 0.02
        done
        sed "s/\"fault\": \"reset\"}/\"fault\": \"none\"}/" routes.json >routes.new &&
        mv routes.new routes.json
    ) &
    ft --retries 3 --body --page https://mp.weixin.qq.com/s/flaky >out &&
    wait &&
    fcheck out <<-\PY
	r = res["/s/flaky"]
	assert r["err"] == "OK" and r["body"] == "recovered", r
	assert r["attempts"] == 2 and len(hits("/s/flaky")) == 2, r
	PY
'

test_done
