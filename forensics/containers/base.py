"""The extractor interface: a container format (PDF, video) opened into children.

An extractor reads one container's bytes and returns an :class:`Extraction`: the container's
own metadata blocks (with a ``summary``), its findings (observations about the container
itself: active content, revisions, signatures, encoders), the problems met (encrypted,
damaged) and its children, each a :class:`Child` (bytes, a locator, a relation). The scanner
(:mod:`forensics.scan`) turns each child into an item of its own that goes through the same
checks as a file given on the command line, right after its container in ``items``.

Extractors never write anything: a child is bytes in memory (a decoded frame or page image
is encoded losslessly to PNG in memory), and the caps of :class:`ContainerLimits` bound what
one container may produce, whatever it claims.

Lab notes:

* ``children`` may be a generator: the scanner takes one child at a time, scans it and lets
  it go, so a container's children are never all in memory together. Ask the
  :class:`Budget` before producing a child's bytes (:meth:`Budget.admit`) so that a capped
  container stops early and says what it skipped.
* An extractor's findings are made with :meth:`Extractor.finding`: their ``check`` is the
  extractor's name, and the scanner reports the extraction as a check result of that name
  (version, seconds, parameters, status), so findings always name something that ran.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, is_dataclass
from typing import Any, ClassVar
from urllib.parse import quote

from ..context import AnalysisContext
from ..model import EvidenceItem, Finding

RELATIONS = ("embedded_image", "decoded_image", "revision", "attachment", "keyframe",
             "track", "thumbnail")
"""What a child is to its container (the item's ``relation``):

* ``embedded_image``: bytes stored in the container as they are, e.g. a PDF's DCTDecode
  stream (the JPEG that was pasted in, byte for byte);
* ``decoded_image``: pixels the container stores in its own encoding, decoded and written
  losslessly as PNG (the PNG's bytes are ours, the pixels are the container's);
* ``revision``: an earlier state of the container itself (a PDF incremental update's prefix);
* ``attachment``: a file embedded as such (a PDF's EmbeddedFile);
* ``keyframe``: a decoded video frame, stored losslessly;
* ``track``: telemetry (GPS) carried inside the container, as a track file;
* ``thumbnail``: a preview picture the container carries.
"""


@dataclass(frozen=True)
class ContainerLimits:
    """Caps on what one container may produce (recorded in its extractor's check result)."""

    max_children: int = 512
    """Children per container; the rest are counted as skipped (``metadata.Container``)."""
    max_child_bytes: int = 256 * 1024 * 1024
    """Bytes of one child; a larger child is skipped and counted."""
    max_extracted_bytes: int = 1024 * 1024 * 1024
    """Bytes of all children of one input file together (nested containers included)."""
    max_depth: int = 2
    """How deep containers are opened: 1 opens the file's children only, 2 also opens a
    child that is itself a container (a PDF attached to a PDF, an earlier revision)."""


DEFAULT_LIMITS = ContainerLimits()


class Budget:
    """What is left of the caps while one input file is opened (shared by nested
    containers for the byte cap; the child count is per container)."""

    def __init__(self, limits: ContainerLimits):
        self.limits = limits
        self.bytes_left = limits.max_extracted_bytes
        self.skipped: dict[str, int] = {}

    def container(self, relation: str | None = None) -> ContainerBudget:
        """The budget of one container opened under this file (``relation``: what the
        container is to its own parent, ``None`` for the file given)."""
        return ContainerBudget(self, relation)


class ContainerBudget:
    """One container's share of a :class:`Budget`: counts its children."""

    def __init__(self, budget: Budget, relation: str | None = None):
        self.file = budget
        self.limits = budget.limits
        self.relation = relation
        """What this container is to its parent (``revision``: an earlier state of a file
        whose extraction already covers its revisions; ``None``: the file given)."""
        self.children = 0
        self.skipped: dict[str, int] = {}

    def _skip(self, reason: str) -> bool:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1
        return False

    def admit(self, size: int | None = None) -> bool:
        """Whether one more child (of ``size`` bytes, when known) may be produced; ``False``
        records why not (``max_children``, ``max_child_bytes``, ``max_extracted_bytes``).
        A child admitted before its size is known is checked again by the scanner."""
        if self.children >= self.limits.max_children:
            return self._skip("max_children")
        if size is not None and size > self.limits.max_child_bytes:
            return self._skip("max_child_bytes")
        if size is not None and size > self.file.bytes_left:
            return self._skip("max_extracted_bytes")
        return True

    def take(self, size: int) -> bool:
        """Count a child of ``size`` bytes as produced (``False``: over a cap, skipped)."""
        if not self.admit(size):
            return False
        self.children += 1
        self.file.bytes_left -= size
        return True

    def skip(self, reason: str, count: int = 1) -> None:
        """Record children an extractor left out by its own caps (e.g. ``max_pages``)."""
        self.skipped[reason] = self.skipped.get(reason, 0) + count


@dataclass(frozen=True)
class Child:
    """One thing inside a container, as bytes to be scanned like a file."""

    data: bytes
    locator: tuple[tuple[str, str | int | float], ...]
    """Where it lives, as the ordered parts of its path's fragment, following PDF open
    parameters and Media Fragments: ``(("page", 3), ("image", "Im1"))`` is
    ``#page=3&image=Im1``; ``(("revision", 1),)``, ``(("attachment", "track.gpx"),)``,
    ``(("t", 12.48),)``."""
    relation: str
    """One of :data:`RELATIONS`."""
    name: str | None = None
    """A file name the container gives it (an attachment's), for the extension check."""
    details: Mapping[str, Any] = field(default_factory=dict)
    """What the container says about it (object number, filter, page placement, how it was
    extracted): the child item's ``metadata.Container`` block."""

    def fragment(self) -> str:
        """The locator as a URL fragment (without ``#``), values percent-encoded."""
        return "&".join(f"{k}={quote(_fmt(v), safe='')}" for k, v in self.locator)


def _fmt(value: str | int | float) -> str:
    if isinstance(value, float):
        return f"{value:.3f}".rstrip("0").rstrip(".")
    return str(value)


def child_path(parent_path: str, child: Child) -> str:
    """The child's item ``path``: the container's path and its fragment (nested containers
    join their fragments with ``&``: ``a.pdf#revision=1&page=2&image=Im3``)."""
    sep = "&" if "#" in parent_path else "#"
    return f"{parent_path}{sep}{child.fragment()}"


@dataclass
class Extraction:
    """What an extractor read from one container."""

    metadata: Mapping[str, Any]
    """Metadata blocks by group (``summary`` plus the format's own, e.g. ``PDF``, ``XMP``);
    the scanner fills the summary's missing keys and adds ``File`` and ``Container``."""
    findings: list[Finding] = field(default_factory=list)
    children: Iterable[Child] = ()
    """The children, in order (may be a generator: consumed once, by the scanner)."""
    state: Any = None
    """Anything the extractor wants back in :meth:`Extractor.review` (not serialised)."""


class Extractor(ABC):
    """One container format. Subclasses set ``name`` (also the check name of their findings
    and of their check result), ``version``, ``media_types`` and ``params`` (a frozen
    dataclass: the ONE place their parameters live), and implement :meth:`extract`.

    Adding a format is one module plus one line in
    :data:`forensics.containers.EXTRACTORS`.
    """

    name: ClassVar[str]
    version: ClassVar[str]
    description: ClassVar[str] = ""
    media_types: ClassVar[frozenset[str]] = frozenset()
    params: Any = None

    def applies_to(self, item: EvidenceItem) -> bool:
        """Cheap decision from the sniffed media type; no parsing."""
        return item.media_type in self.media_types

    @abstractmethod
    def extract(self, ctx: AnalysisContext, budget: ContainerBudget) -> Extraction:
        """Open the container (``ctx.data``; ``ctx.item.path`` names it in messages).

        Record what makes the file unreadable or damaged with ``ctx.problem(code, message)``
        (e.g. ``encrypted``, ``corrupt_pdf``, ``repaired``); raise
        :class:`~forensics.errors.DecodeError` only when nothing at all can be read. Anything
        else raised is recorded as the extractor's error and the file still gets its item.
        """

    def review(self, extraction: Extraction, container: Mapping[str, Any],
               children: list[Mapping[str, Any]]) -> list[Finding]:
        """Findings that need the scanned children (e.g. a photo's EXIF date against the
        document's): ``container`` is the container's item dict so far, ``children`` the
        item dicts of its direct children. Default: none."""
        return []

    def params_dict(self) -> Mapping[str, Any]:
        if self.params is None:
            return {}
        if is_dataclass(self.params):
            return asdict(self.params)
        return dict(self.params)

    def finding(self, code: str, severity: str, confidence: str, message: str,
                evidence: Mapping[str, Any]) -> Finding:
        """A finding of this extractor (``check`` is :attr:`name`)."""
        return Finding(code=code, check=self.name, severity=severity,  # type: ignore[arg-type]
                       confidence=confidence, message=message,  # type: ignore[arg-type]
                       evidence=dict(evidence))


ROLLUP_CODE = "container.child_flagged"


def rollup_findings(check: str, children: list[Mapping[str, Any]]) -> list[Finding]:
    """The container's copy of its worst children's findings, so that it ranks at least as
    high as its worst child: every finding above info of the child with the highest triage
    score and of the child with the highest triage level (one child or two), each as a
    ``container.child_flagged`` finding of ``check`` with the same severity and confidence
    (triage is computed from findings alone, so the container's level and score are then at
    least that child's). ``children`` are item dicts (any depth) with their triage blocks."""
    from ..triage import LEVELS

    def level(c: Mapping[str, Any]) -> int:
        lv = (c.get("triage") or {}).get("level", "none")
        return LEVELS.index(lv) if lv in LEVELS else -1

    flagged = [c for c in children
               if any(f.get("severity") != "info" for f in c.get("findings") or [])]
    if not flagged:
        return []
    by_score = max(flagged, key=lambda c: (c.get("triage") or {}).get("score", 0.0))
    by_level = max(flagged, key=level)
    worst = [by_score] if by_level is by_score else [by_score, by_level]
    out = []
    for c in worst:
        for f in c.get("findings") or []:
            if f.get("severity") == "info":
                continue
            out.append(Finding(
                code=ROLLUP_CODE, check=check, severity=f["severity"],
                confidence=f["confidence"],
                message=f"{c.get('path')}: {f.get('message')}",
                evidence={"child_path": c.get("path"), "child_sha256": c.get("sha256"),
                          "locator": c.get("locator"), "relation": c.get("relation"),
                          "code": f.get("code"), "check": f.get("check")}))
    return out
