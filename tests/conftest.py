"""Shared test helpers: small evidence files generated at test time (nothing is committed),
and the ``provenance.scan/1`` contract every test that produces scan results checks them
against (:func:`assert_valid_scan`, :func:`assert_valid_item`, the JSON Schema
``reports/schema/scan.schema.json`` plus what a schema cannot say).

Test modules import the helpers with ``from conftest import ...`` (pytest puts ``tests/`` on
the import path); fixtures need no import.
"""

from __future__ import annotations

import functools
import io
import json
import os
import struct
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

import jsonschema
import numpy as np
import pytest
from PIL import Image

from provenancekit.forensics.checks import Check
from provenancekit.forensics.context import ScanOptions
from provenancekit.forensics.model import ItemResult
from provenancekit.forensics.scan import scan_file
from provenancekit.forensics.triage import triage

try:
    import pillow_heif

    pillow_heif.register_heif_opener()  # HEIC/HEIF inputs for every test
except ImportError:  # pragma: no cover - declared dependency
    pillow_heif = None

ITEM_KEYS = {"path", "sha256", "size", "media_type", "status", "error", "metadata", "checks",
             "findings", "triage"}
"""The keys of an item today (the schema lets later versions add more)."""
CONTAINER_KEYS = {"children", "parent", "locator", "relation"}
"""Keys a container (``children``) or a child (the others) adds (forensics.containers)."""
SCAN_SCHEMA_FILE = "scan.schema.json"


# --------------------------------------------------------------------------- the scan contract


@functools.cache
def scan_schema() -> dict[str, Any]:
    """``scan.schema.json`` as the installed package ships it (``provenancekit.reports``)."""
    text = (resources.files("provenancekit.reports") / "schema" / SCAN_SCHEMA_FILE).read_text(
        encoding="utf-8")
    return json.loads(text)


@functools.cache
def _validator(definition: str | None) -> jsonschema.Draft202012Validator:
    schema = scan_schema()
    if definition is not None:  # one of its $defs, e.g. an item (a JSONL line)
        schema = {"$schema": schema["$schema"], "$defs": schema["$defs"],
                  "$ref": f"#/$defs/{definition}"}
    return jsonschema.Draft202012Validator(schema)


def scan_schema_errors(doc: Any, definition: str | None = None) -> list[str]:
    """Every way ``doc`` breaks the scan schema (or its ``$defs/definition``), as
    ``path: message`` lines; empty when it is valid."""
    errors = sorted(_validator(definition).iter_errors(doc), key=lambda e: list(e.absolute_path))
    return [f"{'/'.join(str(p) for p in e.absolute_path) or '(top)'}: {e.message[:300]}"
            for e in errors]


def _item_semantics(item: Mapping[str, Any]) -> None:
    """What the contract promises about an item beyond its shape."""
    try:
        json.dumps(item, allow_nan=False)  # JSON-safe: no NaN, no infinity, no bytes
    except (TypeError, ValueError) as err:
        raise AssertionError(f"{item.get('path')}: not JSON-safe: {err}") from err
    ran = [c["name"] for c in item["checks"]]
    assert len(ran) == len(set(ran)), f"a check ran twice: {ran}"
    for finding in item["findings"]:
        assert finding["check"] in ran, f"{finding['code']}: made by a check that did not run"
    for result in item["checks"]:
        if result["status"] == "flagged":
            assert any(f["check"] == result["name"] and f["severity"] != "info"
                       for f in item["findings"]), f"{result['name']}: flagged on nothing"
    problems = item["metadata"].get("problems")
    if problems:
        assert item["status"] == "error" and item["error"] == problems[0], item["error"]
    assert item["triage"] == triage(item), "the triage block is not that of the findings"


def assert_valid_item(item: Mapping[str, Any]) -> None:
    """One ``provenance.scan/1`` item (an element of ``items``, a ``--format jsonl`` line, a
    batch result) keeps the contract."""
    errors = scan_schema_errors(item, "item")
    assert not errors, f"{item.get('path')}: not a valid scan item:\n  " + "\n  ".join(
        errors[:10])
    _item_semantics(item)


def assert_valid_scan(doc: Mapping[str, Any]) -> None:
    """A whole ``provenance.scan/1`` document (``scan()``, ``--format json``) keeps the
    contract, and so does each of its items."""
    errors = scan_schema_errors(doc)
    assert not errors, "not a valid scan document:\n  " + "\n  ".join(errors[:10])
    try:
        json.dumps(doc["tool"], allow_nan=False)
    except (TypeError, ValueError) as err:
        raise AssertionError(f"the tool block is not JSON-safe: {err}") from err
    for item in doc["items"]:
        _item_semantics(item)
    assert_children_follow(doc["items"])


def assert_children_follow(items: list[Mapping[str, Any]]) -> None:
    """Containers and children (forensics.containers): every child follows its container
    (after the container's earlier children and theirs), names it as parent, has a path
    that is the container's with a fragment, and is listed in its ``children``."""
    by_path = {i["path"]: n for n, i in enumerate(items)}
    for n, item in enumerate(items):
        parent = item.get("parent")
        if parent:
            at = by_path.get(parent["path"])
            assert at is not None and at < n, f"{item['path']}: its container is not before it"
            container = items[at]
            assert container.get("sha256") == parent["sha256"]
            assert item["sha256"] in container.get("children", []), item["path"]
            assert item["path"].startswith(parent["path"] + ("&" if "#" in parent["path"]
                                                             else "#")), item["path"]
            assert all(i.get("parent") and i["path"].startswith(parent["path"])
                       for i in items[at + 1:n]), f"{item['path']}: not with its siblings"
        if item.get("children") is not None:
            kids = [i["sha256"] for i in items[n + 1:]
                    if (i.get("parent") or {}).get("path") == item["path"]]
            assert kids == item["children"], f"{item['path']}: children not right after it"


def run_one_check(check: Check, path: str | os.PathLike[str], *,
                  options: ScanOptions | None = None) -> tuple[ItemResult, dict[str, Any]]:
    """Scan ``path`` with ``check`` alone (which must not raise): the result and its item
    dict, the item checked against the contract. A file that cannot be read at all (an
    intake error) runs no check; any other runs exactly this one, and every finding is its
    (a container's extractor, forensics.containers, runs before it with its own findings)."""
    from provenancekit.forensics.containers import EXTRACTORS

    opened = {e.name for e in EXTRACTORS}
    result = scan_file(os.fspath(path), options=options, checks=(check,))
    item = result.to_dict()
    assert_valid_item(item)
    ran = [] if item["sha256"] is None else [check.name]
    assert [c["name"] for c in item["checks"] if c["name"] not in opened] == ran
    assert all(f["check"] in (check.name, *opened) for f in item["findings"])
    return result, item


# --------------------------------------------------------------------------- generated pictures


def jpeg_bytes(rgb: np.ndarray, quality: int = 90) -> bytes:
    """``rgb`` (uint8) saved as a baseline JPEG by Pillow."""
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def decode_rgb(data: bytes) -> np.ndarray:
    """An encoded picture decoded to RGB uint8."""
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


def noise_jpeg(seed: int, size: tuple[int, int] = (64, 48)) -> bytes:
    """A JPEG (quality 90) of uniform RGB noise, ``size`` (width, height)."""
    rgb = np.random.default_rng(seed).integers(0, 255, (size[1], size[0], 3), dtype=np.uint8)
    return jpeg_bytes(rgb, 90)


# --------------------------------------------------------------------------- fixtures


@dataclass(frozen=True)
class GoodJpeg:
    data: bytes
    make: str
    model: str
    size: tuple[int, int]


@pytest.fixture(scope="session")
def good_jpeg() -> GoodJpeg:
    """A valid 160x120 noisy JPEG whose EXIF carries Make and Model."""
    size, make, model = (160, 120), "ProvenanceTestMake", "ProvenanceTestModel"
    rng = np.random.default_rng(7)
    pixels = rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8)
    exif = Image.Exif()
    exif[0x010F] = make
    exif[0x0110] = model
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, "JPEG", quality=90, exif=exif.tobytes())
    return GoodJpeg(buf.getvalue(), make, model, size)


@pytest.fixture(scope="session")
def png_bomb():
    """Factory: a tiny real PNG whose IHDR claims ``width`` x ``height`` pixels (CRC fixed)."""

    def make(width: int = 100_000, height: int = 100_000) -> bytes:
        buf = io.BytesIO()
        Image.new("RGB", (4, 4), (1, 2, 3)).save(buf, "PNG")
        png = bytearray(buf.getvalue())
        assert png[12:16] == b"IHDR"
        png[16:24] = struct.pack(">II", width, height)
        png[29:33] = struct.pack(">I", zlib.crc32(bytes(png[12:29])))
        return bytes(png)

    return make


@pytest.fixture(scope="session")
def corrupt_exif_jpeg(good_jpeg: GoodJpeg) -> bytes:
    """``good_jpeg`` with everything after APP1's ``Exif\\0\\0`` replaced by random bytes.

    The segment keeps its length, so the JPEG structure stays intact; only EXIF is garbage.
    """
    data = good_jpeg.data
    start = data.index(b"Exif\x00\x00")
    assert data[start - 4:start - 2] == b"\xff\xe1"
    body = int.from_bytes(data[start - 2:start], "big") - 2 - 6
    garbage = np.random.default_rng(3).integers(0, 256, body, dtype=np.uint8).tobytes()
    garbage = b"\x00\x01" + garbage[2:]  # never a valid "II"/"MM" TIFF byte order
    out = data[:start + 6] + garbage + data[start + 6 + body:]
    assert len(out) == len(data)
    return out
