"""The accuracy benchmark as a test (slow: ``python -m pytest -m slow``)."""

from __future__ import annotations

import pytest

from benchmarks.index_accuracy import CORPUS, FAMILIES, TARGETS, run


@pytest.mark.slow
@pytest.mark.skipif(not CORPUS.exists(), reason="../shared/corpus absent")
def test_index_accuracy_meets_the_issue_targets() -> None:
    out = run(CORPUS, verbose=False)
    assert out["false_total"] == 0
    for fam in FAMILIES:
        assert out["recall"][fam] >= TARGETS[fam], (fam, out["recall"][fam])
    assert out["pairs"].get("positive_missed", 0) == 0
    assert out["pairs"].get("distinct_false", 0) == 0
    assert out["pairs"].get("corrupt_reported", 0) == 1
