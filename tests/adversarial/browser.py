"""Headless Chromium for the report tests: render a page from the file alone, read back the
DOM it built (after any script ran) and the URLs the page asked the network for."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

BASE_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
              "--disable-background-networking", "--disable-component-update", "--disable-sync",
              "--disable-default-apps", "--disable-extensions",
              "--disable-features=NetworkTimeServiceQuerying,OptimizationHints,Translate",
              "--hide-scrollbars", "--window-size=1200,2400")


def chromium() -> str | None:
    """The Chromium (or Chrome) executable, or ``None`` when none is installed."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def page_requests(netlog: Path) -> list[str]:
    """URLs the *page* asked the network for, from Chromium's net-log.

    The browser process makes requests of its own (clock sync, component updates) with the
    initiator "not an origin"; anything the report itself loads carries the page's origin
    (``null`` for a file:// page). Only the latter are the report's requests.
    """
    text = netlog.read_text(errors="replace").rstrip()
    try:
        log = json.loads(text)
    except json.JSONDecodeError:  # a log cut short when the browser exits
        log = json.loads(text.rstrip(",") + "]}")
    names = {v: k for k, v in log["constants"]["logEventTypes"].items()}
    out = []
    for ev in log["events"]:
        params = ev.get("params") or {}
        if names.get(ev.get("type")) != "URL_REQUEST_START_JOB" or "url" not in params:
            continue
        if params.get("initiator") == "not an origin":
            continue
        if not str(params["url"]).startswith(("data:", "file:")):
            out.append(str(params["url"]))
    return out


@dataclass
class Rendered:
    """What Chromium made of a page: the serialised DOM and the page's network requests."""

    dom: str
    requests: list[str]


def render(browser: str, page: Path, workdir: Path, *, budget_ms: int = 1500,
           timeout: float = 120) -> Rendered:
    """Load ``page`` (a local file) headless; the DOM is dumped after ``budget_ms`` of
    virtual time, so load events, ``onerror`` handlers and timers have run."""
    workdir.mkdir(parents=True, exist_ok=True)
    netlog = workdir / "netlog.json"
    run = subprocess.run([browser, *BASE_FLAGS, f"--user-data-dir={workdir / 'profile'}",
                          f"--log-net-log={netlog}", "--net-log-capture-mode=Default",
                          f"--virtual-time-budget={budget_ms}", "--dump-dom",
                          page.resolve().as_uri()],
                         capture_output=True, text=True, timeout=timeout)
    if run.returncode != 0:
        raise RuntimeError(f"chromium failed on {page}: {run.stderr[-2000:]}")
    return Rendered(run.stdout, page_requests(netlog))


@dataclass
class Dom:
    """A parsed DOM dump: the title, the text of the body, and every element."""

    title: str = ""
    text: str = ""
    elements: list[tuple[str, list[tuple[str, str]]]] = field(default_factory=list)
    titles: int = 0


class _DomParser(HTMLParser):
    """Collects ``textContent`` of ``<body>`` (as one string), the ``<title>`` text and each
    element with its attributes. Text inside ``<script>``/``<style>`` is not page text."""

    RAW = ("script", "style")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.dom = Dom()
        self._text: list[str] = []
        self._title: list[str] = []
        self._stack: list[str] = []
        self._in_body = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.dom.elements.append((tag, [(k, v or "") for k, v in attrs]))
        if tag == "body":
            self._in_body = True
        if tag == "title":
            self.dom.titles += 1
        if tag not in ("br", "img", "input", "meta", "link", "hr", "source", "embed", "wbr",
                       "col", "area", "base", "param", "track"):
            self._stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.dom.elements.append((tag, [(k, v or "") for k, v in attrs]))

    def handle_endtag(self, tag: str) -> None:
        if tag in self._stack:
            while self._stack and self._stack.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if "title" in self._stack and not self._in_body:
            self._title.append(data)
        elif self._in_body and not any(t in self.RAW for t in self._stack):
            self._text.append(data)

    def close(self) -> None:
        super().close()
        self.dom.text = "".join(self._text)
        self.dom.title = "".join(self._title)


def parse_dom(html: str) -> Dom:
    parser = _DomParser()
    parser.feed(html)
    parser.close()
    return parser.dom
