"""Write a case report's three outputs: report.json (schema-validated), report.html and
claimreview.jsonld. Reads only the report dict (never the analysis library)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from .html import render_html
from .validation import check_document, load_schema

SCHEMA_FILE = "report.schema.json"


class ReportSchemaError(ValueError):
    """The report does not match the JSON Schema shipped in ``reports/schema/``."""


def report_schema() -> dict[str, Any]:
    return load_schema(SCHEMA_FILE)


def validate_report(report: dict[str, Any]) -> None:
    """Raise :class:`ReportSchemaError` listing (up to 10) schema violations."""
    check_document(report, SCHEMA_FILE, ReportSchemaError, what="report")


def _dump(doc: Any) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
    os.replace(tmp, path)


def placed(report: dict[str, Any], out_dir: str | os.PathLike[str]) -> dict[str, Any]:
    """The report as written to ``out_dir``: a copy whose
    ``reproducibility.case_folder_from_report`` is the case folder's path relative to
    ``out_dir`` (POSIX separators; ``None`` when no relative path exists, another drive).
    ``provenance case verify`` joins it to where report.json is *now*, so a case folder
    copied or moved with its report is checked where it is."""
    rp = dict(report.get("reproducibility") or {})
    folder = rp.get("case_folder") or os.path.dirname((report.get("case") or {}).get("file")
                                                      or "")
    try:
        rel = Path(os.path.relpath(os.path.realpath(folder),
                                   os.path.realpath(out_dir))).as_posix() if folder else None
    except ValueError:
        rel = None
    rp["case_folder_from_report"] = rel
    return {**report, "reproducibility": rp}


def write_case_outputs(report: dict[str, Any], out_dir: str | os.PathLike[str]
                       ) -> dict[str, Path]:
    """Validate, then write ``report.json``, ``report.html`` and ``claimreview.jsonld``
    (the JSON with its place relative to the case folder: :func:`placed`)."""
    report = placed(report, out_dir)
    validate_report(report)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"json": out / "report.json", "html": out / "report.html",
             "jsonld": out / "claimreview.jsonld"}
    html = render_html(report)
    _write(paths["json"], _dump(report))
    _write(paths["html"], html)
    _write(paths["jsonld"], _dump(report["claimreview"]))
    return paths


def read_report(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Load a report.json (``ValueError`` with a clear message when it is not one)."""
    try:
        with open(path, encoding="utf-8") as fh:
            doc = json.load(fh)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not JSON ({exc.msg} at line {exc.lineno})") from exc
    if not isinstance(doc, dict):
        raise ValueError(f"{path}: not a case report")
    return doc
