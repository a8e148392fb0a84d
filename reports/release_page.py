"""The ``provenance release show`` page: a scan document's ``release`` section as HTML.

Clusters as groups (members and the exact shared values), the lineage graph (inline SVG: one
column per generation, an arrow from each source to what was made from it, undirected links
dashed), the counter/time tables and the release findings. Reads only the document; the page
loads nothing, runs no script (strict Content-Security-Policy, like the case report), and
every string from a file is escaped (Jinja autoescape, :func:`markupsafe.escape` in the SVG).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from markupsafe import Markup, escape

from .html import _env, content_security_policy, css_text

KIND_TITLES = {"device": "Device", "pipeline": "Pipeline (writer fingerprint)",
               "signer": "Signer", "place_time": "Place and time"}


def _short(path: str) -> str:
    return path.replace("\\", "/").rsplit("/", 1)[-1]


def _layers(edges: list[dict[str, Any]]) -> dict[str, int]:
    """Generation of each node: 0 for sources, else one more than its deepest source
    (directed edges only; a cycle is cut after as many rounds as there are nodes)."""
    nodes = {e[k] for e in edges for k in ("from", "to")}
    depth = dict.fromkeys(nodes, 0)
    directed = [e for e in edges if e.get("directed", True)]
    for _ in range(len(nodes)):
        changed = False
        for e in directed:
            if depth[e["to"]] < depth[e["from"]] + 1:
                depth[e["to"]] = depth[e["from"]] + 1
                changed = True
        if not changed:
            break
    return depth


def lineage_svg(edges: list[dict[str, Any]], *, max_nodes: int = 150,
                width: int = 860) -> Markup:
    """The lineage graph as inline SVG (at most ``max_nodes`` nodes; the rest are said)."""
    if not edges:
        return Markup("")
    depth = _layers(edges)
    order = sorted(depth, key=lambda n: (depth[n], n))[:max_nodes]
    shown = set(order)
    cols: dict[int, list[str]] = defaultdict(list)
    for n in order:
        cols[depth[n]].append(n)
    ncol = max(cols) + 1
    col_w = max(170, (width - 40) // max(1, ncol))
    row_h, box_w, box_h = 46, min(160, col_w - 30), 26
    height = 40 + row_h * max(len(v) for v in cols.values())
    pos = {n: (20 + c * col_w, 20 + r * row_h) for c, ns in cols.items()
           for r, n in enumerate(ns)}
    w = max(width, 40 + ncol * col_w)
    parts = [f'<svg class="map" xmlns="http://www.w3.org/2000/svg" width="{w}" '
             f'height="{height}" viewBox="0 0 {w} {height}" role="img" '
             'aria-label="lineage graph">',
             '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
             'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
             'fill="#555"/></marker></defs>']
    for e in edges:
        if e["from"] not in shown or e["to"] not in shown:
            continue
        (x1, y1), (x2, y2) = pos[e["from"]], pos[e["to"]]
        a = (x1 + box_w, y1 + box_h / 2)
        b = (x2, y2 + box_h / 2)
        if x1 == x2:  # one generation (undirected): join the boxes' sides
            a, b = (x1 + box_w / 2, y1 + box_h), (x2 + box_w / 2, y2)
        dash = "" if e.get("directed", True) else ' stroke-dasharray="5,4"'
        head = ' marker-end="url(#arrow)"' if e.get("directed", True) else ""
        parts.append(f'<line x1="{a[0]:.1f}" y1="{a[1]:.1f}" x2="{b[0]:.1f}" y2="{b[1]:.1f}" '
                     f'stroke="#555" stroke-width="1.4"{dash}{head}>'
                     f'<title>{escape(e["relation"])}: {escape(e["from"])} -&gt; '
                     f'{escape(e["to"])}</title></line>')
        mx, my = (a[0] + b[0]) / 2, (a[1] + b[1]) / 2 - 3
        parts.append(f'<text x="{mx:.1f}" y="{my:.1f}" font-size="10.5" fill="#7a2e00" '
                     f'text-anchor="middle">{escape(e["relation"])}</text>')
    for n in order:
        x, y = pos[n]
        label = _short(n)
        label = label if len(label) <= 24 else label[:22] + "…"
        parts.append(f'<rect x="{x}" y="{y}" width="{box_w}" height="{box_h}" rx="4" '
                     f'fill="#eef3fb" stroke="#4a6a9a"><title>{escape(n)}</title></rect>'
                     f'<text x="{x + 6}" y="{y + 17}" font-size="11.5" fill="#111">'
                     f'{escape(label)}</text>')
    parts.append("</svg>")
    left = len(depth) - len(order)
    note = f'<p class="meta">{left} more file(s) not drawn.</p>' if left > 0 else ""
    return Markup("".join(parts) + note)


def render_release_html(doc: dict[str, Any]) -> str:
    """The page for a scan document that has a ``release`` section."""
    release = doc["release"]
    css = css_text()
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for c in release.get("clusters") or []:
        groups[c["kind"]].append(c)
    return _env().get_template("release_page.html.j2").render(
        d=doc, r=release, css=Markup(css), csp=content_security_policy(css),
        groups=[(k, KIND_TITLES.get(k, k), groups.get(k, [])) for k in KIND_TITLES],
        lineage_svg=lineage_svg(release.get("lineage") or []), short=_short)
