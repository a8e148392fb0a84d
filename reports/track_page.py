"""The ``provenance track show`` outputs: the track document (``provenance.track/1``,
validated against ``schema/track.schema.json``) as JSON, and an HTML page with the map
(mission dashed, flown track coloured by time) and the altitude/speed profile. Reads only the
document (never the analysis library); the page loads nothing and runs no script."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from .html import _env, content_security_policy, css_text, map_svg, profile_svg
from .validation import check_document, load_schema

SCHEMA_FILE = "track.schema.json"


class TrackSchemaError(ValueError):
    """The document does not match the JSON Schema shipped in ``reports/schema/``."""


def track_schema() -> dict[str, Any]:
    return load_schema(SCHEMA_FILE)


def validate_track_doc(doc: dict[str, Any]) -> None:
    """Raise :class:`TrackSchemaError` listing (up to 10) schema violations."""
    check_document(doc, SCHEMA_FILE, TrackSchemaError, what="track document")


def render_track_html(doc: dict[str, Any]) -> str:
    """The page, from the document alone."""
    validate_track_doc(doc)
    css = css_text()
    as_report = {"case": {"asserts": {}, "sites": []}, "map": doc.get("map"),
                 "evidence": [{"id": "log", "track": doc["track"], "summary": None}]}
    prof = profile_svg(doc["track"], width=860, height=200)
    return _env().get_template("track_page.html.j2").render(
        d=doc, css=Markup(css), csp=content_security_policy(css), map_svg=map_svg(as_report),
        profile_svg=prof)
