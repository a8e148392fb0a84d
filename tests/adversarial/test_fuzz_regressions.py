"""Regression tests for the failures the atheris fuzz harness (``benchmarks/fuzz.py``) found,
and for the ones found while triaging them (same parser, same family of input).

Each input is built here, small and readable, from what the crashing input showed; each test
was run and seen failing before its fix. Tests marked ``xfail(strict=True)`` are failures in
code owned elsewhere (``forensics/context.py``, listed in ``benchmarks.fuzz.OWNED_ELSEWHERE``):
the marker comes off with the fix, and strictness makes the suite say so when that lands.
"""

from __future__ import annotations

import io
import json
import struct
import time
import zlib
from pathlib import Path

import pytest
from PIL import Image

from provenancekit.forensics.case.casefile import CaseFileError, load_case
from provenancekit.forensics.context import AnalysisContext
from provenancekit.forensics.model import EvidenceItem, _jsonable
from provenancekit.forensics.scan import scan_file
from provenancekit.forensics.sniff import sniff_media_type

# --------------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------------


def tiff_second_page_without_size() -> bytes:
    """A valid 1x1 8-bit grey TIFF whose IFD0 links to a second IFD with no ImageWidth or
    ImageLength. Pillow opens page 1; counting pages (``n_frames``) raises ``TypeError``."""
    def ifd(entries: list[tuple[int, int, int]], next_ifd: int) -> bytes:
        out = struct.pack("<H", len(entries))
        for tag, typ, value in entries:
            out += (struct.pack("<HHIHH", tag, typ, 1, value, 0) if typ == 3
                    else struct.pack("<HHII", tag, typ, 1, value))
        return out + struct.pack("<I", next_ifd)

    ifd0_size = 2 + 12 * 8 + 4
    ifd1_off = 8 + ifd0_size
    pixel_off = ifd1_off + 2 + 12 + 4
    page0 = [(256, 3, 1), (257, 3, 1), (258, 3, 8), (259, 3, 1), (262, 3, 1),
             (273, 4, pixel_off), (278, 3, 1), (279, 4, 1)]
    return (b"II*\x00" + struct.pack("<I", 8) + ifd(page0, ifd1_off)
            + ifd([(259, 3, 1)], 0) + b"\x80")


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_broken_idat_then_cut_chunk() -> bytes:
    """A PNG whose IDAT is not a zlib stream, followed by a chunk header that claims 4096
    bytes the file does not have: the first decode fails ("broken data stream") and the
    retry with truncated images allowed fails again while reading the cut chunk."""
    ihdr = _png_chunk(b"IHDR", struct.pack(">IIBBBBB", 16, 12, 8, 0, 0, 0, 0))
    return (b"\x89PNG\r\n\x1a\n" + ihdr + _png_chunk(b"IDAT", b"x\x9c\xff\xff\xff\xff")
            + b"\x00\x00\x10\x00\x00\x00\x00\x00")


def avif_zeroed_payload() -> bytes:
    """A 16x12 AVIF whose coded image data (the ``mdat`` payload) is zeroed."""
    buf = io.BytesIO()
    try:
        Image.new("RGB", (16, 12), (200, 30, 30)).save(buf, "AVIF", quality=50)
    except (KeyError, OSError, ValueError):
        pytest.skip("this Pillow cannot write AVIF")
    data = buf.getvalue()
    start = data.index(b"mdat") + 4
    return data[:start] + bytes(len(data) - start)


def _context(data: bytes, path: str = "fuzz-input") -> AnalysisContext:
    import hashlib

    item = EvidenceItem(path=path, sha256=hashlib.sha256(data).hexdigest(), size=len(data),
                        media_type=sniff_media_type(data[:4096]))
    return AnalysisContext(item, data)


def _scan_bytes(tmp_path: Path, name: str, data: bytes) -> dict:
    path = tmp_path / name
    path.write_bytes(data)
    doc = scan_file(str(path), checks=()).to_dict()
    json.dumps(doc, allow_nan=False)
    return doc


# --------------------------------------------------------------------------------------------
# Metadata layer (fixed in forensics/metadata/__init__.py)
# --------------------------------------------------------------------------------------------


def test_tiff_with_a_broken_second_page_keeps_its_metadata() -> None:
    """Fuzz finding ``TypeError@metadata/__init__.py:extract_metadata``: it asked Pillow
    for ``n_frames``, which walks every IFD and raised on the broken second one, so the whole
    metadata dict was lost (the scan recorded ``metadata_error``)."""
    data = tiff_second_page_without_size()
    ctx = _context(data)
    assert ctx.image_or_none is not None and ctx.image.size == (1, 1)
    md = ctx.metadata.to_dict()
    assert md["File"]["width"] == 1 and md["File"]["height"] == 1
    assert md["File"]["frames"] is None  # unknown: the page list is damaged
    assert md["summary"]["width"] == 1
    json.dumps(_jsonable(md), allow_nan=False)
    # the shared image is left usable on its first page for every other reader
    assert ctx.image.tell() == 0 and ctx.image.size == (1, 1)


# --------------------------------------------------------------------------------------------
# Pixel decoding in the scan (forensics/context.py, owned by the lead: fix described in the
# fuzzing report). Each of these made scan_file raise, so the file vanished from a scan.
# --------------------------------------------------------------------------------------------

_CONTEXT_FIX = ("AnalysisContext.rgb() lets decoder exceptions other than the ones it lists "
                "escape (and the truncated-image retry is unguarded); fix owned by the lead")


def test_scan_survives_tiff_page_count_error(tmp_path: Path) -> None:
    doc = _scan_bytes(tmp_path, "two_pages.tif", tiff_second_page_without_size())
    assert doc["status"] == "error" or doc["error"] is None


def test_scan_survives_png_whose_truncated_retry_fails(tmp_path: Path) -> None:
    doc = _scan_bytes(tmp_path, "broken.png", png_broken_idat_then_cut_chunk())
    assert doc["status"] == "error"
    assert doc["error"]["code"] in ("corrupt_image", "truncated")


def test_scan_survives_undecodable_avif(tmp_path: Path) -> None:
    doc = _scan_bytes(tmp_path, "zeroed.avif", avif_zeroed_payload())
    assert doc["status"] == "error"
    assert doc["error"]["code"] == "corrupt_image"


# --------------------------------------------------------------------------------------------
# Case files (fixed in forensics/case/casefile.py)
# --------------------------------------------------------------------------------------------

_VALID_REST = b"""version: 1
claim: {text: Drones hit the residence, author: Ministry}
evidence:
  - file: photo.jpg
"""


def _load(tmp_path: Path, text: bytes, *, check_files: bool = True) -> str:
    """Load a case file that must be refused; the message, without the file's own path."""
    (tmp_path / "photo.jpg").write_bytes(b"x")
    case = tmp_path / "case.yaml"
    case.write_bytes(text)
    with pytest.raises(CaseFileError) as info:
        load_case(case, check_files=check_files)
    message = str(info.value)
    assert message.startswith(str(case))
    return message.replace(str(case), "case.yaml")


@pytest.mark.parametrize("stamp", [
    b"2025-12-29 25:00:00",          # hour out of range (ValueError from PyYAML)
    b"2025-02-30",                   # no such day
    b"2025-12-29T10:00:00+99:00",    # UTC offset out of range
])
def test_case_file_with_impossible_yaml_timestamp_is_a_clear_error(tmp_path: Path,
                                                                   stamp: bytes) -> None:
    """Fuzz finding ``ValueError@case/casefile.py:load_case``: PyYAML builds ``datetime``
    objects for unquoted timestamps and raises ``ValueError`` (not a YAMLError) for impossible
    ones, so ``provenance case run`` showed a traceback."""
    err = _load(tmp_path, _VALID_REST + b"asserts: {event: {start: " + stamp + b"}}\n")
    assert "cannot be read" in err and "impossible date or time" in err


@pytest.mark.parametrize("value", [
    b"!!timestamp <",    # AttributeError inside PyYAML (the fuzzer's input: vet:/t:/2:: ...)
    b"!!bool maybe",     # KeyError
    b"!!int x",          # ValueError
])
def test_case_value_that_does_not_fit_its_yaml_tag_is_a_clear_error(tmp_path: Path,
                                                                    value: bytes) -> None:
    """Fuzz finding ``AttributeError@case/casefile.py:load_case``: PyYAML's constructors raise
    plain Python errors for a value that does not fit an explicit ``!!tag``."""
    err = _load(tmp_path, _VALID_REST + b"title: " + value + b"\n")
    assert "cannot be read" in err and "!!tag" in err


@pytest.mark.parametrize("stamp", [b"0001-01-01T00:00:00+03:00", b"9999-12-31T23:00:00-05:00"])
def test_case_time_at_the_ends_of_the_calendar_is_refused(tmp_path: Path, stamp: bytes) -> None:
    """A window starting on 0001-01-01 cannot be converted to UTC (``OverflowError`` in the
    report's timeline); the case file reader refuses it with the field's line."""
    err = _load(tmp_path, _VALID_REST + b"asserts:\n  event:\n    start: \"" + stamp
                + b"\"\n    end: 2025-12-30T03:00:00+03:00\n")
    assert "case.yaml:7: asserts.event.start:" in err and "calendar" in err


@pytest.mark.parametrize("depth", [40, 5000])
def test_deeply_nested_case_file_is_a_clear_error(tmp_path: Path, depth: int) -> None:
    """Found triaging the case target: deep nesting made PyYAML's recursive composer raise
    ``RecursionError``; nesting no case file needs is refused with a line number."""
    err = _load(tmp_path, _VALID_REST + b"title: " + b"[" * depth + b"]" * depth + b"\n")
    assert "nested" in err


def test_yaml_alias_bomb_is_refused_quickly(tmp_path: Path) -> None:
    """Found triaging the case target: aliases nine wide and six deep expand to half a million
    values (each level more multiplies by nine); walking them for line numbers took time
    exponential in the depth (seven levels: 12 s)."""
    lines = [b"title: &a0 [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 6):
        ref = b"*a%d" % (i - 1)
        lines.append(b"k%d: &a%d [" % (i, i) + b", ".join([ref] * 9) + b"]")
    start = time.perf_counter()
    err = _load(tmp_path, _VALID_REST + b"\n".join(lines) + b"\n")
    assert time.perf_counter() - start < 2.0
    assert "alias" in err


def test_alias_to_a_long_string_is_not_expanded_in_messages(tmp_path: Path) -> None:
    """One 100 kB string referenced 2,000 times as a number: the error message must not
    repeat it (it would be 200 MB)."""
    text = (_VALID_REST + b"s: &s '" + b"x" * 100_000 + b"'\n"
            + b"asserts: {place: {name: p, lat: [" + b", ".join([b"*s"] * 2000)
            + b"], lon: 0}}\n")
    start = time.perf_counter()
    err = _load(tmp_path, text)
    assert time.perf_counter() - start < 2.0
    assert "alias" in err and len(err) < 10_000


@pytest.mark.parametrize("field", [b"file", b"index", b"anchors"])
def test_nul_byte_in_a_case_file_path_is_a_clear_error(tmp_path: Path, field: bytes) -> None:
    """Found triaging the case target: ``Path.resolve()`` raised ``ValueError: embedded null
    byte`` for a quoted "\\0" in any path field."""
    bad = b'"photo\\0.jpg"'
    text = {
        b"file": b'version: 1\nclaim: {text: a, author: b}\nevidence:\n  - file: ' + bad + b"\n",
        b"index": _VALID_REST + b"known_imagery: {index: " + bad + b"}\n",
        b"anchors": _VALID_REST + b"trust_anchors: " + bad + b"\n",
    }[field]
    for check in (True, False):
        assert "NUL character" in _load(tmp_path, text, check_files=check)


def test_overlong_evidence_file_name_is_a_clear_error(tmp_path: Path) -> None:
    """Found triaging the case target: ``Path.exists()`` raised ``OSError`` (file name too
    long) rather than answering False."""
    text = (b"version: 1\nclaim: {text: a, author: b}\nevidence:\n  - file: "
            + b"a" * 5000 + b".jpg\n")
    assert "evidence[0].file: " in _load(tmp_path, text)


# --------------------------------------------------------------------------------------------
# Navigation tracks (fixed in forensics/case/track.py)
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("stamp", ["0001-01-01T00:00:00", "9999-12-31T23:59:59",
                                   "0001-01-01T00:00:00+05:00"])
def test_track_time_at_the_ends_of_the_calendar_is_not_placed(stamp: str) -> None:
    """``OverflowError`` from ``analyse_track`` (found reviewing the track target; the fuzz
    dictionary now carries calendar-edge dates): a fix dated on the first or last day of the
    calendar cannot be shifted by the UTC offset range."""
    from datetime import datetime, timedelta, timezone

    from provenancekit.forensics.tracks import analyse_track, parse_track
    from provenancekit.forensics.tracks.times import Window

    data = (f"lat,lon,time\n61.52,34.19,{stamp}\n61.27,33.86,2025-12-29T22:00:00+03:00\n"
            .encode())
    track = parse_track("nav.csv", data)
    tz = timezone(timedelta(hours=3))
    window = Window(datetime(2025, 12, 29, 21, tzinfo=tz), datetime(2025, 12, 30, 3, tzinfo=tz))
    out = analyse_track(track, target={"name": "R", "lat": 61.5265, "lon": 34.193},
                        sites=[], window=window)
    json.dumps(out, allow_nan=False)
    assert out["times"]["relation_counts"] == {"inside": 1, "before": 0, "after": 0,
                                               "unknown": 0, "no_time": 1}
    assert out["times"]["first"] == out["times"]["last"] == "2025-12-29T22:00:00+03:00"


# --------------------------------------------------------------------------------------------
# EXIF (fixed in forensics/metadata/exif.py)
# --------------------------------------------------------------------------------------------


def jpeg_with_absurd_makernote_count(count: int = 0x0040_0000) -> bytes:
    """A small JPEG whose EXIF MakerNote entry claims ``count`` bytes (the block has 60):
    exifread reads a maker note one value at a time, past the end of the data, ``count``
    times. IFD0 also carries Make, which Pillow still reads."""
    make_off = 8 + 2 + 2 * 12 + 4
    exif_ifd = make_off + 6
    ifd0 = (struct.pack(">H", 2) + struct.pack(">HHII", 0x010F, 2, 6, make_off)
            + struct.pack(">HHII", 0x8769, 4, 1, exif_ifd) + struct.pack(">I", 0))
    note_off = exif_ifd + 2 + 12 + 4
    exif = (struct.pack(">H", 1) + struct.pack(">HHII", 0x927C, 7, count, note_off)
            + struct.pack(">I", 0))
    tiff = b"MM\x00*" + struct.pack(">I", 8) + ifd0 + b"Canon\x00" + exif + b"Nikon\x00" * 4
    app1 = b"Exif\x00\x00" + tiff
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (90, 90, 90)).save(buf, "JPEG")
    plain = buf.getvalue()
    return plain[:2] + b"\xff\xe1" + struct.pack(">H", len(app1) + 2) + app1 + plain[2:]


@pytest.mark.filterwarnings("ignore:Tag data larger than file")
def test_absurd_exif_tag_count_is_bounded_work() -> None:
    """Slow input from the ``intake`` target (1,230 bytes, 16 s): a MakerNote count of
    millions made exifread loop millions of times past the end of the file (2**32 possible:
    hours). The EXIF reader now caps exifread's reads and falls back to Pillow's reading."""
    data = jpeg_with_absurd_makernote_count()
    ctx = _context(data)
    start = time.perf_counter()
    md = ctx.metadata
    assert time.perf_counter() - start < 4.0
    assert md.exif.present and md.exif.reader == "pillow"
    assert "reads" in md.exif.error
    assert md.summary["make"] == "Canon"


# --------------------------------------------------------------------------------------------
# XMP (fixed in forensics/metadata/xmp.py)
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("opener", [b"<x:xmpmeta>", b"<rdf:RDF>"])
def test_many_unclosed_xmp_openers_are_searched_in_linear_time(opener: bytes) -> None:
    """Found reviewing the ``xmp`` target: the packet search was a lazy ``.*?`` regex, so
    every opener without a closer scanned to the end of the data: 110 kB of openers took
    13 s, 440 kB 228 s (a PNG or TIFF can carry megabytes of them)."""
    from provenancekit.forensics.metadata.xmp import find_packets, read_xmp

    data = b"\x89PNG" + opener * 10_000
    start = time.perf_counter()
    assert find_packets(data) == []
    assert read_xmp(data) is None
    assert time.perf_counter() - start < 1.0


def test_packet_search_finds_every_closed_packet() -> None:
    from provenancekit.forensics.metadata.xmp import find_packets

    one = b"<x:xmpmeta xmlns:x='adobe:ns:meta/'>a</x:xmpmeta>"
    two = b"<x:xmpmeta>b</x:xmpmeta>"
    assert find_packets(b"junk" + one + b"<x:xmpmetaX>" + two + b"<x:xmpmeta>") == [one, two]
    rdf = b"<rdf:RDF xmlns:rdf='r'>c</rdf:RDF>"
    assert find_packets(b"\x00" + rdf + b"<rdf:RDF>") == [rdf]
