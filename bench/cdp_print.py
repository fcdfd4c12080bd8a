#!/usr/bin/env python3
"""bench/cdp_print.py URL OUT.pdf CHROMIUM [FLAG...]: prints URL to OUT.pdf with headless Chromium
through the DevTools protocol, the PDF streamed back in pieces.

`chromium --print-to-pdf` writes no PDF of a big book (a 100-article one of bench/pdf.sh,
~450 MB): as the finished PDF comes back a renderer dies ("V8 error: Empty MaybeLocal
(v8::ToLocalChecked)", then "Abnormal renderer termination"), it seems because the PDF is handed
back whole, as one base64 string, past what V8 takes (2^29 characters, ~400 MB of PDF).  This
does what --print-to-pdf does, over --remote-debugging-pipe (JSON messages ending in NUL, sent on
Chromium's fd 3, answers on its fd 4): opens a page, waits for its load event, then
Page.printToPDF with the page size and margins of the CSS @page (preferCSSPageSize), no header or
footer, backgrounds printed, and transferMode ReturnAsStream; then reads the stream with IO.read,
16 MiB a time, into OUT.pdf.  CHROMIUM [FLAG...] is the command to run, e.g.
  chromium --headless=new --no-sandbox --disable-gpu --user-data-dir=DIR
(--remote-debugging-pipe is added).  Exit status 0 when OUT.pdf was written.
"""
import base64
import json
import os
import sys


class Pipe:
    def __init__(self, cmd):
        to_r, self.to_w = os.pipe()  # we write commands, Chromium reads them on fd 3
        self.from_r, from_w = os.pipe()  # Chromium writes answers on fd 4, we read them
        self.pid = os.fork()
        if self.pid == 0:
            hi_r, hi_w = os.dup(to_r), os.dup(from_w)  # out of the way of 3 and 4
            os.dup2(hi_r, 3)
            os.dup2(hi_w, 4)
            os.set_inheritable(3, True)
            os.set_inheritable(4, True)
            try:
                os.execvp(cmd[0], cmd + ["--remote-debugging-pipe"])
            finally:
                os._exit(127)
        os.close(to_r)
        os.close(from_w)
        self.buf, self.next_id, self.events = b"", 0, []

    def _message(self):
        while b"\0" not in self.buf:
            data = os.read(self.from_r, 1 << 20)
            if not data:
                sys.exit("cdp_print.py: Chromium closed the pipe")
            self.buf += data
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def call(self, method, session=None, **params):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params}
        if session:
            msg["sessionId"] = session
        data = json.dumps(msg).encode() + b"\0"
        while data:
            data = data[os.write(self.to_w, data):]
        while True:
            m = self._message()
            if m.get("id") == self.next_id:
                if "error" in m:
                    sys.exit(f"cdp_print.py: {method}: {m['error']}")
                return m["result"]
            self.events.append(m)

    def wait_event(self, method, session):
        while True:
            for i, m in enumerate(self.events):
                if m.get("method") == method and m.get("sessionId") == session:
                    return self.events.pop(i)
            self.events.append(self._message())


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__.split("\n\n")[0])
    url, out, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
    cdp = Pipe(cmd)
    target = cdp.call("Target.createTarget", url="about:blank")["targetId"]
    session = cdp.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
    cdp.call("Page.enable", session)
    cdp.call("Page.navigate", session, url=url)
    cdp.wait_event("Page.loadEventFired", session)
    stream = cdp.call("Page.printToPDF", session, preferCSSPageSize=True, displayHeaderFooter=False,
                      printBackground=True, transferMode="ReturnAsStream")["stream"]
    with open(out + ".part", "wb") as f:
        while True:
            r = cdp.call("IO.read", session, handle=stream, size=16 << 20)
            f.write(base64.b64decode(r["data"]) if r.get("base64Encoded") else r["data"].encode())
            if r.get("eof"):
                break
    cdp.call("IO.close", session, handle=stream)
    os.rename(out + ".part", out)
    try:
        cdp.call("Browser.close")
    except SystemExit:
        pass  # it closed the pipe on its way out
    _, status = os.waitpid(cdp.pid, 0)
    print(f"{os.path.getsize(out)} bytes written to file {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
