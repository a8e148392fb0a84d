"""Typing by bytes, not by extension."""

from __future__ import annotations

import pytest

from provenancekit.forensics.sniff import extension_agrees, extension_media_type, sniff_media_type


@pytest.mark.parametrize("head,expected", [
    (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "image/png"),
    (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"),
    (b"II*\x00\x08\x00\x00\x00", "image/tiff"),
    (b"MM\x00*\x00\x00\x00\x08", "image/tiff"),
    (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", "image/heic"),
    (b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1", "image/avif"),
    (b"\x00\x00\x00\x18ftypmif1\x00\x00\x00\x00mif1heic", "image/heic"),
    (b"GIF89a\x01\x00", "image/gif"),
    (b"%PDF-1.7\n", "application/pdf"),
    (b'<?xml version="1.0"?>\n<gpx version="1.1">', "application/gpx+xml"),
    (b'<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2">',
     "application/vnd.google-earth.kml+xml"),
    (b'{"type": "FeatureCollection", "features": []}', "application/geo+json"),
    (b"lat,lon,time\n1,2,3\n", "text/csv"),
    (b"just some words", "text/plain"),
    (b"\x00\x01\x02\x03", "application/octet-stream"),
    (b"", "application/octet-stream"),
])
def test_sniff(head: bytes, expected: str) -> None:
    assert sniff_media_type(head) == expected


def test_extension_is_only_a_hint() -> None:
    assert extension_media_type("A.JPG") == "image/jpeg"
    assert extension_media_type("noext") is None
    assert extension_agrees("image/jpeg", "image/png") is False
    assert extension_agrees("image/tiff", "image/x-adobe-dng") is True
    assert extension_agrees("image/jpeg", None) is True


def test_bare_geojson_geometry_is_geojson() -> None:
    """RFC 7946 allows a bare geometry as the whole document: a track exported as one
    LineString is typed GeoJSON (and analysed), plain JSON stays JSON."""
    from provenancekit.forensics.sniff import sniff_media_type

    line = b'{ "type" : "LineString", "coordinates": [[34.1, 61.5], [34.2, 61.6]] }'
    assert sniff_media_type(line) == "application/geo+json"
    assert sniff_media_type(b'{"type": "config", "coordinates": "n/a"}') == "application/json"
    assert sniff_media_type(b'{"name": "report", "items": [1, 2]}') == "application/json"


def test_kmz_is_told_from_other_zip_archives_by_its_first_member() -> None:
    import io
    import zipfile

    def archive(first: str) -> bytes:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(first, "<kml/>")
            zf.writestr("other.txt", "x")
        return buf.getvalue()

    assert sniff_media_type(archive("doc.kml")[:64]) == "application/vnd.google-earth.kmz"
    assert sniff_media_type(archive("files/Flight.KML")[:64]) == \
        "application/vnd.google-earth.kmz"
    assert sniff_media_type(archive("report.docx")[:64]) == "application/zip"
    assert sniff_media_type(b"PK\x03\x04" + b"\xff" * 40) == "application/zip"
