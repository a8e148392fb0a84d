"""The frozen data model and the JSON result contract (``provenance.scan/1``).

Every output the project renders (terminal table, JSON, JSONL, later the HTML reports) is
built from the dictionaries produced here, so field names are part of the public contract:

* top level: ``schema``, ``tool``, ``items``
* item: ``path``, ``sha256``, ``size``, ``media_type``, ``status``, ``error``,
  ``metadata``, ``checks``, ``findings`` and ``triage`` ({level, score, top}: the ranking
  derived from the findings, see :mod:`forensics.triage`); a container (PDF, video) also
  has ``children`` (their sha256), and each child, listed right after its container, has
  ``parent`` ({sha256, path}), ``locator`` and ``relation`` (see :mod:`forensics.containers`)
* finding: ``code``, ``check``, ``severity``, ``confidence``, ``message``, ``evidence``
* check result: ``name``, ``version``, ``status``, ``seconds``, ``params``, ``error``,
  ``score`` (0..1 or null), ``working_size`` ([w, h] or null), ``artifacts`` (heat maps...)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

SCHEMA = "provenance.scan/1"

Severity = Literal["info", "low", "medium", "high"]
Confidence = Literal["low", "medium", "high"]
CheckStatus = Literal["ok", "flagged", "not_applicable", "error"]
ItemStatus = Literal["ok", "error"]

SEVERITIES: tuple[Severity, ...] = ("info", "low", "medium", "high")
CONFIDENCES: tuple[Confidence, ...] = ("low", "medium", "high")


def severity_rank(severity: str) -> int:
    """Order of a severity: info=0 ... high=3."""
    return SEVERITIES.index(severity)  # type: ignore[arg-type]


EMPTY_SUMMARY: Mapping[str, Any] = {
    "make": None, "model": None, "software": None, "datetime_original": None,
    "datetime_original_source": None, "gps": None, "gps_unusable": None, "width": None,
    "height": None, "orientation": None}
"""``metadata.summary`` of an item nothing could be read from."""


@dataclass(frozen=True)
class EvidenceItem:
    """One evidence file as taken in: never modified, identified by its bytes."""

    path: str
    sha256: str
    size: int
    media_type: str
    """MIME type sniffed from the bytes (``application/octet-stream`` when unknown)."""
    extension_media_type: str | None = None
    """MIME type the file name's extension implies, if the extension is known."""


@dataclass(frozen=True)
class Finding:
    """One observation a check makes, with the exact evidence it rests on."""

    code: str
    """Stable dotted code, e.g. ``metadata.software_edited``."""
    check: str
    severity: Severity
    confidence: Confidence
    message: str
    evidence: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"bad severity {self.severity!r}")
        if self.confidence not in CONFIDENCES:
            raise ValueError(f"bad confidence {self.confidence!r}")
        if "." not in self.code:
            raise ValueError(f"finding code must be dotted: {self.code!r}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "check": self.check,
            "severity": self.severity,
            "confidence": self.confidence,
            "message": self.message,
            "evidence": _jsonable(self.evidence),
        }


@dataclass(frozen=True)
class Artifact:
    """A by-product a report can embed, e.g. a heat map PNG. Never a verdict by itself."""

    name: str
    media_type: str
    data: bytes
    description: str = ""

    def to_dict(self) -> dict[str, Any]:
        import base64

        return {"name": self.name, "media_type": self.media_type,
                "description": self.description, "bytes": len(self.data),
                "data_base64": base64.b64encode(self.data).decode("ascii")}


@dataclass(frozen=True)
class CheckOutput:
    """What a check's ``run`` may return instead of a plain list of findings."""

    findings: tuple[Finding, ...] = ()
    score: float | None = None
    """Calibrated score in [0, 1] (how strongly the check's signal is present)."""
    working_size: tuple[int, int] | None = None
    """(width, height) in pixels the check actually analysed."""
    artifacts: tuple[Artifact, ...] = ()


@dataclass(frozen=True)
class CheckResult:
    """What one check did to one item."""

    name: str
    version: str
    status: CheckStatus
    seconds: float
    params: Mapping[str, Any]
    error: str | None = None
    score: float | None = None
    working_size: tuple[int, int] | None = None
    artifacts: tuple[Artifact, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "status": self.status,
            "seconds": round(self.seconds, 6),
            "params": _jsonable(self.params),
            "error": self.error,
            "score": None if self.score is None else round(float(self.score), 6),
            "working_size": list(self.working_size) if self.working_size else None,
            "artifacts": [a.to_dict() for a in self.artifacts],
        }


@dataclass(frozen=True)
class ItemError:
    """Why an item could not be (fully) analysed: a stable code and a plain message."""

    code: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


@dataclass(frozen=True)
class ItemResult:
    """The full result for one input path. Every input path gets exactly one."""

    path: str
    sha256: str | None
    size: int | None
    media_type: str | None
    status: ItemStatus
    error: ItemError | None
    metadata: Mapping[str, Any]
    checks: tuple[CheckResult, ...]
    findings: tuple[Finding, ...]
    children: tuple[str, ...] | None = None
    """A container's children's sha256, in order (``None``: not a container)."""
    parent: Mapping[str, Any] | None = None
    """A child's container: ``{"sha256", "path"}`` (``None``: a file given as input)."""
    locator: Mapping[str, Any] | None = None
    """Where a child lives in its container (its path's fragment, as an object)."""
    relation: str | None = None
    """What a child is to its container (``embedded_image``, ``revision``, ...)."""
    descendants: tuple[ItemResult, ...] = field(default=(), compare=False, repr=False)
    """Every item inside this container (children, and theirs after each), in order: they
    follow it in ``items``. Not part of its own dict."""
    records: Mapping[str, bytes] = field(default_factory=dict, compare=False, repr=False)
    """Release-pass records by check name (what a worker sends to the collecting process)."""

    def units(self) -> list[ItemResult]:
        """This item and its descendants: the items it stands for in ``items``."""
        return [self, *self.descendants]

    @classmethod
    def from_error(cls, path: str, error: ItemError) -> ItemResult:
        """The item for an input that could not be analysed at all (it still appears)."""
        return cls(path=path, sha256=None, size=None, media_type=None, status="error",
                   error=error, metadata={"summary": dict(EMPTY_SUMMARY)}, checks=(),
                   findings=())

    def to_dict(self) -> dict[str, Any]:
        out = {
            "path": self.path,
            "sha256": self.sha256,
            "size": self.size,
            "media_type": self.media_type,
            "status": self.status,
            "error": self.error.to_dict() if self.error else None,
            "metadata": _jsonable(self.metadata),
            "checks": [c.to_dict() for c in self.checks],
            "findings": [f.to_dict() for f in self.findings],
        }
        if self.children is not None:
            out["children"] = list(self.children)
        if self.parent is not None:
            out["parent"] = dict(self.parent)
            out["locator"] = _jsonable(self.locator or {})
            out["relation"] = self.relation
        from .triage import triage  # ranking derived from the findings, for every output

        out["triage"] = triage(out)
        return out


def scan_document(items: list[dict[str, Any]], tool: Mapping[str, Any]) -> dict[str, Any]:
    """The top-level JSON document of a scan."""
    return {"schema": SCHEMA, "tool": dict(tool), "items": items}


def _jsonable(value: Any) -> Any:
    """Convert evidence values (tuples, bytes, numpy scalars, ratios) to JSON-safe values."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if value == value and value not in (float("inf"), float("-inf")) else None
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (bytes, bytearray, memoryview)):
        raw = bytes(value)
        return {"bytes": len(raw), "hex_prefix": raw[:32].hex()}
    if hasattr(value, "item") and callable(value.item):  # numpy scalar
        try:
            return _jsonable(value.item())
        except (TypeError, ValueError):
            pass
    if hasattr(value, "numerator") and hasattr(value, "denominator"):
        try:
            return float(value.numerator) / float(value.denominator) if value.denominator else None
        except (TypeError, ValueError, ZeroDivisionError):
            return str(value)
    return str(value)
