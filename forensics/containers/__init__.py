"""The extractor registry: container formats opened into children (one module + one line).

A *container* is a file that holds other evidence: a PDF press release (pasted photos,
earlier revisions, attached files), a video (keyframes, telemetry). Its extractor
(:class:`~forensics.containers.base.Extractor`, registered in :data:`EXTRACTORS`) reads the
container's own metadata and findings and yields its **children**; the scanner scans every
child like a file given on the command line (same checks, known-imagery index, release
duplicate search) and lists it in ``items`` right after its container.

The contract (``provenance.scan/1``, additive fields; ``reports/schema/scan.schema.json``):

* container item: ``children``, the children's ``sha256`` in order (``[]`` when none), and a
  check result named after the extractor (``pdf``, ``video``: version, seconds, parameters
  incl. the caps of :class:`~forensics.containers.base.ContainerLimits`), whose findings are
  the extractor's; ``metadata.Container`` says what was extracted and what the caps skipped.
* child item: ``parent`` ``{sha256, path}`` (its container), ``locator`` (the fragment's
  parts as an object, e.g. ``{"page": 3, "image": "Im1"}``), ``relation`` (one of
  :data:`~forensics.containers.base.RELATIONS`) and a ``path`` with that fragment:
  ``statement.pdf#page=3&image=Im1``, ``statement.pdf#revision=1``,
  ``statement.pdf#attachment=track.gpx``, ``clip.mp4#t=12.48``.
* ranking: a container carries ``container.child_flagged`` copies of its worst children's
  findings (:func:`~forensics.containers.base.rollup_findings`), so it ranks at least as high
  as its worst child.
* children whose bytes already appeared in the same input file (the same photo on two pages,
  an earlier revision's unchanged images) are scanned once; the others are listed in
  ``metadata.Container.duplicates``.

To add a format: write ``forensics/containers/<format>.py`` with an ``Extractor`` subclass
(``name``, ``version``, ``media_types``, a frozen ``params`` dataclass, ``extract(ctx,
budget)`` returning an :class:`~forensics.containers.base.Extraction`), add one line to
:data:`EXTRACTORS`, and make :func:`forensics.sniff.sniff_media_type` type it by its bytes.
``extract`` gets the shared :class:`~forensics.context.AnalysisContext` (``ctx.data``,
``ctx.item``, ``ctx.options``, ``ctx.problem``) and a
:class:`~forensics.containers.base.ContainerBudget` to ask before producing each child.
"""

from __future__ import annotations

from ..model import EvidenceItem
from .base import (
    DEFAULT_LIMITS,
    RELATIONS,
    Budget,
    Child,
    ContainerBudget,
    ContainerLimits,
    Extraction,
    Extractor,
    child_path,
    rollup_findings,
)
from .pdf import PdfExtractor
from .video import VideoExtractor

EXTRACTORS: tuple[Extractor, ...] = (
    PdfExtractor(),
    VideoExtractor(),
)


def get_extractors() -> tuple[Extractor, ...]:
    """The registered extractors."""
    return EXTRACTORS


def extractor_for(item: EvidenceItem,
                  extractors: tuple[Extractor, ...] | None = None) -> Extractor | None:
    """The extractor that opens this item (the first that applies), or ``None``."""
    for ex in EXTRACTORS if extractors is None else extractors:
        try:
            if ex.applies_to(item):
                return ex
        except Exception:  # noqa: BLE001, S112 - a broken extractor never costs the file
            continue
    return None


__all__ = ["DEFAULT_LIMITS", "EXTRACTORS", "RELATIONS", "Budget", "Child", "ContainerBudget",
           "ContainerLimits", "Extraction", "Extractor", "child_path", "extractor_for",
           "get_extractors", "rollup_findings"]
