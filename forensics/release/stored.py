"""Stored scan results read back for the release analysis: a ``provenance.scan/1`` document
(``--format json``) or a JSON Lines run (``--format jsonl`` / ``--jsonl``: one item per line),
and the optional sources file (CSV ``path,source``: the source each file is claimed to come
from). Nothing here opens an evidence file."""

from __future__ import annotations

import csv
import json
from typing import Any

from ..errors import UsageError
from .analyse import analyse_release
from .params import ReleaseParams


def load_scan(path: str) -> dict[str, Any]:
    """The scan document stored at ``path`` (a JSON Lines file becomes a document with the
    items it holds and an empty ``tool``)."""
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    try:
        doc = json.loads(text)
    except json.JSONDecodeError:
        try:
            items = [json.loads(line) for line in text.splitlines() if line.strip()]
        except json.JSONDecodeError as exc:
            raise UsageError(f"neither a scan document nor JSON Lines items: {exc}",
                             path=path) from exc
        doc = {"schema": "provenance.scan/1", "tool": {}, "items": items}
    if isinstance(doc, dict) and "items" not in doc and "path" in doc:
        doc = {"schema": "provenance.scan/1", "tool": {}, "items": [doc]}  # one JSONL line
    if not isinstance(doc, dict) or not isinstance(doc.get("items"), list):
        raise UsageError("not a provenance.scan/1 document (no items list)", path=path)
    return doc


def load_sources(path: str) -> dict[str, str]:
    """``path,source`` rows (a header row naming ``path`` is skipped)."""
    out: dict[str, str] = {}
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.reader(fh):
            if len(row) >= 2 and row[0].strip() and row[0].strip().lower() != "path":
                out[row[0].strip()] = row[1].strip()
    return out


def release_of(doc: dict[str, Any], *, params: ReleaseParams | None = None,
               sources: dict[str, str] | None = None) -> dict[str, Any]:
    """``doc`` with a ``release`` section: the stored one, or computed now when the document
    has none, or when ``params`` or ``sources`` are given."""
    if "release" not in doc or params is not None or sources:
        doc = {**doc, "release": analyse_release(doc["items"], params=params, sources=sources)}
    return doc
