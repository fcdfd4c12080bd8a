# shellcheck shell=bash
# tests/e2e/book-lib.sh: the archive the book tests (t5000, t5100) are made from, sourced after
# lib.sh, fetch-lib.sh and fetch_init.  Not a test itself.
#
# The real WeChat fixtures (two articles, a repost, an image post, a text post, a repost card, a
# deleted and a removed page) served by the test server with twelve pictures in four formats
# (every fourth a WebP) behind their 86 image URLs, two of which answer 404; an index in the
# user's style over three months with notes, dates and an entry the server does not have;
# `archiver fetch` into ./archive with SOURCE_DATE_EPOCH set.  Exits the test when it fails.

W="$TEST_SRCDIR/tests/data/wechat"
A1=KDWh_qGpFN5Vu1TR9t30Mw A2=tr38EieqyftubIx2FMWUWw R1=4HLBydlmsdykQWKzX30EbA
IP=JJyPUpHLM2bGvfk5FNvTUA TP=o0tunrGKXwJxw4LZujRQdg RC=bRt0seqxnIuoQnASJTU-8w
DEL=P9cMowFQ-QahLRnfHponKw VIO=-WZT_VzhmSkJRAjb6GwsUA

# Twelve pictures in four formats and three sizes; the fixtures' 86 image URLs take them in
# turn, so the same picture recurs across articles (the book must hold it once), and every
# fourth is a WebP (the book must hold a PNG or JPEG instead).  Two URLs answer 404.
for n in 0 1 2; do
    w=$((120 + 90 * n)) h=$((80 + 40 * n))
    convert -size ${w}x$h "gradient:red-blue" -fill white -draw "circle $((w / 2)),$((h / 2)) $((w / 2)),4" p$n.png &&
        convert -size ${w}x$h "plasma:fractal" -seed $n -quality 85 j$n.jpg &&
        convert -size ${w}x$h "xc:#4a7" -fill yellow -draw "rectangle 4,4 $((w / 3)),$((h / 3))" g$n.gif &&
        convert -size ${w}x$h "gradient:orange-purple" w$n.png && cwebp -quiet w$n.png -o w$n.webp ||
        exit 1
done
for f in article-01 article-02 repost-01 image-post-01; do
    "$ARCHIVER" convert "$W/$f.html" --json >$f.json || exit 1
done
python3 - "$W" <<'PY' || exit 1
import json, sys, urllib.parse
W = sys.argv[1]
pics = ["p0.png", "j0.jpg", "g0.gif", "w0.webp", "p1.png", "j1.jpg", "g1.gif", "w1.webp",
        "p2.png", "j2.jpg", "g2.gif", "w2.webp"]
routes = [
    {"host": "mp.weixin.qq.com", "path": "/s/KDWh_qGpFN5Vu1TR9t30Mw", "file": W + "/article-01.html"},
    {"host": "mp.weixin.qq.com", "path": "/s/tr38EieqyftubIx2FMWUWw", "file": W + "/article-02.html"},
    {"host": "mp.weixin.qq.com", "path": "/s/4HLBydlmsdykQWKzX30EbA", "file": W + "/repost-01.html"},
    {"host": "mp.weixin.qq.com", "path": "/s/JJyPUpHLM2bGvfk5FNvTUA", "file": W + "/image-post-01.html"},
    {"host": "mp.weixin.qq.com", "path": "/s/o0tunrGKXwJxw4LZujRQdg", "file": W + "/text-post-01.html"},
    {"host": "mp.weixin.qq.com", "path": "/s/bRt0seqxnIuoQnASJTU-8w", "file": W + "/repost-card-03.html"},
    {"host": "mp.weixin.qq.com", "path": "/s", "file": W + "/text-post-01.html"},  # the card's original
    {"host": "mp.weixin.qq.com", "path": "/s/P9cMowFQ-QahLRnfHponKw", "file": W + "/deleted-01.html"},
    {"host": "mp.weixin.qq.com", "path": "/s/-WZT_VzhmSkJRAjb6GwsUA", "file": W + "/violation-01.html"},
]
n, gone = 0, 0
for f in ["article-01", "article-02", "repost-01", "image-post-01"]:
    for u in json.load(open(f + ".json", encoding="utf-8"))["images"]:
        p = urllib.parse.urlsplit(u)
        if f == "article-02" and gone < 2:
            gone += 1
            continue  # unmatched: 404
        routes.append({"host": p.hostname, "path": p.path, "file": pics[n % len(pics)],
                       "type": "image/jpeg"})
        n += 1
json.dump(routes, open("routes.json", "w"), indent=1)
PY
start_server $ADDR routes.json || exit 1

# The index, as the user writes it: a title, months newest first, dates in 【`MM.DD`】, notes as
# quoted list items under an entry.  The fixtures were published in November 2025, and the
# archived publish dates settle the year of a bare month heading: 2025, whatever --year says.
cat >index.md <<EOF
# 我的收藏

# 12

AI编程害死我了 https://mp.weixin.qq.com/s/$A1  【\`12.27\`】
- > 抓包软件里埋的雷：一条笔记。

科技爱好者周刊#372 https://mp.weixin.qq.com/s/$A2  【\`12.20\`】

被作者删除的一篇 https://mp.weixin.qq.com/s/$DEL  【\`12.10\`】

# 05

比小学生说烂梗更可怕的 https://mp.weixin.qq.com/s/$R1  【\`05.21\`】

新能源车均价 https://mp.weixin.qq.com/s/$IP  【\`05.03\`】
- > 图片消息：四张图。

违规的一篇 https://mp.weixin.qq.com/s/$VIO

服务器上没有的一篇 https://mp.weixin.qq.com/s/NotOnTheServer0000000  【\`05.01\`】

# 03

AI编程带给程序员的危与机 https://mp.weixin.qq.com/s/$TP

和死神赛跑 https://mp.weixin.qq.com/s/$RC  【\`03.02\`】
EOF
export SOURCE_DATE_EPOCH=1735000000 # 2024-12-24T00:26:40Z
af --year 2025 >fetch.out 2>&1
rc=$?
[ $rc -eq 1 ] || {
    echo "fetch exited $rc, not 1 (one entry fails):" >&2
    cat fetch.out >&2
    exit 1
}

