"""The container/children contract (forensics.containers): children as items of their own,
right after their container, through the scan, the batch driver, the store and --resume.

The PDFs here are built by the tests with pikepdf around real camera JPEGs of the corpus
(pasted raw, as a DCTDecode stream, the way a layout program embeds a photo).
"""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
from pathlib import Path

import pikepdf
import pytest
from conftest import assert_children_follow, assert_valid_item, assert_valid_scan
from PIL import Image

from provenancekit.forensics.batch import BatchOptions, checks_for, run_batch
from provenancekit.forensics.containers import (
    EXTRACTORS,
    Child,
    ContainerLimits,
    child_path,
    extractor_for,
    rollup_findings,
)
from provenancekit.forensics.model import EvidenceItem
from provenancekit.forensics.scan import scan
from provenancekit.forensics.store import ResultStore
from provenancekit.forensics.triage import LEVELS, triage

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
CAMERA = CORPUS / "exif" / "exif-py" / "jpg"
CAMERA_FILES = ["Canon_40D.jpg", "Nikon_D70.jpg", "Fujifilm_FinePix_E500.jpg"]
needs_corpus = pytest.mark.skipif(not (CAMERA / CAMERA_FILES[0]).exists(),
                                  reason="corpus camera JPEGs not available")


# --------------------------------------------------------------------------- PDF builders


def _jpeg_xobject(pdf: pikepdf.Pdf, jpeg: bytes) -> pikepdf.Stream:
    """The JPEG's bytes as they are, as a DCTDecode image XObject (a pasted photo)."""
    im = Image.open(io.BytesIO(jpeg))
    spaces = {"L": pikepdf.Name.DeviceGray, "RGB": pikepdf.Name.DeviceRGB,
              "CMYK": pikepdf.Name.DeviceCMYK}
    stream = pikepdf.Stream(pdf, b"")
    stream.write(jpeg, filter=pikepdf.Name.DCTDecode)
    stream.Type = pikepdf.Name.XObject
    stream.Subtype = pikepdf.Name.Image
    stream.Width, stream.Height = im.size
    stream.ColorSpace = spaces[im.mode]
    stream.BitsPerComponent = 8
    return stream


def build_pdf(pages: list[list[bytes]], *, info: dict[str, str] | None = None,
              text: str | None = None, attachments: dict[str, bytes] | None = None) -> bytes:
    """A PDF whose page i shows the JPEGs of ``pages[i]`` (raw DCTDecode), with an Info
    dictionary, optional text on page 1 and embedded files; classic xref (no object
    streams), so that an incremental update can be appended to it."""
    pdf = pikepdf.new()
    for n, jpegs in enumerate(pages):
        pdf.add_blank_page(page_size=(595, 842))
        page = pdf.pages[-1]
        xobjects = pikepdf.Dictionary()
        ops = []
        for i, jpeg in enumerate(jpegs):
            xobjects[f"/Im{i + 1}"] = _jpeg_xobject(pdf, jpeg)
            ops.append(f"q 200 0 0 150 50 {600 - 170 * i} cm /Im{i + 1} Do Q")
        resources = pikepdf.Dictionary(XObject=xobjects)
        if text and n == 0:
            resources.Font = pikepdf.Dictionary(F1=pikepdf.Dictionary(
                Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                BaseFont=pikepdf.Name.Helvetica))
            ops.append(f"BT /F1 12 Tf 50 780 Td ({text}) Tj ET")
        page.Resources = resources
        page.Contents = pdf.make_stream(" ".join(ops).encode())
    if info:
        pdf.docinfo = pdf.make_indirect(pikepdf.Dictionary(
            {f"/{k}": pikepdf.String(v) for k, v in info.items()}))
    for name, data in (attachments or {}).items():
        pdf.attachments[name] = pikepdf.AttachedFileSpec(pdf, data, filename=name)
    buf = io.BytesIO()
    pdf.save(buf, object_stream_mode=pikepdf.ObjectStreamMode.disable,
             compress_streams=True, deterministic_id=True)
    return buf.getvalue()


def camera_jpegs(n: int) -> list[bytes]:
    names = sorted(p for p in CAMERA.glob("*.jpg"))
    return [names[i % len(names)].read_bytes() for i in range(n)]


# --------------------------------------------------------------------------- the contract


def test_registry_and_fragments() -> None:
    assert [e.name for e in EXTRACTORS] == ["pdf", "video"]
    pdf_item = EvidenceItem("a.pdf", "0" * 64, 10, "application/pdf")
    assert extractor_for(pdf_item) is EXTRACTORS[0]
    assert extractor_for(EvidenceItem("a.jpg", "0" * 64, 10, "image/jpeg")) is None
    kid = Child(b"x", (("page", 3), ("image", "Im1")), "embedded_image")
    assert child_path("statement.pdf", kid) == "statement.pdf#page=3&image=Im1"
    odd = Child(b"x", (("attachment", "a&b #1.gpx"),), "attachment")
    assert child_path("s.pdf", odd) == "s.pdf#attachment=a%26b%20%231.gpx"
    assert child_path("s.pdf#revision=1", kid) == "s.pdf#revision=1&page=3&image=Im1"
    assert Child(b"", (("t", 12.480),), "keyframe").fragment() == "t=12.48"


@needs_corpus
def test_pasted_photos_are_children_byte_exact(tmp_path: Path) -> None:
    jpegs = [(CAMERA / n).read_bytes() for n in CAMERA_FILES]
    path = tmp_path / "statement.pdf"
    path.write_bytes(build_pdf([[jpegs[0]], [jpegs[1], jpegs[2]]],
                               info={"Producer": "Test", "CreationDate": "D:20240101120000Z"}))
    before = sorted(p.name for p in tmp_path.iterdir())
    doc = scan([path])
    assert_valid_scan(doc)
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written beside it
    top, *kids = doc["items"]
    assert top["media_type"] == "application/pdf" and top["status"] == "ok"
    assert top["checks"][0]["name"] == "pdf"
    assert top["checks"][0]["params"]["limits"]["max_children"] == 512
    assert top["children"] == [hashlib.sha256(j).hexdigest() for j in jpegs]
    assert [k["path"] for k in kids] == [f"{path}#page=1&image=Im1", f"{path}#page=2&image=Im1",
                                         f"{path}#page=2&image=Im2"]
    for k, jpeg, name in zip(kids, jpegs, CAMERA_FILES, strict=True):
        assert k["sha256"] == hashlib.sha256(jpeg).hexdigest()  # the camera file itself
        assert k["relation"] == "embedded_image" and k["media_type"] == "image/jpeg"
        assert k["parent"] == {"sha256": top["sha256"], "path": str(path)}
        assert k["metadata"]["summary"]["make"].split()[0].lower() in name.lower()
        assert k["metadata"]["EXIF"]["IFD0"]  # read as for a still
        assert "metadata" in [c["name"] for c in k["checks"]]
    assert kids[1]["locator"] == {"page": 2, "image": "Im1"}


def test_container_ranks_at_least_as_high_as_its_worst_child() -> None:
    def item(path: str, findings: list[tuple[str, str]]) -> dict:
        out = {"path": path, "sha256": "a" * 64, "status": "ok", "findings": [
            {"code": "x.y", "check": "x", "severity": s, "confidence": c, "message": "m",
             "evidence": {}} for s, c in findings]}
        out["triage"] = triage(out)
        return out

    kids = [item("p.pdf#page=1&image=Im1", [("low", "high")] * 3),  # highest score
            item("p.pdf#page=2&image=Im1", [("medium", "medium")]),  # highest level
            item("p.pdf#page=3&image=Im1", [("info", "high")])]
    rolled = rollup_findings("pdf", kids)
    assert {f.code for f in rolled} == {"container.child_flagged"}
    assert len(rolled) == 4 and all(f.check == "pdf" for f in rolled)
    container = {"status": "ok", "findings": [f.to_dict() for f in rolled]}
    t = triage(container)
    for k in kids:
        assert t["score"] >= k["triage"]["score"]
        assert LEVELS.index(t["level"]) >= LEVELS.index(k["triage"]["level"])
    assert rollup_findings("pdf", [kids[2]]) == []


@needs_corpus
def test_batch_unit_store_and_resume(tmp_path: Path) -> None:
    jpegs = camera_jpegs(3)
    evidence = tmp_path / "release"
    evidence.mkdir()
    (evidence / "a_statement.pdf").write_bytes(build_pdf([[jpegs[0], jpegs[1]]]))
    (evidence / "b_photo.jpg").write_bytes(jpegs[1])  # also pasted in the PDF
    (evidence / "c_photo.jpg").write_bytes(jpegs[2])
    db = tmp_path / "run.sqlite"
    got: list[dict] = []
    opts = BatchOptions(workers=2, scan=__import__("provenancekit.forensics.context",
                                                   fromlist=["ScanOptions"]).ScanOptions(
        local_features=False))
    with ResultStore(str(db)) as store:
        summary = run_batch([evidence], checks=checks_for("quick", None), options=opts,
                            store=store, on_item=got.append)
        assert summary.inputs == 3 and summary.analysed == 3 and summary.children == 2
        stored = list(store.items(paths=summary.order))
    for it in got:
        assert_valid_item(it)
    pdf = str(evidence / "a_statement.pdf")
    assert summary.order[:3] == [pdf, f"{pdf}#page=1&image=Im1", f"{pdf}#page=1&image=Im2"]
    assert [i["path"] for i in stored] == summary.order
    assert_children_follow(stored)
    # the photo pasted in the PDF is the same file as b_photo.jpg: the release pass says so
    # (on whichever of the two the batch finished second)
    pair = {str(evidence / "b_photo.jpg"), f"{pdf}#page=1&image=Im2"}
    dup = [(i["path"], f) for i in stored if i["path"] in pair
           for f in i["findings"] if f["code"] == "known_image.duplicate_in_release"]
    assert len(dup) == 1
    assert (pair - {dup[0][0]}).pop() in json.dumps(dup[0][1]["evidence"])
    if dup[0][0] in got[0]["path"] or dup[0][0].startswith(pdf):  # the child: its rank counts
        top = next(i for i in stored if i["path"] == pdf)
        assert any(f["code"] == "container.child_flagged" for f in top["findings"]) or \
            dup[0][1]["severity"] == "info"
    with sqlite3.connect(db) as conn:
        rows = [r[0] for r in conn.execute("SELECT path FROM items ORDER BY path")]
    assert len(rows) == 5 and len(set(rows)) == 5  # one row per item, the key has the locator
    again: list[dict] = []
    with ResultStore(str(db)) as store:
        summary2 = run_batch([evidence], checks=checks_for("quick", None),
                             options=BatchOptions(workers=1, resume=True, scan=opts.scan),
                             store=store, on_item=again.append)
        assert summary2.skipped_resume == 3 and again == []
        assert summary2.order == summary.order  # the resumed container's children follow it
        assert store.count() == 5


@needs_corpus
def test_caps_on_children_are_recorded(tmp_path: Path) -> None:
    path = tmp_path / "many.pdf"
    path.write_bytes(build_pdf([[j] for j in camera_jpegs(6)]))
    from provenancekit.forensics.scan import scan_file

    res = scan_file(str(path), limits=ContainerLimits(max_children=2))
    items = [u.to_dict() for u in res.units()]
    assert_valid_scan({"schema": "provenance.scan/1", "tool": {"name": "provenance",
                       "version": "0", "libraries": {}, "checks": {}}, "items": items})
    assert len(items) == 3
    container = items[0]["metadata"]["Container"]
    assert container["children"] == 2
    assert container["skipped"].get("max_children", 0) >= 1
    assert items[0]["checks"][0]["params"]["limits"]["max_children"] == 2
