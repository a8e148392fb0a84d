"""PDF press releases as evidence (forensics.containers.pdf): the corpus PDFs of
../shared/corpus/pdf (see its SOURCES.md for what each shows) and PDFs built here with
pikepdf (pasted camera JPEGs, incremental updates written by pyHanko, hostile structures
written byte by byte)."""

from __future__ import annotations

import hashlib
import io
import time
import zlib
from pathlib import Path

import pikepdf
import pytest
from conftest import assert_valid_scan
from test_containers import CAMERA, build_pdf, camera_jpegs, needs_corpus

from provenancekit.forensics.scan import scan, scan_file

PDFS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "pdf"
needs_pdfs = pytest.mark.skipif(not PDFS.exists(), reason="corpus PDFs not available")


def _scan(path: Path | str) -> list[dict]:
    doc = scan([path])
    assert_valid_scan(doc)
    return doc["items"]


def _codes(item: dict) -> list[str]:
    return [f["code"] for f in item["findings"]]


def raw_pdf(objects: list[bytes], *, trailer: bytes = b"", startxref: int | None = None
            ) -> bytes:
    """A classic-xref PDF from object bodies (object 1 is the catalog)."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for o in offsets:
        out += b"%010d 00000 n \n" % o
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, trailer, xref if startxref is None else startxref)
    return bytes(out)


def _incremental(data: bytes, *, creation: str | None = None, text: str | None = None) -> bytes:
    """An incremental update (pyHanko's writer) that changes the creation date and/or adds
    text to page 1."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    w = IncrementalPdfFileWriter(io.BytesIO(data))
    if creation:
        ref = w.trailer.raw_get("/Info")
        ref.get_object()["/CreationDate"] = generic.pdf_string(creation)
        w.mark_update(ref)
    if text:
        w.add_stream_to_page(0, generic.StreamObject(
            stream_data=f"BT /F1 12 Tf 50 700 Td ({text}) Tj ET".encode()))
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


# --------------------------------------------------------------------------- corpus


@needs_pdfs
def test_every_corpus_pdf_is_read_or_a_clear_error() -> None:
    for path in sorted(PDFS.glob("*/*.pdf")):
        items = _scan(path)
        top = items[0]
        assert top["media_type"] == "application/pdf", path.name
        assert top["checks"][0]["name"] == "pdf"
        if top["status"] == "error":
            assert top["error"]["code"] in ("corrupt_pdf", "encrypted"), top["error"]
            assert str(path) in top["error"]["message"]
        else:
            assert top["metadata"]["PDF"]["pages"] >= 1, path.name


@needs_pdfs
def test_signatures_validated_offline() -> None:
    top = _scan(PDFS / "pdfjs" / "signed_verified.pdf")[0]
    (sig,) = top["metadata"]["PDF"]["signatures"]
    assert "test-pdf-signer" in sig["signer"]
    assert sig["signing_time"].startswith("2026-05-09")
    assert sig["intact"] and sig["valid"] and not sig["trusted"]
    assert sig["status"] == "valid_untrusted" and sig["covers_whole_file"]
    assert sig["bytes_after"] == 0 and sig["byte_range"][0] == 0
    assert "pdf.signature_valid_untrusted" in _codes(top)

    items = _scan(PDFS / "pyhanko" / "minimal-signed-twice-no-sig-type.pdf")
    top = items[0]
    sigs = top["metadata"]["PDF"]["signatures"]
    assert [s["field"] for s in sigs] == ["Sig1", "Sig2"]
    assert [s["signing_time"][:10] for s in sigs] == ["2020-11-01", "2020-11-02"]
    assert all("Alice" in s["signer"] and s["status"] == "valid_untrusted" for s in sigs)
    assert sigs[0]["bytes_after"] > 0 and not sigs[0]["covers_whole_file"]
    assert sigs[1]["covers_whole_file"]
    later = [f for f in top["findings"] if f["code"] == "pdf.signed_then_modified"]
    assert len(later) == 1 and later[0]["evidence"]["field"] == "Sig1"
    assert top["metadata"]["PDF"]["revisions"]["count"] == 3
    assert [i.get("locator") for i in items[1:]] == [{"revision": 1}, {"revision": 2}]


@needs_pdfs
def test_a_tampered_signature_is_invalid(tmp_path: Path) -> None:
    data = bytearray((PDFS / "pdfjs" / "signed_verified.pdf").read_bytes())
    at = data.index(b"/Type /Page ") + 1  # a signed byte changed
    data[at:at + 4] = b"Tupe"[:4] if data[at:at + 4] == b"Type" else data[at:at + 4]
    path = tmp_path / "tampered.pdf"
    path.write_bytes(bytes(data))
    top = _scan(path)[0]
    (sig,) = top["metadata"]["PDF"]["signatures"]
    assert sig["status"] == "invalid" and sig["intact"] is False
    bad = [f for f in top["findings"] if f["code"] == "pdf.signature_invalid"]
    assert bad and bad[0]["severity"] == "high"
    assert "pdf.signature_valid_untrusted" not in _codes(top)


@needs_pdfs
def test_javascript_attachments_revisions_and_repair() -> None:
    top = _scan(PDFS / "pdfjs" / "js-authors.pdf")[0]
    assert "pdf.javascript" in _codes(top)
    assert top["metadata"]["summary"]["software"] == "Adobe Acrobat Pro DC 20.13.20074"
    assert top["metadata"]["summary"]["datetime_original"] == "2021-01-08T09:24:19-08:00"

    items = _scan(PDFS / "pdfjs" / "attachment.pdf")
    kid = next(i for i in items if i.get("relation") == "attachment")
    assert kid["path"].endswith("attachment.pdf#attachment=foo.txt")
    changes = items[0]["metadata"]["PDF"]["revisions"]["changes"]
    assert changes[0]["attachments_added"] == ["foo.txt"]  # attached in a later update

    items = _scan(PDFS / "pdfjs" / "bug2009627.pdf")
    names = sorted(i["locator"]["attachment"] for i in items if i.get("relation"))
    assert names == ["mathml-1.xml", "mathml-2.xml", "mathml-3.xml"]
    assert items[0]["metadata"]["PDF"]["pdf_version"] == "2.0"

    items = _scan(PDFS / "pdfjs" / "prefilled_f1040.pdf")  # linearized, 7 %%EOF
    revs = items[0]["metadata"]["PDF"]["revisions"]
    assert revs["count"] == 6 and revs["linearization_sections"] == 1
    assert "ModDate" in revs["changes"][0]["info_changed"]

    items = _scan(PDFS / "pdfjs" / "scan-bad.pdf")  # broken xref, Flate around a JPEG
    assert "pdf.repaired" in _codes(items[0]) and items[0]["status"] == "ok"
    (photo,) = items[1:]
    assert photo["media_type"] == "image/jpeg" and photo["relation"] == "embedded_image"
    assert photo["metadata"]["summary"]["make"] == "Canon"
    assert "FlateDecode" in photo["metadata"]["Container"]["extraction"]

    top = _scan(PDFS / "pyhanko" / "circular-page-tree.pdf")[0]
    assert top["status"] == "error" and top["error"]["code"] == "corrupt_pdf"
    assert "Loop" in top["error"]["message"]

    top = _scan(PDFS / "pdf20examples" / "PDF 2.0 with offset start.pdf")[0]
    assert top["status"] == "ok" and top["metadata"]["PDF"]["header_offset"] > 0

    top = _scan(PDFS / "pypdf" / "commented-xmp.pdf")[0]
    assert top["metadata"]["XMP"]["properties"]  # XML comments in the packet are fine


@needs_pdfs
def test_other_images_are_decoded_losslessly_to_png() -> None:
    items = _scan(PDFS / "pypdf" / "imagemagick-images.pdf")
    assert items[0]["metadata"]["PDF"]["pages"] == 6
    decoded = [i for i in items if i.get("relation") == "decoded_image"]
    assert decoded and all(i["media_type"] == "image/png" for i in decoded)
    assert all("losslessly as PNG" in i["metadata"]["Container"]["extraction"]
               for i in decoded)
    # the same picture on four pages is one child, the others are listed as duplicates
    assert len(items[0]["metadata"]["Container"]["duplicates"]) == 4


# --------------------------------------------------------------------------- built PDFs


@needs_corpus
def test_revision_that_changed_the_date_and_the_text(tmp_path: Path) -> None:
    jpeg = (CAMERA / "Nikon_D70.jpg").read_bytes()
    first = build_pdf([[jpeg]], info={"Producer": "Writer",
                                      "CreationDate": "D:20240301100000+03'00'"},
                      text="Issued 1 March 2024")
    data = _incremental(first, creation="D:20240228090000+03'00'",
                        text="Issued 28 February 2024")
    path = tmp_path / "statement.pdf"
    path.write_bytes(data)
    items = _scan(path)
    top = items[0]
    assert top["metadata"]["summary"]["datetime_original"] == "2024-02-28T09:00:00+03:00"
    (change,) = top["metadata"]["PDF"]["revisions"]["changes"]
    assert change["info_changed"]["CreationDate"]["from"].startswith("D:20240301")
    assert change["pages_changed"] == [1]
    assert {"page": 1, "text": "Issued 28 February 2024"} in change["text_added"]
    revised = [f for f in top["findings"] if f["code"] == "pdf.revised"]
    assert revised and revised[0]["severity"] == "medium"
    assert "CreationDate" in revised[0]["message"]
    rev = next(i for i in items if i.get("relation") == "revision")
    assert rev["path"] == f"{path}#revision=1"
    assert rev["sha256"] == hashlib.sha256(first).hexdigest()  # byte-exact first version
    assert rev["metadata"]["summary"]["datetime_original"] == "2024-03-01T10:00:00+03:00"
    # its photo is the same bytes as the final's: scanned once
    assert [i["relation"] for i in items[1:]] == ["embedded_image", "revision"]
    text = top["metadata"]["PDF"]["text"]["pages"][0]
    assert "Issued 1 March 2024" in text["text"] and "1 March 2024" in text["dates"]


@needs_corpus
def test_photo_taken_after_the_document_was_created(tmp_path: Path) -> None:
    jpeg = (CAMERA / "Canon_40D.jpg").read_bytes()  # DateTimeOriginal 2008
    path = tmp_path / "backdated.pdf"
    path.write_bytes(build_pdf([[jpeg]], info={"CreationDate": "D:20050101000000Z",
                                               "ModDate": "D:20040101000000Z"}))
    top = _scan(path)[0]
    late = [f for f in top["findings"] if f["code"] == "pdf.photo_after_document"]
    assert late and late[0]["evidence"]["photos"][0]["taken"].startswith("2008-")
    dates = [f for f in top["findings"] if f["code"] == "pdf.date_inconsistent"]
    assert dates and "modified before it was created" in dates[0]["message"]


def test_gpx_inside_a_pdf_is_a_track(tmp_path: Path) -> None:
    gpx = (b'<?xml version="1.0"?><gpx version="1.1" creator="t" '
           b'xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>'
           + b"".join(b'<trkpt lat="61.%03d" lon="34.1"><time>2025-01-01T10:%02d:00Z</time>'
                      b"</trkpt>" % (i, i) for i in range(10))
           + b"</trkseg></trk></gpx>")
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.attachments["track.gpx"] = pikepdf.AttachedFileSpec(pdf, gpx, filename="track.gpx")
    buf = io.BytesIO()
    pdf.save(buf)
    path = tmp_path / "with_track.pdf"
    path.write_bytes(buf.getvalue())
    items = _scan(path)
    (track,) = items[1:]
    assert track["path"] == f"{path}#attachment=track.gpx"
    assert track["media_type"] == "application/gpx+xml"
    assert track["sha256"] == hashlib.sha256(gpx).hexdigest()
    assert any(c["name"] == "track" and c["status"] != "not_applicable"
               for c in track["checks"])


def test_active_content_is_listed(tmp_path: Path) -> None:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.Root.OpenAction = pdf.make_indirect(pikepdf.Dictionary(
        S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert('hi');")))
    launch = pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String("cmd.exe"))
    uri = pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String("https://example.org/x"))
    pdf.pages[0].Annots = pdf.make_indirect(pikepdf.Array([
        pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link,
                                             Rect=[0, 0, 10, 10], A=launch)),
        pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link,
                                             Rect=[0, 20, 10, 30], A=uri))]))
    buf = io.BytesIO()
    pdf.save(buf)
    path = tmp_path / "active.pdf"
    path.write_bytes(buf.getvalue())
    top = _scan(path)[0]
    codes = _codes(top)
    for code in ("pdf.javascript", "pdf.launch", "pdf.open_action", "pdf.uri"):
        assert code in codes, codes
    uris = next(f for f in top["findings"] if f["code"] == "pdf.uri")["evidence"]["uris"]
    assert uris == ["https://example.org/x"]
    assert top["triage"]["level"] == "high"


def test_encrypted_pdfs(tmp_path: Path) -> None:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    locked, open_ = io.BytesIO(), io.BytesIO()
    pdf.save(locked, encryption=pikepdf.Encryption(user="secret", owner="owner"))
    pdf.save(open_, encryption=pikepdf.Encryption(user="", owner="owner",
                                                  allow=pikepdf.Permissions(extract=False)))
    (tmp_path / "locked.pdf").write_bytes(locked.getvalue())
    (tmp_path / "perms.pdf").write_bytes(open_.getvalue())
    (tmp_path / "good.jpg").write_bytes(camera_jpegs(1)[0] if CAMERA.exists() else b"\xff\xd8")
    items = {Path(i["path"]).name: i for i in _scan(tmp_path)}
    locked_item = items["locked.pdf"]
    assert locked_item["status"] == "error" and locked_item["error"]["code"] == "encrypted"
    assert "locked.pdf" in locked_item["error"]["message"]
    assert "password" in locked_item["error"]["message"]
    perms = items["perms.pdf"]
    assert perms["status"] == "ok" and "pdf.encrypted" in _codes(perms)
    assert perms["metadata"]["PDF"]["encryption"]["permissions"]["extract"] is False
    assert "good.jpg" in items  # the batch went on


def test_flate_bomb_is_refused_within_the_cap(tmp_path: Path) -> None:
    bomb = zlib.compress(b"\x00" * (300 * 1024 * 1024), 9)  # 300 MiB in ~300 kB
    objs = [b"<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles 6 0 R >> >>",
            b"<< /Type /Pages /Count 1 /Kids [3 0 R] >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /XObject << /Im1 4 0 R >> >> /Contents 5 0 R >>",
            b"<< /Type /XObject /Subtype /Image /Width 10000 /Height 10000 /ColorSpace "
            b"/DeviceRGB /BitsPerComponent 8 /Filter /FlateDecode /Length %d >>\nstream\n"
            % len(bomb) + bomb + b"\nendstream",
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(bomb) + bomb
            + b"\nendstream",
            b"<< /Names [(zeros.bin) 7 0 R] >>",
            b"<< /Type /Filespec /F (zeros.bin) /EF << /F 8 0 R >> >>",
            b"<< /Type /EmbeddedFile /Length %d /Filter /FlateDecode >>\nstream\n" % len(bomb)
            + bomb + b"\nendstream"]
    path = tmp_path / "bomb.pdf"
    path.write_bytes(raw_pdf(objs))
    start = time.perf_counter()
    items = _scan(path)
    took = time.perf_counter() - start
    top = items[0]
    assert len(items) == 1 and top["status"] == "ok"
    skipped = top["metadata"]["Container"]["skipped"]
    assert skipped.get("stream_inflate_cap", 0) >= 1
    assert top["metadata"]["PDF"]["streams_refused"] >= 1
    assert took < 30, took


def test_hostile_structures_are_clear_errors_or_repaired_reads(tmp_path: Path) -> None:
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>"
    cases = {
        # the trailer's /Prev points back to its own xref: an xref loop
        "xref_loop.pdf": raw_pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                                  b"<< /Type /Pages /Count 1 /Kids [3 0 R] >>", page],
                                 trailer=b"/Prev 999999 "),
        # startxref points nowhere: qpdf reconstructs the table
        "bad_xref.pdf": raw_pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                                 b"<< /Type /Pages /Count 1 /Kids [3 0 R] >>", page],
                                startxref=5),
        # arrays nested 5,000 deep
        "deep.pdf": raw_pdf([b"<< /Type /Catalog /Pages 2 0 R /Deep 4 0 R >>",
                             b"<< /Type /Pages /Count 1 /Kids [3 0 R] >>", page,
                             b"[" * 5000 + b"]" * 5000]),
        "not_really.pdf": b"%PDF-1.7\n" + b"\x00garbage" * 100,
    }
    data = cases["xref_loop.pdf"]
    xref = data.rindex(b"xref\n")
    cases["xref_loop.pdf"] = data.replace(b"/Prev 999999", b"/Prev %6d" % xref)
    for name, blob in cases.items():
        (tmp_path / name).write_bytes(blob)
    items = {Path(i["path"]).name: i for i in _scan(tmp_path)}
    assert set(items) == set(cases)
    for name, item in items.items():
        if item["status"] == "error":
            assert item["error"]["code"] in ("corrupt_pdf",), (name, item["error"])
            assert name in item["error"]["message"]
    assert items["not_really.pdf"]["status"] == "error"
    assert "pdf.repaired" in _codes(items["bad_xref.pdf"])
    assert items["bad_xref.pdf"]["metadata"]["PDF"]["pages"] == 1
    assert items["deep.pdf"]["status"] == "ok"


def test_a_hundred_thousand_pages_are_capped(tmp_path: Path) -> None:
    n = 100_000
    kids = b" ".join(b"%d 0 R" % (i + 3) for i in range(n))
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Count %d /Kids [%s] >>" % (n, kids)]
    objs += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>"] * n
    path = tmp_path / "pages.pdf"
    path.write_bytes(raw_pdf(objs))
    res = scan_file(str(path))
    item = res.to_dict()
    pdf = item["metadata"]["PDF"]
    assert pdf["pages"] == n and pdf["pages_read"] == 2000
    assert item["metadata"]["Container"]["skipped"]["max_pages"] == n - 2000
    assert "over max_pages" in pdf["text"]["error"]
    assert pdf["page_sizes"][0]["pages"] == 2000
