"""Rank items for a human: a triage level and a score in [0, 1] from an item's findings.

The score combines findings as independent signals, ``1 - prod(1 - w(severity) * c(conf))``,
so one high-confidence high-severity finding outweighs many informational ones. The level is
the highest severity among findings whose confidence is at least medium (a low-confidence
finding raises the score but not the level); items that could not be analysed get ``error``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

SEVERITY_WEIGHT = {"info": 0.0, "low": 0.2, "medium": 0.5, "high": 0.9}
CONFIDENCE_WEIGHT = {"low": 0.4, "medium": 0.75, "high": 1.0}
LEVELS = ("none", "info", "low", "medium", "high")
"""Triage levels in increasing order; ``error`` is reported beside them."""


def triage(item: Mapping[str, Any]) -> dict[str, Any]:
    """``{"level", "score", "top"}`` for one item dict of the ``provenance.scan/1`` contract."""
    findings = item.get("findings") or []
    keep = 1.0
    level = "none"
    for f in findings:
        keep *= 1.0 - SEVERITY_WEIGHT.get(f.get("severity"), 0.0) * CONFIDENCE_WEIGHT.get(
            f.get("confidence"), 0.4)
        sev = f.get("severity", "info")
        counts = f.get("confidence") in ("medium", "high") or sev == "info"
        if counts and sev in LEVELS and LEVELS.index(sev) > LEVELS.index(level):
            level = sev
        elif level == "none":
            level = "info"
    score = round(1.0 - keep, 4)
    if item.get("status") == "error" and not findings:
        level = "error"
    top = sorted(findings, key=lambda f: -SEVERITY_WEIGHT.get(f.get("severity"), 0.0))[:3]
    return {"level": level, "score": score, "top": [f.get("code") for f in top]}


def level_at_least(level: str, threshold: str) -> bool:
    """Whether a triage level reaches ``threshold`` (one of :data:`LEVELS`)."""
    if level not in LEVELS or threshold not in LEVELS:
        return False
    return LEVELS.index(level) >= LEVELS.index(threshold)


def level_counts(items: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """How many items, how many errors, and how many at each triage level (highest first,
    ``error`` last): the head of a triage page."""
    levels: dict[str, int] = {}
    total = errors = 0
    for i in items:
        total += 1
        errors += i.get("status") == "error"
        lvl = (i.get("triage") or {}).get("level", "none")
        levels[lvl] = levels.get(lvl, 0) + 1
    order = [*reversed(LEVELS), "error"]
    return {"analysed_total": total, "errors": errors,
            "levels": {k: levels[k] for k in order if k in levels}}
