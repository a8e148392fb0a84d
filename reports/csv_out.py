"""CSV output: one row per item with the summary fields (spreadsheet-friendly)."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import IO, Any

COLUMNS = ("path", "status", "error_code", "triage_level", "triage_score", "top_findings",
           "media_type", "sha256", "size", "make", "model", "software", "datetime_original",
           "gps_lat", "gps_lon", "width", "height")


_FORMULA = re.compile(r"\s*[=+\-@]")


def _cell(value: Any) -> Any:
    """Neutralise spreadsheet formulas (OWASP CSV injection): a cell starting with = + - @,
    tab, CR or NUL, or with = + - @ after leading whitespace (spreadsheets skip it), is
    prefixed with '."""
    if isinstance(value, str) and (value[:1] in ("\t", "\r", "\x00") or _FORMULA.match(value)):
        return "'" + value
    return value


def row(item: dict[str, Any]) -> dict[str, Any]:
    s = (item.get("metadata") or {}).get("summary") or {}
    gps = s.get("gps") or {}
    tri = item.get("triage") or {}
    return {
        "path": item.get("path"), "status": item.get("status"),
        "error_code": (item.get("error") or {}).get("code"),
        "triage_level": tri.get("level"), "triage_score": tri.get("score"),
        "top_findings": " ".join(tri.get("top") or []),
        "media_type": item.get("media_type"), "sha256": item.get("sha256"),
        "size": item.get("size"), "make": s.get("make"), "model": s.get("model"),
        "software": s.get("software"), "datetime_original": s.get("datetime_original"),
        "gps_lat": gps.get("lat"), "gps_lon": gps.get("lon"),
        "width": s.get("width"), "height": s.get("height"),
    }


def write_csv(items: Iterable[dict[str, Any]], out: IO[str]) -> int:
    """Write the header and one row per item; returns the number of rows."""
    writer = csv.DictWriter(out, fieldnames=COLUMNS, extrasaction="ignore")
    writer.writeheader()
    n = 0
    for item in items:
        writer.writerow({k: _cell(v) for k, v in row(item).items()})
        n += 1
    return n
