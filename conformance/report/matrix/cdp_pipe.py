"""A minimal Chrome DevTools Protocol client over --remote-debugging-pipe.

Drives Debian's headless Chromium with nothing but the standard library: Chromium reads
commands from its descriptor 3 and writes replies and events to its descriptor 4, each a JSON
object ended by a NUL byte. No WebSocket, no npm package, no browser download.

    with Browser("/usr/bin/chromium", profile_dir) as browser:
        page = browser.new_page()
        page.navigate("file:///tmp/page.html")
        assert page.evaluate("document.title") == "..."
        page.click("#m thead th")
        png = page.screenshot()
        print(page.console_errors)   # console.error calls, uncaught exceptions, error log entries

Every wait is bounded: a reply or event that does not come within `timeout` seconds raises
TimeoutError, so a stuck browser fails a test instead of hanging it.
"""

import base64
import fcntl
import json
import os
import select
import subprocess
import time

# The flags this machine needs (see the machine notes): root needs --no-sandbox; without the
# background-networking flags Chromium keeps trying hosts a closed network refuses.
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--hide-scrollbars", "--window-size=1400,1000",
    "--remote-debugging-pipe",
]


class BrowserError(Exception):
    """A DevTools command failed, or the page's script threw."""


class Browser:
    def __init__(self, executable, profile_dir, timeout=30.0):
        self.timeout = timeout
        self._next_id = 0
        self._buffer = b""
        self._events = []  # (session id, method, params) not yet consumed
        commands_read, self._commands = os.pipe()   # we write, Chromium reads as descriptor 3
        self._replies, replies_write = os.pipe()    # Chromium writes as descriptor 4, we read

        def wire_descriptors():  # in the child, before exec: our pipe ends become 3 and 4
            a = fcntl.fcntl(commands_read, fcntl.F_DUPFD, 10)
            b = fcntl.fcntl(replies_write, fcntl.F_DUPFD, 10)
            os.dup2(a, 3)
            os.dup2(b, 4)

        env = dict(os.environ, HOME=profile_dir)
        self._log = open(os.path.join(profile_dir, "chromium.log"), "wb")
        self._process = subprocess.Popen(
            [executable, "--user-data-dir=" + os.path.join(profile_dir, "profile")] + FLAGS +
            ["about:blank"],
            stdin=subprocess.DEVNULL, stdout=self._log, stderr=self._log, env=env,
            close_fds=False, preexec_fn=wire_descriptors)
        os.close(commands_read)
        os.close(replies_write)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        if self._process.poll() is None:
            try:
                self.send("Browser.close")
            except (BrowserError, TimeoutError, OSError):
                pass
            try:
                self._process.wait(10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        for fd in (self._commands, self._replies):
            try:
                os.close(fd)
            except OSError:
                pass
        self._log.close()

    def log(self):
        """Chromium's own stderr so far, for failure messages."""
        self._log.flush()
        with open(self._log.name, "rb") as f:
            return f.read().decode("utf-8", "replace")[-4000:]

    def _read_message(self, deadline):
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no message from Chromium in %.0f s" % self.timeout)
            ready, _, _ = select.select([self._replies], [], [], left)
            if ready:
                chunk = os.read(self._replies, 1 << 16)
                if not chunk:
                    raise BrowserError("Chromium closed its pipe: " + self.log())
                self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def send(self, method, params=None, session=None):
        """Sends one command and returns its result, keeping the events that arrive meanwhile."""
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params or {}}
        if session is not None:
            message["sessionId"] = session
        os.write(self._commands, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + self.timeout
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise BrowserError("%s: %s" % (method, reply["error"]))
                return reply.get("result", {})
            if "method" in reply:
                self._events.append((reply.get("sessionId"), reply["method"], reply.get("params", {})))

    def wait_event(self, method, session=None):
        """Returns the params of the first `method` event (of `session`), waiting for it."""
        deadline = time.monotonic() + self.timeout
        while True:
            for i, (s, m, params) in enumerate(self._events):
                if m == method and (session is None or s == session):
                    del self._events[i]
                    return params
            reply = self._read_message(deadline)
            if "method" in reply:
                self._events.append((reply.get("sessionId"), reply["method"], reply.get("params", {})))

    def events(self, session, methods):
        """Drains and returns the events of `session` among `methods` received so far, as
        (method, params); others stay for wait_event."""
        def mine(e):
            return e[0] == session and e[1] in methods
        taken = [(m, p) for s, m, p in self._events if mine((s, m))]
        self._events = [e for e in self._events if not mine(e)]
        return taken

    def new_page(self):
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        return Page(self, session)


class Page:
    CONSOLE_EVENTS = ("Runtime.consoleAPICalled", "Runtime.exceptionThrown", "Log.entryAdded")

    def __init__(self, browser, session):
        self.browser = browser
        self.session = session
        self.console_errors = []
        for domain in ("Page", "Runtime", "Log"):
            self.send(domain + ".enable")

    def send(self, method, params=None):
        result = self.browser.send(method, params, self.session)
        self._collect()
        return result

    def _collect(self):
        """Keeps what counts as a console error: console.error/assert, uncaught exceptions,
        and browser log entries of level error (a failed load, a blocked resource)."""
        for method, params in self.browser.events(self.session, self.CONSOLE_EVENTS):
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                self.console_errors.append(
                    "console.%s: %s" % (params["type"], " ".join(
                        str(a.get("value", a.get("description", ""))) for a in params.get("args", []))))
            elif method == "Runtime.exceptionThrown":
                details = params.get("exceptionDetails", {})
                self.console_errors.append("uncaught: %s" % details.get(
                    "exception", {}).get("description", details.get("text", "")))
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
                entry = params["entry"]
                self.console_errors.append("log: %s %s" % (entry.get("text", ""), entry.get("url", "")))

    def navigate(self, url):
        self.send("Page.navigate", {"url": url})
        self.browser.wait_event("Page.loadEventFired", self.session)
        self._collect()

    def evaluate(self, expression):
        """Returns the value of a JavaScript expression in the page (JSON-serializable)."""
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                "awaitPromise": True})
        if "exceptionDetails" in result:
            raise BrowserError("%s threw: %s" % (expression[:200], result["exceptionDetails"].get(
                "exception", {}).get("description", result["exceptionDetails"].get("text"))))
        return result["result"].get("value")

    def click(self, selector):
        """Clicks the element as a person would: scrolled into view, a real mouse press and
        release at its centre (not element.click(), which skips hit testing)."""
        box = self.evaluate("""(() => {
            const e = document.querySelector(%s);
            if (!e) return null;
            e.scrollIntoView({block: 'center', inline: 'center'});
            const r = e.getBoundingClientRect();
            return {x: r.left + r.width / 2, y: r.top + r.height / 2, w: r.width, h: r.height};
        })()""" % json.dumps(selector))
        if box is None:
            raise BrowserError("nothing matches %s" % selector)
        if box["w"] == 0 or box["h"] == 0:
            raise BrowserError("%s is not visible" % selector)
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent", {"type": kind, "x": box["x"], "y": box["y"],
                                                   "button": "left", "clickCount": 1})

    def screenshot(self):
        """Returns the viewport as PNG bytes."""
        return base64.b64decode(self.send("Page.captureScreenshot", {"format": "png"})["data"])
