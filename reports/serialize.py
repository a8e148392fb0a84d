"""JSON and JSON Lines output of the scan contract."""

from __future__ import annotations

import json
from typing import Any


def to_json(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def to_jsonl_line(item: dict[str, Any]) -> str:
    """One item on one line (the JSON escapes any newline inside strings)."""
    return json.dumps(item, ensure_ascii=False, allow_nan=False, separators=(",", ":")) + "\n"
