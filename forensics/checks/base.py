"""The check interface. A check is pure functions plus a thin class like :class:`Check`."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import asdict, is_dataclass
from typing import Any, ClassVar

from ..context import AnalysisContext
from ..model import CheckOutput, EvidenceItem, Finding


class Check(ABC):
    """One forensic check.

    Subclasses set ``name`` (the ``check`` field of their findings), ``version`` (bump it when
    results can change), ``params`` (a frozen dataclass instance: the ONE place its parameters
    live) and implement :meth:`applies_to` and :meth:`run`.
    """

    name: ClassVar[str]
    version: ClassVar[str]
    description: ClassVar[str] = ""
    params: Any = None

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
