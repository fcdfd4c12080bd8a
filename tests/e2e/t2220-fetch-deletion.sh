#!/usr/bin/env bash
# t2220: a deletion upstream keeps the copy: an archived article whose page later says "deleted
# by the publisher" (or is removed, or answers 404) stays byte for byte as it was, its state
# becomes archived-deleted-upstream with the deletion in its history, the run exits 1 once, and
# the next refresh is not news again.  The book keeps the copies, each with a line saying how the
# original went (deleted, removed for a violation, gone with a 404), and passes epubcheck.
. "$(dirname "$0")/lib.sh"
. "$TEST_SRCDIR/tests/e2e/fetch-lib.sh"
require_tool python3 openssl convert java
[ -f /usr/share/java/epubcheck.jar ] || skip_all "epubcheck is not installed"
fetch_init 127.0.0.62

A1=KDWh_qGpFN5Vu1TR9t30Mw
convert -size 40x30 xc:red red.png || exit 1
cp "$TEST_SRCDIR/tests/data/wechat/article-01.html" a1.html
cp "$TEST_SRCDIR/tests/data/wechat/deleted-01.html" deleted.html
cp "$TEST_SRCDIR/tests/data/wechat/violation-01.html" violation.html
mkpage two.html "第二篇" "https://mmbiz.qpic.cn/red.png|红"
# Every picture of article-01 is the same red square: this test is about the page.
cat >live.json <<JSON
[{"host": "mp.weixin.qq.com", "path": "/s/$A1", "file": "a1.html"},
 {"host": "mp.weixin.qq.com", "path": "/s/two", "file": "two.html"},
 {"host": "mmbiz.qpic.cn", "path": "*", "file": "red.png", "type": "image/png"}]
JSON
sed -e 's/"a1.html"/"deleted.html"/' -e 's/"two.html"/"violation.html"/' live.json >gone.json
cp live.json routes.json
mkindex $A1 two
start_server $ADDR routes.json || exit 1

# snapshot DIR: a copy of every file of the two entries' current versions.
snapshot() {
    rm -rf "$1" && mkdir -p "$1" &&
        cp -rL archive/articles/$A1 "$1/a1" && cp -rL archive/articles/two "$1/two"
}

test_expect_success 'first run archives both entries' '
    af --json >out 2>err &&
    snapshot v1 &&
    pycheck out <<-\PY
	assert j["articles"]["archived"] == 2, j
	for i in ("KDWh_qGpFN5Vu1TR9t30Mw", "two"):
	    assert meta(i)["status"] == "archived", meta(i)
	PY
'

test_expect_success 'without --refresh nothing is asked for: the deletion is not seen' '
    cp gone.json routes.json.new && mv routes.json.new routes.json &&
    : >requests.log &&
    af --json >out 2>err &&
    test_lines 0 requests.log
'

test_expect_success 'deleted and removed upstream: --refresh exits 1, the copies are kept' '
    : >requests.log &&
    test_must_fail 1 af --refresh --json >out 2>err &&
    test_grep "KDWh_qGpFN5Vu1TR9t30Mw: .*the copy stored before is kept" err &&
    for f in article.html raw.html.gz $(cd v1/a1 && ls images/*); do
        cmp v1/a1/$f archive/articles/$A1/$f || exit 1
    done &&
    cmp v1/two/article.html archive/articles/two/article.html &&
    pycheck out <<-\PY
	import time
	assert len(pages()) == 2, pages()
	assert all("if-none-match" not in e["headers"] for e in pages())  # no ETag was stored
	for i in ("KDWh_qGpFN5Vu1TR9t30Mw", "two"):
	    e = ent[i]
	    assert e["result"] == "deleted" and e["new_problem"] is True, e
	    assert e["state"] == "archived-deleted-upstream", e
	    m = meta(i)
	    assert m["status"] == "archived-deleted-upstream", m
	    assert abs(m["deleted_upstream"] - time.time()) < 120, m
	    assert len(m["history"]) == 2 and m["history"][0]["result"] == "archived", m["history"]
	    assert m["history"][1]["time"] == m["deleted_upstream"], m["history"]
	m = meta("KDWh_qGpFN5Vu1TR9t30Mw")
	assert results(m) == ["archived", "deleted"], m["history"]
	assert "删除" in m["history"][1]["detail"], m["history"]
	assert m["title"] == "AI编程害死我了，给我的抓包软件埋了一个大雷！", m  # the kept copy
	assert len(m["images"]) == 9 and all(x["status"] == "ok" for x in m["images"]), m["images"]
	assert results(meta("two")) == ["archived", "removed"], meta("two")["history"]
	v1 = json.load(open("v1/a1/meta.json", encoding="utf-8"))
	for k in ("url", "final_url", "title", "account", "published", "fetched", "images"):
	    assert m[k] == v1[k], (k, m[k], v1[k])
	PY
'

test_expect_success 'the front page and status still show the copies' '
    "$ARCHIVER" status index.md --archive archive --json >st &&
    python3 -c "
import json
d = json.load(open(\"st\"))
es = {e[\"id\"]: e for m in d[\"months\"] for e in m[\"entries\"]}
for i in (\"$A1\", \"two\"):
    assert es[i][\"state\"] == \"archived-deleted-upstream\", es[i]
    assert es[i][\"deleted_upstream\"] and es[i][\"fetched\"], es[i]
assert es[\"$A1\"][\"images\"][\"ok\"] == 9, es
" &&
    pycheck <<-\PY
	h = open(os.path.join(ARCH, "index.html"), encoding="utf-8").read()
	for i in ("KDWh_qGpFN5Vu1TR9t30Mw", "two"):
	    assert "articles/%s/article.html" % i in h, h
	PY
'

# book_line EPUB N: the status line of chapter N.
book_line() {
    python3 -c '
import re, sys, zipfile
h = zipfile.ZipFile(sys.argv[1]).read("OEBPS/c%04d.xhtml" % int(sys.argv[2])).decode()
m = re.search(r"<p class=\"status\">(.*?)</p>", h)
print(m.group(1) if m else "no status line")
print("body" if "<!--" not in h and len(h) > 2000 or "正文" in h or "大家好" in h else "no body")
' "$1" "$2"
}

test_expect_success 'the book keeps both copies, each saying how its original went' '
    "$ARCHIVER" epub index.md --epub d.epub 2>err &&
    java -jar /usr/share/java/epubcheck.jar d.epub >check 2>&1 &&
    test_grep "0 fatals / 0 errors / 0 warnings / 0 infos" check &&
    book_line d.epub 1 >l1 && book_line d.epub 2 >l2 &&
    test_grep "^原文已被发布者删除（[0-9-]* 发现）；以下是 [0-9-]* 保存的副本。$" l1 &&
    test_grep "^原文因违规被删除（[0-9-]* 发现）；以下是 [0-9-]* 保存的副本。$" l2 &&
    test_grep "^body$" l1 && test_grep "^body$" l2 &&
    "$ARCHIVER" epub index.md --epub e.epub --lang en 2>err &&
    book_line e.epub 1 >l1 &&
    test_grep "^Deleted by the publisher \(seen [0-9-]*\); this copy was saved on [0-9-]*\.$" l1
'

test_expect_success 'a second --refresh: still deleted, exit 0 (not news again), copy kept' '
    : >requests.log &&
    af --refresh --json >out 2>err &&
    cmp v1/a1/article.html archive/articles/$A1/article.html &&
    pycheck out <<-\PY
	assert len(pages()) == 2, pages()
	for i in ("KDWh_qGpFN5Vu1TR9t30Mw", "two"):
	    e = ent[i]
	    assert e["result"] == "deleted" and e["new_problem"] is False, e
	    assert e["state"] == "archived-deleted-upstream", e
	first = json.load(open("v1/a1/meta.json", encoding="utf-8"))
	m = meta("KDWh_qGpFN5Vu1TR9t30Mw")
	assert results(m)[:2] == ["archived", "deleted"], m["history"]
	assert m["status"] == "archived-deleted-upstream", m
	PY
'

test_expect_success 'a refresh answered by an error or an unreadable page keeps the copy' '
    export ARCH=worse && : >requests.log && mkindex two &&
    cp live.json routes.json.new && mv routes.json.new routes.json &&
    af >out 2>err &&
    cp worse/articles/two/article.html before.html &&
    link=$(readlink worse/articles/two) &&
    printf "<html><head><title>微信</title></head><body><div id=\"app\">请稍候</div></body></html>" >odd.html &&
    sed "s/\"file\": \"violation.html\"/\"file\": \"odd.html\"/" gone.json >routes.json.new &&
    mv routes.json.new routes.json &&
    test_must_fail 1 af --refresh --json >out1 2>err1 &&
    sed "s/\"file\": \"violation.html\"/\"fail_first\": 99, \"fail_status\": 503, \"file\": \"two.html\"/" gone.json >routes.json.new &&
    mv routes.json.new routes.json &&
    test_must_fail 1 af --refresh --json >out2 2>err2 &&
    test_cmp before.html worse/articles/two/article.html &&
    test "$(readlink worse/articles/two)" = "$link" &&
    pycheck out2 <<-\PY
	j1 = json.load(open("out1"))
	assert j1["entries"][0]["result"] == "failed" and j1["entries"][0]["state"] == "archived", j1
	assert ent["two"]["result"] == "failed" and ent["two"]["state"] == "archived", ent
	m = meta("two")
	assert m["status"] == "archived" and not m["error"], m
	assert results(m) == ["archived", "failed", "failed"], m["history"]
	assert m["history"][2]["http_status"] == 503, m["history"]
	PY
'

test_expect_success 'a 404 for an archived page is a deletion too, and keeps the copy' '
    export ARCH=nf && : >requests.log && mkindex two &&
    cp live.json routes.json.new && mv routes.json.new routes.json &&
    af >out 2>err &&
    cp nf/articles/two/article.html before.html &&
    sed "s/\"file\": \"violation.html\"/\"status\": 404, \"body\": \"gone\"/" gone.json >routes.json.new &&
    mv routes.json.new routes.json &&
    test_must_fail 1 af --refresh --json >out 2>err &&
    test_cmp before.html nf/articles/two/article.html &&
    pycheck out <<-\PY
	assert ent["two"]["state"] == "archived-deleted-upstream", ent
	assert results(meta("two")) == ["archived", "deleted"], meta("two")["history"]
	assert meta("two")["history"][1]["http_status"] == 404, meta("two")["history"]
	PY
    "$ARCHIVER" epub index.md --archive nf --epub nf.epub 2>err &&
    book_line nf.epub 1 >l1 &&
    test_grep "^原文已不存在（HTTP 404）（[0-9-]* 发现）；以下是 [0-9-]* 保存的副本。$" l1
'

test_expect_success 'back online: --refresh stores the page again, the state is archived again' '
    cp live.json routes.json.new && mv routes.json.new routes.json &&
    export ARCH=nf &&
    af --refresh --json >out 2>err &&
    pycheck out <<-\PY
	assert ent["two"]["result"] == "archived" and ent["two"]["state"] == "archived", ent
	m = meta("two")
	assert m["status"] == "archived" and not m["deleted_upstream"], m
	assert results(m) == ["archived", "deleted", "archived"], m["history"]
	PY
'

test_done
