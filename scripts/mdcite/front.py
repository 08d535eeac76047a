"""The HTTP front of ``mdcite serve``: the address the writer opens.

It passes every request on to the generator's own server (on a private port), which serves the
last good build, and adds one thing: while the sources do not pass ``mdcite check``'s rules, a
request for a page is answered at once with the errors, each ``path:line:col: level: message``
with the line it points at, instead of the generator's view of a build that would fail. Every page
it passes on carries a small script that asks ``/__mdcite/status`` whether the sources still pass,
so an open page turns into the list of errors when a save breaks the site, and the list turns back
into the page when a save fixes it. Assets, downloads and the generator's live reload pass through
untouched, so they keep coming from the last good build.
"""

from __future__ import annotations

import http.client
import json
import select
import socket
import sys
import threading
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from .errors import Diagnostic

STATUS_PATH = "/__mdcite/status"
# Headers that belong to one connection, not to the message (RFC 9110, 7.6.1).
HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
              "transfer-encoding", "upgrade", "content-length", "accept-encoding"}
# The generator answers a page during a rebuild only when the rebuild is done, and its live
# reload holds a request for up to a minute: wait longer than both before giving up.
UPSTREAM_TIMEOUT = 150.0


class State:
    """What the last look at the sources found, shared by the serve loop and the front."""

    def __init__(self, root: Path):
        self.root = root
        self.lock = threading.Lock()
        self.generation = 0  # changes whenever what a page should show changes
        self.errors: list[Diagnostic] = []
        self.stuck: list[str] = []  # what the generator said when its own rebuild failed

    def update(self, errors: list[Diagnostic]) -> None:
        with self.lock:
            if errors != self.errors or not errors:
                self.generation += 1
            self.errors = list(errors)

    def generator_failed(self, said: list[str]) -> None:
        """The generator could not build sources that pass the checks (a template, or one of its
        own strict warnings): MkDocs then holds every request until a rebuild succeeds."""
        with self.lock:
            self.stuck = list(said)
            self.generation += 1

    def generator_built(self) -> None:
        with self.lock:
            if self.stuck:
                self.stuck = []
                self.generation += 1

    def snapshot(self) -> tuple[int, list[Diagnostic], list[str]]:
        with self.lock:
            return self.generation, list(self.errors), list(self.stuck)


def is_page(path: str) -> bool:
    """A request for a page of the site (not an asset, a download or the live reload)."""
    last = path.split("?", 1)[0].rsplit("/", 1)[-1]
    return last == "" or last.endswith(".html") or "." not in last


def poll_script(generation: int, reload_when: str) -> str:
    """Ask the front every second how the sources stand; reload the page when ``reload_when``
    (a JavaScript condition on ``s``, the status, and ``g``, this page's generation) holds."""
    return (f"<script>/* mdcite serve */(function(){{var g={generation};function poll(){{"
            f"fetch('{STATUS_PATH}',{{cache:'no-store'}}).then(function(r){{return r.json()}})"
            f".then(function(s){{if({reload_when}){{location.reload()}}else{{setTimeout(poll,1000)}}}})"
            f".catch(function(){{setTimeout(poll,2000)}})}}setTimeout(poll,1000)}})();</script>")


PAGE_STYLE = ("body{font:16px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;"
              "color:#1a1a1a}h1{font-size:1.4rem;color:#b00020}li{margin:0 0 1rem}"
              "code{font-family:ui-monospace,monospace;font-weight:600}.note code{font-weight:400}"
              "pre{background:#f4f4f4;padding:.5rem;overflow:auto;margin:.3rem 0 0}")


def excerpt(root: Path, d: Diagnostic) -> str:
    """The source line a diagnostic points at, with a caret under its column ("" if unreadable)."""
    try:
        lines = (root / d.path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError, ValueError):
        return ""
    if not 1 <= d.line <= len(lines):
        return ""
    line = lines[d.line - 1]
    caret = " " * (max(d.col, 1) - 1) + "^"
    return f"<pre>{escape(line, quote=False)}\n{caret}</pre>"


def error_page(root: Path, generation: int, errors: list[Diagnostic], stuck: list[str] = ()) -> str:
    """The errors, each as ``path:line:col: level: message`` (its fix in the message) and the line
    it points at, or what the generator said when only its build failed; the page reloads itself
    when a save changes them."""
    items = "".join(f'<li class="{escape(d.level)}"><code>{escape(str(d), quote=False)}</code>{excerpt(root, d)}</li>'
                    for d in errors)
    if stuck:
        items += (f"<li><code>The generator could not build the site (the checks passed); it said:</code>"
                  f"<pre>{escape(chr(10).join(stuck), quote=False)}</pre></li>")
    total = sum(d.level == "error" for d in errors) + bool(stuck)
    count = f"{total} error" + ("" if total == 1 else "s")
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>The site cannot build: '
            f"{count}</title><style>{PAGE_STYLE}</style></head><body><h1>The site cannot build: {count}</h1>"
            f"<p><code>mdcite check</code> found what the terminal of <code>make serve</code> shows. Fix it "
            f"and save: this page reloads by itself. Until then the last good build is served for "
            f"everything else.</p><ol>{items}</ol>"
            f"{poll_script(generation, 's.generation!==g')}</body></html>")


def waiting_page(generation: int) -> str:
    return ('<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Building…</title>'
            f"<style>{PAGE_STYLE}</style></head><body><h1>Building the site…</h1><p>The generator has not "
            f"served its first build yet; this page reloads by itself when it has.</p>"
            f"{poll_script(generation, 's.ready')}</body></html>")


class Front(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], upstream: tuple[str, int], state: State):
        self.upstream, self.state = upstream, state
        super().__init__(address, Handler)

    def handle_error(self, request, client_address) -> None:
        """A browser that left mid-answer (a closed tab, a reload) is not worth a traceback in the
        writer's terminal; anything else is."""
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)

    def upstream_ready(self) -> bool:
        try:
            with socket.create_connection(self.upstream, timeout=0.5):
                return True
        except OSError:
            return False


class Handler(BaseHTTPRequestHandler):
    server: Front
    protocol_version = "HTTP/1.0"  # one request a connection: simple, and enough for a preview

    def log_message(self, format, *args) -> None:  # the generator logs what matters
        pass

    def do_GET(self) -> None:
        self.handle_request()

    do_HEAD = do_POST = do_PUT = do_DELETE = do_OPTIONS = do_GET

    def handle_request(self) -> None:
        state = self.server.state
        generation, errors, stuck = state.snapshot()
        if self.path.split("?", 1)[0] == STATUS_PATH:
            body = json.dumps({"generation": generation, "ok": not errors and not stuck,
                               "ready": self.server.upstream_ready()}).encode()
            return self.answer(200, "application/json", body)
        if self.headers.get("Upgrade"):  # Zensical's live reload: a WebSocket at the page's address
            return self.tunnel()
        page = self.command == "GET" and is_page(self.path)
        if (errors or stuck) and page:
            return self.answer(500, "text/html; charset=utf-8",
                               error_page(state.root, generation, errors, stuck).encode("utf-8"))
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        connection = http.client.HTTPConnection(*self.server.upstream, timeout=UPSTREAM_TIMEOUT)
        try:
            connection.request(self.command, self.path, body=body, headers=headers)
            response = connection.getresponse()
        except ConnectionRefusedError:
            connection.close()
            if page:
                return self.answer(503, "text/html; charset=utf-8", waiting_page(generation).encode("utf-8"))
            return self.answer(503, "text/plain", b"the generator has not served its first build yet\n")
        except OSError as exc:
            connection.close()
            return self.answer(504, "text/plain", f"the generator did not answer: {exc}\n".encode())
        try:
            self.relay(response, page, generation)
        finally:
            connection.close()

    def relay(self, response: http.client.HTTPResponse, page: bool, generation: int) -> None:
        """The generator's answer, with the status script added to a page."""
        content = response.read()
        kind = response.getheader("Content-Type", "")
        if page and kind.startswith("text/html") and response.status == 200:
            script = poll_script(generation, "!s.ok").encode("utf-8")
            at = content.rfind(b"</body>")
            content = content[:at] + script + content[at:] if at >= 0 else content + script
        self.send_response(response.status, response.reason)
        for name, value in response.getheaders():
            if name.lower() not in HOP_BY_HOP:
                self.send_header(name, value.replace(self.upstream_host(), self.public_host()))
        self.send_header("Content-Length", str(len(content)))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(content)

    def upstream_host(self) -> str:
        host, port = self.server.upstream
        return f"{host}:{port}"

    def public_host(self) -> str:
        host, port = self.server.server_address[:2]
        return self.headers.get("Host") or f"{host}:{port}"

    def answer(self, status: int, kind: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def tunnel(self) -> None:
        """A WebSocket (a generator's live reload): the bytes both ways, as they come."""
        try:
            upstream = socket.create_connection(self.server.upstream, timeout=5)
        except OSError:
            return self.answer(503, "text/plain", b"the generator is not serving yet\n")
        upstream.settimeout(None)
        head = f"{self.requestline}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in self.headers.items()) + "\r\n"
        upstream.sendall(head.encode("latin-1"))
        client = self.connection
        client.settimeout(None)
        self.close_connection = True  # the client sends nothing more until the upgrade is answered
        try:
            while True:
                ready, _, _ = select.select([client, upstream], [], [], UPSTREAM_TIMEOUT)
                if not ready:
                    break
                for source in ready:
                    data = source.recv(65536)
                    if not data:
                        return
                    (upstream if source is client else client).sendall(data)
        except OSError:
            return
        finally:
            upstream.close()


def start(address: tuple[str, int], upstream: tuple[str, int], state: State) -> Front:
    """The front, answering on its own thread until ``shutdown()``."""
    front = Front(address, upstream, state)
    threading.Thread(target=front.serve_forever, name="mdcite-front", daemon=True).start()
    return front
