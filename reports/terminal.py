"""Terminal rendering with rich. Every string from a file is passed as ``Text`` (never markup),
so a tag value such as ``[bold]`` or an ANSI escape prints literally."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

SEVERITY_STYLE = {"info": "dim", "low": "yellow", "medium": "dark_orange", "high": "bold red"}


def safe(value: Any, limit: int = 300) -> Text:
    """Untrusted text for the terminal: control characters shown escaped, length capped."""
    s = str(value)
    s = "".join(ch if ch.isprintable() or ch == " " else f"\\x{ord(ch):02x}" for ch in s)
    if len(s) > limit:
        s = s[: limit - 1] + "…"
    return Text(s)


def scan_table(doc: dict[str, Any]) -> Table:
    """One row per item: file, type, status, findings (most severe first)."""
    table = Table(title="provenance scan", show_lines=True, expand=True)
    table.add_column("file", overflow="fold", ratio=3)
    table.add_column("type", ratio=1)
    table.add_column("status", ratio=1)
    table.add_column("findings", overflow="fold", ratio=6)
    for item in doc["items"]:
        status = Text(item["status"], style="bold red" if item["status"] == "error" else "green")
        cell = Text()
        if item.get("error"):
            cell.append("error ", style="bold red")
            cell.append_text(safe(item["error"]["code"]))
            cell.append(": ")
            cell.append_text(safe(item["error"]["message"]))
            cell.append("\n")
        for f in item.get("findings", []):
            cell.append(f"{f['severity']:<6} ", style=SEVERITY_STYLE.get(f["severity"], ""))
            cell.append_text(safe(f["code"]))
            cell.append(" — ")
            cell.append_text(safe(f["message"], 220))
            cell.append("\n")
        for c in item.get("checks", []):
            if c["status"] == "error":
                cell.append(f"check {c['name']} failed: ", style="red")
                cell.append_text(safe(c.get("error")))
                cell.append("\n")
        if not cell.plain:
            cell = Text("no findings", style="dim")
        table.add_row(safe(item["path"]), safe(item.get("media_type") or "?"), status,
                      cell.rstrip() or cell)
    return table


def scan_summary(doc: dict[str, Any]) -> Text:
    items = doc["items"]
    errors = sum(1 for i in items if i["status"] == "error")
    by_sev: dict[str, int] = {}
    for i in items:
        top = max((f["severity"] for f in i.get("findings", [])),
                  key=["info", "low", "medium", "high"].index, default=None)
        if top:
            by_sev[top] = by_sev.get(top, 0) + 1
    parts = ", ".join(f"{by_sev[s]} {s}" for s in ("high", "medium", "low", "info") if s in by_sev)
    return Text(f"{len(items)} file(s); {errors} with errors; highest finding per file: "
                f"{parts or 'none'}")


def print_batch_summary(summary: dict[str, Any], console: Console) -> None:
    """The end-of-run line(s): files, levels, errors by code, time and rate."""
    levels = summary.get("levels") or {}
    order = ("high", "medium", "low", "info", "none", "error")
    lv = ", ".join(f"{levels[k]} {k}" for k in order if levels.get(k))
    errs = ", ".join(f"{v} {k}" for k, v in (summary.get("errors_by_code") or {}).items())
    text = Text(f"{summary.get('inputs', 0)} file(s): {summary.get('analysed', 0)} analysed")
    if summary.get("skipped_resume"):
        text.append(f", {summary['skipped_resume']} already done (resume)")
    if summary.get("duplicates_ignored"):
        text.append(f", {summary['duplicates_ignored']} duplicate input(s) ignored")
    text.append(f"; levels: {lv or 'none'}; errors: {errs or 'none'}; "
                f"{summary.get('seconds', 0):.1f} s, {summary.get('files_per_second', 0):.1f}"
                " files/s")
    console.print(text)


def print_scan(doc: dict[str, Any], console: Console) -> None:
    console.print(scan_table(doc))
    console.print(scan_summary(doc))


def _add_mapping(node: Tree, data: Any, depth: int = 0) -> None:
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(value, (dict, list)) and value and depth < 6:
                _add_mapping(node.add(safe(key, 120)), value, depth + 1)
            else:
                line = safe(key, 120)
                line.stylize("cyan")
                line.append(" = ")
                line.append_text(safe(value, 400))
                node.add(line)
    elif isinstance(data, list):
        for i, value in enumerate(data[:200]):
            if isinstance(value, (dict, list)) and depth < 6:
                _add_mapping(node.add(Text(f"[{i}]")), value, depth + 1)
            else:
                node.add(safe(value, 400))


def metadata_tree(item: dict[str, Any]) -> Tree:
    """Every metadata field read, grouped (File, EXIF:IFD0, XMP, ...), like ``exiftool -G``."""
    root = Tree(safe(item["path"]))
    if item.get("error"):
        root.add(Text(f"error {item['error']['code']}: {item['error']['message']}",
                      style="bold red"))
    md = item.get("metadata") or {}
    for group, value in md.items():
        if value in (None, {}, []):
            continue
        _add_mapping(root.add(Text(group, style="bold")), value)
    return root
