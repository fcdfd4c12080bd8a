#!/usr/bin/env bash
# t5100: `archiver pdf` (and build --pdf) on the archive of the real WeChat fixtures
# (tests/e2e/book-lib.sh): qpdf finds nothing wrong; every font is embedded as a subset; the page
# count and metadata; the outline is the index's months and articles in its order; every number
# on the contents page is the page where its chapter starts; each chapter's pages hold its
# article's text (99% of the archived body's characters, in order); JPEG pictures are embedded
# as they are and a picture shared by chapters once; two builds are byte-identical with a valid
# creation date; the page profiles; pdftoppm draws it.  T5100_KEEP=DIR keeps the PDF and pages.
. "$(dirname "$0")/lib.sh"
. "$TEST_SRCDIR/tests/e2e/fetch-lib.sh"
require_tool python3 openssl convert cwebp qpdf pdffonts pdfinfo pdftotext pdfimages pdftoppm mutool
fetch_init 127.0.0.55

. "$TEST_SRCDIR/tests/e2e/book-lib.sh"

test_expect_success 'archiver pdf: exit 0, one summary line, book/book.pdf' '
    "$ARCHIVER" pdf index.md --year 2025 >out 2>err &&
    test_lines 1 err && test_lines 0 out &&
    test_grep "^build: book/book.pdf: [0-9]+ pages, 9 chapters \(6 archived\), [0-9]+ images \([0-9]+ JPEG as they are\), " err &&
    test -f book/book.pdf && ! test -e book/book.epub
'

test_expect_success 'qpdf --check: no error and no warning' '
    qpdf --check book/book.pdf >check 2>&1 &&
    test_grep "No syntax or stream encoding errors" check &&
    ! grep -i "warning" check
'

test_expect_success 'pdffonts: every font embedded and subset' '
    pdffonts book/book.pdf >fonts &&
    test "$(tail -n +3 fonts | wc -l)" -ge 3 &&
    tail -n +3 fonts | awk "{ if (\$(NF-4) != \"yes\" || \$(NF-3) != \"yes\") { print; bad = 1 } } END { exit bad }" &&
    tail -n +3 fonts | grep -q "NotoSerifCJK" && tail -n +3 fonts | grep -q "NotoSansMonoCJK"
'

test_expect_success 'pdfinfo: metadata, A5 pages, a date that is SOURCE_DATE_EPOCH' '
    pdfinfo -isodates book/book.pdf >info &&
    test_grep "^Title: +我的收藏$" info &&
    test_grep "^Author: +.*轩辕的编程宇宙" info &&
    test_grep "^Creator: +archiver$" info &&
    test_grep "^Tagged: +yes$" info &&
    test_grep "^Page size: +419.53 x 595.28 pts" info &&
    test_grep "^CreationDate: +2024-12-24T00:26:40" info
'

# The outline as [(title, page, depth)].
OUTLINE='
import re, subprocess, sys
out = subprocess.run(["mutool", "show", sys.argv[1], "outline"], capture_output=True, text=True).stdout
ol = []
for line in out.splitlines():
    m = re.match(r"^([-+|]\s*)(\t*)\"(.*)\"\t#page=(\d+)", line)
    if m:
        ol.append((m.group(3), int(m.group(4)), line.count("\t") - 2))
'

test_expect_success 'the outline: months, then their articles, in the index order' '
    python3 -c "$OUTLINE
months = [(t, p) for t, p, d in ol if d == 0]
arts = [(t, p) for t, p, d in ol if d == 1]
assert [t for t, p in months] == [\"2025年12月\", \"2025年5月\", \"2025年3月\"], ol
assert [t for t, p in arts] == [\"AI编程害死我了\", \"科技爱好者周刊#372\", \"被作者删除的一篇\",
    \"比小学生说烂梗更可怕的\", \"新能源车均价\", \"违规的一篇\", \"服务器上没有的一篇\",
    \"AI编程带给程序员的危与机\", \"和死神赛跑\"], arts
pages = [p for t, p, d in ol]
assert pages == sorted(pages), pages
heads = [t for t, p, d in ol if d == 2]
assert \"尝试定位\" in heads and \"寻找Bug\" in heads, ol  # the headings of article-01
open(\"starts\", \"w\").write(\" \".join(str(p) for t, p in arts))
" book/book.pdf
'

test_expect_success 'the contents: each number is the page its chapter starts on' '
    pdftotext -layout -f 2 -l 2 book/book.pdf toc.txt &&
    python3 -c "
import re
starts = [int(x) for x in open(\"starts\").read().split()]
nums = [int(m.group(1)) for m in re.finditer(r\"^ +\\S.*\\s(\\d+)$\", open(\"toc.txt\").read(), re.M)]
assert nums == starts, (nums, starts)
"
'

test_expect_success 'each chapter holds its article text, in reading order' '
    python3 -c "$OUTLINE
import difflib, html, json, os
arts = [(t, p) for t, p, d in ol if d == 1]
ids = [\"KDWh_qGpFN5Vu1TR9t30Mw\", \"tr38EieqyftubIx2FMWUWw\", None, \"4HLBydlmsdykQWKzX30EbA\",
       \"JJyPUpHLM2bGvfk5FNvTUA\", None, None, \"o0tunrGKXwJxw4LZujRQdg\", \"bRt0seqxnIuoQnASJTU-8w\"]
npages = int(re.search(r\"Pages:\\s+(\\d+)\", subprocess.run([\"pdfinfo\", sys.argv[1]], capture_output=True, text=True).stdout).group(1))
for k, (i, (t, first)) in enumerate(zip(ids, arts)):
    if not i:
        continue
    last = arts[k + 1][1] - 1 if k + 1 < len(arts) else npages
    txt = subprocess.run([\"pdftotext\", \"-f\", str(first), \"-l\", str(last), sys.argv[1], \"-\"],
                         capture_output=True, text=True).stdout
    txt = re.sub(r\"\\s+\", \"\", txt)
    h = open(\"archive/articles/%s/article.html\" % i, encoding=\"utf-8\").read()
    b = h.split(\"<!-- archiver:body -->\", 1)[1].split(\"<!-- /archiver:body -->\", 1)[0]
    b = re.sub(r\"<[^>]+>\", \"\", b)
    body = re.sub(r\"\\s+\", \"\", html.unescape(b))
    sm = difflib.SequenceMatcher(None, body, txt, autojunk=False)
    got = sum(m.size for m in sm.get_matching_blocks())
    assert len(body) > 20 and got >= 0.99 * len(body), (i, got, len(body))
" book/book.pdf
'

test_expect_success 'links: each source URL, and the links of the article text, are clickable' '
    qpdf --qdf --object-streams=disable book/book.pdf q.pdf &&
    python3 -c "
import re
d = open(\"q.pdf\", \"rb\").read().decode(\"latin-1\")
uris = re.findall(r\"/URI \\((.*?)\\)\", d)
for i in (\"KDWh_qGpFN5Vu1TR9t30Mw\", \"tr38EieqyftubIx2FMWUWw\", \"NotOnTheServer0000000\"):
    assert \"https://mp.weixin.qq.com/s/\" + i in uris, uris
assert not [u for u in uris if not u.startswith((\"https:\", \"http:\", \"mailto:\"))], uris
assert len(uris) > 12, len(uris)
"
'

test_expect_success 'the tagged structure: a Sect per chapter page, its H1, paragraphs, figures, lists, the contents' '
    pdfimages -list book/book.pdf >uses &&
    python3 -c "$OUTLINE
import collections
months = len([t for t, p, d in ol if d == 0])
assert months >= 2, ol
d = open(\"q.pdf\", \"rb\").read().decode(\"latin-1\")
c = collections.Counter(re.findall(r\"/S /([A-Za-z0-9]+)\", d))
for t in (\"Document\", \"Sect\", \"H1\", \"P\", \"Figure\", \"L\", \"LI\", \"Lbl\", \"LBody\",
          \"BlockQuote\", \"TOC\", \"TOCI\", \"Link\"):
    assert c[t] > 0, (t, c)
assert c[\"Document\"] == 1, c
# a chapter title is an H1, so are the month pages and the contents title
assert c[\"H1\"] == 9 + months + 1, (months, c)
# a Sect for each page of a chapter (begun again after each break)
assert c[\"Sect\"] >= 9, c
# every picture drawn is inside a Figure (placeholders are Figures too)
uses = len(open(\"uses\").read().splitlines()) - 2
assert c[\"Figure\"] >= uses > 0, (c[\"Figure\"], uses)
# an entry of the contents per chapter and month
assert c[\"TOCI\"] == 9 + months, (months, c)
# no level skipped under the chapter H1s
levels = sorted({int(k[1]) for k in c if re.fullmatch(r\"H[1-6]\", k)})
assert levels == list(range(1, len(levels) + 1)), levels
" book/book.pdf
'

test_expect_success 'every stored picture of the archived bodies is drawn, those inside a line of text too' '
    "$ARCHIVER" pdf index.md --year 2025 --pdf j.pdf --json >j.json &&
    python3 -c "
import json, re, glob
drawn = json.load(open(\"j.json\"))[\"pdf\"][\"images\"]
stored = inline = 0
for f in glob.glob(\"archive/articles/*/article.html\"):
    body = open(f, encoding=\"utf-8\").read()
    stored += len(re.findall(r\"<img [^>]*src=\\\"images/\", body))
    inline += len(re.findall(r\"<img class=\\\"inline\\\" src=\\\"images/\", body))
assert inline > 0, \"no picture inside a paragraph: the test tests nothing\"
assert drawn == stored, (drawn, stored, inline)
"
'

test_expect_success 'pictures: JPEG embedded as they are, a shared picture once' '
    pdfimages -list book/book.pdf >imgs &&
    test_grep " jpeg " imgs && test_grep " image " imgs &&
    python3 -c "
rows = [l.split() for l in open(\"imgs\").read().splitlines()[2:]]
objs = [r[10] for r in rows]
assert len(set(objs)) < len(objs), \"every use embedded anew\"
# twelve pictures, a few twice for two uses on one page
assert len(set(objs)) <= 24, len(set(objs))
"
'

test_expect_success 'two builds are byte-identical, whatever TZ says; build --pdf is the same book' '
    TZ=America/New_York "$ARCHIVER" pdf index.md --year 2025 --pdf p1.pdf -q &&
    sleep 1 &&
    TZ=Asia/Shanghai "$ARCHIVER" build index.md --year 2025 --pdf p2.pdf -q &&
    cmp book/book.pdf p1.pdf && cmp p1.pdf p2.pdf && ! test -e p2.epub
'

test_expect_success 'pictures loaded ahead on a second thread or on the drawing thread: the same bytes' '
    ARCHIVER_THREADS=1 "$ARCHIVER" pdf index.md --year 2025 --pdf one.pdf -q &&
    cmp book/book.pdf one.pdf
'

test_expect_success 'page profiles: ereader6 and a4 sizes, an unknown one is a usage error' '
    "$ARCHIVER" pdf index.md --year 2025 --pdf e6.pdf --page ereader6 -q &&
    pdfinfo e6.pdf | grep -q "Page size: *255 x 340 pts" &&
    qpdf --check e6.pdf >/dev/null &&
    "$ARCHIVER" pdf index.md --year 2025 --pdf a4.pdf --page a4 -q &&
    pdfinfo a4.pdf | grep -q "Page size: *595.28 x 841.89 pts" &&
    test_must_fail 2 "$ARCHIVER" pdf index.md --pdf x.pdf --page b5 2>err &&
    test_lines 1 err &&
    test_grep "^archiver: error: .*styles/pdf.json: no page profile .b5. \(it has: a5, a4, letter, ereader6, ereader7, tablet10\)" err &&
    ! test -e x.pdf
'

test_expect_success '--style: profiles of ones own; a bad file is a usage error naming its line' '
    cat >my.json <<-\EOF &&
	{ "profiles": { "square": { "page": [400, 400], "margins": [30, 30, 30, 30],
	                            "body": 12, "leading": 20 } } }
	EOF
    "$ARCHIVER" pdf index.md --year 2025 --pdf sq.pdf --style my.json --page square -q &&
    pdfinfo sq.pdf | grep -q "Page size: *400 x 400 pts" &&
    test_must_fail 2 "$ARCHIVER" pdf index.md --pdf x.pdf --style my.json 2>err &&
    test_grep "my.json: no page profile .a5. \(it has: square\)" err &&
    printf "{ \"profiles\": {\n  \"a5\": [1, 2,\n}\n" >bad.json &&
    test_must_fail 2 "$ARCHIVER" pdf index.md --pdf x.pdf --style bad.json 2>err &&
    test_lines 1 err && test_grep "^archiver: error: bad.json:[34]: " err &&
    printf "{ \"profiles\": { \"a5\": { \"page\": [100, 100], \"margins\": [40, 40, 40, 40], \"body\": 10, \"leading\": 14 } } }" >tiny.json &&
    test_must_fail 2 "$ARCHIVER" pdf index.md --pdf x.pdf --style tiny.json 2>err &&
    test_grep "tiny.json: profile .a5. leaves no text block" err &&
    test_must_fail 2 "$ARCHIVER" pdf index.md --pdf x.pdf --style nowhere.json 2>err &&
    test_grep "cannot read the style file .nowhere.json." err &&
    ! test -e x.pdf
'

test_expect_success '--from/--to and --order oldest: the months of the range, oldest first' '
    "$ARCHIVER" pdf index.md --year 2025 --pdf r.pdf --from 2025-05 --to 2025-12 --order oldest -q &&
    qpdf --check r.pdf >/dev/null &&
    python3 -c "$OUTLINE
assert [t for t, p, d in ol if d == 0] == [\"2025年5月\", \"2025年12月\"], ol
assert len([t for t, p, d in ol if d == 1]) == 7, ol
" r.pdf
'

test_expect_success 'an unwritable output: exit 4, nothing left' '
    echo x >afile &&
    test_must_fail 4 "$ARCHIVER" pdf index.md --pdf afile/b.pdf 2>err &&
    test_lines 1 err && test_grep "^archiver: error: .*afile" err
'

test_expect_success 'fonts that cannot be found: a warning naming each, boxes counted, exit 1, a valid PDF' '
    mkdir -p nocjk && cp -r "$TEST_SRCDIR/fonts" "$TEST_SRCDIR/styles" nocjk/ &&
    sed -i "s|<glob>\*NotoColorEmoji\*</glob>|&<glob>*CJK*</glob>|" nocjk/fonts/fonts.conf &&
    grep -q "<glob>\*CJK\*</glob>" nocjk/fonts/fonts.conf &&
    ARCHIVER_DATADIR="$PWD/nocjk" test_must_fail 1 "$ARCHIVER" pdf index.md --year 2025 \
        --pdf nocjk.pdf 2>err &&
    test_grep "warning: font .Noto Serif CJK SC. not found through .*nocjk/fonts/fonts.conf; .DejaVu Serif. is used instead" err &&
    test_grep "warning: font .Noto Sans CJK SC. not found" err &&
    test_grep "warning: font .Noto Sans Mono CJK SC. not found" err &&
    test_grep "warning: archive/articles/[^ ]+/article.html: [0-9]+ characters have no glyph in the PDF.s fonts" err &&
    test_grep "^build: nocjk.pdf: " err &&
    qpdf --check nocjk.pdf >/dev/null &&
    ! pdffonts nocjk.pdf | grep -q CJK &&
    "$ARCHIVER" pdf index.md --year 2025 --pdf withcjk.pdf 2>err &&
    ! grep -q "no glyph\|not found" err
'

test_expect_success 'pdftoppm draws the pages' '
    pdftoppm -r 40 -png -f 1 -l 6 book/book.pdf page 2>err && ! test -s err &&
    test "$(ls page-*.png | wc -l)" -eq 6
'

if [ -n "${T5100_KEEP:-}" ]; then
    mkdir -p "$T5100_KEEP" && cp book/book.pdf e6.pdf "$T5100_KEEP/"
fi

test_done
