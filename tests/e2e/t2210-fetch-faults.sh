#!/usr/bin/env bash
# t2210: `archiver fetch` against each fault of the test server: retried transfers (503 with
# Retry-After, a reset, a truncated body), what is given up (503 for ever, a slow drip past
# --timeout, a redirect loop, a body truncated every time), verification walls (no more article
# requests to that host in this run; tried again by the next), captcha and rate-limit pages,
# deleted and removed pages (news once, not asked for again), broken images (404, truncated,
# undecodable, a JPEG cut short) as placeholders retried by the next run, the hotlink picture,
# gzip, --refresh with an ETag (304), and --quiet.  Each test has its own archive ($ARCH) and
# index, and sets the routes it needs.
. "$(dirname "$0")/lib.sh"
. "$TEST_SRCDIR/tests/e2e/fetch-lib.sh"
require_tool python3 openssl convert
fetch_init 127.0.0.61

convert -size 40x30 xc:red red.png && convert -size 30x20 xc:blue blue.jpg &&
    convert -size 16x16 xc:white hotlink.png || exit 1
convert -size 200x150 plasma:fractal photo.jpg || exit 1
python3 -c 'import sys; b = open("red.png", "rb").read(); sys.stdout.buffer.write(b[: len(b) // 2])' >half.png
python3 -c 'import sys; b = open("photo.jpg", "rb").read(); sys.stdout.buffer.write(b[: len(b) // 2])' >half.jpg
printf 'this is not a picture at all\n' >garbage.png
mkpage plain.html "普通文章" "https://mmbiz.qpic.cn/red.png|红"
# Page with a body bigger than a few KiB, for the drip and truncation tests.
python3 - <<'PY'
filler = "".join("<p>第%d段：填充文字，让页面有几千字节。</p>\n" % i for i in range(200))
s = open("plain.html", encoding="utf-8").read().replace("</div></div>", filler + "</div></div>")
open("big.html", "w", encoding="utf-8").write(s)
PY
echo '[]' >routes.json
start_server $ADDR routes.json || exit 1

# fresh ARCH: a test's own archive and an empty request log.
fresh() {
    export ARCH=$1
    : >requests.log
}

# The routes every test may use, plus its own (first match wins: its own come first).
# shellcheck disable=SC2034 # used in the test bodies, which shellcheck does not read
common='{"host": "mmbiz.qpic.cn", "path": "/red.png", "file": "red.png", "type": "image/png"},
  {"host": "mmbiz.qpic.cn", "path": "/blue.jpg", "file": "blue.jpg", "type": "image/jpeg"}'

test_expect_success '503 with Retry-After, then success: archived after 2 requests' '
    fresh busy && mkindex busy &&
    routes <<-JSON &&
	[{"host": "mp.weixin.qq.com", "path": "/s/busy", "file": "plain.html",
	  "fail_first": 1, "fail_status": 503, "retry_after": 1}, $common]
	JSON
    af --retries 2 --json >out 2>err &&
    pycheck out <<-\PY
	assert ent["busy"]["result"] == "archived" and ent["busy"]["state"] == "archived", ent
	t = sorted(e["t"] for e in hits("/s/busy"))
	assert len(t) == 2 and t[1] - t[0] >= 0.95, t
	m = meta("busy")
	assert m["status"] == "archived" and results(m) == ["archived"], m
	assert m["history"][-1]["http_status"] == 200, m
	PY
'

test_expect_success '503 every time: failed, exit 1, the reason in meta.json' '
    fresh down && mkindex down &&
    routes <<-JSON &&
	[{"host": "mp.weixin.qq.com", "path": "/s/down", "file": "plain.html",
	  "fail_first": 99, "fail_status": 503}, $common]
	JSON
    test_must_fail 1 af --retries 1 --json >out 2>err &&
    test_grep "s/down: .*503" err &&
    pycheck out <<-\PY
	assert ent["down"]["result"] == "failed" and ent["down"]["new_problem"] is True, ent
	assert len(hits("/s/down")) == 2, hits("/s/down")
	m = meta("down")
	assert m["status"] == "failed" and "503" in m["error"], m
	assert results(m) == ["failed"] and m["history"][0]["http_status"] == 503, m
	assert not os.path.exists(os.path.join(adir("down"), "article.html"))
	PY
'

test_expect_success 'a connection reset mid-body, then success: archived' '
    fresh reset && mkindex reset &&
    routes <<-JSON &&
	[{"host": "mp.weixin.qq.com", "path": "/s/reset", "file": "big.html", "fault": "reset"}, $common]
	JSON
    (
        wait_for_request /s/reset &&
        routes <<-JSON
	[{"host": "mp.weixin.qq.com", "path": "/s/reset", "file": "big.html"}, $common]
	JSON
    ) &
    af --retries 2 --json >out 2>err &&
    wait &&
    pycheck out <<-\PY
	assert ent["reset"]["result"] == "archived", ent
	assert len(hits("/s/reset")) == 2, hits("/s/reset")
	raw = gzip.open(os.path.join(adir("reset"), "raw.html.gz")).read()
	assert raw == open("big.html", "rb").read()
	PY
'

test_expect_success 'a truncated body, then success: archived, the whole page stored' '
    fresh cut && mkindex cut &&
    routes <<-JSON &&
	[{"host": "mp.weixin.qq.com", "path": "/s/cut", "file": "big.html", "fault": "truncate"}, $common]
	JSON
    (
        wait_for_request /s/cut &&
        routes <<-JSON
	[{"host": "mp.weixin.qq.com", "path": "/s/cut", "file": "big.html"}, $common]
	JSON
    ) &
    af --retries 2 --json >out 2>err &&
    wait &&
    pycheck out <<-\PY
	assert ent["cut"]["result"] == "archived", ent
	assert len(hits("/s/cut")) == 2, hits("/s/cut")
	raw = gzip.open(os.path.join(adir("cut"), "raw.html.gz")).read()
	assert raw == open("big.html", "rb").read()
	assert "第199段" in html("cut")
	PY
'

test_expect_success 'a body truncated every time: failed, exit 1, meta.json says why' '
    fresh cutx && mkindex cutx &&
    routes <<-JSON &&
	[{"host": "mp.weixin.qq.com", "path": "/s/cutx", "file": "big.html", "fault": "truncate"}, $common]
	JSON
    test_must_fail 1 af --retries 1 --json >out 2>err &&
    pycheck out <<-\PY
	assert ent["cutx"]["result"] == "failed" and ent["cutx"]["state"] == "failed", ent
	assert len(hits("/s/cutx")) == 2, hits("/s/cutx")
	m = meta("cutx")
	assert m["status"] == "failed" and m["error"], m
	assert re.search(r"remaining|truncat|partial|closed", m["error"], re.I), m["error"]
	assert not os.path.exists(os.path.join(adir("cutx"), "article.html"))
	PY
'

test_expect_success 'a slow drip past --timeout: failed' '
    fresh drip && mkindex drip &&
    routes <<-JSON &&
	[{"host": "mp.weixin.qq.com", "path": "/s/drip", "file": "big.html", "fault": "drip", "drip": 0.4}, $common]
	JSON
    start=$(date +%s.%N) &&
    test_must_fail 1 af --retries 0 --timeout 1 --json >out 2>err &&
    end=$(date +%s.%N) &&
    python3 -c "d = $end - $start; assert d < 3, d" &&
    pycheck out <<-\PY
	assert ent["drip"]["result"] == "failed", ent
	m = meta("drip")
	assert m["status"] == "failed" and re.search(r"time", m["error"], re.I), m
	PY
'

test_expect_success 'a redirect chain: archived, final_url recorded' '
    fresh hops && mkindex hop1 &&
    routes <<-JSON &&
	[{"host": "mp.weixin.qq.com", "path": "/s/hop1", "redirect": "https://mp.weixin.qq.com/s/hop2"},
	 {"host": "mp.weixin.qq.com", "path": "/s/hop2", "redirect": "https://www.example.com/moved/final"},
	 {"host": "www.example.com", "path": "/moved/final", "file": "plain.html"}, $common]
	JSON
    af --json >out 2>err &&
    pycheck out <<-\PY
	assert ent["hop1"]["result"] == "archived", ent
	m = meta("hop1")
	assert m["url"] == "https://mp.weixin.qq.com/s/hop1", m
	assert m["final_url"] == "https://www.example.com/moved/final", m
	assert [e["path"] for e in log if e["path"] in ("/s/hop1", "/s/hop2", "/moved/final")] == \
	    ["/s/hop1", "/s/hop2", "/moved/final"]
	PY
'

test_expect_success 'a redirect loop: failed, exit 1, asked a bounded number of times' '
    fresh loop && mkindex loop &&
    routes <<-JSON &&
	[{"host": "mp.weixin.qq.com", "path": "/s/loop", "redirect": "https://mp.weixin.qq.com/s/loop"}, $common]
	JSON
    test_must_fail 1 af --retries 2 --json >out 2>err &&
    pycheck out <<-\PY
	assert ent["loop"]["result"] == "failed", ent
	assert 2 <= len(hits("/s/loop")) <= 7, len(hits("/s/loop"))
	m = meta("loop")
	assert m["status"] == "failed" and "redirect" in m["error"].lower(), m
	PY
'

test_expect_success 'a verification wall: walled, exit 1, no more article requests to that host' '
    fresh wall && mkindex first wall1 wall2 wall3 https://www.example.com/other &&
    mkpage first.html "墙前" "https://mmbiz.qpic.cn/slow.png|慢" &&
    mkpage other.html "别处的文章" "https://mmbiz.qpic.cn/blue.jpg|蓝" &&
    routes <<-JSON &&
	[{"host": "mp.weixin.qq.com", "path": "/s/first", "file": "first.html"},
	 {"host": "mp.weixin.qq.com", "path": "/s/wall1", "file": "$TEST_SRCDIR/tests/data/convert/wall-visible.html"},
	 {"host": "mp.weixin.qq.com", "path": "*", "file": "plain.html"},
	 {"host": "mmbiz.qpic.cn", "path": "/slow.png", "file": "red.png", "type": "image/png", "delay": 0.8},
	 {"host": "www.example.com", "path": "/other", "file": "other.html", "delay": 0.5}, $common]
	JSON
    test_must_fail 1 af --delay 0.3 --json >out 2>err &&
    test_grep "mp.weixin.qq.com: verification wall" err &&
    test "$(grep -c "verification wall" err)" = 1 &&
    pycheck out <<-\PY
	assert j["walled_hosts"] == ["mp.weixin.qq.com"], j
	assert [e["path"] for e in pages()] == ["/s/first", "/s/wall1"], [e["path"] for e in pages()]
	for i in ("wall1", "wall2", "wall3"):
	    assert ent[i]["result"] == "walled" and ent[i]["state"] == "walled", ent[i]
	    assert ent[i]["new_problem"] is True, ent[i]
	    assert not os.path.exists(os.path.join(adir(i), "article.html")), i
	    assert meta(i)["status"] == "walled" and results(meta(i)) == ["walled"], meta(i)
	# The page fetched before the wall is stored with its image, which came after the wall;
	# the other host and the image host are fine.
	assert ent["first"]["result"] == "archived", ent["first"]
	assert hits("/slow.png")[0]["t"] + 0.8 > hits("/s/wall1")[0]["t"] + 0.1, log
	assert meta("first")["images"][0]["status"] == "ok", meta("first")
	o = [i for i in ent if i not in ("first", "wall1", "wall2", "wall3")][0]
	assert ent[o]["result"] == "archived", ent[o]
	assert len(hits("/blue.jpg")) == 1, hits("/blue.jpg")
	assert meta(o)["images"][0]["status"] == "ok", meta(o)
	assert j["articles"]["walled"] == 3 and j["articles"]["archived"] == 2, j["articles"]
	front = open(os.path.join(ARCH, "index.html"), encoding="utf-8").read()
	assert "articles/%s/article.html" % o in front, front
	for i in ("wall1", "wall2", "wall3"):
	    assert "articles/%s/" % i not in front, front
	PY
'

test_expect_success 'the next run tries the walled host again' '
    fresh wall && : >requests.log &&
    routes <<-JSON &&
	[{"host": "mp.weixin.qq.com", "path": "*", "file": "plain.html"}, $common]
	JSON
    af --json >out 2>err &&
    pycheck out <<-\PY
	assert sorted(e["path"] for e in pages()) == ["/s/wall1", "/s/wall2", "/s/wall3"], pages()
	for i in ("wall1", "wall2", "wall3"):
	    assert ent[i]["result"] == "archived", ent[i]
	    assert results(meta(i)) == ["walled", "archived"], meta(i)["history"]
	PY
'

test_expect_success 'a wall seen on a refresh keeps the copy stored before' '
    fresh wall-keep && mkindex keep &&
    routes <<-JSON &&
	[{"host": "mp.weixin.qq.com", "path": "/s/keep", "file": "plain.html"}, $common]
	JSON
    af >out 2>err &&
    cp wall-keep/articles/keep/article.html before.html &&
    routes <<-JSON &&
	[{"host": "mp.weixin.qq.com", "path": "/s/keep", "file": "$TEST_SRCDIR/tests/data/convert/wall-script.html"}, $common]
	JSON
    test_must_fail 1 af --refresh --json >out 2>err &&
    test_cmp before.html wall-keep/articles/keep/article.html &&
    pycheck out <<-\PY
	assert ent["keep"]["result"] == "walled", ent
	m = meta("keep")
	assert m["status"] == "archived", m
	assert results(m) == ["archived", "walled"], m["history"]
	PY
'

test_expect_success 'a captcha redirect: walled' '
    fresh captcha && mkindex cap &&
    routes <<-JSON &&
	[{"host": "mp.weixin.qq.com", "path": "/s/cap",
	  "redirect": "https://mp.weixin.qq.com/mp/wappoc_appmsgcaptcha?poc_token=x&target_url=https%3A%2F%2Fmp.weixin.qq.com%2Fs%2Fcap"},
	 {"host": "mp.weixin.qq.com", "path": "/mp/wappoc_appmsgcaptcha", "body": "<html><body><div id=\"app\"></div></body></html>"},
	 $common]
	JSON
    test_must_fail 1 af --json >out 2>err &&
    pycheck out <<-\PY
	assert ent["cap"]["result"] == "walled" and ent["cap"]["state"] == "walled", ent
	assert "captcha" in ent["cap"]["detail"], ent
	assert j["walled_hosts"] == ["mp.weixin.qq.com"], j
	assert not os.path.exists(os.path.join(adir("cap"), "article.html"))
	PY
'

test_expect_success 'a rate-limit page: walled' '
    fresh rate && mkindex rate &&
    routes <<-JSON &&
	[{"host": "mp.weixin.qq.com", "path": "/s/rate", "file": "$TEST_SRCDIR/tests/data/convert/rate-limited.html"}, $common]
	JSON
    test_must_fail 1 af --json >out 2>err &&
    pycheck out <<-\PY
	assert ent["rate"]["result"] == "walled" and ent["rate"]["state"] == "walled", ent
	assert j["walled_hosts"] == ["mp.weixin.qq.com"], j
	assert meta("rate")["status"] == "walled", meta("rate")
	PY
'

test_expect_success 'a deleted page: deleted, exit 1; the next run does not ask again, exit 0' '
    fresh deleted && mkindex P9cMowFQ-QahLRnfHponKw vio &&
    routes <<-JSON &&
	[{"host": "mp.weixin.qq.com", "path": "/s/P9cMowFQ-QahLRnfHponKw", "file": "$TEST_SRCDIR/tests/data/wechat/deleted-01.html"},
	 {"host": "mp.weixin.qq.com", "path": "/s/vio", "file": "$TEST_SRCDIR/tests/data/wechat/violation-01.html"}, $common]
	JSON
    test_must_fail 1 af --json >out 2>err &&
    af --json >out2 2>err2 &&
    pycheck out <<-\PY
	e = ent["P9cMowFQ-QahLRnfHponKw"]
	assert e["result"] == "deleted" and e["state"] == "deleted" and e["new_problem"], e
	assert "删除" in e["detail"], e
	assert ent["vio"]["state"] == "removed" and ent["vio"]["new_problem"], ent["vio"]
	m = meta("P9cMowFQ-QahLRnfHponKw")
	assert m["status"] == "deleted" and "删除" in m["error"], m
	assert results(m) == ["deleted"], m
	assert meta("vio")["status"] == "removed" and results(meta("vio")) == ["removed"], meta("vio")
	assert not os.path.exists(os.path.join(adir("vio"), "article.html"))
	assert len(hits("/s/P9cMowFQ-QahLRnfHponKw")) == 1 and len(hits("/s/vio")) == 1, log
	j2 = json.load(open("out2"))
	for e in j2["entries"]:
	    assert e["result"] == "skipped" and not e["new_problem"], e
	PY
'

test_expect_success 'a 404 page: deleted (gone)' '
    fresh nf && mkindex nf &&
    routes <<-JSON &&
	[{"host": "mp.weixin.qq.com", "path": "/s/nf", "status": 404, "body": "no such page"}, $common]
	JSON
    test_must_fail 1 af --retries 2 --json >out 2>err &&
    pycheck out <<-\PY
	assert ent["nf"]["result"] == "deleted" and ent["nf"]["state"] == "deleted", ent
	assert len(hits("/s/nf")) == 1, hits("/s/nf")
	PY
'

test_expect_success 'a 404 image: a placeholder linking the source, status gone, not news next run' '
    fresh img404 && mkindex img404 &&
    mkpage img404.html "缺图" "https://mmbiz.qpic.cn/red.png|红" "https://mmbiz.qpic.cn/missing.png?wx_fmt=png|丢了的图" &&
    routes <<-JSON &&
	[{"host": "mp.weixin.qq.com", "path": "/s/img404", "file": "img404.html"}, $common]
	JSON
    test_must_fail 1 af --retries 2 --json >out 2>err &&
    af --json >out2 2>err2 &&
    pycheck out <<-\PY
	assert ent["img404"]["result"] == "archived" and ent["img404"]["new_problem"], ent
	assert j["images"]["downloaded"] == 1 and j["images"]["failed"] == 1, j["images"]
	assert len(hits("/missing.png")) == 1, hits("/missing.png")
	m = meta("img404")
	x = {x["src"]: x for x in m["images"]}["https://mmbiz.qpic.cn/missing.png?wx_fmt=png"]
	assert x["status"] == "gone" and x["file"] is None and "404" in x["error"], x
	h = html("img404")
	srcs = img_srcs(h)
	assert len(srcs) == 1 and srcs[0].startswith("images/"), srcs
	assert not re.search(r"(?<![-\w])src=\"(https?:)?//", h), h
	assert re.search(r"<a [^>]*href=\"https://mmbiz.qpic.cn/missing.png\?wx_fmt=png\"", h), h
	assert "丢了的图" in h, h
	j2 = json.load(open("out2"))
	assert j2["entries"][0]["result"] == "skipped" and not j2["entries"][0]["new_problem"], j2
	PY
'

test_expect_success '--quiet: errors and the summary line, no warnings' '
    fresh quiet && mkindex img404 down &&
    routes <<-JSON &&
	[{"host": "mp.weixin.qq.com", "path": "/s/img404", "file": "img404.html"},
	 {"host": "mp.weixin.qq.com", "path": "/s/down", "file": "plain.html", "fail_first": 99}, $common]
	JSON
    test_must_fail 1 af --retries 0 --quiet >out 2>err &&
    test_lines 0 out &&
    test_lines 2 err &&
    test_grep "^archiver: error: https://mp.weixin.qq.com/s/down: .*503" err &&
    test_grep "^fetch: 2 entries: 1 archived, .* 1 failed; images 1 downloaded, 1 failed" err &&
    ARCH=quiet2 test_must_fail 1 af --retries 0 >out 2>err2 &&
    test_grep "warning: .*s/img404.* could not be downloaded" err2
'

test_expect_success 'a truncated image: placeholder, retried next run, stored once it is whole' '
    fresh imgcut && mkindex imgcut &&
    mkpage imgcut.html "半张图" "https://mmbiz.qpic.cn/red.png|红" "https://mmbiz.qpic.cn/cut.jpg?wx_fmt=jpeg|半" &&
    routes <<-JSON &&
	[{"host": "mp.weixin.qq.com", "path": "/s/imgcut", "file": "imgcut.html"},
	 {"host": "mmbiz.qpic.cn", "path": "/cut.jpg", "file": "blue.jpg", "type": "image/jpeg", "fault": "truncate"},
	 $common]
	JSON
    test_must_fail 1 af --json >out1 2>err1 &&
    test_grep "1 of 2 images could not be downloaded" err1 &&
    cp imgcut/articles/imgcut/article.html first.html &&
    af --json >out2 2>err2 &&
    routes <<-JSON &&
	[{"host": "mp.weixin.qq.com", "path": "/s/imgcut", "file": "imgcut.html"},
	 {"host": "mmbiz.qpic.cn", "path": "/cut.jpg", "file": "blue.jpg", "type": "image/jpeg"}, $common]
	JSON
    af --json >out3 2>err3 &&
    pycheck out1 <<-\PY
	assert ent["imgcut"]["result"] == "archived" and ent["imgcut"]["new_problem"], ent
	h = open("first.html", encoding="utf-8").read()
	assert len(img_srcs(h)) == 1, img_srcs(h)
	assert not re.search(r"(?<![-\w])src=\"(https?:)?//", h), h
	assert "https://mmbiz.qpic.cn/cut.jpg?wx_fmt=jpeg" in h, h
	j2 = json.load(open("out2"))
	e = j2["entries"][0]
	assert e["new_problem"] is False, e          # known failure: not news
	assert j2["images"]["failed"] == 1, j2       # but retried
	j3 = json.load(open("out3"))
	assert j3["images"]["downloaded"] == 1 and j3["images"]["failed"] == 0, j3["images"]
	assert len(hits("/cut.jpg")) == 2 + 2 + 1, len(hits("/cut.jpg"))  # --retries 1
	assert len(hits("/s/imgcut")) == 1, hits("/s/imgcut")      # the page is read back, not asked
	assert len(hits("/red.png")) == 1, hits("/red.png")
	m = meta("imgcut")
	assert [x["status"] for x in m["images"]] == ["ok", "ok"], m["images"]
	b = open(os.path.join(adir("imgcut"), m["images"][1]["file"]), "rb").read()
	assert b == open("blue.jpg", "rb").read()
	srcs = img_srcs(html("imgcut"))
	assert [s for s in srcs] == [x["file"] for x in m["images"]], srcs
	assert results(m)[0] == "archived" and results(m)[-1] in ("images-retried", "archived"), m
	PY
'

test_expect_success 'an image that does not decode, or a JPEG cut short: failed, placeholder' '
    fresh imgbad && mkindex imgbad &&
    mkpage imgbad.html "坏图" "https://mmbiz.qpic.cn/half.png|半张" "https://mmbiz.qpic.cn/garbage.png|乱码" \
        "https://mmbiz.qpic.cn/half.jpg|半张照片" &&
    routes <<-JSON &&
	[{"host": "mp.weixin.qq.com", "path": "/s/imgbad", "file": "imgbad.html"},
	 {"host": "mmbiz.qpic.cn", "path": "/half.png", "file": "half.png", "type": "image/png"},
	 {"host": "mmbiz.qpic.cn", "path": "/half.jpg", "file": "half.jpg", "type": "image/jpeg"},
	 {"host": "mmbiz.qpic.cn", "path": "/garbage.png", "file": "garbage.png", "type": "image/png"}, $common]
	JSON
    test_must_fail 1 af --json >out 2>err &&
    pycheck out <<-\PY
	m = meta("imgbad")
	assert [x["status"] for x in m["images"]] == ["failed"] * 3, m["images"]
	assert all(x["error"] and x["file"] is None for x in m["images"]), m["images"]
	h = html("imgbad")
	assert img_srcs(h) == [], h
	d = os.path.join(adir("imgbad"), "images")
	assert not os.path.isdir(d) or os.listdir(d) == [], os.listdir(d)
	for u in ("half.png", "garbage.png", "half.jpg"):
	    assert re.search(r"<a [^>]*href=\"https://mmbiz.qpic.cn/%s\"" % u, h), (u, h)
	assert j["images"]["failed"] == 3 and ent["imgbad"]["new_problem"], j
	PY
'

test_expect_success 'hotlink protection: no Referer is sent, so the real picture is stored' '
    fresh hotlink && mkindex hot &&
    mkpage hot.html "防盗链" "https://mmbiz.qpic.cn/hot.jpg?wx_fmt=jpeg|真图" &&
    routes <<-JSON &&
	[{"host": "mp.weixin.qq.com", "path": "/s/hot", "file": "hot.html"},
	 {"host": "mmbiz.qpic.cn", "path": "/hot.jpg", "file": "blue.jpg", "type": "image/jpeg",
	  "foreign_referer_file": "hotlink.png"}, $common]
	JSON
    af --json >out 2>err &&
    pycheck out <<-\PY
	assert "referer" not in hits("/hot.jpg")[0]["headers"], hits("/hot.jpg")
	m = meta("hot")
	x = m["images"][0]
	assert x["status"] == "ok" and (x["width"], x["height"]) == (30, 20), x
	assert open(os.path.join(adir("hot"), x["file"]), "rb").read() == open("blue.jpg", "rb").read()
	PY
'

test_expect_success 'a gzip-encoded page is decoded before it is stored' '
    fresh gz && mkindex gz &&
    routes <<-JSON &&
	[{"host": "mp.weixin.qq.com", "path": "/s/gz", "file": "big.html", "gzip": true}, $common]
	JSON
    af --json >out 2>err &&
    pycheck out <<-\PY
	assert ent["gz"]["result"] == "archived", ent
	assert "gzip" in hits("/s/gz")[0]["headers"]["accept-encoding"]
	raw = gzip.open(os.path.join(adir("gz"), "raw.html.gz")).read()
	assert raw == open("big.html", "rb").read()
	assert "第199段" in html("gz")
	PY
'

test_expect_success '--refresh with an ETag: 304, the copy kept, history says not-modified' '
    fresh etag && mkindex etag &&
    routes <<-JSON &&
	[{"host": "mp.weixin.qq.com", "path": "/s/etag", "file": "plain.html", "etag": "\"v1\"",
	  "last_modified": "Wed, 01 May 2024 10:00:00 GMT"}, $common]
	JSON
    af >out1 2>err1 &&
    cp etag/articles/etag/article.html before.html &&
    link=$(readlink etag/articles/etag) &&
    af --refresh --json >out 2>err &&
    test_cmp before.html etag/articles/etag/article.html &&
    test "$(readlink etag/articles/etag)" = "$link" &&
    pycheck out <<-\PY
	assert ent["etag"]["result"] == "not-modified" and not ent["etag"]["new_problem"], ent
	h = hits("/s/etag")
	assert len(h) == 2, h
	assert "if-none-match" not in h[0]["headers"], h[0]
	assert h[1]["headers"].get("if-none-match") == "\"v1\"", h[1]
	assert len(hits("/red.png")) == 1, hits("/red.png")
	m = meta("etag")
	assert m["etag"] == "\"v1\"" and m["last_modified"] == "Wed, 01 May 2024 10:00:00 GMT", m
	assert m["status"] == "archived", m
	assert results(m) == ["archived", "not-modified"], m["history"]
	assert m["history"][1]["http_status"] == 304, m["history"]
	PY
'

test_expect_success '--refresh answered 304 still retries the images that failed before' '
    fresh etag-img && mkindex etagimg &&
    mkpage etagimg.html "缓存" "https://mmbiz.qpic.cn/red.png|红" "https://mmbiz.qpic.cn/late.jpg|迟" &&
    routes <<-JSON &&
	[{"host": "mp.weixin.qq.com", "path": "/s/etagimg", "file": "etagimg.html", "etag": "\"e1\""},
	 {"host": "mmbiz.qpic.cn", "path": "/late.jpg", "file": "blue.jpg", "type": "image/jpeg", "fault": "truncate"},
	 $common]
	JSON
    test_must_fail 1 af --retries 0 >out1 2>err1 &&
    routes <<-JSON &&
	[{"host": "mp.weixin.qq.com", "path": "/s/etagimg", "file": "etagimg.html", "etag": "\"e1\""},
	 {"host": "mmbiz.qpic.cn", "path": "/late.jpg", "file": "blue.jpg", "type": "image/jpeg"}, $common]
	JSON
    af --refresh --json >out 2>err &&
    pycheck out <<-\PY
	assert hits("/s/etagimg")[-1]["headers"].get("if-none-match") == "\"e1\"", hits("/s/etagimg")
	assert len(hits("/late.jpg")) == 2, hits("/late.jpg")   # retried by the refresh
	m = meta("etagimg")
	assert [x["status"] for x in m["images"]] == ["ok", "ok"], m["images"]
	assert len(img_srcs(html("etagimg"))) == 2, html("etagimg")
	PY
'

test_done
