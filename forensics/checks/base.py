"""The check interface. A check is pure functions plus a thin class like :class:`Check`."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import asdict, is_dataclass
from typing import Any, ClassVar, Protocol

from ..context import AnalysisContext, ScanOptions
from ..model import CheckOutput, EvidenceItem, Finding


class ReleasePass(Protocol):
    """A check's pass over all the files of one scan (e.g. duplicates within a release). It
    lives in the process that collects results; workers send it each file's record (bytes,
    from :meth:`Check.release_record`)."""

    def observe_bytes(self, path: str, data: bytes | None, *,
                      compare: bool = True) -> list[Finding]:
        """Take one file's record; findings about it and the files seen before it (none when
        ``compare`` is false: a resumed run learning what an earlier run stored)."""
        ...


class Check(ABC):
    """One forensic check.

    Subclasses set ``name`` (the ``check`` field of their findings), ``version`` (bump it when
    results can change), ``params`` (a frozen dataclass instance: the ONE place its parameters
    live) and implement :meth:`applies_to` and :meth:`run`.

    What a check can do beyond that is declared here, never looked up by name: the scanner,
    the batch driver and the case runner ask these attributes and methods of every
    registered check.
    """

    name: ClassVar[str]
    version: ClassVar[str]
    description: ClassVar[str] = ""
    params: Any = None
    screening: ClassVar[bool] = False
    """Part of the ``quick`` screening profile (cheap on every file: no pixel analysis)."""
    uses_index: ClassVar[bool] = False
    """Consults the known-imagery index named by :attr:`ScanOptions.index_path`."""
    has_release_pass: ClassVar[bool] = False
    """Compares each file with the others of the same scan (:meth:`release_pass`)."""

    def with_params(self, **changes: Any) -> Check:
        """A copy of this check with some parameters changed (e.g. a case run's own)."""
        import copy
        import dataclasses

        clone = copy.copy(self)
        clone.params = dataclasses.replace(self.params, **changes)
        return clone

    def prepare(self, options: ScanOptions) -> None:
        """Once per process, before the first file: load what every file needs (an index).
        Raises a :class:`~forensics.errors.ProvenanceError` with a clear message when that
        cannot be done, so a scan stops before it starts rather than failing every file."""
        return None

    def applies_to_context(self, ctx: AnalysisContext) -> bool:
        """Whether the check applies given the scan's options (the known-imagery check needs
        an index); asked after :meth:`applies_to`."""
        return True

    def release_record(self, ctx: AnalysisContext) -> bytes | None:
        """What the release pass needs of this file (computed where the file is analysed,
        e.g. in a worker), or ``None``. Only for checks with :attr:`has_release_pass`."""
        return None

    def release_pass(self, options: ScanOptions) -> ReleasePass | None:
        """A new release-level pass for one scan, or ``None`` (no such pass)."""
        return None

    def params_dict(self) -> Mapping[str, Any]:
        if self.params is None:
            return {}
        if is_dataclass(self.params):
            return asdict(self.params)
        return dict(self.params)

    def _f(self, code: str, severity: str, confidence: str, message: str,
           evidence: dict[str, Any]) -> Finding:
        """A finding of this check (``check`` is :attr:`name`)."""
        return Finding(code=code, check=self.name, severity=severity,  # type: ignore[arg-type]
                       confidence=confidence, message=message,  # type: ignore[arg-type]
                       evidence=evidence)

    @abstractmethod
    def applies_to(self, item: EvidenceItem) -> bool:
        """Cheap decision from the item alone (media type); no decoding."""

    @abstractmethod
    def run(self, ctx: AnalysisContext) -> list[Finding] | CheckOutput:
        """Analyse one item: findings, or a :class:`CheckOutput` with a score, the working
        size and artifacts (heat maps). May raise; the scanner records the error and goes on."""
