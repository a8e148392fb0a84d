"""Shared fixtures: small evidence files generated at test time (nothing is committed)."""

from __future__ import annotations

import io
import struct
import zlib
from dataclasses import dataclass

import numpy as np
import pytest
from PIL import Image


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
