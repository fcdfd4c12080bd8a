#!/usr/bin/env bash
# t2120: scheduling in the fetch queue: the politeness interval between article pages to one host
# (not across hosts, not for images), per-host and total limits, pages and images in flight
# together, blocked hosts, and requests added from done().
. "$(dirname "$0")/lib.sh"
require_tool python3 openssl
[ -x "${FETCHTOOL:-}" ] || skip_all "FETCHTOOL does not name the fetchtool binary"

ADDR=127.0.0.23
cat >routes.json <<'JSON'
[
  {"host": "mp.weixin.qq.com", "path": "/s/slow", "body": "slow page", "delay": 0.6},
  {"host": "mp.weixin.qq.com", "path": "*", "body": "page"},
  {"host": "www.example.com", "path": "*", "body": "other page"},
  {"host": "mmbiz.qpic.cn", "path": "/slow.png", "body": "PNG", "type": "image/png", "delay": 0.5},
  {"host": "mmbiz.qpic.cn", "path": "*", "body": "PNG", "type": "image/png"}
]
JSON

. "$(dirname "$0")/fetchtool-lib.sh"

make_certs || skip_all "openssl cannot make test certificates"
start_server $ADDR routes.json || exit 1

test_expect_success 'pages to one host start at least --delay apart' '
    ft --delay 0.3 --page https://mp.weixin.qq.com/s/p1 --page https://mp.weixin.qq.com/s/p2 \
        --page https://mp.weixin.qq.com/s/p3 --page https://mp.weixin.qq.com/s/p4 >out &&
    test_lines 4 out &&
    fcheck out <<-\PY
	assert all(r["err"] == "OK" and r["attempts"] == 1 for r in lines), lines
	t = sorted(e["t"] for e in log if e["path"] in ("/s/p1", "/s/p2", "/s/p3", "/s/p4"))
	assert len(t) == 4, t
	g = [b - a for a, b in zip(t, t[1:])]
	assert min(g) >= 0.28, g
	assert t[-1] - t[0] < 0.9 + 0.6, g  # polite, but not idle either
	PY
'

test_expect_success 'pages to different hosts are not delayed against each other' '
    ft --delay 5 --page https://mp.weixin.qq.com/s/h1 --page https://www.example.com/h2 >out &&
    fcheck out <<-\PY
	assert [r["err"] for r in lines] == ["OK", "OK"], lines
	t = sorted(e["t"] for e in log if e["path"] in ("/s/h1", "/h2"))
	assert len(t) == 2 and t[1] - t[0] < 0.5, t
	assert max(r["t"] for r in lines) < 2, lines
	PY
'

test_expect_success 'images are not delayed and run in parallel' '
    ft --delay 5 --image https://mmbiz.qpic.cn/slow.png?1 --image https://mmbiz.qpic.cn/slow.png?2 \
        --image https://mmbiz.qpic.cn/slow.png?3 --image https://mmbiz.qpic.cn/slow.png?4 >out &&
    test_lines 4 out &&
    fcheck out <<-\PY
	assert all(r["err"] == "OK" and r["content_type"] == "image/png" for r in lines), lines
	t = sorted(e["t"] for e in log if e["path"].startswith("/slow.png?"))
	assert len(t) == 4 and t[-1] - t[0] < 0.3, t
	# Four answers of 0.5 s each, in parallel (one after the other would take 2 s).
	assert max(r["t"] for r in lines) < 1.8, lines
	PY
'

test_expect_success 'per-host and total limits hold' '
    ft --images-per-host 2 --image https://mmbiz.qpic.cn/slow.png?a --image https://mmbiz.qpic.cn/slow.png?b \
        --image https://mmbiz.qpic.cn/slow.png?c --image https://mmbiz.qpic.cn/slow.png?d >img &&
    ft --jobs 1 --images-per-host 6 --image https://mmbiz.qpic.cn/slow.png?e \
        --image https://mmbiz.qpic.cn/slow.png?f >jobs &&
    ft --delay 0 --pages-per-host 1 --page "https://mp.weixin.qq.com/s/slow?g" \
        --page "https://mp.weixin.qq.com/s/slow?h" >pages &&
    fcheck img <<-\PY
	t = sorted(e["t"] for e in log if e["path"][-2:] in ("?a", "?b", "?c", "?d"))
	assert len(t) == 4 and t[1] - t[0] < 0.3 and t[2] - t[0] >= 0.45, t
	PY
    fcheck jobs <<-\PY
	t = sorted(e["t"] for e in log if e["path"][-2:] in ("?e", "?f"))
	assert len(t) == 2 and t[1] - t[0] >= 0.45, t
	PY
    fcheck pages <<-\PY
	t = sorted(e["t"] for e in log if e["path"][-2:] in ("?g", "?h"))
	assert len(t) == 2 and t[1] - t[0] >= 0.55, t
	PY
'

test_expect_success 'pages and images are in flight together' '
    ft --delay 2 --page "https://mp.weixin.qq.com/s/slow?together" \
        --image "https://mmbiz.qpic.cn/slow.png?together" --page https://mp.weixin.qq.com/s/after >out &&
    fcheck out <<-\PY
	page = [e["t"] for e in log if e["path"] == "/s/slow?together"]
	img = [e["t"] for e in log if e["path"] == "/slow.png?together"]
	assert len(page) == 1 and len(img) == 1 and abs(img[0] - page[0]) < 0.3, (page, img)
	# The image did not wait for the page; the second page waited for the interval.
	assert res["/slow.png"]["t"] < 1.2, lines
	after = [e["t"] for e in log if e["path"] == "/s/after"]
	assert len(after) == 1 and after[0] - page[0] >= 1.9, (page, after)
	PY
'

test_expect_success 'a blocked host: queued pages end EWALL unsent; images still go' '
    ft --delay 2 --block-host-after-first mp.weixin.qq.com \
        --page https://mp.weixin.qq.com/s/b1 --page https://mp.weixin.qq.com/s/b2 \
        --page https://mp.weixin.qq.com/s/b3 --image https://mp.weixin.qq.com/s/b4.png \
        --page https://www.example.com/b5 --then-page https://mp.weixin.qq.com/s/b6 >out &&
    test_lines 6 out &&
    fcheck out <<-\PY
	assert res["/s/b1"]["err"] == "OK", lines
	for p in ("/s/b2", "/s/b3", "/s/b6"):
	    assert res[p]["err"] == "WALL" and res[p]["attempts"] == 0, res[p]
	    assert hits(p) == [], p
	assert res["/s/b4.png"]["err"] == "OK" and res["/b5"]["err"] == "OK", lines
	assert max(r["t"] for r in lines) < 1.9, lines  # nothing waited for the next interval
	PY
'

test_expect_success 'done() may add requests; they run in the same fetch_queue_run()' '
    ft --page https://mp.weixin.qq.com/s/first --then-image https://mmbiz.qpic.cn/later.png \
        --then-page https://www.example.com/later >out &&
    test_lines 3 out &&
    fcheck out <<-\PY
	assert [urllib.parse.urlsplit(r["url"]).path for r in lines][0] == "/s/first", lines
	assert all(r["err"] == "OK" for r in lines), lines
	assert len(hits("/later.png")) == 1 and len(hits("/later")) == 1
	PY
'

test_done
