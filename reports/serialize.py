"""JSON and JSON Lines output of the scan contract."""

from __future__ import annotations

import json
from typing import Any


def _dumps(obj: Any, **kw: Any) -> str:
    """UTF-8 friendly JSON; falls back to ASCII escapes when a string holds lone surrogates
    (file names that are not valid UTF-8 arrive that way and cannot be written as UTF-8)."""
    text = json.dumps(obj, ensure_ascii=False, allow_nan=False, **kw)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(obj, ensure_ascii=True, allow_nan=False, **kw)
    return text


def to_json(doc: dict[str, Any]) -> str:
    return _dumps(doc, indent=2) + "\n"


def to_jsonl_line(item: dict[str, Any]) -> str:
    """One item on one line (the JSON escapes any newline inside strings; U+2028, U+2029 and
    NEL, which JSON may leave raw, are escaped too, for readers that split on them)."""
    text = _dumps(item, separators=(",", ":"))
    return (text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
            .replace("\x85", "\\u0085") + "\n")
