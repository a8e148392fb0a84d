"""The published JSON Schema of ``provenance.scan/1`` (``reports/schema/scan.schema.json``).

It is a valid 2020-12 schema, shipped as package data, every field is described, its
enumerations are the model's own (so the two cannot drift apart), a real scan passes it, it
rejects malformed documents (so it is known to bite) and it stays open where the contract is
meant to grow. Every test that produces scan results checks them with
``conftest.assert_valid_scan`` / ``assert_valid_item``.
"""

from __future__ import annotations

import copy
import fnmatch
import math
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, get_args

import jsonschema
import pytest
from conftest import (
    SCAN_SCHEMA_FILE,
    GoodJpeg,
    assert_valid_item,
    assert_valid_scan,
    scan_schema,
    scan_schema_errors,
)

from provenancekit.forensics.checks import get_checks
from provenancekit.forensics.metadata.summary import NO_POSITION_REASONS
from provenancekit.forensics.model import (
    CONFIDENCES,
    EMPTY_SUMMARY,
    SCHEMA,
    SEVERITIES,
    CheckStatus,
    ItemStatus,
)
from provenancekit.forensics.scan import scan
from provenancekit.forensics.triage import LEVELS

ROOT = Path(__file__).resolve().parents[1]


# --------------------------------------------------------------------------- the schema itself


def test_schema_is_a_valid_2020_12_schema() -> None:
    schema = scan_schema()  # read through importlib.resources, as an installed copy is
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["properties"]["schema"]["const"] == SCHEMA


def test_schema_is_shipped_as_package_data() -> None:
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    assert (ROOT / "reports" / "schema" / SCAN_SCHEMA_FILE).is_file()
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))[
        "tool"]["setuptools"]["package-data"]["provenancekit.reports"]
    assert any(fnmatch.fnmatch(f"schema/{SCAN_SCHEMA_FILE}", g) for g in package_data)


def _objects(node: Any, where: str = "#") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every sub-schema of ``node`` with ``properties``, and where it is."""
    if isinstance(node, dict):
        if isinstance(node.get("properties"), dict):
            yield where, node
        for key, value in node.items():
            yield from _objects(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _objects(value, f"{where}/{i}")


def _described(sub: dict[str, Any], defs: dict[str, Any]) -> bool:
    if "description" in sub:
        return True
    ref = sub.get("$ref", "")
    return ref.startswith("#/$defs/") and "description" in defs[ref.rsplit("/", 1)[1]]


def test_every_field_is_described() -> None:
    schema = scan_schema()
    defs = schema["$defs"]
    undescribed = [f"{where}/{name}" for where, node in _objects(schema)
                   if "/allOf/" not in where  # conditions restate fields described above
                   for name, sub in node["properties"].items() if not _described(sub, defs)]
    assert not undescribed, undescribed
    assert all(_described(sub, defs) for sub in defs.values()), [
        name for name, sub in defs.items() if not _described(sub, defs)]


def test_enumerations_are_the_models_own() -> None:
    defs = scan_schema()["$defs"]
    assert tuple(defs["severity"]["enum"]) == SEVERITIES
    assert tuple(defs["confidence"]["enum"]) == CONFIDENCES
    assert tuple(defs["check_result"]["properties"]["status"]["enum"]) == get_args(CheckStatus)
    assert tuple(defs["item"]["properties"]["status"]["enum"]) == get_args(ItemStatus)
    assert tuple(defs["triage"]["properties"]["level"]["enum"]) == (*LEVELS, "error")
    assert defs["summary"]["required"] == list(EMPTY_SUMMARY)
    assert set(defs["gps_unusable"]["properties"]["reason"]["enum"]) == set(NO_POSITION_REASONS)


# --------------------------------------------------------------------------- it bites


@pytest.fixture(scope="module")
def doc(tmp_path_factory: pytest.TempPathFactory, good_jpeg: GoodJpeg) -> dict[str, Any]:
    """A real scan: a good JPEG, a truncated one, an empty file and a missing path."""
    root = tmp_path_factory.mktemp("schema")
    (root / "a_good.jpg").write_bytes(good_jpeg.data)
    (root / "b_truncated.jpg").write_bytes(good_jpeg.data[:len(good_jpeg.data) // 2])
    (root / "c_empty.jpg").write_bytes(b"")
    result = scan([root, root / "d_missing.jpg"], checks=get_checks(["metadata",
                                                                      "jpeg_structure"]))
    good, truncated, empty, missing = result["items"]
    assert good["status"] == "ok" and good["findings"] and good["checks"]
    assert truncated["error"]["code"] == "truncated" and truncated["sha256"]
    assert (empty["error"]["code"], missing["error"]["code"]) == ("empty_file", "not_found")
    return result


def test_a_real_scan_is_valid(doc: dict[str, Any]) -> None:
    assert scan_schema_errors(doc) == []
    assert_valid_scan(doc)
    for item in doc["items"]:
        assert scan_schema_errors(item, "item") == []
        assert_valid_item(item)


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """A change to a document: ``items/0/findings/0/severity`` set to ``value`` (or removed,
    when ``value`` is :data:`DROP`)."""

    def change(d: dict[str, Any]) -> None:
        *parents, last = path.split("/")
        node: Any = d
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        if value is DROP:
            del node[last]
        else:
            node[last] = copy.deepcopy(value)

    return change


DROP = object()
GOOD, TRUNCATED, EMPTY = "items/0", "items/1", "items/2"
MALFORMED = {
    "no tool": _set("tool", DROP),
    "another schema": _set("schema", "provenance.scan/2"),
    "item without sha256": _set(f"{GOOD}/sha256", DROP),
    "item without triage": _set(f"{GOOD}/triage", DROP),
    "sha256 upper case": _set(f"{GOOD}/sha256", "A" * 64),
    "sha256 too short": _set(f"{GOOD}/sha256", "a" * 63),
    "sha256 not hex": _set(f"{GOOD}/sha256", "g" * 64),
    "negative size": _set(f"{GOOD}/size", -1),
    "severity critical": _set(f"{GOOD}/findings/0/severity", "critical"),
    "confidence certain": _set(f"{GOOD}/findings/0/confidence", "certain"),
    "code not dotted": _set(f"{GOOD}/findings/0/code", "metadata"),
    "code with capitals": _set(f"{GOOD}/findings/0/code", "Metadata.Edited"),
    "blank message": _set(f"{GOOD}/findings/0/message", "  "),
    "evidence a list": _set(f"{GOOD}/findings/0/evidence", [1, 2]),
    "finding with an unknown key": _set(f"{GOOD}/findings/0/verdict", "fake"),
    "check status skipped": _set(f"{GOOD}/checks/0/status", "skipped"),
    "check error without its reason": _set(f"{GOOD}/checks/0/status", "error"),
    "score above 1": _set(f"{GOOD}/checks/0/score", 1.5),
    "params not an object": _set(f"{GOOD}/checks/0/params", "quality=90"),
    "summary without gps": _set(f"{GOOD}/metadata/summary/gps", DROP),
    "orientation 9": _set(f"{GOOD}/metadata/summary/orientation", 9),
    "metadata block a string": _set(f"{GOOD}/metadata/EXIF", "present"),
    "error on an ok item": _set(f"{GOOD}/error", {"code": "truncated", "message": "x"}),
    "no error on an error item": _set(f"{TRUNCATED}/error", None),
    "error without message": _set(f"{TRUNCATED}/error/message", DROP),
    "error code with spaces": _set(f"{TRUNCATED}/error/code", "not found"),
    "unknown triage level": _set(f"{GOOD}/triage/level", "critical"),
    "unread file with a size": _set(f"{EMPTY}/size", 0),
    "unread file that is ok": _set(f"{EMPTY}/status", "ok"),
}


def test_an_unread_file_has_no_check_results(doc: dict[str, Any]) -> None:
    item = copy.deepcopy(doc["items"][2])
    item["checks"] = copy.deepcopy(doc["items"][0]["checks"])
    assert any("checks" in e for e in scan_schema_errors(item, "item"))


SEMANTIC = {  # what a schema cannot say; the helper checks it
    "NaN in evidence": _set(f"{GOOD}/findings/0/evidence/ratio", math.nan),
    "finding of a check that did not run": _set(f"{GOOD}/findings/0/check", "noise"),
    "triage not from the findings": _set(f"{GOOD}/triage/score", 0.99),
    "error is not the first problem": _set(f"{TRUNCATED}/error/code", "corrupt_exif"),
}


@pytest.mark.parametrize(("change", "schema_sees_it"),
                         [*((c, True) for c in MALFORMED.values()),
                          *((c, False) for c in SEMANTIC.values())],
                         ids=[*MALFORMED, *SEMANTIC])
def test_malformed_documents_are_rejected(doc: dict[str, Any],
                                          change: Callable[[dict[str, Any]], None],
                                          schema_sees_it: bool) -> None:
    """The schema rejects a malformed shape; the helper rejects that and what a schema
    cannot see."""
    bad = copy.deepcopy(doc)
    change(bad)
    assert bool(scan_schema_errors(bad)) == schema_sees_it
    with pytest.raises(AssertionError):
        assert_valid_scan(bad)


# --------------------------------------------------------------------------- open to growth


GROWTH = {
    "container fields on an item": [_set(f"{GOOD}/parent", None), _set(f"{GOOD}/children", []),
                                    _set(f"{GOOD}/locator", {"member": "a/b.jpg"})],
    "a new metadata block": [_set(f"{GOOD}/metadata/MakerNotes", {"Canon": {"x": 1}})],
    "new evidence keys": [_set(f"{GOOD}/findings/0/evidence/new_measure", [0.5, 0.25])],
    "new parameters": [_set(f"{GOOD}/checks/0/params/new_threshold", 3)],
    "a new tool field": [_set("tool/platform", "linux")],
}


@pytest.mark.parametrize("changes", GROWTH.values(), ids=GROWTH.keys())
def test_the_schema_stays_open_where_the_contract_grows(doc: dict[str, Any],
                                                        changes: list[Callable[..., None]]
                                                        ) -> None:
    grown = copy.deepcopy(doc)
    for change in changes:
        change(grown)
    assert scan_schema_errors(grown) == []
    assert_valid_scan(grown)
