"""The demo report as a person sees it: rendered by headless Chromium from the file alone, no
network request, and an XSS payload in an EXIF field shown as text, never run."""

from __future__ import annotations

import io
import json
import re
import subprocess
from pathlib import Path

import pytest
from adversarial.browser import chromium as _chromium
from adversarial.browser import page_requests as _page_requests
from PIL import Image

from provenancekit.forensics.case import run_case
from provenancekit.reports.case_report import write_case_outputs
from provenancekit.samples.demo import build_case

SCRIPT = "<script>document.title='pwned'</script>"
IMG = "<img src=x onerror=\"document.title='pwned2'\">"


def _xss_jpeg() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = SCRIPT  # Make
    exif[0x0110] = IMG  # Model
    exif[0x010E] = "caption " + SCRIPT  # ImageDescription
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (120, 130, 140)).save(buf, "JPEG", quality=90,
                                                     exif=exif.tobytes())
    return buf.getvalue()


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    folder = tmp_path_factory.mktemp("browser") / "case"
    case_file = build_case(folder)
    (folder / "evidence" / "xss.jpg").write_bytes(_xss_jpeg())
    text = case_file.read_text(encoding="utf-8")
    item = ("  - id: X1\n    file: evidence/xss.jpg\n"
            f"    purports: {json.dumps(SCRIPT)}\n")
    case_file.write_text(text.replace("review:\n", item + "review:\n", 1), encoding="utf-8")
    report = run_case(case_file)
    write_case_outputs(report, folder / "out")
    return folder / "out", report


def test_untrusted_strings_are_escaped_in_the_html(rendered: tuple[Path, dict]) -> None:
    out, report = rendered
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "<script" not in html.lower()
    assert "<img src=x" not in html
    assert "&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=" in html
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html)
    policy = csp.group(1).replace("&#39;", "'") if csp else ""
    assert "default-src 'none'" in policy and "script-src 'none'" in policy
    assert not re.search(r'(src|href)="(?!data:)', html)  # nothing loaded from anywhere
    xss = next(e for e in report["evidence"] if e["id"] == "X1")
    assert xss["summary"]["make"] == SCRIPT  # the data keeps the value exactly


def test_headless_chromium_renders_offline_without_running_the_payload(
        rendered: tuple[Path, dict], tmp_path: Path) -> None:
    browser = _chromium()
    if browser is None:
        pytest.skip("Debian's chromium is not installed (.ci/run installs it with apt-get); "
                    "the headless browser test needs it")
    out, _ = rendered
    page = (out / "report.html").resolve().as_uri()
    netlog = tmp_path / "netlog.json"
    shot = tmp_path / "report.png"
    base = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
            "--no-first-run", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--disable-default-apps", "--disable-extensions",
            "--disable-features=NetworkTimeServiceQuerying,OptimizationHints,Translate",
            "--hide-scrollbars", "--window-size=1200,2400"]
    dom = subprocess.run(base + [f"--user-data-dir={tmp_path / 'p1'}",
                                 f"--log-net-log={netlog}", "--net-log-capture-mode=Default",
                                 "--dump-dom", page],
                         capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    html = dom.stdout
    title = re.search(r"<title>(.*?)</title>", html, re.S)
    assert title and "pwned" not in title.group(1) and "provenance case report" in title.group(1)
    assert "<script" not in html.lower()
    assert "document.title='pwned'" in html.replace("&#39;", "'")  # shown as text
    assert "X1 · evidence/xss.jpg" in html
    page_requests = _page_requests(netlog)
    assert not page_requests, page_requests
    # Control: the same measurement does see a page that loads something.
    leaky = tmp_path / "leaky.html"
    leaky.write_text('<html><body><img src="http://example.invalid/x.png">x</body></html>')
    netlog2 = tmp_path / "netlog2.json"
    subprocess.run(base + [f"--user-data-dir={tmp_path / 'p3'}", f"--log-net-log={netlog2}",
                           "--dump-dom", leaky.as_uri()], capture_output=True, timeout=120)
    assert _page_requests(netlog2) == ["http://example.invalid/x.png"]
    run = subprocess.run(base + [f"--user-data-dir={tmp_path / 'p2'}",
                                 f"--screenshot={shot}", page],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and shot.is_file(), run.stderr[-2000:]
    with Image.open(shot) as img:
        assert img.size == (1200, 2400)
        grey = img.convert("L")
        assert grey.getextrema()[0] < 60  # text was drawn, not a blank page
