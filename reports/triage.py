"""``triage.html``: one self-contained page listing every file of a batch, most suspicious
first, sortable and filterable without a server.

Everything from a file (names, findings, EXIF strings) is escaped by Jinja2's autoescaping;
the page loads nothing from the network (Content-Security-Policy ``default-src 'none'``) and
runs only the small script shipped inline here, allowed by its SHA-256 hash.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable
from importlib import resources
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from .html import metadata_fields
from .text import reveal

MAX_HEATMAP_ITEMS = 100
"""Items (most suspicious first, level medium or high) whose heat maps the page embeds; the
others' are in the JSON results (``checks[].artifacts``), so a page of thousands of files
stays small."""

SCRIPT = """
(function () {
  var table = document.getElementById('items');
  var rows = Array.prototype.slice.call(table.tBodies[0].rows);
  var filter = document.getElementById('filter');
  var level = document.getElementById('level');
  function apply() {
    var q = filter.value.toLowerCase(), l = level.value;
    rows.forEach(function (r) {
      var ok = (!q || r.textContent.toLowerCase().indexOf(q) >= 0) &&
               (!l || r.getAttribute('data-level') === l);
      r.hidden = !ok;
    });
  }
  filter.addEventListener('input', apply);
  level.addEventListener('change', apply);
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
    th.addEventListener('click', function () {
      var asc = th.getAttribute('data-asc') !== '1';
      th.setAttribute('data-asc', asc ? '1' : '0');
      rows.sort(function (a, b) {
        var x = a.cells[col].getAttribute('data-sort') || a.cells[col].textContent;
        var y = b.cells[col].getAttribute('data-sort') || b.cells[col].textContent;
        var nx = parseFloat(x), ny = parseFloat(y);
        var c = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
        return asc ? c : -c;
      });
      rows.forEach(function (r) { table.tBodies[0].appendChild(r); });
    });
  });
})();
"""


def _env() -> Environment:
    env = Environment(loader=FileSystemLoader(str(resources.files(__package__) / "templates")),
                      autoescape=select_autoescape(("html", "j2"), default=True,
                                                   default_for_string=True),
                      trim_blocks=True, lstrip_blocks=True, finalize=reveal)
    # JSON shown as text: readable (no \u003c escapes, which ``tojson`` adds for <script>
    # contexts), then HTML-escaped by autoescaping like any other value.
    env.filters["json_text"] = lambda v: json.dumps(v, indent=1, ensure_ascii=False,
                                                    sort_keys=True, default=str)
    return env


def _figures(item: dict[str, Any]) -> list[dict[str, Any]]:
    """The item's heat maps (inline PNG artifacts of its checks)."""
    out = []
    for check in item.get("checks") or []:
        for art in check.get("artifacts") or []:
            if str(art.get("media_type", "")).startswith("image/") and art.get("data_base64"):
                out.append({"check": check.get("name"), "name": art.get("name"),
                            "description": art.get("description"),
                            "media_type": art["media_type"], "data_base64": art["data_base64"]})
    return out


def script_hash(script: str = SCRIPT) -> str:
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return "sha256-" + base64.b64encode(digest).decode("ascii")


def render_triage(items: Iterable[dict[str, Any]], *, summary: dict[str, Any],
                  thumbnails: dict[str, bytes] | None = None, title: str = "provenance triage"
                  ) -> str:
    """The page as a string. ``thumbnails`` maps an item's path to its JPEG thumbnail bytes,
    inlined as ``data:`` URIs (the page loads nothing)."""
    template = _env().get_template("triage.html.j2")
    rows = []
    with_maps = 0
    for item in items:
        data = (thumbnails or {}).get(item.get("path", ""))
        thumb = "data:image/jpeg;base64," + base64.b64encode(data).decode("ascii") \
            if isinstance(data, bytes) and data else None
        tri = item.get("triage") or {"level": "none", "score": 0.0}
        figures = _figures(item) if tri.get("level") in ("high", "medium") and \
            with_maps < MAX_HEATMAP_ITEMS else []
        with_maps += bool(figures)
        rows.append({"item": item, "thumb": thumb, "triage": tri, "figures": figures,
                     "fields": metadata_fields(item)})
    return template.render(rows=rows, summary=summary, title=title, script=SCRIPT,
                           script_hash=script_hash())
