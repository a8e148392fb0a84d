"""The JSON Schemas shipped in ``reports/schema/`` and one way to check a document against
one (reports validate what they write; tests validate what the library returns)."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any


def load_schema(file_name: str) -> dict[str, Any]:
    """The schema ``reports/schema/<file_name>``, parsed."""
    text = (resources.files(__package__) / "schema" / file_name).read_text(encoding="utf-8")
    return json.loads(text)


def check_document(doc: dict[str, Any], file_name: str, error: type[ValueError], *,
                   what: str = "document") -> None:
    """Raise ``error`` listing (up to 10) violations of the schema ``file_name`` (``what``
    names the document in the message)."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(load_schema(file_name))
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    if errors:
        lines = [f"{'/'.join(str(p) for p in e.absolute_path) or '(top)'}: {e.message[:200]}"
                 for e in errors[:10]]
        raise error(f"the {what} does not match {file_name} ({len(errors)} problem(s)):\n  "
                    + "\n  ".join(lines))
