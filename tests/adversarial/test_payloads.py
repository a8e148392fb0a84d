"""The payload suite: every XSS payload of :mod:`adversarial.payloads` in every string field
that reaches a report, every output rendered, the HTML pages loaded in headless Chromium.

One world is built per module (at test time, nothing committed): for each payload ``n``

* ``J`` a JPEG whose EXIF (Make, Model, Software, ImageDescription, Artist, Copyright,
  DateTimeOriginal, UserComment), XMP (dc:title/description/rights/creator/subject,
  xmp:CreatorTool, photoshop:Headline/Credit/City, xmpMM:History softwareAgent/parameters)
  and IPTC IIM (Caption-Abstract, Headline, Keywords x2, By-line, Credit, ObjectName,
  CopyrightNotice, City, SpecialInstructions) carry the payload, and whose file name is it;
* ``P`` a PNG with the payload in tEXt/zTXt/iTXt text (Comment, Description, Author,
  Software) and in a text chunk's *keyword*, and in its file name;
* ``E`` an empty file named with the payload (its error message names it);
* a known-imagery index entry for ``J`` whose url, caption and credit are the payload
  (imported from a source CSV, as ``provenance index add --source-csv`` does);
* case-file text: per payload an evidence id, purports and obtained_from, a claim
  appearance (url, title) and a named site (name, note); the single-valued fields (title,
  claim text and author, place and target names and notes, review reviewer / organization /
  organization_url / rating_explanation / url, a GeoJSON track name, a GPX track name and
  creator) hold every payload, joined.

Each value carries a tag naming its field and payload (``~exif.make:12~``), so a value that
goes missing is pinned to its field. The case report and the batch triage page are loaded in
Chromium as written and again without their Content-Security-Policy (escaping alone must
hold). A control page with the same payloads inserted raw proves the detectors see
execution, injected markup and network requests.
"""

from __future__ import annotations

import csv
import io
import json
import re
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import piexif
import pytest
import yaml
from click.testing import CliRunner
from PIL import Image, PngImagePlugin
from rich.console import Console

from adversarial.browser import Dom, chromium, parse_dom, render
from adversarial.payloads import NET_HOST, PAYLOADS, Payload
from provenancekit.cli.main import cli
from provenancekit.forensics.batch import BatchOptions
from provenancekit.forensics.case import run_case
from provenancekit.forensics.checks import get_checks
from provenancekit.forensics.index import open_index
from provenancekit.forensics.metadata.exif import MAX_VALUE_CHARS
from provenancekit.reports.case_report import write_case_outputs
from provenancekit.reports.csv_out import write_csv
from provenancekit.reports.index_view import print_query
from provenancekit.reports.terminal import metadata_tree, print_scan, safe
from provenancekit.reports.text import reveal

JOIN = " ¦ "
EXIF_MAX = 2000  # forensics.metadata.exif.MAX_VALUE_CHARS
TEXT_MAX = 4000  # XMP / IPTC / PNG text readers' cap
HTML_FIELD_MAX = 300  # reports.html.MAX_VALUE: the metadata table cuts longer values
EVENT_START, EVENT_END = "2025-12-29T21:00:00+03:00", "2025-12-30T03:00:00+03:00"
PLACE = (55.7512, 37.6184)


def tagged(p: Payload, code: str) -> str:
    """The payload with a tag naming the field. The tag follows the payload (so a URL or a
    formula still *starts* the value), inside a JS comment so a script stays valid; the very
    long payload gets it in front, where the report's cut keeps it."""
    tag = f"~{code}:{p.n}~"
    return f"{tag}//{p.text}" if p.family == "long" else f"{p.text}//{tag}"


def joined(code: str, accept: Callable[[str], bool] = lambda v: True) -> str:
    return JOIN.join(v for p in PAYLOADS if accept(v := tagged(p, code)))


# --------------------------------------------------------------------------------------------
# What each format can carry, and what its reader does to a value by design
# --------------------------------------------------------------------------------------------

_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_ok(v: str) -> bool:
    """XML 1.0 cannot carry NUL and most C0 controls, not even as character references."""
    return not _XML_BAD.search(v)


def xml_text(v: str) -> str:
    return (v.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("\r", "&#13;").replace("\n", "&#10;")
            .replace("\t", "&#9;"))


def exif_norm(v: str) -> str:
    """EXIF ASCII ends at the first NUL (TIFF 6.0); the reader strips and caps values."""
    return v.split("\x00", 1)[0].strip()[:EXIF_MAX]


def printable_ascii(v: str) -> bool:
    return all(32 <= ord(c) < 127 for c in v)


def user_comment_ok(v: str) -> bool:
    """What the EXIF reader keeps of a UserComment today: printable ASCII under 992
    characters (the UNICODE ones are checked by test_unicode_user_comment_is_read_verbatim)."""
    return printable_ascii(v) and len(v) + 8 < 1000


def html_norm(v: str) -> str:
    """What HTML parsing does to any text (not the report): CR/CRLF become LF, NUL is dropped
    (U+FFFD in some contexts)."""
    return v.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").replace("\ufffd", "")


def html_cut(v: str) -> str:
    return v if len(v) <= HTML_FIELD_MAX else v[:HTML_FIELD_MAX]


def file_name(p: Payload, kind: str, ext: str) -> str:
    """The payload as a file name: '/' (not allowed) becomes U+2215, NUL is dropped, and the
    name is cut to 255 bytes."""
    base = tagged(p, f"name.{kind}").replace("/", "\u2215").replace("\x00", "")
    while len((base + ext).encode("utf-8")) > 255:
        base = base[:-1]
    return base + ext


# --------------------------------------------------------------------------------------------
# Fields of the evidence files: (code, where the report JSON keeps it, reader normalisation,
# whether the format can carry the value)
# --------------------------------------------------------------------------------------------


def _exif(group: str, tag: str) -> Callable[[dict], Any]:
    return lambda it: (((it.get("metadata") or {}).get("EXIF") or {}).get(group) or {}).get(tag)


def _xmp(name: str, index: int | None = 0, sub: str | None = None) -> Callable[[dict], Any]:
    def get(it: dict) -> Any:
        v = (((it.get("metadata") or {}).get("XMP") or {}).get("properties") or {}).get(name)
        if index is not None and isinstance(v, list):
            v = v[index] if len(v) > index else None
        if sub is not None and isinstance(v, dict):
            v = v.get(sub)
        return v
    return get


def _iptc(name: str, index: int | None = None) -> Callable[[dict], Any]:
    def get(it: dict) -> Any:
        v = ((it.get("metadata") or {}).get("IPTC") or {}).get(name)
        if index is not None:
            v = v[index] if isinstance(v, list) and len(v) > index else None
        return v
    return get


def _png(key: str) -> Callable[[dict], Any]:
    return lambda it: ((it.get("metadata") or {}).get("PNG") or {}).get(key)


def _png_key(n: int) -> Callable[[dict], Any]:
    def get(it: dict) -> Any:
        keys = [k for k in ((it.get("metadata") or {}).get("PNG") or {})
                if k.startswith(f"~png.key:{n}~")]
        return keys[0] if keys else None
    return get


def _same(v: str) -> str:
    return v


def _text_cap(v: str) -> str:
    return v[:TEXT_MAX]


def _xmp_norm(v: str) -> str:
    return v.strip()[:TEXT_MAX]


@dataclass(frozen=True)
class FileField:
    code: str
    kind: str  # "J" jpeg or "P" png
    get: Callable[[dict], Any] | None
    norm: Callable[[str], str]
    accepts: Callable[[str], bool] = lambda v: True


EXIF_FIELDS = [("exif.make", "IFD0", "Make", piexif.ImageIFD.Make),
               ("exif.model", "IFD0", "Model", piexif.ImageIFD.Model),
               ("exif.software", "IFD0", "Software", piexif.ImageIFD.Software),
               ("exif.description", "IFD0", "ImageDescription",
                piexif.ImageIFD.ImageDescription),
               ("exif.artist", "IFD0", "Artist", piexif.ImageIFD.Artist),
               ("exif.copyright", "IFD0", "Copyright", piexif.ImageIFD.Copyright),
               ("exif.datetime_original", "ExifIFD", "DateTimeOriginal",
                piexif.ExifIFD.DateTimeOriginal)]
XMP_ALT = [("xmp.dc_title", "dc:title"), ("xmp.dc_description", "dc:description"),
           ("xmp.dc_rights", "dc:rights")]
XMP_SEQ = [("xmp.dc_creator", "dc:creator", "Seq"), ("xmp.dc_subject", "dc:subject", "Bag")]
XMP_SIMPLE = [("xmp.creator_tool", "xmp:CreatorTool"), ("xmp.headline", "photoshop:Headline"),
              ("xmp.credit", "photoshop:Credit")]
IPTC = [("iptc.caption", 120, "Caption-Abstract"), ("iptc.headline", 105, "Headline"),
        ("iptc.byline", 80, "By-line"), ("iptc.credit", 110, "Credit"),
        ("iptc.object_name", 5, "ObjectName"), ("iptc.copyright", 116, "CopyrightNotice"),
        ("iptc.city", 90, "City"), ("iptc.instructions", 40, "SpecialInstructions")]
PNG_TEXT = [("png.comment", "Comment", "text"), ("png.description", "Description", "itxt"),
            ("png.author", "Author", "ztxt"), ("png.software", "Software", "text")]


def _file_fields() -> list[FileField]:
    out = [FileField(code, "J", _exif(g, t), exif_norm) for code, g, t, _ in EXIF_FIELDS]
    out.append(FileField("exif.user_comment", "J", _exif("ExifIFD", "UserComment"),
                         str.strip, user_comment_ok))
    out += [FileField(code, "J", _xmp(name), _xmp_norm, xml_ok) for code, name in XMP_ALT]
    out += [FileField(code, "J", _xmp(name), _xmp_norm, xml_ok) for code, name, _ in XMP_SEQ]
    out += [FileField(code, "J", _xmp(name, None), _xmp_norm, xml_ok)
            for code, name in XMP_SIMPLE]
    out.append(FileField("xmp.city_attribute", "J", _xmp("photoshop:City", None), _xmp_norm,
                         xml_ok))
    out.append(FileField("xmp.history_agent", "J", _xmp("xmpMM:History", 0,
                                                        "stEvt:softwareAgent"),
                         _xmp_norm, xml_ok))
    out.append(FileField("xmp.history_parameters", "J", _xmp("xmpMM:History", 0,
                                                             "stEvt:parameters"),
                         _xmp_norm, xml_ok))
    out += [FileField(code, "J", _iptc(name), _text_cap) for code, _, name in IPTC]
    out += [FileField("iptc.keyword1", "J", _iptc("Keywords", 0), _text_cap),
            FileField("iptc.keyword2", "J", _iptc("Keywords", 1), _text_cap)]
    out += [FileField(code, "P", _png(key), _text_cap) for code, key, _ in PNG_TEXT]
    return out


FILE_FIELDS = _file_fields()


# --------------------------------------------------------------------------------------------
# Writing the evidence
# --------------------------------------------------------------------------------------------


def _picture(seed: int, size: tuple[int, int] = (128, 96)) -> Image.Image:
    """A distinct smooth picture per seed (distinct perceptual hashes)."""
    rng = np.random.default_rng(seed)
    small = Image.fromarray(rng.integers(0, 256, (6, 8, 3), dtype=np.uint8))
    return small.resize(size, Image.Resampling.BICUBIC)


def _rational(deg: float) -> tuple[tuple[int, int], ...]:
    d = int(deg)
    m = int((deg - d) * 60)
    s = round(((deg - d) * 60 - m) * 60 * 100)
    return ((d, 1), (m, 1), (s, 100))


def _exif_bytes(p: Payload) -> bytes:
    zeroth = {tag: tagged(p, code).encode("utf-8") for code, g, _, tag in EXIF_FIELDS
              if g == "IFD0"}
    exif = {piexif.ExifIFD.DateTimeOriginal:
            tagged(p, "exif.datetime_original").encode("utf-8")}
    uc = tagged(p, "exif.user_comment")
    exif[piexif.ExifIFD.UserComment] = (b"ASCII\x00\x00\x00" + uc.encode("ascii")
                                        if printable_ascii(uc) else
                                        b"UNICODE\x00" + uc.encode("utf-16-be"))
    lat, lon = PLACE[0] + 0.002 * (p.n % 7), PLACE[1] + 0.002 * (p.n % 5)
    gps = {piexif.GPSIFD.GPSLatitudeRef: b"N", piexif.GPSIFD.GPSLatitude: _rational(lat),
           piexif.GPSIFD.GPSLongitudeRef: b"E", piexif.GPSIFD.GPSLongitude: _rational(lon)}
    return piexif.dump({"0th": zeroth, "Exif": exif, "GPS": gps})


def _xmp_packet(p: Payload) -> bytes:
    def v(code: str) -> str | None:
        t = tagged(p, code)
        return xml_text(t) if xml_ok(t) else None

    parts = []
    for code, name in XMP_ALT:
        if v(code) is not None:
            parts.append(f'<{name}><rdf:Alt><rdf:li xml:lang="x-default">{v(code)}</rdf:li>'
                         f"</rdf:Alt></{name}>")
    for code, name, kind in XMP_SEQ:
        if v(code) is not None:
            parts.append(f"<{name}><rdf:{kind}><rdf:li>{v(code)}</rdf:li></rdf:{kind}>"
                         f"</{name}>")
    for code, name in XMP_SIMPLE:
        if v(code) is not None:
            parts.append(f"<{name}>{v(code)}</{name}>")
    agent, params = v("xmp.history_agent"), v("xmp.history_parameters")
    if agent is not None:
        parts.append('<xmpMM:History><rdf:Seq><rdf:li rdf:parseType="Resource">'
                     "<stEvt:action>saved</stEvt:action>"
                     f"<stEvt:softwareAgent>{agent}</stEvt:softwareAgent>"
                     f"<stEvt:parameters>{params}</stEvt:parameters>"
                     "</rdf:li></rdf:Seq></xmpMM:History>")
    city = v("xmp.city_attribute")
    attr = f' photoshop:City="{city}"' if city is not None else ""
    xml = ('<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
           '<x:xmpmeta xmlns:x="adobe:ns:meta/">'
           '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
           '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" '
           'xmlns:xmp="http://ns.adobe.com/xap/1.0/" '
           'xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/" '
           'xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/" '
           'xmlns:stEvt="http://ns.adobe.com/xap/1.0/sType/ResourceEvent#"'
           f"{attr}>{''.join(parts)}</rdf:Description></rdf:RDF></x:xmpmeta>"
           '<?xpacket end="w"?>')
    return b"http://ns.adobe.com/xap/1.0/\x00" + xml.encode("utf-8")


def _iptc_block(p: Payload) -> bytes:
    """An APP13 Photoshop IRB with one 8BIM 0x0404 resource: IPTC IIM datasets, UTF-8."""
    def ds(record: int, number: int, value: bytes) -> bytes:
        return b"\x1c" + bytes((record, number)) + struct.pack(">H", len(value)) + value

    iim = ds(1, 90, b"\x1b%G")  # coded character set: UTF-8
    for code, number, _ in IPTC:
        iim += ds(2, number, tagged(p, code).encode("utf-8"))
    iim += ds(2, 25, tagged(p, "iptc.keyword1").encode("utf-8"))
    iim += ds(2, 25, tagged(p, "iptc.keyword2").encode("utf-8"))
    if len(iim) % 2:
        iim += b"\x00"
    return (b"Photoshop 3.0\x00" + b"8BIM" + struct.pack(">H", 0x0404) + b"\x00\x00"
            + struct.pack(">I", len(iim)) + iim)


def _segment(marker: int, body: bytes) -> bytes:
    assert len(body) + 2 <= 0xFFFF, len(body)
    return bytes((0xFF, marker)) + struct.pack(">H", len(body) + 2) + body


def write_jpeg(path: Path, p: Payload) -> None:
    buf = io.BytesIO()
    _picture(p.n).save(buf, "JPEG", quality=90, exif=_exif_bytes(p))
    data = buf.getvalue()
    start = data.index(b"Exif\x00\x00") - 4  # after the EXIF APP1, as cameras write it
    assert data[start:start + 2] == b"\xff\xe1"
    end = start + 2 + int.from_bytes(data[start + 2:start + 4], "big")
    extra = _segment(0xE1, _xmp_packet(p)) + _segment(0xED, _iptc_block(p))
    path.write_bytes(data[:end] + extra + data[end:])


def png_key(p: Payload) -> str | None:
    """A tEXt keyword carrying the payload (1-79 Latin-1 bytes, no NUL), when it can."""
    key = (f"~png.key:{p.n}~" + p.text)[:79].rstrip()
    try:
        key.encode("latin-1")
    except UnicodeEncodeError:
        return None
    return None if "\x00" in key else key


def write_png(path: Path, p: Payload) -> None:
    info = PngImagePlugin.PngInfo()
    for code, key, how in PNG_TEXT:
        value = tagged(p, code)
        if how == "itxt":
            info.add_itxt(key, value)
        else:
            info.add_text(key, value, zip=(how == "ztxt"))
    key = png_key(p)
    if key is not None:
        info.add_text(key, "a text chunk whose keyword is the payload")
    _picture(10_000 + p.n, (96, 72)).save(path, "PNG", pnginfo=info)


# --------------------------------------------------------------------------------------------
# The world: evidence, index, case file, case report, batch outputs
# --------------------------------------------------------------------------------------------

CASE_LIST_FIELDS = ("appearance.url", "appearance.title", "site.name", "site.note",
                    "evidence.id", "evidence.purports", "evidence.obtained_from")
CASE_JOINED_FIELDS = ("title", "claim.text", "claim.author", "place.name", "place.note",
                      "target.name", "target.note", "review.reviewer", "review.organization",
                      "review.organization_url", "review.rating_explanation", "review.url",
                      "track.geojson_name")
GPX_FIELDS = ("track.gpx_name", "track.gpx_creator")
INDEX_FIELDS = ("index.url", "index.caption", "index.credit")
# Case-file fields no output carries: the reviewer's name is dropped when an organization is
# given (forensics/case: summary.confirmed_by and ClaimReview's author use the organization).
NOT_CARRIED = {"review.reviewer"}
# Case-file fields the HTML report does not show by design (they go to report.json and, for
# the review, to claimreview.jsonld): the place/target notes, and the review block except the
# organization (shown as "confirmed by").
NOT_IN_CASE_HTML = {"place.note", "target.note", "review.reviewer", "review.organization_url",
                    "review.rating_explanation", "review.url"}


@dataclass
class World:
    root: Path
    evidence: Path
    names: dict[tuple[str, int], str]  # (kind, n) -> file name
    case_values: dict[str, str]  # joined fields
    report: dict
    out: Path
    scan_doc: dict
    jsonl: list[dict]
    csv_rows: list[dict[str, str]]
    triage: Path
    items: dict[tuple[str, int], dict] = field(default_factory=dict)  # from the case report
    batch_items: dict[tuple[str, int], dict] = field(default_factory=dict)


def _evidence_id(p: Payload) -> str:
    return f"J{p.n} " + tagged(p, "evidence.id")


def _build_world(root: Path) -> World:
    evidence = root / "evidence"
    evidence.mkdir(parents=True)
    names: dict[tuple[str, int], str] = {}
    for p in PAYLOADS:
        for kind, ext, writer in (("J", ".jpg", write_jpeg), ("P", ".png", write_png),
                                  ("E", ".jpg", None)):
            name = file_name(p, kind, ext)
            names[(kind, p.n)] = name
            if writer is None:
                (evidence / name).write_bytes(b"")
            else:
                writer(evidence / name, p)
    # known-imagery index: the J pictures, provenance from a source CSV
    source = root / "archive.csv"
    with open(source, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["path", "url", "first_seen", "caption", "credit"])
        for p in PAYLOADS:
            w.writerow([str(evidence / names[("J", p.n)]), tagged(p, "index.url"),
                        f"2019-03-{1 + p.n % 28:02d}", tagged(p, "index.caption"),
                        tagged(p, "index.credit")])
    index = open_index(str(root / "known.sqlite"))
    try:
        added = list(index.add_paths([], source_csv=str(source)))
    finally:
        index.close()
    assert all(a.status == "added" for a in added), [a for a in added if a.status != "added"]
    # tracks
    gj_name = joined("track.geojson_name")
    coords = [[PLACE[1] - 0.2 + 0.02 * i, PLACE[0] - 0.1 + 0.01 * i] for i in range(10)]
    (evidence / "track.geojson").write_text(json.dumps({
        "type": "FeatureCollection", "name": gj_name, "features": [{
            "type": "Feature", "properties": {}, "geometry": {"type": "LineString",
                                                             "coordinates": coords}}]}),
        encoding="utf-8")
    gpx_name, gpx_creator = joined("track.gpx_name", xml_ok), joined("track.gpx_creator", xml_ok)
    pts = "".join(f'<trkpt lat="{la}" lon="{lo}"></trkpt>' for lo, la in coords)
    (evidence / "track.gpx").write_text(
        f'<?xml version="1.0" encoding="UTF-8"?><gpx version="1.1" '
        f'creator="{xml_text(gpx_creator)}" xmlns="http://www.topografix.com/GPX/1/1">'
        f"<metadata><name>{xml_text(gpx_name)}</name></metadata>"
        f"<trk><trkseg>{pts}</trkseg></trk></gpx>", encoding="utf-8")
    # the case file
    values = {code: joined(code) for code in CASE_JOINED_FIELDS}
    values.update({"track.gpx_name": gpx_name, "track.gpx_creator": gpx_creator})
    items: list[dict[str, Any]] = []
    for p in PAYLOADS:
        for kind in ("J", "P", "E"):
            items.append({"id": _evidence_id(p) if kind == "J" else f"{kind}{p.n}",
                          "file": "evidence/" + names[(kind, p.n)],
                          "obtained_from": tagged(p, "evidence.obtained_from"),
                          "obtained_at": "2025-12-30T11:05:00+03:00",
                          "purports": tagged(p, "evidence.purports")})
    items += [{"id": "G1", "file": "evidence/track.geojson"},
              {"id": "G2", "file": "evidence/track.gpx"}]
    doc = {
        "version": 1, "title": values["title"],
        "claim": {"text": values["claim.text"], "author": values["claim.author"],
                  "date": "2025-12-30T09:30:00+03:00",
                  "appearance": [{"url": tagged(p, "appearance.url"),
                                  "title": tagged(p, "appearance.title")} for p in PAYLOADS]},
        "asserts": {"event": {"start": EVENT_START, "end": EVENT_END},
                    "place": {"name": values["place.name"], "lat": PLACE[0], "lon": PLACE[1],
                              "radius_km": 2, "note": values["place.note"]},
                    "target": {"name": values["target.name"], "lat": PLACE[0] + 0.01,
                               "lon": PLACE[1] + 0.01, "radius_km": 1,
                               "note": values["target.note"]}},
        "sites": [{"name": tagged(p, "site.name"), "lat": PLACE[0] + 0.05 * (p.n % 9 - 4),
                   "lon": PLACE[1] + 0.05 * (p.n % 7 - 3), "note": tagged(p, "site.note")}
                  for p in PAYLOADS],
        "known_imagery": {"index": "known.sqlite"},
        "evidence": items,
        "review": {"reviewer": values["review.reviewer"],
                   "organization": values["review.organization"],
                   "organization_url": values["review.organization_url"], "rating": "false",
                   "rating_explanation": values["review.rating_explanation"],
                   "url": values["review.url"]},
    }
    text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=1 << 30)
    assert yaml.safe_load(text) == doc  # the YAML carries every payload exactly
    case_file = root / "case.yaml"
    case_file.write_text(text, encoding="utf-8")
    # copy_move enlarges every small picture to 768 px for SIFT (0.2 s a file, 178 files)
    # and reads no text; every other check runs.
    checks = tuple(c for c in get_checks() if c.name != "copy_move")
    report = run_case(case_file, checks=checks, batch=BatchOptions(workers=2))
    out = root / "out"
    write_case_outputs(report, out)
    # the batch: JSON, JSONL, CSV and the triage page from one CLI run
    runner = CliRunner()
    result = runner.invoke(cli, [
        "scan", str(evidence), "--profile", "quick", "--index", str(root / "known.sqlite"),
        "--results", str(root / "run.sqlite"), "--html", str(root / "triage.html"),
        "--jsonl", str(root / "run.jsonl"), "--csv", str(root / "run.csv"),
        "--format", "json", "-o", str(root / "scan.json")], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    scan_doc = json.loads((root / "scan.json").read_text(encoding="utf-8"))
    jsonl = [json.loads(line) for line in
             (root / "run.jsonl").read_text(encoding="utf-8").split("\n") if line]
    with open(root / "run.csv", encoding="utf-8", newline="") as fh:
        csv_rows = list(csv.DictReader(fh))
    world = World(root, evidence, names, values, report, out, scan_doc, jsonl, csv_rows,
                  root / "triage.html")
    by_file = {e["file"]: e for e in report["evidence"]}
    by_name = {Path(i["path"]).name: i for i in scan_doc["items"]}
    for (kind, n), name in names.items():
        world.items[(kind, n)] = by_file["evidence/" + name]
        world.batch_items[(kind, n)] = by_name[name]
    return world


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return _build_world(tmp_path_factory.mktemp("payloads"))


# --------------------------------------------------------------------------------------------
# Expected values
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    """One payload in one field: the value the report data must hold (after the reader's
    documented normalisation) and where it must be displayed."""

    code: str
    n: int
    value: str
    outputs: frozenset[str]


def file_values(world: World) -> Iterator[Shown]:
    """Values read from the evidence files, taken from the case report's scan items."""
    for p in PAYLOADS:
        for f in FILE_FIELDS:
            written = tagged(p, f.code)
            if not f.accepts(written):
                continue
            outputs = {"case_html", "json", "terminal_tree"}
            if f.code in ("exif.make", "exif.model", "exif.software"):
                outputs |= {"triage", "csv"}
            yield Shown(f.code, p.n, f.norm(written), frozenset(outputs))
        key = png_key(p)
        if key is not None:
            yield Shown("png.key", p.n, key, frozenset({"case_html", "json", "terminal_tree"}))
        for kind in ("J", "P", "E"):
            yield Shown(f"name.{kind}", p.n, world.names[(kind, p.n)],
                        frozenset({"case_html", "triage", "json", "csv", "terminal"}))


def stored_file_value(world: World, s: Shown, *, batch: bool = False) -> Any:
    items = world.batch_items if batch else world.items
    if s.code.startswith("name."):
        item = items[(s.code[-1], s.n)]
        return Path(item["path"] if batch else item["file"]).name
    item = items[("P" if s.code.startswith("png.") else "J", s.n)]
    scan_item = item if batch else item["scan"]
    if s.code == "png.key":
        return _png_key(s.n)(scan_item)
    f = next(f for f in FILE_FIELDS if f.code == s.code)
    assert f.get is not None
    return f.get(scan_item)


def case_values(world: World) -> Iterator[Shown]:
    """Case-file and index text."""
    for code in CASE_JOINED_FIELDS + GPX_FIELDS:
        if code in NOT_CARRIED:
            continue
        outputs = {"json"} | ({"case_html"} if code not in NOT_IN_CASE_HTML else set())
        yield Shown(code, 0, world.case_values[code], frozenset(outputs))
    for p in PAYLOADS:
        for code in CASE_LIST_FIELDS:
            value = _evidence_id(p) if code == "evidence.id" else tagged(p, code)
            yield Shown(code, p.n, value, frozenset({"json", "case_html"}))
        for code in INDEX_FIELDS:
            yield Shown(code, p.n, tagged(p, code).strip(),
                        frozenset({"json", "case_html", "triage"}))


def all_strings(doc: Any) -> set[str]:
    out: set[str] = set()

    def walk(v: Any) -> None:
        if isinstance(v, str):
            out.add(v)
        elif isinstance(v, dict):
            for k, x in v.items():
                out.add(str(k))
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)

    walk(doc)
    return out


# --------------------------------------------------------------------------------------------
# Reading a rendered page
# --------------------------------------------------------------------------------------------

EXECUTED = re.compile(r"XSS-(\d+)\.")
INJECTED_ID = re.compile(r"xss-(\d+)")
URL_ATTRS = {"href", "src", "srcset", "action", "formaction", "data", "xlink:href", "poster",
             "background", "srcdoc", "ping", "codebase", "dynsrc", "lowsrc"}


def template_tags(*texts: str) -> set[str]:
    """Every element name a template (or the SVG code) writes; a tag mentioned in
    backticks in a docstring does not count."""
    tags = set()
    for t in texts:
        tags |= {m.lower() for m in re.findall(r"(?<![`\w])<([a-zA-Z][a-zA-Z0-9]*)(?=[\s/>])",
                                               t)}
    return tags | {"html", "head", "body", "tbody"}


@dataclass
class Verdict:
    executed: set[int]
    """Payloads whose script ran (their marker is in the DOM)."""
    injected: set[int]
    """Payloads whose element (id ``xss-<n>``) or URL ended up as markup."""
    markup: list[str]
    """Every piece of markup no template writes: handlers, URLs, styles, elements."""
    requests: list[str]


IN_PAGE_LINK = re.compile(r"#(?:item|detail)-\d+")
"""The only links a template writes: the triage page's own anchors (row <-> detail)."""


def inspect_page(dom_html: str, dom: Dom, requests: list[str], allowed_tags: set[str], *,
                 scripts: int) -> Verdict:
    """Which payloads ran (title marker), which put markup in the page (elements, event
    handlers, URL attributes, styles, tags no template writes), and what the page asked
    the network for."""
    executed = {int(m) for m in EXECUTED.findall(dom_html)}
    injected: set[int] = set()
    markup: list[str] = []
    counts: dict[str, int] = {}
    for tag, attrs in dom.elements:
        counts[tag] = counts.get(tag, 0) + 1
        if tag not in allowed_tags:
            markup.append(f"<{tag}>")
        for k, v in attrs:
            m = INJECTED_ID.fullmatch(v) if k in ("id", "name") else None
            if m:
                injected.add(int(m.group(1)))
                markup.append(f"<{tag} {k}={v!r}>")
            if k.startswith("on"):
                markup.append(f"<{tag} {k}=...> (event handler)")
            if k in URL_ATTRS and not (k == "src" and v.startswith("data:image/")) \
                    and not (k == "href" and IN_PAGE_LINK.fullmatch(v)):
                injected |= {int(x) for x in INJECTED_ID.findall(v)}
                markup.append(f"<{tag} {k}={v[:80]!r}>")
            if k == "style" and ("url(" in v or "expression(" in v):
                markup.append(f"<{tag} style={v[:80]!r}>")
            if tag == "meta" and k == "http-equiv" and v.lower() == "refresh":
                markup.append("<meta http-equiv=refresh>")
    if counts.get("script", 0) != scripts:
        markup.append(f"{counts.get('script', 0)} <script> elements (the template has "
                      f"{scripts})")
    for once in ("title", "style", "body", "head"):
        if counts.get(once, 0) != 1:
            markup.append(f"{counts.get(once, 0)} <{once}> elements")
    return Verdict(executed, injected, markup, requests)


def without_csp(page: Path) -> Path:
    """A copy of the page without its Content-Security-Policy: escaping must hold alone."""
    html = page.read_text(encoding="utf-8")
    stripped, n = re.subn(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", html)
    assert n == 1
    out = page.with_name(page.stem + ".nocsp.html")
    out.write_text(stripped, encoding="utf-8")
    return out


TAG = re.compile(r"~[A-Za-z0-9_.]+:\d+~")


def lost(expected: list[tuple[str, int, str]], text: str) -> list[str]:
    """(code, n, value) whose value is not in the page text. Values with a field tag are
    looked for where that tag occurs (a 4 MB page, thousands of values)."""
    haystack = html_norm(text)
    at: dict[str, list[int]] = {}
    for m in TAG.finditer(haystack):
        at.setdefault(m.group(0), []).append(m.start())
    found: dict[str, bool] = {}

    def present(needle: str) -> bool:
        m = TAG.search(needle)
        if m is None:
            return needle in haystack
        off = m.start()
        return any(haystack.startswith(needle, pos - off) for pos in at.get(m.group(0), ())
                   if pos >= off)

    out = []
    for code, n, value in expected:
        needle = html_norm(reveal(value))  # the pages show hidden characters as <U+XXXX>
        if needle not in found:
            found[needle] = present(needle)
        if not found[needle]:
            out.append(f"{code}:{n} {value[:60]!r}")
    return out


@pytest.fixture(scope="module")
def browser() -> str:
    found = chromium()
    if found is None:
        pytest.skip("Chromium is not installed (Debian: apt-get install chromium); the "
                    "headless browser half of the payload suite needs it")
    return found


def _template(name: str) -> str:
    templates = resources.files("provenancekit.reports") / "templates"
    return (templates / name).read_text(encoding="utf-8")


def _case_tags() -> set[str]:
    html_py = (resources.files("provenancekit.reports") / "html.py").read_text(encoding="utf-8")
    return template_tags(_template("case_report.html.j2"), _template("_item.html.j2"), html_py)


def _triage_tags() -> set[str]:
    return template_tags(_template("triage.html.j2"), _template("_item.html.j2"))


# --------------------------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------------------------


def test_the_suite_is_broad_and_each_payload_names_itself() -> None:
    assert len(PAYLOADS) >= 50
    families = {p.family for p in PAYLOADS}
    assert families >= {"script", "handler", "url", "attribute", "template", "css", "breakout",
                        "svg", "mxss", "unicode", "control", "long", "csv", "terminal"}
    assert any(p.text.startswith("javascript:") for p in PAYLOADS)
    assert any(p.text.startswith("JaVaScRiPt:") for p in PAYLOADS)
    assert any("\x00" in p.text for p in PAYLOADS)
    assert max(len(p.text) for p in PAYLOADS) >= 3000
    for p in PAYLOADS:  # a payload that acted is identifiable
        assert (f"'XS'+'S-{p.n}.'" in p.text or f'"XS"+"S-{p.n}."' in p.text
                or p.element_id in p.text or p.url in p.text or p.family == "breakout"
                or p.family in ("template", "entity")), p


def test_every_field_keeps_the_payload_in_the_report_data(world: World) -> None:
    """report.json (via the case report's scan items), scan.json and run.jsonl hold each
    value exactly as the reader gives it (readers' documented cuts only)."""
    problems = []
    for s in file_values(world):
        got = stored_file_value(world, s)
        if got != s.value:
            problems.append(f"report {s.code}:{s.n}: {str(got)[:80]!r} != {s.value[:80]!r}")
        got_batch = stored_file_value(world, s, batch=True)
        if got_batch != s.value:
            problems.append(f"scan {s.code}:{s.n}: {str(got_batch)[:80]!r}")
    report_json = json.loads((world.out / "report.json").read_text(encoding="utf-8"))
    strings = all_strings(report_json)
    for s in case_values(world):
        if s.value not in strings:
            problems.append(f"report.json {s.code}:{s.n}")
    text = (world.root / "run.jsonl").read_text(encoding="utf-8")
    if len(text.splitlines()) != len(world.jsonl):  # U+2028, U+2029, NEL are line breaks too
        problems.append("run.jsonl: a value splits its line for readers using splitlines()")
    jsonl = {Path(i["path"]).name: i for i in world.jsonl}
    for (kind, n), name in world.names.items():
        if jsonl.get(name) != world.batch_items[(kind, n)]:
            problems.append(f"run.jsonl differs from scan.json for {kind}{n}")
    claimreview = json.loads((world.out / "claimreview.jsonld").read_text(encoding="utf-8"))
    cr_strings = all_strings(claimreview)
    for code in ("claim.text", "claim.author", "review.organization"):
        if world.case_values[code] not in cr_strings:
            problems.append(f"claimreview.jsonld lost {code}")
    assert not problems, f"{len(problems)} values changed:\n" + "\n".join(problems[:40])


def _case_expected(world: World) -> list[tuple[str, int, str]]:
    out = []
    for s in list(file_values(world)) + list(case_values(world)):
        if "case_html" in s.outputs:
            out.append((s.code, s.n, html_cut(s.value)))
    for e in world.report["evidence"]:  # text the report derives from the payloads
        for a in e.get("assessments") or []:
            out.append(("assessment", 0, a["summary"]))
        for f in (e.get("scan") or {}).get("findings") or []:
            out.append(("finding", 0, f["message"]))
        if e.get("error"):
            out.append(("error", 0, e["error"]["message"]))
    return out


def _check_page(browser: str, page: Path, work: Path, allowed: set[str], scripts: int,
                expected: list[tuple[str, int, str]], title: str | None) -> None:
    """Render the page as written: nothing runs, no markup injected, no request, nothing
    lost. Then render it without its Content-Security-Policy: escaping alone must hold, so
    no payload runs or loads anything, and the DOM is the same."""
    rendered = render(browser, page, work / "csp")
    dom = parse_dom(rendered.dom)
    v = inspect_page(rendered.dom, dom, rendered.requests, allowed, scripts=scripts)
    what = page.name
    assert not v.executed, f"{what}: payloads executed: {sorted(v.executed)}"
    assert not v.markup, f"{what}: markup injected (payloads {sorted(v.injected)}): " \
                         f"{v.markup[:20]}"
    assert not v.requests, f"{what}: network requests: {v.requests[:20]}"
    missing = lost(expected, dom.text)
    if title is not None and html_norm(reveal(title)) not in html_norm(dom.title):
        missing.append("the <title> lost the case title")
    assert not missing, (f"{what}: {len(missing)} values not shown:\n"
                         + "\n".join(missing[:100]))
    bare = render(browser, without_csp(page), work / "nocsp")
    executed = sorted({int(m) for m in EXECUTED.findall(bare.dom)})
    assert not executed, f"{what} without CSP: payloads executed: {executed}"
    assert not bare.requests, f"{what} without CSP: network requests: {bare.requests[:20]}"
    policy = re.compile(r'<meta http-equiv="Content-Security-Policy"[^>]*>')
    assert policy.sub("", rendered.dom) == bare.dom, f"{what}: the DOM differs without CSP"


def test_case_report_in_chromium_runs_nothing_and_loses_nothing(
        world: World, browser: str, tmp_path: Path) -> None:
    expected = _case_expected(world)
    assert len(expected) > 20 * len(PAYLOADS)
    _check_page(browser, world.out / "report.html", tmp_path, _case_tags(), 0, expected,
                world.case_values["title"])


def _triage_expected(world: World) -> list[tuple[str, int, str]]:
    out = []
    for s in list(file_values(world)) + list(case_values(world)):
        if "triage" in s.outputs and (s.code in ("exif.make", "exif.model")
                                      or s.code.startswith("name.")):
            out.append((s.code, s.n, s.value))
    for item in world.scan_doc["items"]:  # each item's detail section
        for f in item.get("findings") or []:  # as a table, the evidence as JSON text
            for k in ("code", "severity", "confidence", "message"):
                out.append(("finding", 0, f[k]))
            for v in all_strings(f.get("evidence") or {}):
                out.append(("details", 0, json.dumps(v, ensure_ascii=False)[1:-1]))
        summary = (item.get("metadata") or {}).get("summary") or {}
        for k in ("make", "model", "software", "datetime_original"):
            if isinstance(summary.get(k), str) and summary[k]:
                out.append(("summary", 0, summary[k]))
    for p in PAYLOADS:  # index entries reach the page through the known-image findings
        for code in INDEX_FIELDS + ("exif.software",):
            if code.startswith("index."):  # in the match finding's evidence (JSON text)
                value = json.dumps(tagged(p, code).strip(), ensure_ascii=False)[1:-1]
            else:  # in the metadata summary table, as text
                value = exif_norm(tagged(p, code))
            out.append((code, p.n, value))
    return out


def test_triage_page_in_chromium_runs_nothing_and_loses_nothing(
        world: World, browser: str, tmp_path: Path) -> None:
    _check_page(browser, world.triage, tmp_path, _triage_tags(), 1, _triage_expected(world),
                None)


def test_the_detectors_see_payloads_that_are_not_escaped(browser: str, tmp_path: Path) -> None:
    """Control: the same payloads written raw into a page (no escaping, no policy). The
    detectors must see script run, markup injected and requests made; the numbers show how
    live the suite is in this Chromium."""
    swallowing = [p for p in PAYLOADS if p.text in ("<!--", f"<plaintext id={p.element_id}>")]
    ordered = [p for p in PAYLOADS if p not in swallowing] + swallowing
    body = "".join(f"<div>{p.text}</div>" for p in ordered)
    page = tmp_path / "control.html"
    page.write_text("<!DOCTYPE html><html><head><meta charset=utf-8><title>control</title>"
                    f"</head><body>{body}</body></html>", encoding="utf-8")
    rendered = render(browser, page, tmp_path / "control")
    dom = parse_dom(rendered.dom)
    verdict = inspect_page(rendered.dom, dom, rendered.requests, _case_tags(), scripts=0)
    hit_requests = {int(m) for r in verdict.requests for m in INJECTED_ID.findall(r)}
    assert len(verdict.executed) >= 15, sorted(verdict.executed)
    assert len(verdict.injected) >= 20, sorted(verdict.injected)
    assert hit_requests and all(NET_HOST in r for r in verdict.requests), verdict.requests
    caught = verdict.executed | verdict.injected | hit_requests
    print(f"\ncontrol (raw, unescaped): {len(verdict.executed)} of {len(PAYLOADS)} payloads ran "
          f"script, {len(verdict.injected)} put their element or URL in the page, "
          f"{len(hit_requests)} made requests; {len(caught)} caught in all, "
          f"{len(verdict.markup)} pieces of foreign markup")


def formula_safe(v: Any) -> Any:
    """What a CSV cell must hold: a value a spreadsheet would read as a formula (OWASP: a
    leading = + - @ tab or CR; also = + - @ after leading spaces, which spreadsheets skip,
    and a leading NUL) gets a leading apostrophe; anything else is the value itself."""
    if not isinstance(v, str):
        return "" if v is None else str(v)
    risky = v[:1] in ("=", "+", "-", "@", "\t", "\r", "\x00") or re.match(r"\s*[=+\-@]", v)
    return "'" + v if risky else v


def test_csv_keeps_values_and_neutralises_formulas(world: World) -> None:
    """run.csv (from the CLI) and the same writer on relative paths (``provenance scan
    =cmd.jpg`` lists the file name first): each cell is the value or its neutralised form."""
    problems = []
    rows = {Path(r["path"]).name: r for r in world.csv_rows}
    for (kind, n), name in world.names.items():
        item = world.batch_items[(kind, n)]
        summary = (item.get("metadata") or {}).get("summary") or {}
        row = rows[name]
        for col in ("make", "model", "software"):
            if row[col] != formula_safe(summary.get(col)):
                problems.append(f"{col} of {kind}{n}: {row[col][:50]!r}")
    names = list(world.names.values())
    items = [dict(world.batch_items[key], path=name) for key, name in world.names.items()]
    buf = io.StringIO()
    write_csv(items, buf)
    for name, r in zip(names, csv.DictReader(io.StringIO(buf.getvalue())), strict=True):
        if r["path"] != formula_safe(name):
            problems.append(f"path {r['path'][:50]!r}")
    assert sum(r["make"].startswith("'=") for r in world.csv_rows) >= 3
    assert not problems, f"{len(problems)} cells:\n" + "\n".join(problems[:40])


ANSI_SGR = re.compile(r"\x1b\[[0-9;]*m")


def test_terminal_prints_markup_and_escapes_literally(world: World) -> None:
    """The scan table and the metadata tree (rich) print ``[bold]`` / ``[link=...]`` markup
    as text and never pass a payload's escape sequences (OSC 8 hyperlinks, window titles,
    cursor moves, screen clears) to the terminal."""
    buf = io.StringIO()
    console = Console(file=buf, width=1500, force_terminal=True, color_system="truecolor")
    print_scan(world.scan_doc, console)
    for p in PAYLOADS:
        for kind in ("J", "P"):
            console.print(metadata_tree(world.batch_items[(kind, p.n)]))
    # ``provenance index query``: the index entries matched, as the known-image check found
    queries = [{"path": world.batch_items[("J", p.n)]["path"], "error": None,
                "matches": [f["evidence"] for f in world.batch_items[("J", p.n)]["findings"]
                            if f["code"] == "known_image.match"]} for p in PAYLOADS]
    assert all(q["matches"] for q in queries)
    print_query(queries, console)
    out = buf.getvalue()
    for seq in ("\x1b]", "\x1b[2J", "\x1b[1A", "\x1b[K", "\x07", "\x00"):
        assert seq not in out, f"{seq!r} from a payload reached the terminal"
    plain = ANSI_SGR.sub("", out)
    problems = []
    for s in file_values(world):
        if not ({"terminal", "terminal_tree"} & s.outputs):
            continue
        shown = safe(s.value, 300 if s.code.startswith("name.") else 400).plain
        if s.code.startswith("name."):
            shown = safe(world.batch_items[(s.code[-1], s.n)]["path"]).plain
        if shown not in plain:
            problems.append(f"{s.code}:{s.n} {shown[:60]!r}")
    for p in PAYLOADS:
        for code, limit in (("index.url", 200), ("index.caption", 200), ("index.credit", 120)):
            shown = safe(tagged(p, code).strip(), limit).plain
            if shown not in plain:
                problems.append(f"{code}:{p.n} {shown[:60]!r}")
    for p in PAYLOADS:
        if p.family == "terminal" and p.text.startswith("["):  # rich markup, printed as is
            assert tagged(p, "name.J").replace("/", "\u2215") in plain, p.text
    assert not problems, f"{len(problems)} values not printed literally:\n" + "\n".join(
        problems[:40])


def test_unicode_user_comment_is_read_verbatim(world: World) -> None:
    wrong = []
    for p in PAYLOADS:
        value = tagged(p, "exif.user_comment")
        if user_comment_ok(value):
            continue
        got = _exif("ExifIFD", "UserComment")(world.items[("J", p.n)]["scan"])
        if got != value.strip()[:MAX_VALUE_CHARS]:  # the reader's documented cap
            wrong.append(p.n)
    assert not wrong, f"{len(wrong)} UNICODE UserComments garbled"
