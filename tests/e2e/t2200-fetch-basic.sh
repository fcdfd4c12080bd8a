#!/usr/bin/env bash
# t2200: `archiver fetch` end to end, when all goes well: a first run stores every article with
# all its images (local, named by content, the extension from the bytes), meta.json, raw.html.gz,
# the front page and book.css; it is polite (the --delay interval between article pages, browser
# headers, no Referer, an image used twice asked for once, per-host limits); a second run asks for
# nothing; --json counts; --only fetches one entry; http:// WeChat links go over https; repost
# cards and moved accounts are followed; a progress line on a terminal; exit codes 2 and 4.
. "$(dirname "$0")/lib.sh"
. "$TEST_SRCDIR/tests/e2e/fetch-lib.sh"
require_tool python3 openssl convert cwebp identify script
fetch_init 127.0.0.60

A1=KDWh_qGpFN5Vu1TR9t30Mw # tests/data/wechat/article-01.html: 9 images on mmbiz.qpic.cn

# Nine different pictures for article-01's nine images, in four formats; the one whose URL says
# wx_fmt=jpeg is a PNG.  article-01's first image ($FIRST) is page two's too.
cp "$TEST_SRCDIR/tests/data/wechat/article-01.html" a1.html
"$ARCHIVER" convert a1.html --json >a1.json || exit 1
convert -size 40x30 xc:red i0.png && convert -size 41x30 xc:green i1.png &&
    convert -size 42x30 xc:blue i2.jpg && convert -size 43x30 xc:yellow i3.gif &&
    convert -size 44x30 xc:orange i4.png && cwebp -quiet i4.png -o i5.webp &&
    convert -size 46x30 xc:purple i6.jpg && convert -size 47x30 xc:gray i7.png &&
    convert -size 48x30 xc:pink i8.png && convert -size 20x20 xc:black p3.jpg || exit 1
python3 - <<'PY' || exit 1
import json, os, urllib.parse
imgs = json.load(open("a1.json", encoding="utf-8"))["images"]
assert len(imgs) == 9, imgs
files = ["i0.png", "i1.png", "i2.jpg", "i3.gif", "i4.png", "i5.webp", "i6.jpg", "i7.png", "i8.png"]
jpeg = [n for n, u in enumerate(imgs) if "wx_fmt=jpeg" in u]
assert len(jpeg) == 1, imgs
files[jpeg[0]], files[8] = files[8], files[jpeg[0]]  # the PNG i8 behind the wx_fmt=jpeg URL
first = imgs[0]
src = os.environ["TEST_SRCDIR"] + "/tests/data/"
routes = [{"host": "mp.weixin.qq.com", "path": "/s/" + "KDWh_qGpFN5Vu1TR9t30Mw", "file": "a1.html"},
          {"host": "mp.weixin.qq.com", "path": "/s/card", "file": src + "wechat/repost-card-03.html"},
          {"host": "mp.weixin.qq.com", "path": "/s/moved", "file": src + "convert/migrated.html"},
          {"host": "mp.weixin.qq.com", "path": "/s", "file": "p3.html"},  # /s?__biz=... (the card's original)
          {"host": "mp.weixin.qq.com", "path": "/mp/profile_ext", "file": "p2.html"},
          {"host": "mp.weixin.qq.com", "path": "/s/page2", "file": "p2.html"},
          {"host": "mp.weixin.qq.com", "path": "/s/page3", "file": "p3.html"},
          {"host": "mp.weixin.qq.com", "path": "/s/page4", "file": "p4.html"},
          {"host": "mp.weixin.qq.com", "path": "/s/many", "file": "many.html"},
          {"host": "mp.weixin.qq.com", "path": "/s/slow1", "file": "p3.html", "delay": 0.4},
          {"host": "mp.weixin.qq.com", "path": "/s/slow2", "file": "p3.html", "delay": 0.4},
          {"host": "mp.weixin.qq.com", "path": "/s/slow3", "file": "p3.html", "delay": 0.4},
          {"host": "mp.weixin.qq.com", "path": "/s/slow4", "file": "p3.html", "delay": 0.4},
          {"host": "mp.weixin.qq.com", "path": "/s/slow5", "file": "p3.html", "delay": 0.4},
          {"host": "mmbiz.qpic.cn", "path": "/many", "file": "p3.jpg", "type": "image/jpeg", "delay": 0.4},
          {"host": "mmbiz.qpic.cn", "path": "/p3/a.jpg", "file": "p3.jpg", "type": "image/jpeg"}]
for u, f in zip(imgs, files):
    p = urllib.parse.urlsplit(u)
    routes.append({"host": p.hostname, "path": p.path, "file": f, "type": "image/jpeg"})
json.dump(routes, open("routes.json", "w"), indent=1)
json.dump({"imgs": imgs, "files": files, "first": first}, open("plan.json", "w"))
PY
FIRST=$(python3 -c 'import json; print(json.load(open("plan.json"))["first"])')
mkpage p2.html "第二篇" "$FIRST|同一张图"
mkpage p3.html "第三篇" "https://mmbiz.qpic.cn/p3/a.jpg?wx_fmt=jpeg|三"
mkpage many.html "多图" "https://mmbiz.qpic.cn/many?n="{1,2,3,4,5,6,7,8,9,10}
mkpage p4.html "第四篇" "http:${FIRST#https:}|同一张图，http"
mkindex $A1 page2 page3
start_server $ADDR routes.json || exit 1

test_expect_success 'first run: every entry archived, exit 0, one summary line' '
    af --delay 0.5 --json >out 2>err &&
    test_lines 1 err &&
    test_grep "^fetch: 3 entries: 3 archived, .* 0 failed; images 10 downloaded, 0 failed" err &&
    pycheck out <<-\PY
	assert j["version"] == 1, j
	assert j["articles"] == {"total": 3, "skipped": 0, "archived": 3, "not-modified": 0,
	                         "deleted": 0, "walled": 0, "failed": 0}, j["articles"]
	assert j["images"] == {"downloaded": 10, "failed": 0, "reused": 0}, j["images"]
	assert j["walled_hosts"] == [], j
	served = sum(os.path.getsize(f) for f in ["a1.html", "p2.html", "p3.html", "p3.jpg"] +
	             json.load(open("plan.json"))["files"])
	assert j["bytes"] >= served, (j["bytes"], served)
	assert [e["id"] for e in j["entries"]] == ["KDWh_qGpFN5Vu1TR9t30Mw", "page2", "page3"], j
	for e in j["entries"]:
	    assert e["result"] == "archived" and e["state"] == "archived", e
	    assert e["new_problem"] is False, e
	    assert e["url"] == "https://mp.weixin.qq.com/s/" + e["id"], e
	assert ent["KDWh_qGpFN5Vu1TR9t30Mw"]["detail"] == "9 images", ent
	PY
'

test_expect_success 'each copy: article.html shows only local images, named by content, ext from the bytes' '
    pycheck <<-\PY
	import hashlib, xml.dom.minidom
	plan = json.load(open("plan.json"))
	for i, n in (("KDWh_qGpFN5Vu1TR9t30Mw", 10), ("page2", 1), ("page3", 1)):
	    h = html(i)
	    srcs = img_srcs(h)
	    assert len(srcs) == n, (i, srcs)
	    # No remote src= (data-src= keeps each image source URL, which no browser loads).
	    assert not re.search(r"(?<![-\w])src=\"(https?:)?//", h), (i, "a remote src")
	    assert "<script" not in h, i
	    xml.dom.minidom.parseString(h.encode("utf-8"))  # XHTML: well-formed
	    for s in srcs:
	        m = re.fullmatch(r"images/([0-9a-f]{16})\.(png|jpg|gif|webp)", s)
	        assert m, (i, s)
	        b = open(os.path.join(adir(i), s), "rb").read()
	        assert magic_ext(b) == m.group(2), (i, s, b[:8])
	        # named by content: the prefix of the bytes sha256
	        assert hashlib.sha256(b).hexdigest()[:16] == m.group(1), (i, s)
	    files = sorted(os.listdir(os.path.join(adir(i), "images")))
	    assert files == sorted(set(s[7:] for s in srcs)), (i, files, srcs)
	# The PNG served for the wx_fmt=jpeg URL is stored as .png, with the bytes served.
	m = meta("KDWh_qGpFN5Vu1TR9t30Mw")
	by_src = {x["src"]: x for x in m["images"]}
	for u, f in zip(plan["imgs"], plan["files"]):
	    x = by_src[u]
	    assert x["status"] == "ok" and x["error"] is None, x
	    assert x["file"].endswith("." + f.split(".")[1]), (x, f)
	    b = open(os.path.join(adir("KDWh_qGpFN5Vu1TR9t30Mw"), x["file"]), "rb").read()
	    assert b == open(f, "rb").read(), (u, f)
	    assert x["bytes"] == len(b), x
	jp = [u for u in plan["imgs"] if "wx_fmt=jpeg" in u][0]
	assert by_src[jp]["file"].endswith(".png"), by_src[jp]
	PY
'

test_expect_success 'meta.json records the fetch; raw.html.gz is the page as served' '
    identify -format "%w %h\n" i0.png >size &&
    pycheck <<-\PY
	import time
	for i, src in (("KDWh_qGpFN5Vu1TR9t30Mw", "a1.html"), ("page2", "p2.html"), ("page3", "p3.html")):
	    m = meta(i)
	    url = "https://mp.weixin.qq.com/s/" + i
	    assert m["id"] == i, m
	    assert m["url"] == url and m["final_url"] == url and m["canonical_url"] == url, m
	    assert m["status"] == "archived" and m["error"] is None, m
	    assert m["deleted_upstream"] in (0, None), m
	    assert abs(m["fetched"] - time.time()) < 120, m["fetched"]
	    assert [(h["result"], h["http_status"]) for h in m["history"]] == [("archived", 200)], m
	    assert m["history"][0]["time"] == m["fetched"], m
	    raw = gzip.open(os.path.join(adir(i), "raw.html.gz")).read()
	    assert raw == open(src, "rb").read(), i
	m = meta("KDWh_qGpFN5Vu1TR9t30Mw")
	assert m["title"] == "AI编程害死我了，给我的抓包软件埋了一个大雷！", m["title"]
	assert m["account"] == "轩辕的编程宇宙", m["account"]
	assert len(m["images"]) == 9, m["images"]
	w, h = map(int, open("size").read().split())
	first = json.load(open("plan.json"))["first"]
	x = [x for x in m["images"] if x["src"] == first][0]
	assert (x["width"], x["height"]) == (w, h) == (40, 30), x
	assert meta("page2")["title"] == "第二篇", meta("page2")
	PY
'

test_expect_success 'articles/<id> is a link to a complete versioned folder' '
    for id in $A1 page2 page3; do
        test -L archive/articles/$id &&
        target=$(readlink archive/articles/$id) &&
        case $target in .v/$id.*) ;; *) echo "$id -> $target"; false ;; esac &&
        test -f archive/articles/$id/meta.json || exit 1
    done
'

test_expect_success 'index.html links each copy; book.css is the one from styles/' '
    test_cmp "$TEST_SRCDIR/styles/book.css" archive/book.css &&
    pycheck <<-\PY
	import xml.dom.minidom
	h = open(os.path.join(ARCH, "index.html"), encoding="utf-8").read()
	xml.dom.minidom.parseString(h.encode("utf-8"))
	links = re.findall(r"href=\"([^\"]*)\"", h)
	for i in ("KDWh_qGpFN5Vu1TR9t30Mw", "page2", "page3"):
	    want = "articles/%s/article.html" % i
	    assert want in links, (want, links)
	    assert os.path.exists(os.path.join(ARCH, want)), want
	assert "第二篇" in h or "entry 2" in h, h
	PY
'

test_expect_success 'politeness: article pages --delay apart, browser headers, no Referer' '
    pycheck <<-\PY
	t = sorted(e["t"] for e in pages())
	assert len(t) == 3, t
	gaps = [b - a for a, b in zip(t, t[1:])]
	assert min(gaps) >= 0.48, gaps  # 0.5 s, less what the server sees of connection set-up
	for e in log:
	    h = e["headers"]
	    assert "referer" not in h, e
	    assert h["accept-language"].startswith("zh-CN"), e
	    assert h["user-agent"].startswith("Mozilla/5.0"), e
	    assert "gzip" in h.get("accept-encoding", ""), e
	PY
'

test_expect_success 'an image used by two articles is asked for once' '
    pycheck <<-\PY
	first = json.load(open("plan.json"))["first"]
	p = urllib.parse.urlsplit(first)
	assert len(hits(p.path + "?" + p.query, "mmbiz.qpic.cn")) == 1, hits(p.path)
	imgs = [e for e in log if e["host"] == "mmbiz.qpic.cn"]
	assert len(imgs) == 10, [e["path"] for e in imgs]
	h = html("page2")
	assert len(img_srcs(h)) == 1 and os.path.exists(os.path.join(adir("page2"), img_srcs(h)[0]))
	PY
'

test_expect_success 'second run: no requests at all, exit 0, well under a second' '
    cp requests.log before.log &&
    start=$(date +%s.%N) &&
    af --delay 0.5 --json >out2 2>err2 &&
    end=$(date +%s.%N) &&
    test_cmp before.log requests.log &&
    test_grep "3 already archived" err2 &&
    python3 -c "import sys; d = $end - $start; assert d < 0.5, d" &&
    pycheck out2 <<-\PY
	assert j["articles"]["skipped"] == 3 and j["articles"]["archived"] == 0, j["articles"]
	assert j["images"] == {"downloaded": 0, "failed": 0, "reused": 0}, j["images"]
	for e in j["entries"]:
	    assert e["result"] == "skipped" and e["state"] == "archived" and not e["new_problem"], e
	PY
'

test_expect_success 'the second run left every copy as it was' '
    for id in $A1 page2 page3; do
        test "$(readlink archive/articles/$id)" = ".v/$id.1" || exit 1
    done &&
    pycheck <<-\PY
	for i in ("KDWh_qGpFN5Vu1TR9t30Mw", "page2", "page3"):
	    assert results(meta(i)) == ["archived"], meta(i)["history"]
	PY
'

test_expect_success '--only ID fetches that entry and nothing else' '
    : >requests.log &&
    af --only page3 --json --archive only >out3 2>err3 &&
    test -d only/articles/page3 &&
    ! test -e only/articles/page2 &&
    ! test -e only/articles/$A1 &&
    ARCH=only pycheck out3 <<-\PY
	assert j["articles"]["total"] == 1 and j["articles"]["archived"] == 1, j["articles"]
	assert [e["id"] for e in j["entries"]] == ["page3"], j["entries"]
	paths = sorted(e["path"].split("?")[0] for e in log)
	assert paths == ["/p3/a.jpg", "/s/page3"], paths
	assert meta("page3")["status"] == "archived"
	PY
'

test_expect_success 'an http:// WeChat link is fetched over https, under its id' '
    : >requests.log &&
    mkindex http://mp.weixin.qq.com/s/page3 &&
    af --json --archive http >out4 2>err4 &&
    ARCH=http pycheck out4 <<-\PY
	assert j["articles"]["archived"] == 1, j
	assert [e["path"] for e in pages()] == ["/s/page3"], log
	m = meta("page3")
	assert m["url"] == "http://mp.weixin.qq.com/s/page3", m["url"]
	assert m["final_url"] == "https://mp.weixin.qq.com/s/page3", m["final_url"]
	PY
'

test_expect_success 'a repost card is archived from its original, asked for over https' '
    : >requests.log &&
    mkindex card moved &&
    af --json --archive hops >out5 2>err5 &&
    ARCH=hops pycheck out5 <<-\PY
	assert [e["result"] for e in j["entries"]] == ["archived", "archived"], j["entries"]
	orig = "/s?__biz=MzIxNzE3MjEwNg%3D%3D&mid=2247483687&idx=1&sn=8c05352c98185e08f8100947f6f0b621&scene=45"
	# each followed once, over https (the server speaks nothing else)
	assert sorted(e["path"] for e in pages()) == sorted(["/s/card", "/s/moved", orig,
	    "/mp/profile_ext?action=home&__biz=MzNew=="]), [e["path"] for e in pages()]
	m = meta("card")
	assert m["url"] == "https://mp.weixin.qq.com/s/card", m
	assert m["final_url"].startswith("https://mp.weixin.qq.com" + orig), m["final_url"]
	assert m["title"] == "第三篇" and "正文：第三篇" in html("card"), m
	assert len(img_srcs(html("card"))) == 1, html("card")
	m = meta("moved")
	assert m["final_url"] == "https://mp.weixin.qq.com/mp/profile_ext?action=home&__biz=MzNew==", m
	assert m["title"] == "第二篇", m
	PY
'

test_expect_success 'on a terminal, one updating progress line' '
    mkindex page2 page3 &&
    _af_args &&
    script -qefc "$(printf "%q " "$ARCHIVER" fetch "${AF_ARGS[@]}" --archive tty)" typescript >/dev/null &&
    test -f tty/articles/page3/article.html &&
    python3 - <<-\PY
	t = open("typescript", "rb").read().decode("utf-8", "replace")
	assert "\r\x1b[Kfetch: articles " in t, repr(t)
	assert "fetch: 2 entries: 2 archived" in t, repr(t)
	PY
'

test_expect_success 'an image linked over http and https is one image, asked for once, over https' '
    : >requests.log &&
    mkindex page2 page4 &&
    af --json --archive dedup >out6 2>err6 &&
    ARCH=dedup pycheck out6 <<-\PY
	first = json.load(open("plan.json"))["first"]
	assert j["images"]["downloaded"] == 1, j["images"]
	imgs = [e for e in log if e["host"] == "mmbiz.qpic.cn"]
	assert len(imgs) == 1, imgs
	assert img_srcs(html("page2")) == img_srcs(html("page4")), (html("page2"), html("page4"))
	assert meta("page4")["images"][0]["src"] == "http:" + first[6:], meta("page4")["images"]
	PY
'

test_expect_success 'at most 2 article pages and 6 images in flight to one host' '
    : >requests.log &&
    mkindex slow1 slow2 slow3 slow4 slow5 many &&
    af --json --archive limits >out7 2>err7 &&
    ARCH=limits pycheck out7 <<-\PY
	assert j["articles"]["archived"] == 6 and j["images"]["downloaded"] == 11, j
	def most_at_once(reqs):
	    # each answer takes 0.4 s: requests that start less than 0.3 s apart overlap
	    t = sorted(e["t"] for e in reqs)
	    return max(sum(1 for u in t if s <= u < s + 0.3) for s in t)
	slow = [e for e in pages() if e["path"].startswith("/s/slow")]
	assert len(slow) == 5 and most_at_once(slow) == 2, sorted(e["t"] for e in slow)
	many = [e for e in log if e["path"].startswith("/many?")]
	assert len(many) == 10 and most_at_once(many) == 6, sorted(e["t"] for e in many)
	PY
'

test_expect_success 'usage errors exit 2, an archive that cannot be made exits 4' '
    test_must_fail 2 af --jobs 0 &&
    test_must_fail 2 af --delay soon &&
    test_must_fail 2 af --timeout -1 &&
    test_must_fail 2 af --resolve bogus &&
    test_must_fail 2 af --no-such-option &&
    test_must_fail 2 "$ARCHIVER" fetch no-such-index.md --archive x &&
    : >not-a-dir &&
    test_must_fail 4 af --archive not-a-dir &&
    ! test -e x
'

test_done
