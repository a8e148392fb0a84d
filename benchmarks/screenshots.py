"""Screenshots and social-media cards of a picture, generated reproducibly (seeded).

The commonest way an old photo is recirculated is not the file itself but a screenshot of a
post showing it, or a card (picture, avatar, name, caption) made by a social-media app. These
generators make both from a real picture so the known-imagery benchmark and tests can measure
whether the picture is still found (``benchmarks/index_accuracy.py``, families ``screenshot``
and ``card``):

* :func:`screenshot` - the picture scaled to 35-65 % of the canvas (in the dimension that
  limits it) on a phone (portrait, 720 x 1600 to 1170 x 2532) or desktop (1280 x 800 to
  2560 x 1440) canvas: a status bar, an app bar or browser tabs and address bar, a bottom
  navigation bar or task bar, optionally a side panel; an author line (avatar, name) above
  the picture and text lines below (``cv2.putText``); a uniform (light or dark theme) or
  gradient background; PNG or JPEG (quality 70-95).
* :func:`social_card` - the picture (corners rounded or not) on a card with rounded corners,
  an avatar, a name and handle, caption lines below or beside the picture, placed on a page
  of another colour or gradient, as apps export them (JPEG quality 75-95).

Both return the encoded bytes, a description and the picture's box in relative coordinates
``(x0, y0, x1, y1)`` of the frame. Drawing is OpenCV and NumPy only.
"""

from __future__ import annotations

import io

import cv2
import numpy as np
from PIL import Image

PHONE = ((1080, 2340), (1170, 2532), (720, 1600), (1080, 1920), (828, 1792))
DESKTOP = ((1920, 1080), (1366, 768), (1440, 900), (2560, 1440), (1280, 800))
WORDS = ("breaking", "news", "footage", "today", "city", "army", "exclusive", "video", "photo",
         "official", "report", "people", "shared", "minutes", "ago", "replies", "reposts",
         "watch", "live", "update", "strike", "near", "border", "claims", "see", "more")

Box = tuple[float, float, float, float]


def _colour(rng: np.random.Generator, dark: bool | None = None) -> tuple[int, int, int]:
    if dark is None:
        return tuple(int(c) for c in rng.integers(0, 256, 3))  # type: ignore[return-value]
    lo, hi = (0, 60) if dark else (215, 256)
    base = int(rng.integers(lo, hi))
    return tuple(int(np.clip(base + d, 0, 255)) for d in rng.integers(-8, 9, 3))  # type: ignore[return-value]


def _background(w: int, h: int, rng: np.random.Generator, dark: bool) -> np.ndarray:
    """A uniform theme colour or a vertical/horizontal gradient between two colours."""
    a = np.array(_colour(rng, dark), np.float32)
    if rng.random() < 0.6:
        return np.broadcast_to(a.astype(np.uint8), (h, w, 3)).copy()
    b = np.array(_colour(rng), np.float32)
    if rng.random() < 0.5:
        t = np.linspace(0, 1, h, dtype=np.float32)[:, None, None]
        out = a * (1 - t) + b * t
        return np.broadcast_to(out, (h, w, 3)).astype(np.uint8).copy()
    t = np.linspace(0, 1, w, dtype=np.float32)[None, :, None]
    return np.broadcast_to(a * (1 - t) + b * t, (h, w, 3)).astype(np.uint8).copy()


def _ink(bg: np.ndarray, x: int, y: int) -> tuple[int, int, int]:
    """A text colour readable on the background at (x, y)."""
    h, w = bg.shape[:2]
    g = float(bg[min(h - 1, max(0, y)), min(w - 1, max(0, x))].mean())
    return (20, 20, 25) if g > 128 else (235, 235, 240)


def _text(canvas: np.ndarray, x: int, y: int, height: int, max_width: int,
          rng: np.random.Generator, colour: tuple[int, int, int] | None = None) -> int:
    """Draw one line of words with its baseline at ``y``, at most ``max_width`` wide; returns
    the width drawn."""
    if height < 4 or max_width < 10:
        return 0
    scale = height / 22.0
    thick = max(1, round(height / 12))
    words = [str(rng.choice(WORDS)) for _ in range(int(rng.integers(2, 12)))]
    line = ""
    for word in words:
        trial = (line + " " + word).strip()
        (tw, _), _ = cv2.getTextSize(trial, cv2.FONT_HERSHEY_SIMPLEX, scale, thick)
        if tw > max_width:
            break
        line = trial
    if not line:
        return 0
    ink = colour or _ink(canvas, x, y)
    cv2.putText(canvas, line, (x, y), cv2.FONT_HERSHEY_SIMPLEX, scale, ink, thick, cv2.LINE_AA)
    return cv2.getTextSize(line, cv2.FONT_HERSHEY_SIMPLEX, scale, thick)[0][0]


def _icons(canvas: np.ndarray, y0: int, y1: int, x0: int, x1: int, n: int,
           rng: np.random.Generator) -> None:
    """``n`` small icons (circles, squares) spread over a bar."""
    cy, r = (y0 + y1) // 2, max(2, (y1 - y0) // 4)
    ink = _ink(canvas, x0, cy)
    for k in range(n):
        cx = int(x0 + (k + 0.5) * (x1 - x0) / n)
        if rng.random() < 0.5:
            cv2.circle(canvas, (cx, cy), r, ink, max(1, r // 3), cv2.LINE_AA)
        else:
            cv2.rectangle(canvas, (cx - r, cy - r), (cx + r, cy + r), ink, -1)


def _bar(canvas: np.ndarray, y0: int, y1: int, rng: np.random.Generator, *,
         colour: tuple[int, int, int] | None = None, title: bool = True, icons: int = 3) -> None:
    w = canvas.shape[1]
    if colour is not None:
        canvas[y0:y1] = colour
    hgt = y1 - y0
    if title:
        _text(canvas, int(0.04 * w) + hgt, y0 + int(0.68 * hgt), int(0.45 * hgt), w // 2, rng)
    if icons:
        _icons(canvas, y0, y1, int(0.65 * w), int(0.97 * w), icons, rng)


def _avatar(canvas: np.ndarray, cx: int, cy: int, r: int, rng: np.random.Generator) -> None:
    cv2.circle(canvas, (cx, cy), r, _colour(rng), -1, cv2.LINE_AA)
    cv2.circle(canvas, (cx, cy - r // 4), max(1, r // 3), _colour(rng), -1, cv2.LINE_AA)


def _round_corners(pic: np.ndarray, radius: int, fill: np.ndarray) -> np.ndarray:
    """``pic`` with its corners replaced by ``fill`` (same shape) outside a rounded rectangle."""
    if radius < 2:
        return pic
    h, w = pic.shape[:2]
    mask = np.zeros((h, w), np.uint8)
    cv2.rectangle(mask, (radius, 0), (w - 1 - radius, h - 1), 255, -1)
    cv2.rectangle(mask, (0, radius), (w - 1, h - 1 - radius), 255, -1)
    for cx, cy in ((radius, radius), (w - 1 - radius, radius), (radius, h - 1 - radius),
                   (w - 1 - radius, h - 1 - radius)):
        cv2.circle(mask, (cx, cy), radius, 255, -1, cv2.LINE_AA)
    a = (mask.astype(np.float32) / 255)[:, :, None]
    return (pic * a + fill * (1 - a)).astype(np.uint8)


def _encode(canvas: np.ndarray, rng: np.random.Generator, png: float) -> tuple[bytes, str]:
    buf = io.BytesIO()
    im = Image.fromarray(canvas)
    if rng.random() < png:
        im.save(buf, "PNG", compress_level=1)
        return buf.getvalue(), "PNG"
    q = int(rng.integers(70, 96))
    im.save(buf, "JPEG", quality=q)
    return buf.getvalue(), f"JPEG q{q}"


def _scaled(pic: np.ndarray, w: int, h: int) -> np.ndarray:
    ph, pw = pic.shape[:2]
    interp = cv2.INTER_AREA if w < pw else cv2.INTER_CUBIC
    return cv2.resize(pic, (max(1, w), max(1, h)), interpolation=interp)


def screenshot(picture: np.ndarray, rng: np.random.Generator, *,
               scale: tuple[float, float] = (0.35, 0.65)) -> tuple[bytes, str, Box]:
    """A phone or desktop screenshot of a post showing ``picture`` (RGB ``uint8``)."""
    phone = bool(rng.random() < 0.5)
    cw, ch = (PHONE if phone else DESKTOP)[int(rng.integers(0, 5))]
    dark = bool(rng.random() < 0.4)
    canvas = _background(cw, ch, rng, dark)
    bar_colour = _colour(rng, dark) if rng.random() < 0.7 else _colour(rng)
    top = 0
    if phone:
        sb = int(ch * rng.uniform(0.02, 0.035))
        _bar(canvas, 0, sb, rng, colour=bar_colour, icons=3)
        ab = int(ch * rng.uniform(0.045, 0.07))
        _bar(canvas, sb, sb + ab, rng, colour=_colour(rng, dark) if rng.random() < 0.5
             else None, icons=2)
        top = sb + ab
        nb = int(ch * rng.uniform(0.05, 0.075))
        _bar(canvas, ch - nb, ch, rng, colour=bar_colour, title=False, icons=5)
        bottom, left, right = ch - nb, 0, cw
    else:
        tabs = int(ch * rng.uniform(0.025, 0.04))
        _bar(canvas, 0, tabs, rng, colour=_colour(rng, dark), icons=3)
        addr = int(ch * rng.uniform(0.035, 0.05))
        _bar(canvas, tabs, tabs + addr, rng, colour=bar_colour, title=False, icons=4)
        x0, x1 = int(0.08 * cw), int(0.6 * cw)
        cv2.rectangle(canvas, (x0, tabs + addr // 5), (x1, tabs + 4 * addr // 5),
                      _colour(rng, not dark), -1)
        _text(canvas, x0 + addr // 3, tabs + int(0.65 * addr), int(0.4 * addr), x1 - x0, rng)
        top = tabs + addr
        tb = int(ch * rng.uniform(0.0, 0.045))
        if tb:
            _bar(canvas, ch - tb, ch, rng, colour=_colour(rng, True), title=False, icons=6)
        bottom, left, right = ch - tb, 0, cw
        if rng.random() < 0.6:  # a side panel of links
            side = int(cw * rng.uniform(0.12, 0.25))
            lh = int(ch * 0.025)
            for y in range(top + 2 * lh, bottom - lh, int(lh * 1.8)):
                _text(canvas, int(0.02 * cw), y, lh, side - int(0.03 * cw), rng)
            left = side
    # the post: author line, picture, text lines, counters
    aw, ah = right - left, bottom - top
    s = float(rng.uniform(*scale))
    h0, w0 = picture.shape[:2]
    f = s * min(aw / w0, ah / h0)
    pw, ph = max(8, round(w0 * f)), max(8, round(h0 * f))
    line = max(8, int(0.022 * (ch if phone else ch * 1.2)))
    head = int(2.4 * line)
    room_y = ah - ph - head - 3 * line
    px = left + int(rng.uniform(0.02, 0.98) * max(1, aw - pw)) if not phone else \
        left + (aw - pw) // 2 if rng.random() < 0.5 else left + int(0.04 * aw)
    px = min(max(left, px), right - pw)
    py = top + head + int(rng.uniform(0.0, 1.0) * max(0, room_y))
    py = min(py, bottom - ph)
    r = max(3, int(0.9 * line))
    if py - head >= top:
        _avatar(canvas, px + r, py - head // 2, r, rng)
        _text(canvas, px + 3 * r, py - head // 2 + line // 3, line, max(40, pw - 3 * r), rng)
    pic = _scaled(picture, pw, ph)
    if rng.random() < 0.3:
        pic = _round_corners(pic, int(0.03 * min(pw, ph)), canvas[py:py + ph, px:px + pw])
    canvas[py:py + ph, px:px + pw] = pic
    y = py + ph + int(1.6 * line)
    for _ in range(int(rng.integers(1, 5))):
        if y > bottom - line // 2:
            break
        _text(canvas, px, y, line, max(40, min(pw, right - px) if phone else right - px - 20),
              rng)
        y += int(1.5 * line)
    if y < bottom - line:
        _icons(canvas, y - line // 2, y + line, px, min(right, px + max(pw, 200)), 4, rng)
    data, enc = _encode(canvas, rng, png=0.4)
    desc = (f"{'phone' if phone else 'desktop'} {cw}x{ch}, picture {pw}x{ph} "
            f"({s:.2f} of the room), {'dark' if dark else 'light'}, {enc}")
    return data, desc, (px / cw, py / ch, (px + pw) / cw, (py + ph) / ch)


def social_card(picture: np.ndarray, rng: np.random.Generator) -> tuple[bytes, str, Box]:
    """A social-media card: avatar, name, the picture, caption lines, on a page."""
    h0, w0 = picture.shape[:2]
    side = int(rng.integers(560, 1000))
    f = side / max(w0, h0)
    pw, ph = max(8, round(w0 * f)), max(8, round(h0 * f))
    dark = bool(rng.random() < 0.35)
    card_bg = _colour(rng, dark)
    pad = int(pw * rng.uniform(0.0, 0.05))
    line = max(10, int(rng.uniform(0.03, 0.05) * max(pw, ph)))
    beside = bool(rng.random() < 0.35)
    head = int(2.8 * line)
    if beside:
        tw = int(pw * rng.uniform(0.4, 0.8))
        card_w, card_h = pad + pw + pad + tw + pad, head + ph + 2 * pad
    else:
        tw = pw
        n_lines = int(rng.integers(1, 5))
        card_w, card_h = pw + 2 * pad, head + ph + pad + int((1.6 * n_lines + 1.5) * line)
    margin = int(max(card_w, card_h) * rng.uniform(0.03, 0.12))
    W, H = card_w + 2 * margin, card_h + 2 * margin
    page = _background(W, H, rng, not dark if rng.random() < 0.5 else dark)
    card = np.empty((card_h, card_w, 3), np.uint8)
    card[:] = card_bg
    radius = int(0.04 * min(card_w, card_h))
    card = _round_corners(card, radius, page[margin:margin + card_h, margin:margin + card_w])
    page[margin:margin + card_h, margin:margin + card_w] = card
    r = int(0.9 * line)
    cx, cy = margin + pad + r + 4, margin + head // 2
    _avatar(page, cx, cy, r, rng)
    _text(page, cx + 2 * r, cy, line, card_w // 2, rng)
    _text(page, cx + 2 * r, cy + int(1.1 * line), int(0.7 * line), card_w // 3, rng)
    px, py = margin + pad, margin + head
    pic = _scaled(picture, pw, ph)
    rounded = rng.random() < 0.5
    if rounded:
        pic = _round_corners(pic, int(rng.uniform(0.01, 0.04) * min(pw, ph)),
                             page[py:py + ph, px:px + pw])
    page[py:py + ph, px:px + pw] = pic
    if beside:
        tx, y = px + pw + pad + max(4, line // 2), py + line
        while y < py + ph - line // 2:
            _text(page, tx, y, int(0.8 * line), tw - pad - line, rng)
            y += int(1.5 * line)
    else:
        y = py + ph + pad + int(1.4 * line)
        while y < margin + card_h - line // 2:
            _text(page, px, y, int(0.8 * line), pw - 2, rng)
            y += int(1.6 * line)
    if rng.random() < 0.5:  # delivered at a typical width
        target = int(rng.choice([1080, 1200, 720, 1440]))
        k = target / W
        page = cv2.resize(page, (target, max(8, round(H * k))), interpolation=cv2.INTER_AREA
                          if k < 1 else cv2.INTER_CUBIC)
        px, py, pw, ph = px * k, py * k, pw * k, ph * k
    H, W = page.shape[:2]
    data, enc = _encode(page, rng, png=0.15)
    desc = (f"card {W}x{H}, picture {'beside' if beside else 'above'} the caption"
            f"{', rounded corners' if rounded else ''}, {'dark' if dark else 'light'}, {enc}")
    return data, desc, (px / W, py / H, (px + pw) / W, (py + ph) / H)
