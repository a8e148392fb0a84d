"""The shared analysis context: each file is read once, decoded once, parsed once.

Checks ask the context for what they need (``image``, ``preview``, ``metadata``, ``jpeg``);
each is computed on first use and cached for every other check. Damage found while decoding
(truncation, a decompression bomb, corrupt EXIF) is recorded in ``problems`` so the item can
say so, while the checks still analyse what could be read.
"""

from __future__ import annotations

import contextlib
import io
import struct
import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
from PIL import Image, ImageFile

from .errors import DecodeError
from .metadata import Metadata, extract_metadata
from .metadata.jpeg import walk_segments
from .model import EvidenceItem, ItemError
from .sniff import IMAGE_TYPES

try:  # HEIC/HEIF (and AVIF on older Pillow) through pillow-heif
    import pillow_heif

    pillow_heif.register_heif_opener()
except ImportError:  # pragma: no cover - declared dependency
    pillow_heif = None

_TRUNCATED_LOCK = threading.Lock()


@dataclass(frozen=True)
class ScanOptions:
    """Options that change what a scan computes (recorded in results where relevant)."""

    trust_anchors_pem: str | None = None
    """PEM text of C2PA trust anchors the user points to; ``None`` trusts no signer."""
    preview_max_side: int = 480
    """Longest side, in pixels, of the reduced decode shared by preview-based checks."""
    index_path: str | None = None
    """Known-imagery index (SQLite) to match against; ``None`` skips matching."""
    local_features: bool = True
    """Match known imagery (and duplicates within the release) with ORB local features and
    RANSAC as well as the global hashes. ``False`` (the ``quick`` screening profile) uses
    the global hashes alone: re-encoded, resized, recoloured, bordered, flipped and rotated
    copies are still found; crops and heavy overlays need the local features."""
    claim: Claim | None = None
    """What a case claims (target, named sites, event window), for checks that measure a file
    against it (the track check's ``track.against_claim``); ``None`` in a plain scan."""

    @classmethod
    def build(cls, *, trust_anchors_path: str | None = None, index_path: str | None = None,
              **fields: Any) -> ScanOptions:
        """Options from what a user names: the PEM file of trust anchors is read here (an
        unreadable file raises ``OSError`` naming it)."""
        pem = None
        if trust_anchors_path:
            with open(trust_anchors_path, encoding="utf-8", errors="replace") as fh:
                pem = fh.read()
        return cls(trust_anchors_pem=pem, index_path=index_path, **fields)


@dataclass(frozen=True)
class ClaimPlace:
    name: str | None
    lat: float
    lon: float
    radius_km: float | None = None


@dataclass(frozen=True)
class Claim:
    """The parts of a case's claim that checks measure files against (plain, picklable data:
    it travels to worker processes)."""

    target: ClaimPlace | None = None
    sites: tuple[ClaimPlace, ...] = ()
    window: tuple[str, str] | None = None
    """The event window's start and end, ISO 8601 with offsets."""


@contextlib.contextmanager
def _allow_truncated() -> Iterator[None]:
    with _TRUNCATED_LOCK:
        old = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = True
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = old


def _to_8bit(im: Image.Image) -> Image.Image:
    """Scale 16-bit (``I;16*``), 32-bit integer (``I``) and float (``F``) images to ``L``.

    ``convert("RGB")`` clips these to 0..255 instead of scaling them.
    """
    if im.mode.startswith("I;16"):
        arr = np.asarray(im).astype(np.uint16) >> 8
        return Image.fromarray(arr.astype(np.uint8), "L")
    if im.mode in ("I", "F"):
        arr = np.asarray(im, dtype=np.float64)
        finite = arr[np.isfinite(arr)]
        lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 0.0)
        scaled = np.nan_to_num((arr - lo) * (255.0 / (hi - lo))) if hi > lo else arr * 0
        return Image.fromarray(np.clip(scaled, 0, 255).astype(np.uint8), "L")
    return im


class AnalysisContext:
    """Lazily computed, cached views of one evidence file."""

    def __init__(self, item: EvidenceItem, data: bytes, options: ScanOptions | None = None):
        self.item = item
        self.data = data
        self.options = options or ScanOptions()
        self.problems: list[ItemError] = []
        self._rgb_cache: dict[int | None, np.ndarray] = {}

    def problem(self, code: str, message: str) -> None:
        if self.item.path not in message:
            message = f"{self.item.path}: {message}"
        if all(p.code != code for p in self.problems):
            self.problems.append(ItemError(code, message))

    @property
    def is_image(self) -> bool:
        return self.item.media_type in IMAGE_TYPES

    @cached_property
    def image(self) -> Image.Image:
        """The Pillow image, opened (header parsed, pixels not decoded).

        Raises :class:`DecodeError` (code ``decompression_bomb`` / ``corrupt_image``).
        """
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                im = Image.open(io.BytesIO(self.data))
                im.size  # noqa: B018 - forces the header parse
            return im
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise DecodeError(
                f"{str(exc).rstrip('.')}. Pillow's decompression-bomb limit is kept on purpose",
                path=self.item.path, code="decompression_bomb") from exc
        except Exception as exc:  # noqa: BLE001 - Pillow raises many types on bad bytes
            raise DecodeError(f"the {self.item.media_type} data cannot be opened: {exc}",
                              path=self.item.path, code="corrupt_image") from exc

    @cached_property
    def image_or_none(self) -> Image.Image | None:
        """The opened image, or ``None`` (recording the problem) when it cannot be opened."""
        if not self.is_image:
            return None
        try:
            return self.image
        except DecodeError as err:
            self.problem(err.code, err.message)
            return None

    @property
    def preview(self) -> np.ndarray:
        """RGB ``uint8`` array of the image reduced to ``preview_max_side`` (longest side)."""
        return self.rgb(self.options.preview_max_side)

    def rgb(self, max_side: int | None = None) -> np.ndarray:
        """RGB ``uint8`` pixels (first frame), decoded once per size and cached.

        ``max_side=None`` is the full stored resolution (no Orientation applied). With a
        ``max_side``, JPEGs use DCT-domain downscaling (``draft``), so a 12 MP file is never
        fully decoded for a small working size, and the result is resized so its longest
        side is at most ``max_side``. 16-bit and float images are scaled to 8 bits.
        Truncated files are decoded as far as the data goes and recorded as a problem.
        Raises :class:`DecodeError` when the pixels cannot be decoded at all.
        """
        if max_side in self._rgb_cache:
            return self._rgb_cache[max_side]
        self.image  # noqa: B018 - raises DecodeError (bomb, corrupt) before any decoding
        # A fresh Image: draft()/seek()/load() must not change the shared ``self.image``.
        im = Image.open(io.BytesIO(self.data))
        side = max_side or max(im.size)
        try:
            arr = self._reduced(im, side)
        except (DecodeError, MemoryError):
            raise
        except (ValueError, SyntaxError, EOFError, IndexError, struct.error) as exc:
            raise DecodeError(f"pixel data cannot be decoded: {exc}", path=self.item.path,
                              code="corrupt_image") from exc
        except OSError as exc:
            if "truncated" not in str(exc) and "broken data stream" not in str(exc):
                raise DecodeError(f"pixel data cannot be decoded: {exc}", path=self.item.path,
                                  code="corrupt_image") from exc
            self.problem("truncated", f"the image data is truncated ({exc}); "
                         "only the part that decodes was analysed")
            try:
                with _allow_truncated():
                    arr = self._reduced(Image.open(io.BytesIO(self.data)), side)
            except MemoryError:
                raise
            except Exception as again:  # noqa: BLE001 - not even the truncated part decodes
                raise DecodeError(f"pixel data cannot be decoded: {again}",
                                  path=self.item.path, code="corrupt_image") from again
        except Exception as exc:  # noqa: BLE001 - decoders (HEIF/AVIF, TIFF) raise anything
            raise DecodeError(f"pixel data cannot be decoded: {type(exc).__name__}: {exc}",
                              path=self.item.path, code="corrupt_image") from exc
        arr.setflags(write=False)  # shared by every check: nobody may change it
        self._rgb_cache[max_side] = arr
        return arr

    def _reduced(self, im: Image.Image, side: int) -> np.ndarray:
        # a freshly opened image is on its first frame already (asking for n_frames can
        # itself fail on a damaged multi-page TIFF)
        if im.format == "JPEG" and side < max(im.size):
            # draft() keeps both sides at least as large as asked: ask for the target box.
            w, h = im.size
            scale = side / max(w, h)
            im.draft("RGB", (max(1, int(w * scale)), max(1, int(h * scale))))
        im.load()
        im = _to_8bit(im)
        rgb = im.convert("RGB") if im.mode != "RGB" else im
        if max(rgb.size) > side:
            rgb = rgb.copy()
            rgb.thumbnail((side, side), Image.Resampling.BILINEAR)
        return np.asarray(rgb)

    @cached_property
    def jpeg(self) -> dict[str, Any] | None:
        """JPEG marker structure (see :func:`walk_segments`), ``None`` for other formats."""
        if self.item.media_type != "image/jpeg":
            return None
        info = walk_segments(self.data)
        if any("truncated" in p or "runs past the end" in p for p in info["problems"]):
            self.problem("truncated", "the JPEG stream ends early: " + "; ".join(info["problems"]))
        return info

    @cached_property
    def dct(self) -> Any:
        """Quantized DCT coefficients of a JPEG's first component, read without decoding
        pixels (:func:`forensics.editing.dct.read_coefficients`, via ``jpeglib``): a
        :class:`~forensics.editing.dct.DctCoefficients`, or ``None`` for other formats and
        for JPEGs whose coefficients libjpeg cannot read (damaged, or a process it lacks)."""
        if self.item.media_type != "image/jpeg":
            return None
        from .editing.dct import read_coefficients

        try:
            return read_coefficients(self.data)
        except ValueError:
            return None

    def coefficients(self) -> Any:
        """:attr:`dct` for a check that needs it: raises :class:`DecodeError` with code
        ``decompression_bomb`` when the JPEG frame is over Pillow's bomb limit (libjpeg's
        coefficient read allocates 2 bytes per pixel of the claimed frame, so the limit
        holds for it too) and ``corrupt_image`` when libjpeg cannot read the coefficients
        (damaged data or an unsupported JPEG process)."""
        frame = self.jpeg or {}
        if (frame.get("width") or 0) * (frame.get("height") or 0) > (Image.MAX_IMAGE_PIXELS
                                                                    or float("inf")):
            self.image  # noqa: B018 - raises DecodeError (decompression_bomb) itself
            raise DecodeError(f"{self.item.path}: the JPEG frame ({frame['width']}x"
                              f"{frame['height']}) is over the decompression-bomb limit",
                              path=self.item.path, code="decompression_bomb")
        if self.dct is None:
            raise DecodeError(f"{self.item.path}: libjpeg cannot read the JPEG's DCT "
                              "coefficients (damaged data or an unsupported JPEG process)",
                              path=self.item.path, code="corrupt_image")
        return self.dct

    @cached_property
    def metadata(self) -> Metadata:
        """Every metadata block, read once (see :mod:`forensics.metadata`)."""
        md = extract_metadata(self.item, self.data, self.image_or_none, self.jpeg,
                              trust_anchors_pem=self.options.trust_anchors_pem)
        if md.exif.corrupt:
            self.problem("corrupt_exif", f"the EXIF block is present but unreadable "
                         f"({md.exif.error or 'no tag decoded'}); other metadata was still read")
        return md
