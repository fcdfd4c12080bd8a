#!/usr/bin/env bash
# t4000: `archiver import` stores a page saved by a browser as if fetched: images from the saved
# PAGE_files/ folder, the rest downloaded from the test server (a 404 becomes a placeholder), a
# second import replaces the copy atomically; pages that are not articles, unreadable pages and a
# held lock are refused.
. "$(dirname "$0")/lib.sh"
require_tool python3 openssl flock

ADDR=127.0.0.40
W="$TEST_SRCDIR/tests/data/wechat"
URL=https://mp.weixin.qq.com/s/KDWh_qGpFN5Vu1TR9t30Mw
ID=KDWh_qGpFN5Vu1TR9t30Mw

# save_page SRC OUTDIR NLOCAL: writes OUTDIR/article-01.html as a browser's "save page complete"
# would: the first NLOCAL distinct images get src="article-01_files/imgN.png" and a real PNG
# there; the others keep only data-src.  The image URLs go to OUTDIR/urls.txt, in page order.
save_page() {
    python3 - "$@" <<-\PY
	import html, os, re, struct, sys, zlib
	src, out, nlocal = sys.argv[1], sys.argv[2], int(sys.argv[3])
	page = open(src, encoding="utf-8").read()
	os.makedirs(os.path.join(out, "article-01_files"), exist_ok=True)
	def png(path, w, h, rgb):
	    raw = b"".join(b"\x00" + bytes(rgb) * w for _ in range(h))
	    def chunk(t, d):
	        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
	    with open(path, "wb") as f:
	        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
	                + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
	urls = []
	def fix(m):
	    tag, url = m.group(0), html.unescape(m.group(1))
	    if url not in urls:
	        urls.append(url)
	    i = urls.index(url)
	    if i >= nlocal:
	        return tag
	    name = "img%d.png" % i
	    png(os.path.join(out, "article-01_files", name), 40 + i, 30, (20 * i % 256, 100, 200))
	    tag = re.sub(r'\ssrc="[^"]*"', "", tag)
	    return tag.replace("<img ", '<img src="article-01_files/%s" ' % name, 1)
	page = re.sub(r'<img [^>]*data-src="(https://mmbiz[^"]*)"[^>]*>', fix, page)
	open(os.path.join(out, "article-01.html"), "w", encoding="utf-8").write(page)
	open(os.path.join(out, "urls.txt"), "w").write("\n".join(urls) + "\n")
	PY
}

# mcheck FILE <<PY: runs the Python assertions on stdin with `d`, the JSON document in FILE.
mcheck() {
    python3 -c '
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
exec(sys.stdin.read())
' "$1"
}

# The article.html of the copy references only local images that exist, and nothing remote.
check_offline() {
    local a=archive/articles/$ID
    grep -o ' src="[^"]*"' $a/article.html | sed 's/^ src="//; s/"$//' >srcs &&
    [ -s srcs ] &&
    ! grep -v -E '^images/[0-9a-f]{16}\.(png|jpg|gif|webp)$' srcs &&
    while read -r f; do [ -f "$a/$f" ] || { echo "missing $f"; return 1; }; done <srcs &&
    ! grep -q ' src="http' $a/article.html
}

mkdir -p archive
printf '# 2025-01\n\nAI编程 %s 【01.05】\n' "$URL" >archive/index.md
save_page "$W/article-01.html" saved 9
save_page "$W/article-01.html" partial 3
printf '%s\n' "$URL" >url

# The server stands in for mmbiz.qpic.cn: images 0-7 are served (20x20), image 8 is gone (404).
python3 - partial/urls.txt <<-\PY
	import json, os, struct, sys, urllib.parse, zlib
	urls = open(sys.argv[1]).read().split()
	routes = []
	for i, u in enumerate(urls):
	    p = urllib.parse.urlsplit(u)
	    path = p.path + ("?" + p.query if p.query else "")
	    if i == len(urls) - 1:
	        routes.append({"host": p.hostname, "path": path, "status": 404, "body": "gone"})
	        continue
	    name = "srv%d.png" % i
	    raw = b"".join(b"\x00" + bytes((i * 30 % 256, 50, 50)) * 20 for _ in range(20))
	    def chunk(t, d):
	        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
	    open(name, "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 20, 20, 8, 2, 0, 0, 0))
	                           + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
	    routes.append({"host": p.hostname, "path": path, "file": name, "type": "image/png"})
	json.dump(routes, open("routes.json", "w"), indent=1)
	PY
start_server $ADDR routes.json || exit 1
NET="--resolve mmbiz.qpic.cn:443:$ADDR --cacert $CACERT --retries 0"

test_expect_success 'the saved pages were made as a browser makes them' '
    test_lines 9 saved/urls.txt &&
    [ "$(ls saved/article-01_files | wc -l)" -eq 9 ] &&
    [ "$(ls partial/article-01_files | wc -l)" -eq 3 ] &&
    test_grep "src=\"article-01_files/img0.png\"" saved/article-01.html
'

test_expect_success 'import with every image in the _files folder' '
    archiver import saved/article-01.html --url "$URL" >out 2>err &&
    echo "imported $ID: AI编程害死我了，给我的抓包软件埋了一个大雷！ (9 images, 0 missing)" >expect &&
    test_cmp expect out &&
    test_lines 0 err &&
    check_offline &&
    [ "$(grep -c "<img" archive/articles/$ID/article.html)" -ge 9 ] &&
    [ "$(ls archive/articles/$ID/images | wc -l)" -eq 9 ] &&
    gzip -dc archive/articles/$ID/raw.html.gz | cmp - saved/article-01.html &&
    test_grep "articles/$ID/article.html" archive/index.html &&
    test -f archive/book.css &&
    mcheck archive/articles/$ID/meta.json <<-\PY
	assert d["status"] == "archived", d["status"]
	assert d["url"] == d["final_url"] == open("url").read().strip()
	assert d["title"].startswith("AI编程"), d["title"]
	assert d["account"] == "轩辕的编程宇宙", d["account"]
	assert len(d["images"]) == 9 and all(i["status"] == "ok" for i in d["images"]), d["images"]
	assert all(i["src"].startswith("https://mmbiz.qpic.cn/") for i in d["images"])
	ev = d["history"][-1]
	assert ev["result"] == "imported" and ev["detail"] == "from saved/article-01.html", ev
	PY
'

test_expect_success 'the images are the saved files, byte for byte' '
    for f in saved/article-01_files/*.png; do
        h=$(sha256sum "$f" | cut -c1-16) &&
        cmp "$f" archive/articles/$ID/images/$h.png || exit 1
    done
'

test_expect_success 'a second import replaces the copy as a new version' '
    old=$(readlink archive/articles/$ID) &&
    archiver import -q saved/article-01.html --url "$URL" >out &&
    test_lines 0 out &&
    new=$(readlink archive/articles/$ID) &&
    [ "$old" != "$new" ] &&
    ! test -e "archive/articles/$old" &&
    ! ls archive/articles/.v | grep -q tmp &&
    [ "$(ls archive/articles/.v | wc -l)" -eq 1 ] &&
    check_offline &&
    mcheck archive/articles/$ID/meta.json <<-\PY
	assert [e["result"] for e in d["history"]] == ["imported", "imported"], d["history"]
	assert all(i["status"] == "ok" for i in d["images"])
	PY
'

test_expect_success 'missing images are downloaded; a 404 becomes a placeholder' '
    rm -rf archive/articles &&
    archiver import partial/article-01.html --url "$URL" $NET >out &&
    echo "imported $ID: AI编程害死我了，给我的抓包软件埋了一个大雷！ (9 images, 1 missing)" >expect &&
    test_cmp expect out &&
    check_offline &&
    [ "$(ls archive/articles/$ID/images | wc -l)" -eq 8 ] &&
    gone=$(tail -n 1 partial/urls.txt) &&
    grep -F -q "$(echo "$gone" | sed "s/&/\&amp;/g")" archive/articles/$ID/article.html &&
    mcheck archive/articles/$ID/meta.json <<-\PY
	st = [i["status"] for i in d["images"]]
	assert st == ["ok"] * 8 + ["gone"], st
	assert d["images"][8].get("file") is None, d["images"][8]
	PY
'

test_expect_success 'only the images the folder lacked were asked for, without a Referer' '
    python3 - partial/urls.txt requests.log <<-\PY
	import json, sys, urllib.parse
	urls = open(sys.argv[1]).read().split()
	log = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8")]
	asked = [r["path"] for r in log]
	want = []
	for u in urls[3:]:
	    p = urllib.parse.urlsplit(u)
	    want.append(p.path + "?" + p.query)
	assert sorted(asked) == sorted(want), (asked, want)
	assert not any("referer" in r["headers"] for r in log)
	PY
'

test_expect_success 'importing again keeps the images it has and does not ask for a gone one' '
    : >requests.log &&
    archiver import partial/article-01.html --url "$URL" $NET --json >out.json &&
    test_lines 0 requests.log &&
    mcheck out.json <<-\PY
	assert (d["from_files"], d["kept"], d["downloaded"], d["missing"]) == (3, 5, 0, 1), d
	PY
'

test_expect_success 'src paths that leave the page folder are not read' '
    mkdir -p esc/sub/article-01_files &&
    cp saved/article-01_files/img0.png esc/outside.png &&
    ln -s ../../outside.png esc/sub/article-01_files/link.png &&
    first=$(head -n 1 saved/urls.txt) &&
    sed -e "s|src=\"article-01_files/img0.png\"|src=\"../outside.png\"|" \
        -e "s|src=\"article-01_files/img1.png\"|src=\"article-01_files/link.png\"|" \
        -e "s|src=\"article-01_files/img2.png\"|src=\"/etc/passwd\"|" \
        partial/article-01.html >esc/sub/article-01.html &&
    rm -rf archive/articles &&
    archiver import -q esc/sub/article-01.html --url "$URL" $NET &&
    mcheck archive/articles/$ID/meta.json <<-\PY
	# 0-2 were not read from outside the folder (those files are 40x30) but downloaded (20x20).
	got = [(i["status"], i["width"]) for i in d["images"][:3]]
	assert got == [("ok", 20)] * 3, got
	PY
'

test_expect_success 'percent-encoded and ./ paths are found' '
    mkdir -p pct/article-01_files &&
    cp saved/article-01_files/img0.png "pct/article-01_files/a b(1).png" &&
    sed "s|src=\"article-01_files/img0.png\"|src=\"./article-01_files/a%20b%281%29.png\"|" \
        partial/article-01.html >pct/article-01.html &&
    rm -rf archive/articles &&
    archiver import -q pct/article-01.html --url "$URL" $NET &&
    mcheck archive/articles/$ID/meta.json <<-\PY
	img = d["images"][0]
	assert (img["status"], img["width"]) == ("ok", 40), img  # the local file (40 wide), not the one served
	PY
'

test_expect_success '--json prints one object' '
    archiver import --json saved/article-01.html --url "$URL" >out.json &&
    mcheck out.json <<-\PY
	assert d["id"] == "KDWh_qGpFN5Vu1TR9t30Mw" and d["in_index"] is True, d
	assert d["images"] == 9 and d["missing"] == 0 and d["from_files"] == 9, d
	PY
'

test_expect_success 'a URL that is not in the index is imported with a warning' '
    archiver import saved/article-01.html --url https://mp.weixin.qq.com/s/NotInIndex123 >out 2>err &&
    test_grep "^archiver: warning: .*NotInIndex123.* is not in the index; it will not appear in the books$" err &&
    test -f archive/articles/NotInIndex123/article.html &&
    test_grep "^imported NotInIndex123: " out
'

test_expect_success 'a page that is not an article is refused and nothing is stored' '
    rm -rf archive/articles &&
    test_must_fail 1 archiver import "$W/deleted-01.html" --url "$URL" >out 2>err &&
    test_lines 1 err &&
    test_grep "deleted-01.html.*deleted" err &&
    test_lines 0 out &&
    ! test -e archive/articles/$ID
'

test_expect_success 'an unreadable page, or no --url, is a usage error' '
    test_must_fail 2 archiver import no-such.html --url "$URL" 2>err &&
    test_grep "no-such.html" err &&
    test_must_fail 2 archiver import saved/article-01.html 2>err &&
    test_grep "url" err &&
    test_must_fail 2 archiver import --url "$URL" 2>err &&
    ! test -e archive/articles/$ID
'

test_expect_success 'a held lock is exit 3 and nothing is stored' '
    flock archive/.lock sleep 10 &
    holder=$!
    sleep 0.3
    rc=0
    archiver import -q saved/article-01.html --url "$URL" 2>err || rc=$?
    kill $holder && wait $holder || true
    [ "$rc" -eq 3 ] &&
    test_lines 1 err &&
    ! test -e archive/articles/$ID
'

test_done
