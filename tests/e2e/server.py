#!/usr/bin/env python3
"""tests/e2e/server.py: the HTTPS server that stands in for the article, image and other hosts.

Python standard library only.  It serves the routes of a JSON file, each matched on the Host
header and the path (with query), with the faults the fetch tests need, and logs every request
as one JSON line so that tests can assert what was and was not asked.

    server.py --bind 127.0.0.5 --port 443 --cert server.pem --key server.key \\
              --routes routes.json --log requests.log --ready ready.flag

routes.json is a list of objects; the first that matches wins:
    host, path       what to match ("path" with query when it has one; "*" matches any)
    file | body      the body: a file (relative to the routes file) or a string
    status           HTTP status (200)
    type             Content-Type ("text/html; charset=utf-8")
    headers          extra headers {name: value}
    redirect         answer 302 to this Location
    delay            seconds to wait before answering
    fail_first       answer the first N requests with `fail_status` (503) and `retry_after`
    fault            "reset" (close mid-body), "truncate" (send less than Content-Length),
                     "drip" (send the body slowly, `drip` seconds per 1 KiB)
    gzip             compress when the client accepts gzip
    etag, last_modified   conditional GET: 304 when If-None-Match / If-Modified-Since match
    foreign_referer_file  served instead when a Referer from another host is sent (hotlink)
    hold             path of a flag file: the answer waits until the file exists
Unmatched requests get 404.  The routes file is read again when it changes, so a test can
change what a URL answers (an article deleted upstream) without restarting the server.
"""
import argparse
import gzip
import json
import os
import socket
import ssl
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class State:
    def __init__(self, routes_path, base, log_path):
        self.routes_path = routes_path
        self.routes_mtime = None
        self.routes = []
        self.base = base
        self.log_path = log_path
        self.lock = threading.Lock()
        self.hits = {}

    def log(self, entry):
        with self.lock:
            with open(self.log_path, "a", encoding="utf-8") as f:
                f.write(json.dumps(entry, ensure_ascii=False) + "\n")

    def current_routes(self):
        with self.lock:
            mtime = os.stat(self.routes_path).st_mtime_ns
            if mtime != self.routes_mtime:
                with open(self.routes_path, encoding="utf-8") as f:
                    self.routes = json.load(f)
                self.routes_mtime = mtime
                self.hits = {}
            return self.routes

    def hit(self, index):
        with self.lock:
            self.hits[index] = self.hits.get(index, 0) + 1
            return self.hits[index]


def matches(rule, host, path):
    if rule.get("host", "*") not in ("*", host):
        return False
    want = rule.get("path", "*")
    if want == "*":
        return True
    if "?" in want:
        return want == path
    return want == path.split("?", 1)[0]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "archiver-test-server"
    # headers and body are separate writes: with Nagle's algorithm each answer on a kept-alive
    # connection waited ~33 ms for the client's delayed ACK
    disable_nagle_algorithm = True

    def log_message(self, fmt, *args):  # quiet: requests go to the JSON log
        pass

    def do_HEAD(self):
        self.handle_any(head=True)

    def do_GET(self):
        self.handle_any(head=False)

    def handle_any(self, head):
        st = self.server.state
        host = (self.headers.get("Host") or "").split(":")[0].lower()
        path = self.path
        st.log({
            "t": time.time(),
            "method": self.command,
            "host": host,
            "path": path,
            "headers": {k.lower(): v for k, v in self.headers.items()},
        })
        for i, rule in enumerate(st.current_routes()):
            if matches(rule, host, path):
                return self.answer(i, rule, head)
        self.send_plain(404, b"not found\n", head)

    def send_plain(self, status, body, head, headers=None):
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def body_of(self, rule, key_file, key_body):
        st = self.server.state
        if key_file in rule:
            with open(os.path.join(st.base, rule[key_file]), "rb") as f:
                return f.read()
        return rule.get(key_body, "").encode("utf-8")

    def answer(self, index, rule, head):
        st = self.server.state
        n = st.hit(index)
        if rule.get("hold"):
            flag = os.path.join(st.base, rule["hold"])
            for _ in range(600):
                if os.path.exists(flag):
                    break
                time.sleep(0.05)
        if rule.get("delay"):
            time.sleep(float(rule["delay"]))
        if n <= int(rule.get("fail_first", 0)):
            extra = {}
            if "retry_after" in rule:
                extra["Retry-After"] = str(rule["retry_after"])
            return self.send_plain(int(rule.get("fail_status", 503)), b"try later\n", head, extra)
        if rule.get("redirect"):
            return self.send_plain(302, b"", head, {"Location": rule["redirect"]})

        etag, lm = rule.get("etag"), rule.get("last_modified")
        if (etag and self.headers.get("If-None-Match") == etag) or (
                lm and self.headers.get("If-Modified-Since") == lm):
            self.send_response(304)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return

        body = self.body_of(rule, "file", "body")
        referer = self.headers.get("Referer")
        if referer and rule.get("foreign_referer_file"):
            rhost = urllib.parse.urlsplit(referer).hostname or ""
            host = (self.headers.get("Host") or "").split(":")[0]
            if rhost != host:
                body = self.body_of(rule, "foreign_referer_file", "")

        headers = {"Content-Type": rule.get("type", "text/html; charset=utf-8")}
        headers.update(rule.get("headers", {}))
        if etag:
            headers["ETag"] = etag
        if lm:
            headers["Last-Modified"] = lm
        if rule.get("gzip") and "gzip" in (self.headers.get("Accept-Encoding") or ""):
            body = gzip.compress(body, mtime=0)
            headers["Content-Encoding"] = "gzip"

        fault = rule.get("fault")
        self.send_response(int(rule.get("status", 200)))
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if head:
            return
        if fault == "reset":
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            self.connection.close()
            self.close_connection = True
        elif fault == "truncate":
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
        elif fault == "drip":
            step = float(rule.get("drip", 0.1))
            for off in range(0, len(body), 1024):
                self.wfile.write(body[off:off + 1024])
                self.wfile.flush()
                time.sleep(step)
        else:
            self.wfile.write(body)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bind", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=443)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--routes", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--ready", required=True, help="file written once the server listens")
    ap.add_argument("--lifetime", type=float, default=600, help="stop after this many seconds")
    a = ap.parse_args()

    ThreadingHTTPServer.daemon_threads = True
    ThreadingHTTPServer.allow_reuse_address = True
    httpd = ThreadingHTTPServer((a.bind, a.port), Handler)
    httpd.state = State(a.routes, os.path.dirname(os.path.abspath(a.routes)), a.log)
    httpd.state.current_routes()  # a broken routes file fails at start, not at the first request
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(a.cert, a.key)
    httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
    # Bounded: the server stops by itself even if the test that started it dies.
    threading.Timer(a.lifetime, httpd.shutdown).start()
    with open(a.ready, "w") as f:
        f.write(str(httpd.server_address[1]))
    httpd.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
