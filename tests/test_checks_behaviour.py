"""How every registered check behaves on real files: one test over
:data:`forensics.checks.CHECKS`, so a newly registered check is covered automatically.

On a few real files of ``../shared/corpus`` (a camera JPEG, a C2PA-signed JPEG, a CASIA
splicing forgery, a PNG photo, a GPX track; each skipped when absent) every finding is
well-formed (dotted code of the check's family, severity and confidence from their enums, a
message, evidence that is JSON-safe as the check made it), the check's parameters are recorded
in its result as they are, and a second run gives the same result but for the timings. On
empty or irrelevant inputs (generated here: a 1x1 PNG, a 16x16 flat JPEG, a text note, an
empty file) no check raises anything above info.

The screening checks (:attr:`Check.screening`: no pixel analysis) run on every real file; the
pixel checks on the smallest one, the CASIA forgery (384x256), so the module stays fast. The
known-imagery check gets a one-picture index (a CASIA original the forgery was spliced from),
so that it runs rather than being not applicable. The contract on generated awkward and
damaged inputs is ``test_contract.py``; the shape of the items is the schema's
(``conftest.assert_valid_item``).
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from conftest import run_one_check
from PIL import Image

from provenancekit.forensics.checks import CHECKS, Check
from provenancekit.forensics.context import ScanOptions
from provenancekit.forensics.model import CONFIDENCES, SEVERITIES

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
PIXEL_FILE = "casia_forgery"
REAL = {
    "camera_jpeg": "exif/metadata-extractor-images/jpg/Canon EOS 7D.jpg",
    "c2pa_jpeg": "c2pa/c2pa-python/C.jpg",
    PIXEL_FILE: "forgery/casia-v1/Tp/Sp_D_NRD_A_art0070_pla0044_0585.jpg",
    "png_photo": "forgery/noso-copymove/13.png",
    "gpx_track": "navlog/gpxpy/cerknicko-jezero.gpx",
}
INDEXED = "forgery/casia-v1/Au/Au_art_0070.jpg"
"""The known-imagery index of this module holds this one picture."""
CODE_FAMILY = {"jpeg_structure": "jpeg"}
"""Checks whose finding codes carry another family name than the check's own (the JPEG
structure check published its codes as ``jpeg.*``); every other code starts with
``<check name>.``."""


def _cases() -> list[Any]:
    return [pytest.param(check, name, id=f"{check.name}-{name}")
            for check in CHECKS for name in REAL if check.screening or name == PIXEL_FILE]


@pytest.fixture(scope="module")
def options(tmp_path_factory: pytest.TempPathFactory) -> ScanOptions:
    """Scan options with a one-picture known-imagery index (no index when it is absent)."""
    source = CORPUS / INDEXED
    if not source.is_file():
        return ScanOptions()
    from provenancekit.forensics.index import open_index

    path = tmp_path_factory.mktemp("index") / "known.sqlite"
    with open_index(str(path)) as index:
        index.add_image(str(source), url="https://example.org/casia/art0070",
                        first_seen="2009-01-01")
    return ScanOptions(index_path=str(path))


@pytest.fixture(scope="module")
def irrelevant(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Inputs with nothing to find: a 1x1 PNG, a flat 16x16 JPEG without metadata, a note,
    an empty file (which the intake refuses before any check)."""
    root = tmp_path_factory.mktemp("irrelevant")
    Image.new("RGB", (1, 1), (120, 130, 140)).save(root / "dot.png", "PNG")
    Image.new("RGB", (16, 16), (128, 128, 128)).save(root / "flat.jpg", "JPEG", quality=90)
    (root / "notes.txt").write_text("Called the press office at 10:05; no answer.\n",
                                    encoding="utf-8")
    (root / "empty.txt").write_bytes(b"")
    return sorted(root.iterdir())


def _non_finite(value: Any, where: str = "evidence") -> list[str]:
    """Where a float that is not finite hides in raw evidence (the JSON output would turn it
    into null and lose what it meant)."""
    if isinstance(value, float):
        return [] if math.isfinite(value) else [where]
    if isinstance(value, Mapping):
        return [w for k, v in value.items() for w in _non_finite(v, f"{where}.{k}")]
    if isinstance(value, (list, tuple)):
        return [w for i, v in enumerate(value) for w in _non_finite(v, f"{where}[{i}]")]
    if hasattr(value, "dtype") and hasattr(value, "tolist"):  # numpy scalar or array
        return _non_finite(value.tolist(), where)
    return []


def _without_timings(result: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in result.items() if k != "seconds"}


@pytest.mark.parametrize(("check", "name"), _cases())
def test_check_behaves_on_real_files(check: Check, name: str, options: ScanOptions) -> None:
    path = CORPUS / REAL[name]
    if not path.is_file():
        pytest.skip(f"{REAL[name]} is not in ../shared/corpus")
    result, item = run_one_check(check, path, options=options)
    assert item["sha256"] is not None, item["error"]
    (ran,) = item["checks"]
    assert ran["status"] != "error", ran["error"]
    # parameters: one frozen dataclass, recorded as they are
    assert dataclasses.is_dataclass(check.params), f"{check.name}: params not a dataclass"
    assert type(check.params).__dataclass_params__.frozen, f"{check.name}: params not frozen"
    assert ran["params"] == json.loads(json.dumps(check.params_dict(), allow_nan=False))
    # every finding is well-formed, its evidence JSON-safe as the check made it
    family = CODE_FAMILY.get(check.name, check.name)
    for finding, raw in zip(item["findings"], result.findings, strict=True):
        assert finding["code"].startswith(f"{family}."), finding["code"]
        assert finding["check"] == check.name
        assert finding["severity"] in SEVERITIES and finding["confidence"] in CONFIDENCES
        assert isinstance(finding["message"], str) and finding["message"].strip()
        assert isinstance(finding["evidence"], dict)
        json.dumps(finding["evidence"], allow_nan=False)
        assert not _non_finite(raw.evidence), (finding["code"], _non_finite(raw.evidence))
    if ran["status"] == "not_applicable":
        assert not item["findings"]
    # deterministic: the same result a second time, timings aside
    _, again = run_one_check(check, path, options=options)
    assert again["findings"] == item["findings"]
    assert _without_timings(again["checks"][0]) == _without_timings(ran)


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.name)
def test_check_finds_nothing_in_irrelevant_input(check: Check, irrelevant: list[Path],
                                                 options: ScanOptions) -> None:
    for path in irrelevant:
        _, item = run_one_check(check, path, options=options)
        assert all(c["status"] != "error" for c in item["checks"]), (path.name, item["checks"])
        above_info = [f["code"] for f in item["findings"] if f["severity"] != "info"]
        assert not above_info, (path.name, above_info)
