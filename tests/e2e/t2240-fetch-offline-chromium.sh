#!/usr/bin/env bash
# t2240: an offline copy opens in a browser: article-01 is archived with its nine images (PNG,
# JPEG, GIF, WebP), then headless Chromium, with the network denied, opens its article.html in an
# iframe of a test page whose script reports, for every <img>, whether it loaded; Chromium's net
# log shows that the page did not even try a network URL.  A copy doctored to show a remote
# image proves that both checks can fail.
. "$(dirname "$0")/lib.sh"
. "$TEST_SRCDIR/tests/e2e/fetch-lib.sh"
require_tool python3 openssl convert cwebp chromium
fetch_init 127.0.0.64

A1=KDWh_qGpFN5Vu1TR9t30Mw
cp "$TEST_SRCDIR/tests/data/wechat/article-01.html" a1.html
"$ARCHIVER" convert a1.html --json >a1.json || exit 1
convert -size 40x30 xc:red i0.png && convert -size 41x30 xc:green i1.jpg &&
    convert -size 42x30 xc:blue i2.gif && convert -size 43x30 xc:orange i3.png &&
    cwebp -quiet i3.png -o i3.webp && convert -size 44x30 xc:purple i4.jpg &&
    convert -size 45x30 xc:gray i5.png && convert -size 46x30 xc:pink i6.gif &&
    convert -size 47x30 xc:navy i7.png && convert -size 48x30 xc:olive i8.jpg || exit 1
python3 - <<'PY' || exit 1
import json, urllib.parse
imgs = json.load(open("a1.json", encoding="utf-8"))["images"]
files = ["i0.png", "i1.jpg", "i2.gif", "i3.webp", "i4.jpg", "i5.png", "i6.gif", "i7.png", "i8.jpg"]
assert len(imgs) == len(files), imgs
routes = [{"host": "mp.weixin.qq.com", "path": "/s/KDWh_qGpFN5Vu1TR9t30Mw", "file": "a1.html"}]
for u, f in zip(imgs, files):
    p = urllib.parse.urlsplit(u)
    routes.append({"host": p.hostname, "path": p.path, "file": f, "type": "image/jpeg"})
json.dump(routes, open("routes.json", "w"), indent=1)
PY
mkindex $A1
start_server $ADDR routes.json || exit 1

# chromium_check PAGE: loads PAGE (relative to $TRASH) in headless Chromium with the network
# denied, in the iframe of a test page; writes what its script found to `result` and Chromium's
# net log to netlog.json.
chromium_check() {
    cat >harness.html <<-HTML
	<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>
	<pre id="result">pending</pre>
	<iframe id="f" src="$1" width="800" height="600"></iframe>
	<script>
	document.getElementById("f").addEventListener("load", function () {
	    var out = [], d;
	    try { d = this.contentDocument; } catch (e) { d = null; }
	    if (!d) { document.getElementById("result").textContent = "no access to the page"; return; }
	    var imgs = d.getElementsByTagName("img");
	    out.push("images " + imgs.length);
	    for (var i = 0; i < imgs.length; i++) {
	        var im = imgs[i];
	        out.push((im.complete && im.naturalWidth > 0 ? "loaded " : "broken ") +
	                 im.naturalWidth + "x" + im.naturalHeight + " " + im.getAttribute("src"));
	    }
	    out.push("sheets " + d.styleSheets.length);
	    out.push("margin " + getComputedStyle(d.body).marginLeft);
	    document.getElementById("result").textContent = out.join("\n");
	});
	</script></body></html>
	HTML
    rm -rf chrome-profile netlog.json
    timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
        --user-data-dir="$TRASH/chrome-profile" --no-first-run --no-default-browser-check \
        --disable-background-networking --disable-component-update --disable-sync \
        --proxy-server=127.0.0.1:9 --host-resolver-rules="MAP * ~NOTFOUND" \
        --allow-file-access-from-files --log-net-log="$TRASH/netlog.json" \
        --virtual-time-budget=5000 --dump-dom "file://$TRASH/harness.html" >dom.html 2>chrome.err
    python3 - <<-\PY
	import html, re
	d = open("dom.html", encoding="utf-8").read()
	m = re.search(r"<pre id=\"result\">(.*?)</pre>", d, re.S)
	open("result", "w").write(html.unescape(m.group(1)) + "\n" if m else "no result\n")
	PY
    # The network requests the pages made, to page-requests (Chromium's own, to its update and
    # account services, have no initiator; file: loads are not in the net log).
    python3 - <<-\PY
	import json, re
	n = json.load(open("netlog.json", encoding="utf-8"))
	types = {v: k for k, v in n["constants"]["logEventTypes"].items()}
	net = []
	for e in n["events"]:
	    p = e.get("params") or {}
	    if types.get(e["type"]) != "URL_REQUEST_START_JOB" or "url" not in p:
	        continue
	    if p.get("initiator", "not an origin") != "not an origin":
	        net.append(p["url"])
	open("page-requests", "w").write("".join(u + "\n" for u in net))
	PY
}

test_expect_success 'article-01 is archived with its nine images' '
    af --json >out 2>err &&
    pycheck out <<-\PY
	assert ent["KDWh_qGpFN5Vu1TR9t30Mw"]["result"] == "archived", ent
	m = meta("KDWh_qGpFN5Vu1TR9t30Mw")
	assert len(m["images"]) == 9 and all(x["status"] == "ok" for x in m["images"]), m["images"]
	exts = sorted(set(x["file"].rsplit(".", 1)[1] for x in m["images"]))
	assert exts == ["gif", "jpg", "png", "webp"], exts
	PY
'

test_expect_success 'offline, in Chromium, every image of article.html loads' '
    chromium_check archive/articles/$A1/article.html &&
    cat result &&
    pycheck <<-\PY
	r = open("result").read().split("\n")
	assert r[0] == "images 10", r     # nine images, one of them shown twice
	loaded = [l for l in r if l.startswith("loaded ")]
	broken = [l for l in r if l.startswith("broken ")]
	assert len(loaded) == 10 and not broken, r
	for l in loaded:
	    size, src = l.split(" ")[1:3]
	    assert src.startswith("images/") and size != "0x0", l
	assert "sheets 1" in r, r                # book.css found
	assert "margin 0px" not in r, r          # and applied (5% margins)
	PY
'

test_expect_success 'the page asked for nothing but local files' '
    test_lines 0 page-requests
'

test_expect_success 'the check itself fails on a copy with a remote image' '
    mkdir -p bad && cp -r archive/articles/$A1/. bad/ &&
    sed -i "0,/src=\"images\/[0-9a-f]*\.[a-z]*\"/s//src=\"https:\/\/mmbiz.qpic.cn\/remote.png\"/" bad/article.html &&
    grep -q "src=\"https://mmbiz.qpic.cn/remote.png\"" bad/article.html &&
    chromium_check bad/article.html &&
    test_grep "^broken 0x0 https://mmbiz.qpic.cn/remote.png" result &&
    test_grep "^https://mmbiz.qpic.cn/remote.png$" page-requests
'

test_done
