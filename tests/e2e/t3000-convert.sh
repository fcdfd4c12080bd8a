#!/usr/bin/env bash
# t3000: `archiver convert` on the real saved WeChat pages: classification and metadata as JSON,
# and an offline copy that is well-formed XHTML with no active content.
. "$(dirname "$0")/lib.sh"
require_tool python3 xmllint

W="$TEST_SRCDIR/tests/data/wechat"

check_json() {
    python3 -c '
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
exec(sys.argv[2])
' "$@"
}

test_expect_success 'every fixture gets the classification, title and account of MANIFEST.tsv' '
    tail -n +2 "$W/MANIFEST.tsv" | while IFS="	" read -r file url kind account title; do
        archiver convert --json --url "$url" "$W/$file" >"$file.json" &&
        check_json "$file.json" "
kind, account, title = sys.argv[3], sys.argv[4], sys.argv[5]
want = {\"deleted by publisher\": \"deleted\", \"removed for violation\": \"removed\"}.get(kind, \"article\")
assert d[\"class\"] == want, (sys.argv[1], d[\"class\"], want)
if want == \"article\":
    assert d[\"meta\"][\"title\"] == title, (d[\"meta\"][\"title\"], title)
    assert d[\"meta\"][\"account\"] == account, (d[\"meta\"][\"account\"], account)
    assert d[\"meta\"][\"published\"] and d[\"meta\"][\"published\"] > 1500000000
" "$kind" "$account" "$title" || exit 1
    done
'

test_expect_success 'types: image post, text post, repost card' '
    archiver convert --json "$W/image-post-01.html" >ip.json &&
    check_json ip.json "assert d[\"meta\"][\"kind\"] == \"image-post\" and len(d[\"images\"]) > 0, d[\"meta\"]" &&
    archiver convert --json "$W/text-post-01.html" >tp.json &&
    check_json tp.json "assert d[\"meta\"][\"kind\"] == \"text-post\"" &&
    archiver convert --json "$W/repost-card-03.html" >rc.json &&
    check_json rc.json "
assert d[\"meta\"][\"kind\"] == \"repost\", d[\"meta\"][\"kind\"]
assert d[\"meta\"][\"original_url\"].startswith(\"http\"), d[\"meta\"][\"original_url\"]
"
'

test_expect_success 'the offline copy is well-formed and has no active content' '
    for f in article-01 article-02 repost-01 image-post-01 text-post-01; do
        archiver convert --quiet "$W/$f.html" -o "$f.out.html" &&
        xmllint --noout "$f.out.html" &&
        ! grep -E -i -q "<script|<style|<iframe|<object|<embed|<form|<svg|javascript:| on[a-z]+=|style=" "$f.out.html" &&
        # Besides the stylesheet, the only references are image sources and plain links.
        ! grep -E -o "(src|href)=\"[^\"]*\"" "$f.out.html" |
            grep -v -E "^(src|href)=\"https?://|^href=\"mailto:|^href=\"book\.css\"$" &&
        test "$(grep -c "<p" "$f.out.html")" -gt 0 || { echo "$f failed"; exit 1; }
    done
'

test_expect_success 'the article text survives: first and last paragraphs of #js_content' '
    archiver convert --quiet "$W/article-01.html" -o a1.html &&
    python3 - "$W/article-01.html" a1.html <<-\PY
	import re, sys, html
	src = open(sys.argv[1], encoding="utf-8").read()
	out = open(sys.argv[2], encoding="utf-8").read()
	body = src[src.index("id=\"js_content\""):]
	body = body[:body.index("<script")]
	text = [html.unescape(t).strip() for t in re.findall(r">([^<>]+)<", body)]
	text = [t for t in text if len(t) >= 8]
	assert len(text) > 10, text
	plain = html.unescape(re.sub(r"<[^>]+>", "", out))
	missing = [t for t in text if t not in plain]
	assert not missing, missing[:5]
	PY
'

test_expect_success 'a deleted page writes no copy: exit 1 and no file' '
    test_must_fail 1 archiver convert --quiet "$W/deleted-01.html" -o d.html 2>err &&
    test_grep "classified .deleted., not an article" err &&
    test ! -e d.html
'

test_expect_success 'bad input: missing file, not HTML, unwritable output' '
    test_must_fail 2 archiver convert nothing.html 2>err &&
    test_grep "cannot read .nothing.html." err &&
    printf "\211PNG\r\n\032\n\0\0\0\rIHDR" >fake.html &&
    test_must_fail 2 archiver convert --quiet fake.html 2>err &&
    test_lines 1 err &&
    test_must_fail 4 archiver convert --quiet "$W/article-01.html" -o /nonexistent/dir/x.html 2>err &&
    test_grep "cannot write ./nonexistent/dir/x.html." err &&
    test_must_fail 2 archiver convert 2>err &&
    test_grep "no page given" err
'

test_done
