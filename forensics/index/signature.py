"""The signature of one image: everything matching needs, from one bounded decode.

A signature holds the global hashes of the 8 dihedral variants, those of the border-trimmed
picture when a letterbox/frame was found, those of the picture found inside a screenshot or
a social-media card (:mod:`.region`: the index side is unchanged, indexed pictures are whole
pictures), the ORB local features and their words. It is
computed from ``ctx.rgb(WORKING_SIDE)`` (JPEG draft decoding), so a 12 MP photo is never
decoded at full size, and cached per :class:`~forensics.context.AnalysisContext` so the
``known_image`` check and the release-level duplicate pass share one computation.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field

import numpy as np

from ..context import AnalysisContext
from . import features as feat
from .hashing import WORKING_SIDE, DihedralHashes, dihedral_hashes, trim_uniform_border
from .matcher import pdq_words
from .region import RegionSettings, embedded_regions


@dataclass
class Signature:
    """Hashes and local features of one image (``rgb`` is its working image)."""

    sha256: str | None
    full_size: tuple[int, int]
    """(width, height) of the stored image in pixels."""
    working_size: tuple[int, int]
    hashes: DihedralHashes
    trims: tuple[tuple[tuple[int, int, int, int], DihedralHashes], ...]
    """When a uniform border was found: (box kept, hashes) of the picture inside it, and of
    a slightly tighter box (JPEG ringing leaves a pixel or two of border, which matters for
    small pictures). Boxes are (left, top, right, bottom) in working pixels."""
    rgb: np.ndarray | None = field(repr=False)
    """The working image (``None`` for a signature rebuilt from bytes)."""
    regions: tuple[tuple[tuple[int, int, int, int], DihedralHashes], ...] = ()
    """(box, hashes) of each rectangle that looks like a picture placed on a screenshot or
    card (:func:`~forensics.index.region.embedded_regions`), best first, in working pixels;
    probed after the trims."""
    _features: feat.LocalFeatures | None = field(default=None, repr=False)
    _mirrored: feat.LocalFeatures | None = field(default=None, repr=False)

    def _extract(self) -> None:
        if self.rgb is None:
            empty = feat.empty(self.working_size)
            self._features = self._features or empty
            self._mirrored = self._mirrored or empty
        else:
            self._features, self._mirrored = feat.extract_pair(self.rgb)

    @property
    def features(self) -> feat.LocalFeatures:
        """ORB features of the working image (computed on first use: the global-hash-only
        screening never pays for them)."""
        if self._features is None:
            self._extract()
        assert self._features is not None
        return self._features

    @property
    def mirrored_features(self) -> feat.LocalFeatures:
        """Features of the left-right mirrored picture (computed with :attr:`features`)."""
        if self._mirrored is None:
            self._extract()
        assert self._mirrored is not None
        return self._mirrored

    @property
    def sets(self) -> list[DihedralHashes]:
        """The hash sets probed, in order: as is, then each trimmed version (8 variants each;
        probing variant ``v`` belongs to set ``v // 8``)."""
        return [self.hashes] + [h for _, h in self.trims] + [h for _, h in self.regions]

    def box(self, variant: int) -> tuple[int, int, int, int] | None:
        """The kept box of the set probing variant ``variant`` belongs to (``None``: as is)."""
        k = int(variant) // 8
        boxes = [b for b, _ in self.trims] + [b for b, _ in self.regions]
        return boxes[k - 1] if 0 < k <= len(boxes) else None

    def region(self, variant: int) -> tuple[float, float, float, float] | None:
        """When variant ``variant`` probes a picture found inside the frame (a screenshot, a
        card): its box relative to the frame (left, top, right, bottom in 0..1), else None."""
        k = int(variant) // 8 - 1 - len(self.trims)
        if not 0 <= k < len(self.regions):
            return None
        (x0, y0, x1, y1), (w, h) = self.regions[k][0], self.working_size
        return (round(x0 / w, 4), round(y0 / h, 4), round(x1 / w, 4), round(y1 / h, 4))

    def information(self, variant: int) -> float:
        """The information measure judging variant ``variant``: the whole picture's, or a
        found region's own (a flat patch of a screenshot says nothing)."""
        if self.region(variant) is not None:
            return self.regions[int(variant) // 8 - 1 - len(self.trims)][1].information
        return self.hashes.information

    def to_bytes(self, *, features: bool = True) -> bytes:
        """A compact, self-contained copy (hashes, features, mirrored features; no pixels),
        e.g. to send from a worker process to the process that runs the release pass.
        With ``features=False`` the local features are left out (and not computed)."""
        import json

        def hs(h: DihedralHashes | None) -> dict | None:
            if h is None:
                return None
            return {"p": [f"{v:016x}" for v in h.phash], "d": [f"{v:016x}" for v in h.dhash],
                    "q": [c.hex() for c in h.pdq], "qq": h.pdq_quality, "i": h.information}

        head = json.dumps({"sha": self.sha256, "full": self.full_size, "work": self.working_size,
                           "h": hs(self.hashes),
                           "t": [[list(b), hs(h)] for b, h in self.trims],
                           "r": [[list(b), hs(h)] for b, h in self.regions]},
                          separators=(",", ":")).encode()
        if features:
            f1, f2 = feat.pack(self.features), feat.pack(self.mirrored_features)
        else:
            f1 = f2 = feat.pack(feat.empty(self.working_size))
        return b"".join(len(x).to_bytes(4, "big") + x for x in (head, f1, f2))

    @classmethod
    def from_bytes(cls, data: bytes) -> Signature:
        """Inverse of :meth:`to_bytes`. Raises ``ValueError`` on malformed bytes."""
        import json

        parts, pos = [], 0
        for _ in range(3):
            n = int.from_bytes(data[pos:pos + 4], "big")
            parts.append(data[pos + 4:pos + 4 + n])
            pos += 4 + n
        if pos != len(data):
            raise ValueError("malformed signature bytes")
        head = json.loads(parts[0])

        def hs(d: dict | None) -> DihedralHashes | None:
            if d is None:
                return None
            return DihedralHashes(tuple(int(v, 16) for v in d["p"]),
                                  tuple(int(v, 16) for v in d["d"]),
                                  tuple(bytes.fromhex(c) for c in d["q"]), int(d["qq"]),
                                  float(d["i"]))

        hashes = hs(head["h"])
        if hashes is None:
            raise ValueError("signature without hashes")
        trims = tuple((tuple(b), hs(h)) for b, h in head.get("t") or [])
        regions = tuple((tuple(b), hs(h)) for b, h in head.get("r") or [])
        return cls(sha256=head.get("sha"), full_size=tuple(head["full"]),  # type: ignore[arg-type]
                   working_size=tuple(head["work"]), hashes=hashes,  # type: ignore[arg-type]
                   trims=trims, regions=regions,  # type: ignore[arg-type]
                   rgb=None, _features=feat.unpack(parts[1]), _mirrored=feat.unpack(parts[2]))

    def probe_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(pdq ``(v, 4)``, phash ``(v,)``, dhash ``(v,)``) of every probing variant:
        the 8 dihedral variants of each set in :attr:`sets`."""
        sets = self.sets
        pdq = np.concatenate([pdq_words(s.pdq) for s in sets])
        ph = np.array([h for s in sets for h in s.phash], np.uint64)
        dh = np.array([h for s in sets for h in s.dhash], np.uint64)
        return pdq, ph, dh


def signature_from_rgb(rgb: np.ndarray, *, full_size: tuple[int, int] | None = None,
                       sha256: str | None = None,
                       regions: RegionSettings | None = None) -> Signature:
    """Signature of a working image (RGB ``uint8``, longest side <= :data:`WORKING_SIDE`).

    With ``regions`` (``MatchParams.region_settings()``), the pictures found inside the frame
    (a screenshot, a card) are hashed as well."""
    h, w = rgb.shape[:2]
    hashes = dihedral_hashes(rgb)
    trims = []
    trimmed_rgb, box = trim_uniform_border(rgb)
    if box != (0, 0, w, h):
        trims.append((box, dihedral_hashes(trimmed_rgb)))
        tight = tighter_box(box, (w, h))
        if tight != box:
            x0, y0, x1, y1 = tight
            trims.append((tight, dihedral_hashes(np.ascontiguousarray(rgb[y0:y1, x0:x1]))))
    found = []
    if regions is not None:
        for x0, y0, x1, y1 in embedded_regions(rgb, regions):
            found.append(((x0, y0, x1, y1),
                          dihedral_hashes(np.ascontiguousarray(rgb[y0:y1, x0:x1]))))
    return Signature(sha256=sha256, full_size=full_size or (w, h), working_size=(w, h),
                     hashes=hashes, trims=tuple(trims), rgb=rgb, regions=tuple(found))


def tighter_box(box: tuple[int, int, int, int], size: tuple[int, int], *,
                fraction: float = 0.02, minimum: int = 2) -> tuple[int, int, int, int]:
    """``box`` moved inwards on the sides where a border was trimmed, by ``fraction`` of the
    kept size (at least ``minimum`` pixels)."""
    x0, y0, x1, y1 = box
    w, h = size
    dx = max(minimum, round(fraction * (x1 - x0)))
    dy = max(minimum, round(fraction * (y1 - y0)))
    nx0 = x0 + dx if x0 > 0 else x0
    nx1 = x1 - dx if x1 < w else x1
    ny0 = y0 + dy if y0 > 0 else y0
    ny1 = y1 - dy if y1 < h else y1
    if nx1 - nx0 < 8 or ny1 - ny0 < 8:
        return box
    return (nx0, ny0, nx1, ny1)


_CACHE: weakref.WeakKeyDictionary[AnalysisContext, tuple[RegionSettings | None, Signature]] = \
    weakref.WeakKeyDictionary()


def context_signature(ctx: AnalysisContext, regions: RegionSettings | None = None
                      ) -> Signature:
    """The signature of an analysed file, computed once per context (and region settings:
    the check and the release pass pass the same ones, from the check's params).

    Raises :class:`~forensics.errors.DecodeError` when the pixels cannot be decoded.
    """
    hit = _CACHE.get(ctx)
    if hit is not None and hit[0] == regions:
        return hit[1]
    rgb = ctx.rgb(WORKING_SIDE)
    size = tuple(int(v) for v in ctx.image.size)
    sig = signature_from_rgb(rgb, full_size=(size[0], size[1]), sha256=ctx.item.sha256,
                             regions=regions)
    _CACHE[ctx] = (regions, sig)
    return sig
