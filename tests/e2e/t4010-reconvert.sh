#!/usr/bin/env bash
# t4010: `archiver reconvert` rebuilds offline copies from raw.html.gz without the network: an
# unchanged copy is left alone, an outdated one gets a new version with its images kept, images
# found for the first time wait for fetch, a raw page that is no longer an article is skipped,
# a corrupt one fails (exit 1), and a held lock is exit 3.
. "$(dirname "$0")/lib.sh"
require_tool python3 flock gzip

W="$TEST_SRCDIR/tests/data/wechat"
URL1=https://mp.weixin.qq.com/s/KDWh_qGpFN5Vu1TR9t30Mw
ID1=KDWh_qGpFN5Vu1TR9t30Mw
URL2=https://mp.weixin.qq.com/s/tr38EieqyftubIx2FMWUWw
ID2=tr38EieqyftubIx2FMWUWw
A1=archive/articles/$ID1
A2=archive/articles/$ID2

# save_page SRC OUT.html: the page as a browser saves it, every image in OUT_files/ as a PNG.
save_page() {
    python3 - "$@" <<-\PY
	import html, os, re, struct, sys, zlib
	src, out = sys.argv[1], sys.argv[2]
	base = os.path.splitext(os.path.basename(out))[0] + "_files"
	page = open(src, encoding="utf-8").read()
	os.makedirs(os.path.join(os.path.dirname(out), base), exist_ok=True)
	def chunk(t, d):
	    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
	urls = []
	def fix(m):
	    url = html.unescape(m.group(1))
	    if url not in urls:
	        urls.append(url)
	    i = urls.index(url)
	    name = "%s/img%d.png" % (base, i)
	    raw = b"".join(b"\x00" + bytes((i * 20 % 256, 90, 160)) * (30 + i) for _ in range(30))
	    with open(os.path.join(os.path.dirname(out), name), "wb") as f:
	        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 30 + i, 30, 8, 2, 0, 0, 0))
	                + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
	    tag = re.sub(r'\ssrc="[^"]*"', "", m.group(0))
	    return tag.replace("<img ", '<img src="%s" ' % name, 1)
	page = re.sub(r'<img [^>]*data-src="(https://mmbiz[^"]*)"[^>]*>', fix, page)
	open(out, "w", encoding="utf-8").write(page)
	PY
}

mcheck() {
    python3 -c '
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
exec(sys.stdin.read())
' "$1"
}

# Every image the article shows is a local file that exists; nothing is remote.
check_offline() {
    grep -o ' src="[^"]*"' "$1/article.html" | sed 's/^ src="//; s/"$//' >srcs &&
    ! grep -v -E '^images/[0-9a-f]{16}\.(png|jpg|gif|webp)$' srcs &&
    while read -r f; do [ -f "$1/$f" ] || { echo "missing $f"; return 1; }; done <srcs &&
    ! grep -q ' src="http' "$1/article.html"
}

mkdir -p archive saved
printf '# 2025-01\n\none %s\n\ntwo %s\n' "$URL1" "$URL2" >archive/index.md
save_page "$W/article-01.html" saved/a1.html
save_page "$W/article-02.html" saved/a2.html

test_expect_success 'setup: two imported articles' '
    archiver import -q saved/a1.html --url "$URL1" &&
    archiver import -q saved/a2.html --url "$URL2" &&
    check_offline $A1 && check_offline $A2 &&
    cp $A1/article.html a1.good && cp $A1/meta.json a1.meta &&
    [ "$(ls $A1/images | wc -l)" -eq 9 ]
'

test_expect_success 'copies the converter would write the same are left alone' '
    v1=$(readlink $A1) && v2=$(readlink $A2) &&
    archiver reconvert >out 2>err &&
    echo "reconverted 2 articles (2 unchanged, 0 failed)" >expect &&
    test_cmp expect out &&
    test_lines 0 err &&
    [ "$(readlink $A1)" = "$v1" ] && [ "$(readlink $A2)" = "$v2" ] &&
    cmp a1.meta $A1/meta.json
'

test_expect_success 'an outdated copy is rebuilt as a new version, images kept' '
    v1=$(readlink $A1) && v2=$(readlink $A2) &&
    echo "<p>what an old converter wrote</p>" >$A1/article.html &&
    archiver reconvert >out &&
    echo "reconverted 2 articles (1 unchanged, 0 failed)" >expect &&
    test_cmp expect out &&
    [ "$(readlink $A1)" != "$v1" ] && [ "$(readlink $A2)" = "$v2" ] &&
    ! test -e "archive/articles/$v1" &&
    cmp a1.good $A1/article.html &&
    check_offline $A1 &&
    [ "$(ls $A1/images | wc -l)" -eq 9 ] &&
    gzip -dc $A1/raw.html.gz | cmp - saved/a1.html &&
    mcheck $A1/meta.json <<-\PY
	assert [e["result"] for e in d["history"]] == ["imported", "reconverted"], d["history"]
	assert d["status"] == "archived" and all(i["status"] == "ok" for i in d["images"])
	PY
'

test_expect_success 'an image the old meta did not know waits for fetch' '
    python3 - $A1/meta.json <<-\PY &&
	import json, sys
	d = json.load(open(sys.argv[1], encoding="utf-8"))
	d["images"] = d["images"][1:]
	json.dump(d, open(sys.argv[1], "w", encoding="utf-8"), ensure_ascii=False, indent=2)
	PY
    archiver reconvert --only $ID1 >out &&
    echo "reconverted 1 article (0 unchanged, 0 failed)" >expect &&
    test_cmp expect out &&
    check_offline $A1 &&
    [ "$(ls $A1/images | wc -l)" -eq 8 ] &&
    [ "$(grep -c " src=\"images/" $A1/article.html)" -lt "$(grep -c " src=\"images/" a1.good)" ] &&
    mcheck $A1/meta.json <<-\PY
	img = d["images"][0]
	assert img["status"] == "failed" and img["error"] == "not downloaded yet; run archiver fetch", img
	assert all(i["status"] == "ok" for i in d["images"][1:])
	assert d["history"][-1]["result"] == "reconverted"
	PY
'

test_expect_success 'a raw page that is no longer an article is skipped, its copy kept' '
    cp $A2/article.html a2.before &&
    gzip -c "$W/deleted-01.html" >$A2/raw.html.gz &&
    archiver reconvert --only $ID2 >out 2>err &&
    echo "reconverted 0 articles (0 unchanged, 0 failed, 1 skipped)" >expect &&
    test_cmp expect out &&
    test_grep "$ID2: the stored page is now classified .deleted." err &&
    cmp a2.before $A2/article.html
'

test_expect_success 'a corrupt raw page fails that article (exit 1), the others go on' '
    echo "not gzip" >$A2/raw.html.gz &&
    test_must_fail 1 archiver reconvert >out 2>err &&
    echo "reconverted 2 articles (1 unchanged, 1 failed)" >expect &&
    test_cmp expect out &&
    test_grep "^archiver: error: $ID2: " err &&
    cmp a2.before $A2/article.html
'

test_expect_success '--json prints one document' '
    test_must_fail 1 archiver reconvert --json >out.json &&
    mcheck out.json <<-\PY
	assert (d["reconverted"], d["unchanged"], d["failed"], d["skipped"]) == (2, 1, 1, 0), d
	res = {a["id"]: a["result"] for a in d["articles"]}
	assert res == {"KDWh_qGpFN5Vu1TR9t30Mw": "unchanged", "tr38EieqyftubIx2FMWUWw": "failed"}, res
	PY
'

test_expect_success '--only with an id the archive does not have is a usage error' '
    test_must_fail 2 archiver reconvert --only NoSuchArticle 2>err &&
    test_grep "NoSuchArticle" err
'

test_expect_success 'a held lock is exit 3 and nothing changes' '
    echo "<p>old</p>" >$A1/article.html
    flock archive/.lock sleep 10 &
    holder=$!
    sleep 0.3
    rc=0
    archiver reconvert --only $ID1 2>err || rc=$?
    kill $holder && wait $holder || true
    [ "$rc" -eq 3 ] &&
    test_lines 1 err &&
    echo "<p>old</p>" >expect &&
    test_cmp expect $A1/article.html
'

test_done
