"""Terminal rendering of the ``index`` commands (add lines, stats, query matches).

Works on the plain dictionaries the library returns (``AddResult.to_dict()``,
``stats()``, ``QueryResult.to_dict()``); every string from an index or a file is shown as
data (``Text``), never as markup.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from .terminal import safe

_STATUS_STYLE = {"added": "green", "exists": "dim", "skipped": "yellow"}


def _lines(values: list[Any], limit: int = 200) -> Text:
    """Several untrusted values, one per line."""
    out = Text()
    for i, v in enumerate(values):
        if i:
            out.append("\n")
        out.append_text(safe(v, limit))
    return out


def add_line(result: dict[str, Any]) -> Text:
    """One line per input of ``index add``."""
    line = Text(f"{result['status']:<8}", style=_STATUS_STYLE.get(result["status"], ""))
    line.append_text(safe(result["path"], 200))
    if result["status"] == "skipped":
        line.append("  ")
        line.append_text(safe(f"[{result.get('code')}] {result.get('message', '')}", 300))
    elif result.get("message") and result["message"] != "added":
        line.append("  ")
        line.append_text(safe(result["message"], 200))
    return line


def add_summary(counts: dict[str, int], index_path: str) -> Text:
    parts = ", ".join(f"{counts.get(k, 0)} {k}" for k in ("added", "exists", "skipped"))
    text = Text(f"{parts}; index: ")
    text.append_text(safe(index_path, 300))
    return text


def print_stats(stats: dict[str, Any], console: Console) -> None:
    table = Table(title="known-imagery index", show_header=False)
    table.add_column("field", style="cyan")
    table.add_column("value", overflow="fold")
    for key in ("path", "store", "images", "with_features", "with_url", "with_first_seen",
                "first_seen_range", "low_quality_pdq", "file_bytes", "schema", "created_at"):
        table.add_row(key, safe(stats.get(key)))
    for lib, ver in (stats.get("hash_versions") or {}).items():
        table.add_row(f"hash version: {lib}", safe(ver))
    console.print(table)


def print_query(results: list[dict[str, Any]], console: Console) -> None:
    """Ranked matches per query image: distances, transformation, where/when first seen."""
    for res in results:
        head = Text("query ", style="bold")
        head.append_text(safe(res["path"], 300))
        console.print(head)
        if res.get("error"):
            err = Text("  error ", style="bold red")
            err.append_text(safe(f"[{res['error']['code']}] {res['error']['message']}"))
            console.print(err)
            continue
        if not res["matches"]:
            none = Text("  no match in the index", style="dim")
            near = res.get("closest_non_matches") or []
            if near and near[0]["distances"]["pdq"] is not None:
                none.append(f" (closest candidate: PDQ {near[0]['distances']['pdq']}/256)")
            console.print(none)
            continue
        table = Table(show_lines=True, expand=True)
        for col, ratio in (("#", 1), ("first seen / url / caption", 6), ("distances", 3),
                           ("verification", 3), ("transformation", 4), ("method", 3)):
            table.add_column(col, overflow="fold", ratio=ratio)
        for rank, m in enumerate(res["matches"], 1):
            e = m["entry"]
            where = Text()
            where.append_text(safe(e.get("first_seen") or "first_seen unknown"))
            where.append("\n")
            where.append_text(safe(e.get("url") or "no url", 200))
            if e.get("caption"):
                where.append("\n")
                where.append_text(safe(e["caption"], 200))
            if e.get("credit"):
                where.append("\n© ")
                where.append_text(safe(e["credit"], 120))
            d = m["distances"]
            dist = Text(f"PDQ {d['pdq']}/256\npHash {d['phash']}/64\ndHash {d['dhash']}/64")
            if m.get("low_quality_pdq"):
                dist.append("\nlow PDQ quality", style="yellow")
            v = m.get("verification")
            ver = Text("-") if not v else Text(
                f"{'verified' if v['verified'] else 'not verified'}: {v['inliers']} inliers"
                + (", mirrored" if v.get("mirrored") else ""))
            tr = m["transformation"]
            bits = [f"{k}: {tr[k]}" for k in ("orientation", "scale", "crop_box",
                                               "visible_fraction", "borders_added",
                                               "aspect_changed") if tr.get(k) is not None]
            table.add_row(str(rank), where, dist, ver, _lines(bits),
                          _lines([m["method"], f"{m['confidence']} confidence"]))
        console.print(table)
