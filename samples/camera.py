"""The bytes a camera or an editor writes around the demo pictures.

* Quantization tables of real devices and of Photoshop (:data:`CANON_TABLES` ...
  :data:`PHOTOSHOP_Q8_TABLES`) and :func:`jpeg_bytes`, which encodes with them and, for a
  camera original, drops the JFIF segment (cameras start with the Exif APP1) or, for
  Photoshop, puts every table in one DQT segment.
* :func:`camera_exif`: a camera's EXIF block (IFD0, Exif IFD with maker note and sub-seconds,
  GPS from :func:`gps_ifd`, an IFD1 :func:`thumbnail`), written with ``piexif``.
* :func:`photoshop_xmp` (CreatorTool, dates, document IDs, ``xmpMM:History``) and
  :func:`ai_xmp` (IPTC DigitalSourceType ``trainedAlgorithmicMedia``) packets.

Identifiers and the maker note draw from the generator they are given; nothing reads the
clock.
"""

from __future__ import annotations

import io
import struct
import uuid
from datetime import datetime, timedelta, timezone

import cv2
import numpy as np
import piexif
from PIL import Image

# Quantization tables (natural order, luminance then chrominance) as real devices and editors
# write them, read from public sample files: cameras write tables of their own, editors
# theirs, so a forensic table check can tell a camera original from a re-save.
CANON_TABLES = (  # Canon EOS "Fine" (read from a Canon EOS 7D JPEG)
    [1] * 23 + [2, 1, 1, 1, 1, 1, 1, 2, 2, 1, 1, 1, 1, 1, 2, 2, 3, 1, 1, 1, 1, 2, 2, 3, 3,
                1, 1, 1, 2, 2, 3, 3, 3, 1, 1, 2, 2, 3, 3, 3, 3],
    [1, 1, 1, 1, 2, 3, 3, 3, 1, 1, 1, 2, 3, 3, 3, 3, 1, 1, 1, 3, 3, 3, 3, 3, 1, 2, 3, 3, 3, 3,
     3, 3, 2] + [3] * 31,
)
NIKON_TABLES = (  # Nikon (read from a Nikon D5000 JPEG; IJG-shaped, as Nikon writes them)
    [2, 1, 1, 2, 3, 5, 6, 7, 1, 1, 2, 2, 3, 7, 7, 7, 2, 2, 2, 3, 5, 7, 8, 7, 2, 2, 3, 3, 6, 10,
     10, 7, 2, 3, 4, 7, 8, 13, 12, 9, 3, 4, 7, 8, 10, 12, 14, 11, 6, 8, 9, 10, 12, 15, 14, 12,
     9, 11, 11, 12, 13, 12, 12, 12],
    [2, 2, 3, 6, 12, 12, 12, 12, 2, 3, 3, 8, 12, 12, 12, 12, 3, 3, 7, 12, 12, 12, 12, 12, 6, 8,
     12] + [12] * 37,
)
SONY_TABLES = (  # Sony (read from a Sony DSLR-A200 JPEG)
    [3, 2, 2, 3, 4, 6, 8, 10, 2, 2, 2, 3, 4, 9, 10, 9, 2, 2, 3, 4, 6, 9, 11, 9, 2, 3, 4, 5, 8,
     14, 13, 10, 3, 4, 6, 9, 11, 17, 16, 12, 4, 6, 9, 10, 13, 17, 18, 15, 8, 10, 12, 14, 16,
     19, 19, 16, 12, 15, 15, 16, 18, 16, 16, 16],
    [3, 3, 4, 8, 16, 16, 16, 16, 3, 3, 4, 11, 16, 16, 16, 16, 4, 4, 9, 16, 16, 16, 16, 16, 8,
     11] + [16] * 38,
)
SAMSUNG_TABLES = (  # Samsung phone (read from a Samsung SM-J327T1 JPEG)
    [5, 3, 8, 8, 8, 8, 8, 9, 4, 8, 8, 8, 8, 8, 9, 8, 8, 8, 8, 8, 9, 8, 9, 8, 8, 8, 8, 9, 8, 26,
     24, 9, 8, 8, 9, 8, 9, 33, 31, 23, 8, 9, 8, 9, 24, 31, 34, 28, 8, 9, 23, 26, 31, 36, 36,
     30, 10, 28, 29, 29, 34, 30, 31, 30],
    [5, 5, 8, 13, 18, 18, 18, 18, 5, 7, 8, 13, 18, 18, 18, 18, 8, 8, 13, 18, 30, 18, 18, 18,
     13, 13, 18, 18, 18, 18, 18, 18, 18, 18, 18, 30, 18, 18, 18, 18, 18, 18, 18, 18, 18, 18,
     18, 18, 18, 18, 30] + [18] * 13,
)
PHOTOSHOP_Q8_TABLES = (  # Adobe Photoshop "Save As" quality 8 (4:4:4, one DQT segment)
    [6, 4, 4, 6, 9, 11, 12, 16, 4, 5, 5, 6, 8, 10, 12, 12, 4, 5, 5, 6, 10, 12, 12, 12, 6, 6, 6,
     11] + [12] * 4 + [9, 8, 10] + [12] * 5 + [11, 10] + [12] * 14 + [16] + [12] * 7,
    [7, 7, 13, 24, 20, 20, 17, 17, 7, 12, 16, 14, 14, 12, 12, 12, 13, 16, 14, 14, 12, 12, 12,
     12, 24, 14, 14, 12, 12, 12, 12, 12, 20, 14] + [12] * 6 + [20] + [12] * 7 + [17]
    + [12] * 7 + [17] + [12] * 7,
)


def _exif_time(dt: datetime) -> bytes:
    return dt.strftime("%Y:%m:%d %H:%M:%S").encode("ascii")


def _dms(value: float) -> tuple[tuple[int, int], tuple[int, int], tuple[int, int]]:
    value = abs(value)
    deg = int(value)
    minutes_f = (value - deg) * 60
    minutes = int(minutes_f)
    centi_sec = round((minutes_f - minutes) * 60 * 100)
    if centi_sec >= 6000:  # rounding carried into the next minute
        centi_sec -= 6000
        minutes += 1
    return (deg, 1), (minutes, 1), (centi_sec, 100)


def gps_ifd(lat: float, lon: float, alt_m: float, when_local: datetime) -> dict[int, object]:
    utc = when_local.astimezone(timezone.utc)
    return {
        piexif.GPSIFD.GPSVersionID: (2, 3, 0, 0),
        piexif.GPSIFD.GPSLatitudeRef: b"N" if lat >= 0 else b"S",
        piexif.GPSIFD.GPSLatitude: _dms(lat),
        piexif.GPSIFD.GPSLongitudeRef: b"E" if lon >= 0 else b"W",
        piexif.GPSIFD.GPSLongitude: _dms(lon),
        piexif.GPSIFD.GPSAltitudeRef: 0,
        piexif.GPSIFD.GPSAltitude: (round(alt_m * 100), 100),
        piexif.GPSIFD.GPSTimeStamp: ((utc.hour, 1), (utc.minute, 1), (utc.second, 1)),
        piexif.GPSIFD.GPSMapDatum: b"WGS-84",
        piexif.GPSIFD.GPSDateStamp: utc.strftime("%Y:%m:%d").encode("ascii"),
    }


def _strip_app0(data: bytes) -> bytes:
    """Drop a leading JFIF APP0 segment: camera originals start with the Exif APP1."""
    if data[2:4] == b"\xff\xe0" and data[6:11] == b"JFIF\x00":
        seg_len = struct.unpack(">H", data[4:6])[0]
        return data[:2] + data[4 + seg_len:]
    return data


def _merge_dqt(data: bytes) -> bytes:
    """Put every quantization table in one DQT segment, as Photoshop writes them (libjpeg
    writes one segment per table; ExifTool's JPEGDigest hashes the segment layout)."""
    out, i, tables, first = bytearray(data[:2]), 2, b"", None
    while i + 4 <= len(data) and data[i] == 0xFF and data[i + 1] != 0xDA:
        length = struct.unpack(">H", data[i + 2:i + 4])[0]
        if data[i + 1] == 0xDB:
            first = len(out) if first is None else first
            tables += data[i + 4:i + 2 + length]
        else:
            out += data[i:i + 2 + length]
        i += 2 + length
    if first is None:
        return data
    out[first:first] = b"\xff\xdb" + struct.pack(">H", len(tables) + 2) + tables
    return bytes(out + data[i:])


def jpeg_bytes(rgb: np.ndarray, *, quality: int = 90, exif: bytes | None = None,
                xmp: bytes | None = None, camera: bool = False,
                tables: tuple[list[int], list[int]] | None = None, subsampling: int = 2,
                one_dqt: bool = False) -> bytes:
    buf = io.BytesIO()
    params: dict[str, object] = {"subsampling": subsampling, "optimize": False}
    if tables is not None:
        params["qtables"] = [list(tables[0]), list(tables[1])]
    else:
        params["quality"] = quality
    if exif is not None:
        params["exif"] = exif
    if xmp is not None:
        params["xmp"] = xmp
    Image.fromarray(rgb).save(buf, "JPEG", **params)
    data = buf.getvalue()
    if one_dqt:
        data = _merge_dqt(data)
    return _strip_app0(data) if camera else data


def thumbnail(rgb: np.ndarray) -> bytes:
    """EXIF thumbnail, 160 px wide with the image's aspect (160x120 for 4:3)."""
    h, w = rgb.shape[:2]
    small = cv2.resize(rgb, (160, round(160 * h / w)), interpolation=cv2.INTER_AREA)
    return jpeg_bytes(small, quality=80, camera=True)


def _maker_note(rng: np.random.Generator, make: str) -> bytes:
    """A ~200-byte opaque maker note shaped like a small TIFF IFD."""
    entries = 16
    blob = struct.pack(">H", entries)
    for i in range(entries):
        blob += struct.pack(">HHIHH", 0x0001 + i, 3, 1, int(rng.integers(0, 65536)), 0)
    blob += struct.pack(">I", 0)
    return blob + make.encode("ascii")[:6].ljust(6, b"\x00")


def camera_exif(*, rgb: np.ndarray, rng: np.random.Generator, make: str, model: str,
                 taken: datetime, subsec: str, exposure: tuple[int, int],
                 fnumber: tuple[int, int], iso: int, focal: tuple[int, int], flash: int,
                 lens: str | None = None, software: str | None = None,
                 modified: datetime | None = None, gps: dict[int, object] | None = None,
                 thumb: bytes | None = None) -> bytes:
    h, w = rgb.shape[:2]
    offset = taken.strftime("%z")
    offset = f"{offset[:3]}:{offset[3:]}".encode("ascii")
    zeroth: dict[int, object] = {
        piexif.ImageIFD.Make: make.encode("ascii"),
        piexif.ImageIFD.Model: model.encode("ascii"),
        piexif.ImageIFD.Orientation: 1,
        piexif.ImageIFD.XResolution: (72, 1),
        piexif.ImageIFD.YResolution: (72, 1),
        piexif.ImageIFD.ResolutionUnit: 2,
        piexif.ImageIFD.DateTime: _exif_time(modified or taken),
        piexif.ImageIFD.YCbCrPositioning: 2,
    }
    if software:
        zeroth[piexif.ImageIFD.Software] = software.encode("ascii")
    exif_ifd: dict[int, object] = {
        piexif.ExifIFD.ExposureTime: exposure,
        piexif.ExifIFD.FNumber: fnumber,
        piexif.ExifIFD.ExposureProgram: 3,
        piexif.ExifIFD.ISOSpeedRatings: iso,
        piexif.ExifIFD.ExifVersion: b"0231",
        piexif.ExifIFD.DateTimeOriginal: _exif_time(taken),
        piexif.ExifIFD.DateTimeDigitized: _exif_time(taken),
        piexif.ExifIFD.OffsetTime: offset,
        piexif.ExifIFD.OffsetTimeOriginal: offset,
        piexif.ExifIFD.OffsetTimeDigitized: offset,
        piexif.ExifIFD.ComponentsConfiguration: b"\x01\x02\x03\x00",
        piexif.ExifIFD.MeteringMode: 5,
        piexif.ExifIFD.Flash: flash,
        piexif.ExifIFD.FocalLength: focal,
        piexif.ExifIFD.MakerNote: _maker_note(rng, make),
        piexif.ExifIFD.SubSecTime: subsec.encode("ascii"),
        piexif.ExifIFD.SubSecTimeOriginal: subsec.encode("ascii"),
        piexif.ExifIFD.SubSecTimeDigitized: subsec.encode("ascii"),
        piexif.ExifIFD.FlashpixVersion: b"0100",
        piexif.ExifIFD.ColorSpace: 1,
        piexif.ExifIFD.PixelXDimension: w,
        piexif.ExifIFD.PixelYDimension: h,
        piexif.ExifIFD.ExposureMode: 0,
        piexif.ExifIFD.WhiteBalance: 0,
        piexif.ExifIFD.SceneCaptureType: 0,
    }
    if lens:
        exif_ifd[piexif.ExifIFD.LensModel] = lens.encode("ascii")
    exif_dict: dict[str, object] = {"0th": zeroth, "Exif": exif_ifd, "GPS": gps or {},
                                    "1st": {}, "thumbnail": None}
    if thumb is not None:
        exif_dict["1st"] = {
            piexif.ImageIFD.Compression: 6,
            piexif.ImageIFD.XResolution: (72, 1),
            piexif.ImageIFD.YResolution: (72, 1),
            piexif.ImageIFD.ResolutionUnit: 2,
        }
        exif_dict["thumbnail"] = thumb
    return piexif.dump(exif_dict)


def _xmp_packet(inner: str) -> bytes:
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="Adobe XMP Core 9.1-c002 79.a1cd12f, '
        '2024/11/11-13:19:17">\n'
        ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        f"{inner}"
        " </rdf:RDF>\n"
        "</x:xmpmeta>\n"
        '<?xpacket end="w"?>'
    ).encode()


def photoshop_xmp(seed_rng: np.random.Generator, taken: datetime, modified: datetime) -> bytes:
    def ident() -> str:
        return str(uuid.UUID(bytes=seed_rng.bytes(16), version=4))

    doc, orig, iid1, iid2 = ident(), ident(), ident(), ident()
    created = taken.isoformat(timespec="seconds")
    saved_mid = (modified - timedelta(minutes=14)).isoformat(timespec="seconds")
    saved = modified.isoformat(timespec="seconds")
    tool = "Adobe Photoshop 25.0 (Windows)"
    inner = f"""  <rdf:Description rdf:about=""
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/"
    xmlns:stEvt="http://ns.adobe.com/xap/1.0/sType/ResourceEvent#"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"
   xmp:CreatorTool="{tool}"
   xmp:CreateDate="{created}"
   xmp:ModifyDate="{saved}"
   xmp:MetadataDate="{saved}"
   dc:format="image/jpeg"
   photoshop:ColorMode="3"
   photoshop:DateCreated="{created}"
   xmpMM:DocumentID="adobe:docid:photoshop:{doc}"
   xmpMM:InstanceID="xmp.iid:{iid2}"
   xmpMM:OriginalDocumentID="xmp.did:{orig}">
   <xmpMM:History>
    <rdf:Seq>
     <rdf:li
      stEvt:action="created"
      stEvt:instanceID="xmp.iid:{orig}"
      stEvt:when="{created}"
      stEvt:softwareAgent="{tool}"/>
     <rdf:li
      stEvt:action="saved"
      stEvt:instanceID="xmp.iid:{iid1}"
      stEvt:when="{saved_mid}"
      stEvt:softwareAgent="{tool}"
      stEvt:changed="/"/>
     <rdf:li
      stEvt:action="saved"
      stEvt:instanceID="xmp.iid:{iid2}"
      stEvt:when="{saved}"
      stEvt:softwareAgent="{tool}"
      stEvt:changed="/"/>
    </rdf:Seq>
   </xmpMM:History>
  </rdf:Description>
"""
    return _xmp_packet(inner)


def ai_xmp() -> str:
    inner = """  <rdf:Description rdf:about=""
    xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/"
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
   xmp:CreatorTool="ComfyUI"
   Iptc4xmpExt:DigitalSourceType="http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"/>
"""
    return _xmp_packet(inner).decode("utf-8")
