#!/usr/bin/env bash
# t2230: crash safety and the archive lock.  `kill -9` while the test server holds a response (an
# image, a page, during a refresh) or at random moments leaves every articles/<id> whole (a link
# to a complete version) and the previous copy untouched; the next run finishes the job, and the
# archive then equals an uninterrupted run's: same ids, byte-identical article.html and images,
# meta.json equal apart from times.  While one run holds the lock a second exits 3 at once,
# naming the first's PID.
. "$(dirname "$0")/lib.sh"
. "$TEST_SRCDIR/tests/e2e/fetch-lib.sh"
require_tool python3 openssl convert
fetch_init 127.0.0.63

for n in 1 2 3 4 5 6; do
    convert -size $((30 + n))x20 xc:"rgb($((n * 40)),80,120)" img$n.png || exit 1
done
mkpage p1.html "第一篇" "https://mmbiz.qpic.cn/img1.png|一" "https://mmbiz.qpic.cn/img2.png|二"
mkpage p1b.html "第一篇（修订）" "https://mmbiz.qpic.cn/img1.png|一" "https://mmbiz.qpic.cn/img6.png|六"
mkpage p2.html "第二篇" "https://mmbiz.qpic.cn/img2.png|二" "https://mmbiz.qpic.cn/img3.png|三"
mkpage p3.html "第三篇" "https://mmbiz.qpic.cn/img4.png|四"
mkpage p4.html "第四篇" "https://mmbiz.qpic.cn/img5.png|五"
mkindex p1 p2 p3 p4

# routes HOLD: the routes, with the response HOLD (a path) held until ./go exists; every response
# a little slow so that a run lasts long enough to be killed at random.
set_routes() {
    python3 - "$1" "${2:-p1.html}" <<-\PY
	import json, sys
	hold, p1 = sys.argv[1], sys.argv[2]
	r = [{"host": "mp.weixin.qq.com", "path": "/s/p1", "file": p1}]
	r += [{"host": "mp.weixin.qq.com", "path": "/s/p%d" % n, "file": "p%d.html" % n} for n in (2, 3, 4)]
	r += [{"host": "mmbiz.qpic.cn", "path": "/img%d.png" % n, "file": "img%d.png" % n,
	       "type": "image/png"} for n in range(1, 7)]
	for x in r:
	    x["delay"] = 0.15
	    if x["path"] == hold:
	        x["hold"] = "go"
	json.dump(r, open("routes.json.new", "w"))
	PY
    mv routes.json.new routes.json
}

# check_whole ARCH: every articles/<id> is a link to a complete version (meta.json, article.html,
# raw.html.gz, every image it shows), and nothing else is visible there.
check_whole() {
    ARCH=$1 pycheck <<-\PY
	d = os.path.join(ARCH, "articles")
	for name in os.listdir(d):
	    if name == ".v":
	        continue
	    p = os.path.join(d, name)
	    assert os.path.islink(p), (name, "not a link")
	    t = os.readlink(p)
	    assert t.startswith(".v/" + name + "."), (name, t)
	    for f in ("meta.json", "article.html", "raw.html.gz"):
	        assert os.path.isfile(os.path.join(p, f)), (name, f)
	    m = meta(name)
	    assert m["status"] == "archived", m
	    for x in m["images"]:
	        assert x["status"] != "ok" or os.path.isfile(os.path.join(p, x["file"])), x
	    for s in img_srcs(html(name)):
	        assert os.path.isfile(os.path.join(p, s)), (name, s)
	    gzip.open(os.path.join(p, "raw.html.gz")).read()
	PY
}

# same_as_ref ARCH: ARCH holds what the uninterrupted run stored in ref/.
same_as_ref() {
    python3 - "$1" <<-\PY
	import filecmp, json, os, sys
	a, b = os.path.join(sys.argv[1], "articles"), os.path.join("ref", "articles")
	ids = lambda d: sorted(x for x in os.listdir(d) if x != ".v")
	assert ids(a) == ids(b) == ["p1", "p2", "p3", "p4"], (ids(a), ids(b))
	def untimed(m):
	    m = dict(m)
	    m.pop("fetched")
	    m["history"] = [dict(h, time=None) for h in m["history"]]
	    return m
	for i in ids(b):
	    x, y = os.path.join(a, i), os.path.join(b, i)
	    assert open(os.path.join(x, "article.html"), "rb").read() == \
	        open(os.path.join(y, "article.html"), "rb").read(), i
	    fx, fy = sorted(os.listdir(os.path.join(x, "images"))), sorted(os.listdir(os.path.join(y, "images")))
	    assert fx == fy, (i, fx, fy)
	    for f in fx:
	        assert filecmp.cmp(os.path.join(x, "images", f), os.path.join(y, "images", f), False), (i, f)
	    mx = json.load(open(os.path.join(x, "meta.json"), encoding="utf-8"))
	    my = json.load(open(os.path.join(y, "meta.json"), encoding="utf-8"))
	    assert untimed(mx) == untimed(my), (i, mx, my)
	PY
}

# bg_fetch ARCH ARGS...: af into ARCH in the background (output in ARCH.out, ARCH.err); BG_PID is
# the archiver's PID.
bg_fetch() {
    local a=$1
    shift
    (
        export ARCH=$a
        af_exec "$@" >"$a.out" 2>"$a.err"
    ) &
    # shellcheck disable=SC2034 # used in the test bodies
    BG_PID=$!
}

touch go
set_routes none
start_server $ADDR routes.json || exit 1

test_expect_success 'the uninterrupted run, for reference' '
    ARCH=ref af >out 2>err &&
    check_whole ref
'

test_expect_success 'kill -9 while an image is held: nothing half-written; the rerun completes it' '
    rm -f go && set_routes /img4.png && : >requests.log &&
    bg_fetch held &&
    wait_for_request /img4.png &&
    sleep 0.5 &&
    kill -0 $BG_PID &&
    kill -9 $BG_PID && { wait $BG_PID || :; } &&
    test -d held/articles &&
    ! test -e held/articles/p3 &&
    check_whole held &&
    touch go &&
    ARCH=held af --json >out 2>err &&
    check_whole held &&
    same_as_ref held &&
    ARCH=held pycheck out <<-\PY
	assert ent["p3"]["result"] == "archived", ent
	assert sum(e["result"] == "archived" for e in j["entries"]) >= 1, j
	PY
'

test_expect_success 'kill -9 while a page is held: the same' '
    rm -f go && set_routes /s/p2 && : >requests.log &&
    bg_fetch held2 &&
    wait_for_request /s/p2 &&
    sleep 0.5 &&
    kill -9 $BG_PID && { wait $BG_PID || :; } &&
    ! test -e held2/articles/p2 &&
    check_whole held2 &&
    touch go &&
    ARCH=held2 af >out 2>err &&
    same_as_ref held2
'

test_expect_success 'kill -9 during a refresh that would replace a copy: the old copy stays whole' '
    cp -r ref refresh &&
    rm -f go && set_routes /img6.png p1b.html && : >requests.log &&
    link=$(readlink refresh/articles/p1) &&
    bg_fetch refresh --refresh &&
    wait_for_request /img6.png &&
    sleep 0.5 &&
    kill -9 $BG_PID && { wait $BG_PID || :; } &&
    test "$(readlink refresh/articles/p1)" = "$link" &&
    diff -r ref/articles/p1/ refresh/articles/p1/ &&
    check_whole refresh &&
    touch go &&
    ARCH=refresh af --refresh >out 2>err &&
    check_whole refresh &&
    grep -q "第一篇（修订）" refresh/articles/p1/article.html &&
    test "$(readlink refresh/articles/p1)" != "$link"
'

test_expect_success 'kill -9 at random moments, then a full run: the same archive as without' '
    set_routes none &&
    for i in 1 2 3 4 5 6; do
        rm -rf random &&
        bg_fetch random --retries 0 &&
        sleep "0.$((RANDOM % 8))$((RANDOM % 10))" &&
        { kill -9 $BG_PID 2>/dev/null || :; } && { wait $BG_PID || :; } &&
        if test -d random/articles; then check_whole random || exit 1; fi &&
        ls random/articles 2>/dev/null | wc -l >>stored-when-killed &&
        ARCH=random af >out 2>err &&
        check_whole random &&
        same_as_ref random &&
        ls -a random/articles/.v >versions &&
        test_lines 6 versions || exit 1
    done &&
    cat stored-when-killed
'

test_expect_success 'a second run while the first holds the lock: exit 3 at once, naming its PID' '
    rm -f go && set_routes /s/p1 && : >requests.log &&
    bg_fetch locked &&
    wait_for_request /s/p1 &&
    test_grep "^$BG_PID\$" locked/.lock &&
    start=$(date +%s.%N) &&
    ARCH=locked test_must_fail 3 af >out2 2>err2 &&
    end=$(date +%s.%N) &&
    python3 -c "d = $end - $start; assert d < 0.5, d" &&
    test_lines 1 err2 &&
    test_grep "(^|[^0-9])$BG_PID([^0-9]|$)" err2 &&
    ARCH=locked test_must_fail 3 af --only p2 >out3 2>err3 &&
    test_grep "(^|[^0-9])$BG_PID([^0-9]|$)" err3 &&
    touch go &&
    wait $BG_PID &&
    check_whole locked &&
    ARCH=locked af >out4 2>err4
'

test_done
