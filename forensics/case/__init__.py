"""Claim-tied provenance: a case file states a claim and its evidence; the case runner scans
and assesses each item against each assertion (time, place, originality, integrity,
navigation) and returns one report dict that ``reports`` renders (HTML, JSON, JSON-LD).

Entry points: :func:`run_case`, :func:`load_case`, :func:`verify_report`,
:func:`template_text`. Everything here is plain data in, plain data out: no click, no
jinja2.
"""

from ..tracks import Track, TrackError, TrackParams, analyse_track, parse_track
from .assess import AssessParams
from .casefile import FIRST_DRAFT, MEDIA_CATEGORIES, Case, CaseFileError, load_case
from .runner import REPORT_SCHEMA, run_case, verify_report
from .template import template_text, write_template

__all__ = [
    "FIRST_DRAFT",
    "MEDIA_CATEGORIES",
    "REPORT_SCHEMA",
    "AssessParams",
    "Case",
    "CaseFileError",
    "Track",
    "TrackError",
    "TrackParams",
    "analyse_track",
    "load_case",
    "parse_track",
    "run_case",
    "template_text",
    "verify_report",
    "write_template",
]
