"""JPEG quantization-table signatures: data, not code.

The signatures live in ``forensics/editing/data/jpeg_signatures.csv`` (package data; its
header comment gives the source, ExifTool's *JPEGDigest* table, and the licence, see
``THIRD_PARTY_NOTICES.md``). Each row is ``digest, family, label``: ``digest`` is ExifTool's
JPEGDigest (the MD5 of the DQT payloads in table-index order joined by one zero byte, then
``:`` and the sampling factors of each component, e.g. ``221111`` for 4:2:0, when the
signature was recorded with them; see :func:`forensics.editing.jpeg_tables.jpeg_digest`),
``family`` is ``editor`` or ``camera``.

* ``editor`` rows: Adobe Photoshop CS2 "Save as" (RGB/CMYK and grayscale, qualities 0-12)
  and "Save for web" (0-100), Adobe Photoshop Express and Adobe Lightroom 1.4/2.1 "Export".
* ``camera`` rows: camera firmware tables (Canon, Konica Minolta, Nikon, Panasonic, Pentax,
  Sony, HTC).

Measured on the corpus (``../shared/corpus``): 66 of CASIA v1's 100 tampered JPEGs (saved by
Photoshop; the other 34 have IJG tables) match an editor row, none of its 139 authentic
JPEGs does. Standard IJG (libjpeg) tables are not listed: they are recognised by formula
(:func:`forensics.metadata.jpeg.ijg_table`).
"""

from __future__ import annotations

import csv
import io
from importlib import resources

FAMILIES = ("editor", "camera")


def load_signatures(text: str) -> tuple[tuple[str, str, str], ...]:
    """Parse the signature CSV (``#`` comment lines, a ``digest,family,label`` header).

    Raises ``ValueError`` naming the line of a malformed row: the file ships with the
    package, so a bad row is a packaging error to be seen, not skipped.
    """
    rows = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    reader = csv.reader(io.StringIO("\n".join(rows)))
    header = next(reader, None)
    if header != ["digest", "family", "label"]:
        raise ValueError(f"jpeg_signatures.csv: unexpected header {header!r}")
    out = []
    for n, row in enumerate(reader, start=2):
        if len(row) != 3 or row[1] not in FAMILIES or len(row[0].split(":")[0]) != 32:
            raise ValueError(f"jpeg_signatures.csv: malformed data row {n}: {row!r}")
        out.append((row[0], row[1], row[2]))
    return tuple(out)


SIGNATURES: tuple[tuple[str, str, str], ...] = load_signatures(
    resources.files(__package__).joinpath("data", "jpeg_signatures.csv")
    .read_text(encoding="utf-8"))
"""Every ``(digest, family, label)`` row of the data file."""
