"""Where a picture sits inside a screenshot or a social-media card.

A known photo is most often recirculated as a screenshot of a post (the picture at about
half the frame, with status, app or browser bars, an author line, text and counters around
it) or as a card an app exports (avatar, name, the picture, caption lines, rounded corners,
on a page). Its global hashes are then those of the whole frame and match nothing. This
module finds the rectangle of the embedded picture on the 480 px working image, cheaply
(NumPy and OpenCV, about 5-10 ms), so the signature can hash it as well
(:func:`~forensics.index.signature.signature_from_rgb`); the index side is unchanged.

How (measured on generated screenshots and cards of the corpus originals,
``benchmarks/index_accuracy.py``, families ``screenshot`` and ``card``):

1. **Steps.** A pixel is a *step* across x when the colours one pixel to its left and right
   differ by more than ``contrast`` grey levels (any channel) while the image is flat
   (within ``flat``) three pixels to one side: a boundary between a flat UI area and
   something else, not a texture (both sides busy) nor a gradient background (no jump).
   Steps across y likewise. Gaps of up to ``gap`` pixels along a line are closed.
2. **Lines.** The ``lines`` columns (and rows) with the most steps, 3 pixels apart at least,
   and the frame's own edges, are the candidate sides.
3. **Rectangles.** Every rectangle of candidate sides, at least ``min_side`` of the frame
   wide and high and at most ``max_area`` of it, whose four sides are each covered by steps
   over ``min_coverage`` of their length is kept and scored: the mean over its sides of the
   coverage, less the coverage of the same line continued beyond the corners (a side that
   runs on is a bar or a column of the layout, not the picture's edge), plus how flat the
   band just outside each side is (a text line makes a covered but busy "side"). A frame
   edge counts as a weak side (the picture at full width or height of the frame is what
   border trimming is for).
4. **Refinement.** Each side of the best rectangles is moved, within 3 pixels, to where the
   one-pixel colour jump along it is largest: the hashes need the box to the pixel (2 % off
   loses a fifth of the matches).

The best ``limit`` rectangles that are not near-copies of each other are returned, best
first, as ``(left, top, right, bottom)`` in working pixels. A photo with a uniform border
or a picture whose edge melts into the page (white sky on white) may give no rectangle or a
wrong one; a wrong one costs a hash set and matches nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

Box = tuple[int, int, int, int]


@dataclass(frozen=True)
class RegionSettings:
    """The detector's thresholds (from :class:`~forensics.index.match.MatchParams`)."""

    contrast: int = 8
    """Grey levels (per channel, across two pixels) that make a step."""
    flat: int = 4
    """Grey levels within which the image three pixels off the step counts as flat."""
    gap: int = 2
    """Step gaps (pixels) closed along a line."""
    lines: int = 20
    """Candidate columns and rows (each)."""
    min_coverage: float = 0.6
    """Fraction of each side that steps must cover."""
    min_side: float = 0.1
    """Smallest rectangle side, fraction of the frame's side."""
    max_area: float = 0.92
    """Largest rectangle, fraction of the frame (larger: the picture is the frame)."""
    limit: int = 3
    """Rectangles returned."""
    page_test: bool = True
    tries: int = 400
    """Rectangles examined (largest first) for the page reaching inside."""


def _steps(rgb: np.ndarray, contrast: int, flat: int) -> tuple[np.ndarray, np.ndarray]:
    """(steps across x, steps across y) as boolean maps of the frame's shape."""
    img = rgb.astype(np.int16)
    h, w = img.shape[:2]
    ex = np.zeros((h, w), np.int16)
    ex[:, 1:-1] = np.abs(img[:, 2:] - img[:, :-2]).max(axis=2)
    ey = np.zeros((h, w), np.int16)
    ey[1:-1] = np.abs(img[2:] - img[:-2]).max(axis=2)
    # regions differ, not just a stroke: the colours three pixels either side differ too
    fx = np.zeros((h, w), bool)
    fx[:, 3:-3] = np.abs(img[:, 6:] - img[:, :-6]).max(axis=2) > contrast
    fy = np.zeros((h, w), bool)
    fy[3:-3] = np.abs(img[6:] - img[:-6]).max(axis=2) > contrast

    def flat_beside(e: np.ndarray, axis: int) -> np.ndarray:
        out = np.zeros(e.shape, bool)
        for d in (2, 3):  # a frame or card edge may run 2-3 pixels off the picture
            a = np.full_like(e, 999)
            b = np.full_like(e, 999)
            if axis == 1:
                a[:, d:], b[:, :-d] = e[:, :-d], e[:, d:]
            else:
                a[d:], b[:-d] = e[:-d], e[d:]
            out |= np.minimum(a, b) <= flat
        return out

    return ((ex > contrast) & fx & flat_beside(ex, 1),
            (ey > contrast) & fy & flat_beside(ey, 0))


def _strongest(counts: np.ndarray, k: int, minimum: int) -> list[int]:
    counts = counts.astype(np.int64)
    out: list[int] = []
    for j in np.argsort(-counts, kind="stable"):
        if counts[j] < minimum:
            break
        if all(abs(int(j) - o) > 3 for o in out):
            out.append(int(j))
            if len(out) >= k:
                break
    return out


def _longest_run(v: np.ndarray, axis: int) -> np.ndarray:
    """Length of the longest run of ones along ``axis``, per line (0/1 ``uint8`` map)."""
    c = np.cumsum(v, axis=axis, dtype=np.int32)
    reset = np.maximum.accumulate(np.where(v == 0, c, 0), axis=axis)
    return (c - reset).max(axis=axis)


def _iou(a: Box, b: Box) -> float:
    ix = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union else 0.0


def _refine(rgb: np.ndarray, box: Box, reach: int = 3) -> Box:
    """Each side moved (within ``reach`` px) to the largest one-pixel colour jump along it."""
    img = rgb.astype(np.int16)
    h, w = img.shape[:2]
    x0, y0, x1, y1 = box
    mx, my = max(1, (x1 - x0) // 10), max(1, (y1 - y0) // 10)

    def best(pos: int, lo: int, hi: int, axis: int) -> int:
        # the jump between pixel p-1 and p (the side begins / ends at p), along [lo, hi)
        top = w if axis == 0 else h
        scores = []
        for p in range(pos - reach, pos + reach + 1):
            if p < 1 or p > top - 1:
                scores.append(-1.0)
                continue
            if axis == 0:  # a vertical side at column p
                d = np.abs(img[lo:hi, p] - img[lo:hi, p - 1]).max(axis=1)
            else:
                d = np.abs(img[p, lo:hi] - img[p - 1, lo:hi]).max(axis=1)
            scores.append(float(np.median(d)) + 0.01 * float(d.mean()))
        k = int(np.argmax(scores))
        return pos - reach + k if scores[k] > 0 else pos

    nx0 = best(x0, y0 + my, y1 - my, 0) if x0 > 0 else 0
    nx1 = best(x1, y0 + my, y1 - my, 0) if x1 < w else w
    ny0 = best(y0, x0 + mx, x1 - mx, 1) if y0 > 0 else 0
    ny1 = best(y1, x0 + mx, x1 - mx, 1) if y1 < h else h
    if nx1 - nx0 < 8 or ny1 - ny0 < 8:
        return box
    return (nx0, ny0, nx1, ny1)


def embedded_regions(rgb: np.ndarray, settings: RegionSettings | None = None) -> list[Box]:
    """Rectangles that look like a picture placed on a screenshot or card (best first)."""
    s = settings or RegionSettings()
    h, w = rgb.shape[:2]
    if h < 32 or w < 32:
        return []
    sx, sy = _steps(rgb, s.contrast, s.flat)
    # a boundary registers at two neighbouring positions (two-pixel differences): merge
    vx = sx.copy()
    vx[:, :-1] |= sx[:, 1:]
    hy = sy.copy()
    hy[:-1] |= sy[1:]
    k = 2 * s.gap + 1
    vx = cv2.morphologyEx(vx.view(np.uint8), cv2.MORPH_CLOSE, np.ones((k, 1), np.uint8))
    hy = cv2.morphologyEx(hy.view(np.uint8), cv2.MORPH_CLOSE, np.ones((1, k), np.uint8))
    cv_ = np.zeros((h + 1, w), np.int32)
    np.cumsum(vx, axis=0, out=cv_[1:])
    ch = np.zeros((h, w + 1), np.int32)
    np.cumsum(hy, axis=1, out=ch[:, 1:])

    xs = np.array(sorted(set(_strongest(_longest_run(vx, 0), s.lines,
                                        int(s.min_side * h * s.min_coverage)) + [-1, w])))
    ys = np.array(sorted(set(_strongest(_longest_run(hy, 1), s.lines,
                                        int(s.min_side * w * s.min_coverage)) + [-1, h])))
    i, j = np.triu_indices(len(xs), 1)
    i, j = i[xs[j] - xs[i] >= s.min_side * w], j[xs[j] - xs[i] >= s.min_side * w]
    m, n = np.triu_indices(len(ys), 1)
    m, n = m[ys[n] - ys[m] >= s.min_side * h], n[ys[n] - ys[m] >= s.min_side * h]
    pair_x = np.repeat(np.arange(len(i)), len(m))
    pair_y = np.tile(np.arange(len(m)), len(i))
    x0, x1, y0, y1 = xs[i][pair_x], xs[j][pair_x], ys[m][pair_y], ys[n][pair_y]
    if not len(x0):
        return []
    ya, yb, xa, xb = np.clip(y0, 0, h), np.clip(y1, 0, h), np.clip(x0, 0, w), np.clip(x1, 0, w)

    def vfrac(x: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        xi, a, b = np.clip(x, 0, w - 1), np.clip(a, 0, h), np.clip(b, 0, h)
        return np.where(b > a, (cv_[b, xi] - cv_[a, xi]) / np.maximum(1, b - a), 0.0)

    def hfrac(y: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        yi, a, b = np.clip(y, 0, h - 1), np.clip(a, 0, w), np.clip(b, 0, w)
        return np.where(b > a, (ch[yi, b] - ch[yi, a]) / np.maximum(1, b - a), 0.0)

    frame = np.stack([x0 < 0, x1 >= w, y0 < 0, y1 >= h])
    cover = np.stack([vfrac(x0, ya, yb), vfrac(x1, ya, yb), hfrac(y0, xa, xb),
                      hfrac(y1, xa, xb)])
    cover = np.where(frame, 1.0, cover)
    area = (xb - xa) * (yb - ya)
    good = (cover.min(axis=0) >= s.min_coverage) & (area <= s.max_area * w * h) & (
        frame.sum(0) <= 2)
    order = np.flatnonzero(good)
    order = order[np.argsort(-area[order], kind="stable")]
    busy = _busy(rgb, s.flat)
    row_busy = np.zeros((h, w + 1), np.int32)
    np.cumsum(busy, axis=1, out=row_busy[:, 1:])
    col_busy = np.zeros((h + 1, w), np.int32)
    np.cumsum(busy, axis=0, out=col_busy[1:])
    boxes: list[Box] = []
    for i in order[:s.tries]:
        raw = (int(max(0, x0[i])), int(max(0, y0[i])), int(min(w, x1[i] + 1)),
               int(min(h, y1[i] + 1)))
        if s.page_test and _page_inside(rgb, raw, row_busy, col_busy, s.flat, margin=4):
            continue
        box = _refine(rgb, raw)
        if any(_iou(box, b) > 0.97 for b in boxes):
            continue
        if s.page_test and _page_inside(rgb, box, row_busy, col_busy, s.flat):
            continue
        boxes.append(box)
        if len(boxes) >= s.limit:
            break
    return boxes


def _page_inside(rgb: np.ndarray, box: Box, row_busy: np.ndarray, col_busy: np.ndarray,
                 flat: int, margin: int = 2) -> bool:
    """Whether page (rendered UI) reaches inside ``box``: a whole row or column of it (2 px
    margins left out) is flat, within ``flat`` grey levels end to end. Rendered margins,
    gaps between a picture and a text line, card headers and caption gaps are such rows; a
    photo's own flat rows (a clear sky) still vary over the picture's width."""
    x0, y0, x1, y1 = box
    a, b = x0 + margin, x1 - margin
    c, d = y0 + margin, y1 - margin
    if b <= a or d <= c:
        return True
    rows = c + np.flatnonzero(row_busy[c:d, b] - row_busy[c:d, a] == 0)
    if len(rows):
        seg = rgb[rows, a:b]
        if ((seg.max(axis=1).astype(np.int16) - seg.min(axis=1)).max(axis=1) <= flat).any():
            return True
    cols = a + np.flatnonzero(col_busy[d, a:b] - col_busy[c, a:b] == 0)
    if len(cols):
        seg = rgb[c:d, cols]
        if ((seg.max(axis=0).astype(np.int16) - seg.min(axis=0)).max(axis=1) <= flat).any():
            return True
    return False


def _busy(rgb: np.ndarray, flat: int) -> np.ndarray:
    """Pixels whose 3 x 3 neighbourhood is not flat (any channel beyond ``flat``)."""
    k = np.ones((3, 3), np.uint8)
    hi = cv2.dilate(rgb, k)
    lo = cv2.erode(rgb, k)
    return (hi.astype(np.int16) - lo).max(axis=2) > 2 * flat
