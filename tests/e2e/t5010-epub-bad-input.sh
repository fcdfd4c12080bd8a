#!/usr/bin/env bash
# t5010: `archiver build` on bad input.  A missing archive, a missing or truncated image, an
# article.html that no longer parses, a damaged meta.json, a copy's folder without one: the book
# is still made and passes epubcheck, the entry or image gets a placeholder, a warning names the
# file, exit 1.  An output that cannot be written: exit 4, no file and no scratch folder left, the
# previous book untouched.  Usage errors: exit 2 with one line naming the problem.  A held lock:
# exit 3.  --json.
. "$(dirname "$0")/lib.sh"
. "$TEST_SRCDIR/tests/e2e/fetch-lib.sh"
require_tool python3 openssl convert java flock
[ -f /usr/share/java/epubcheck.jar ] || skip_all "epubcheck is not installed"
fetch_init 127.0.0.51

convert -size 60x40 xc:red a.png && convert -size 61x40 xc:green b.jpg &&
    convert -size 62x40 xc:blue c.gif || exit 1
mkpage p1.html "第一篇" https://mmbiz.qpic.cn/a.png https://mmbiz.qpic.cn/b.jpg
mkpage p2.html "第二篇" https://mmbiz.qpic.cn/c.gif
mkpage p3.html "第三篇" https://mmbiz.qpic.cn/a.png # the same picture as page1's first
mkpage p4.html "第四篇"
routes <<'EOF'
[{"host": "mp.weixin.qq.com", "path": "/s/page1", "file": "p1.html"},
 {"host": "mp.weixin.qq.com", "path": "/s/page2", "file": "p2.html"},
 {"host": "mp.weixin.qq.com", "path": "/s/page3", "file": "p3.html"},
 {"host": "mp.weixin.qq.com", "path": "/s/page4", "file": "p4.html"},
 {"host": "mmbiz.qpic.cn", "path": "/a.png", "file": "a.png", "type": "image/png"},
 {"host": "mmbiz.qpic.cn", "path": "/b.jpg", "file": "b.jpg", "type": "image/jpeg"},
 {"host": "mmbiz.qpic.cn", "path": "/c.gif", "file": "c.gif", "type": "image/gif"}]
EOF
mkindex page1 page2 page3 page4
start_server $ADDR routes.json || exit 1
export SOURCE_DATE_EPOCH=1735000000
af --year 2024 -q || exit 1
cp -a archive pristine

epubcheck() {
    java -jar /usr/share/java/epubcheck.jar "$1" --json "$1.check.json" >"$1.check.out" 2>&1
    python3 -c '
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
for m in d["messages"]:
    print(m["severity"], m["ID"], m["message"])
assert not d["messages"]
' "$1.check.json"
}

# chapter EPUB N: the text of chapter N (c000N.xhtml) on stdout.
chapter() {
    python3 -c '
import re, sys, zipfile
h = zipfile.ZipFile(sys.argv[1]).read("OEBPS/c%04d.xhtml" % int(sys.argv[2])).decode()
print(h)
' "$1" "$2"
}

# fresh: the archive as fetched.
fresh() {
    rm -rf archive && cp -a pristine archive
}

# leftovers DIR: nothing but the files named after DIR (no scratch folder, no temporary book).
leftovers() {
    if ls -A "$1" | grep -q '^\.'; then
        echo "left behind in $1:" >&2
        ls -lA "$1" >&2
        return 1
    fi
}

test_expect_success 'the good archive: exit 0, no warning, epubcheck' '
    "$ARCHIVER" build index.md --epub good.epub 2>err &&
    test_lines 1 err && test_grep "^build: good.epub: 4 chapters \(4 archived\), 3 images" err &&
    epubcheck good.epub
'

test_expect_success 'no archive at all: a book of placeholders, a warning naming it, exit 1' '
    test_must_fail 1 "$ARCHIVER" build index.md --archive nowhere --epub none.epub 2>err &&
    test_grep "^archiver: warning: archive .nowhere. does not exist" err &&
    test_grep "^build: none.epub: 4 chapters \(0 archived, 4 without a copy\)" err &&
    epubcheck none.epub &&
    chapter none.epub 1 | grep -q "未存档：尚未抓取。"
'

test_expect_success 'a missing image: a placeholder and a warning naming the file, exit 1' '
    fresh &&
    img=$(ls archive/articles/page1/images/*.png) &&
    rm "$img" &&
    test_must_fail 1 "$ARCHIVER" build index.md --epub m.epub 2>err &&
    test_lines 2 err &&
    test_grep "^archiver: warning: archive/articles/page1/images/$(basename "$img"): .*a placeholder is shown" err &&
    test_grep "3 images \(0 transcoded, 1 missing\)" err &&
    epubcheck m.epub &&
    chapter m.epub 1 >c1 && test_grep "class=\"image-missing\"" c1 &&
    test_grep "<img src=\"images/[0-9a-f]*\.jpg\"" c1 &&
    # page3 has its own, whole copy of the same picture: it is in the book
    chapter m.epub 3 >c3 && ! grep -q "image-missing" c3 &&
    test_grep "<img src=\"images/$(basename "$img")\"" c3
'

test_expect_success 'a truncated image: a placeholder and a warning, exit 1' '
    fresh &&
    img=$(ls archive/articles/page2/images/*.gif) &&
    head -c 20 "$img" >t && cat t >"$img" &&
    test_must_fail 1 "$ARCHIVER" build index.md --epub t.epub 2>err &&
    test_grep "^archiver: warning: .*$(basename "$img"): .*truncated" err &&
    epubcheck t.epub &&
    chapter t.epub 2 | grep -q "class=\"image-missing\""
'

test_expect_success 'an article.html that no longer parses: the entry says so, a warning, exit 1' '
    fresh &&
    printf "\0\0garbage without markers" >archive/articles/page2/article.html &&
    test_must_fail 1 "$ARCHIVER" build index.md --epub a.epub 2>err &&
    test_grep "^archiver: warning: archive/articles/page2/article.html: damaged or cut short .*; a placeholder is shown" err &&
    epubcheck a.epub &&
    chapter a.epub 2 | grep -q "存档副本无法读取" &&
    chapter a.epub 1 | grep -q "正文：第一篇"
'

test_expect_success 'a damaged meta.json and a folder without one: warnings naming them, exit 1' '
    fresh &&
    echo "{ not json" >archive/articles/page3/meta.json &&
    rm archive/articles/page4/meta.json &&
    test_must_fail 1 "$ARCHIVER" build index.md --epub d.epub 2>err &&
    test_grep "^archiver: warning: archive/articles/page3/meta.json: " err &&
    test_grep "^archiver: warning: archive/articles/page4: no meta.json" err &&
    epubcheck d.epub &&
    chapter d.epub 3 | grep -q "meta.json" &&
    chapter d.epub 4 | grep -q "meta.json"
'

test_expect_success 'an output folder that does not exist, or is a file: exit 4, one line, nothing left' '
    fresh &&
    test_must_fail 4 "$ARCHIVER" build index.md --epub no/such/dir/b.epub 2>err &&
    test_lines 1 err && test_grep "^archiver: error: .*no/such/dir" err &&
    echo x >afile &&
    test_must_fail 4 "$ARCHIVER" build index.md --epub afile/b.epub 2>err &&
    test_lines 1 err && test_grep "^archiver: error: .*afile" err
'

test_expect_success 'a write that fails half-way: exit 4, no scratch folder, the previous book untouched' '
    mkdir out && cp good.epub out/b.epub &&
    big=$(python3 -c "import os; print(os.path.getsize(\"good.epub\") // 1024 // 2)") &&
    # the file size limit stops the zip half-way (EFBIG; SIGXFSZ ignored)
    test_must_fail 4 bash -c "trap \"\" XFSZ; ulimit -f $big; exec \"\$0\" build index.md --epub out/b.epub" "$ARCHIVER" 2>err &&
    test_lines 1 err && test_grep "^archiver: error: .*out/" err &&
    cmp good.epub out/b.epub &&
    leftovers out
'

test_expect_success 'usage errors: exit 2, one line' '
    for args in "--from 2024-13" "--from 2024-6x" "--to 24-06" "--from 2024-12 --to 2024-01" \
                "--from 2030-01" "--order random" "--max-image-px 10" "--epub=" "--css nowhere.css" \
                "--pdf p.pdf --page b5" "--pdf=" "--only page1" "nowhere.md"; do
        test_must_fail 2 "$ARCHIVER" build index.md --epub u.epub $args 2>err ||
            { echo "for $args"; exit 1; }
        head -1 err | grep -q "^archiver\( build\)*: error: " || { echo "for $args:"; cat err; exit 1; }
    done &&
    ! test -e u.epub
'

test_expect_success 'a held lock: exit 3, no book' '
    flock archive/.lock sleep 10 &
    for _ in $(seq 1 100); do flock -n archive/.lock true 2>/dev/null || break; sleep 0.05; done &&
    test_must_fail 3 "$ARCHIVER" build index.md --epub l.epub 2>err &&
    test_grep "lock" err && ! test -e l.epub
    kill %1 2>/dev/null; wait
'

test_expect_success '--css: the book carries that stylesheet, byte for byte' '
    fresh &&
    printf "body { color: #123456; }\n" >my.css &&
    "$ARCHIVER" build index.md --epub css.epub --css my.css 2>err &&
    python3 -c "
import zipfile
assert zipfile.ZipFile(\"css.epub\").read(\"OEBPS/style.css\") == open(\"my.css\", \"rb\").read()
" &&
    epubcheck css.epub
'

test_expect_success '--json: one document, the same counts' '
    fresh &&
    "$ARCHIVER" build index.md --epub j.epub --json >json.out 2>err &&
    python3 -c "
import json
d = json.load(open(\"json.out\"))
e = d[\"epub\"]
assert d[\"version\"] == 1 and d[\"warnings\"] == 0, d
assert e[\"path\"] == \"j.epub\" and e[\"chapters\"] == 4 and e[\"archived\"] == 4, e
assert e[\"images\"] == 3 and e[\"images_missing\"] == 0, e
assert e[\"bytes\"] == __import__(\"os\").path.getsize(\"j.epub\"), e
assert len(e[\"uuid\"]) == 36, e
"
'

test_done
