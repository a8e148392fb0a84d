"""Seeded video clips made with PyAV, for the video tests and ``benchmarks/video_speed.py``.

A clip is a sequence of *shots*; each shot is a picture (given, or drawn from the seed: soft
colour fields with a few shapes) that the camera pans slowly across, so consecutive frames
of one shot differ a little and a cut changes everything. Written in memory or to a path
with libx264 (or any PyAV encoder), optionally with an AAC sound track, a rotation flag in
the display matrix and container tags.
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from fractions import Fraction

import numpy as np


def shot_picture(seed: int, width: int, height: int) -> np.ndarray:
    """An RGB picture of ``width`` x ``height`` drawn from ``seed``: a smooth colour field
    (bilinear blow-up of a coarse random grid) with rectangles and discs on it."""
    rng = np.random.default_rng(seed)
    coarse = rng.integers(0, 256, size=(6, 8, 3)).astype(np.float32)
    ys = np.linspace(0, coarse.shape[0] - 1, height, dtype=np.float32)
    xs = np.linspace(0, coarse.shape[1] - 1, width, dtype=np.float32)
    y0, x0 = np.floor(ys).astype(int), np.floor(xs).astype(int)
    y1, x1 = np.minimum(y0 + 1, coarse.shape[0] - 1), np.minimum(x0 + 1, coarse.shape[1] - 1)
    fy, fx = (ys - y0)[:, None, None], (xs - x0)[None, :, None]
    img = (coarse[y0][:, x0] * (1 - fy) * (1 - fx) + coarse[y0][:, x1] * (1 - fy) * fx
           + coarse[y1][:, x0] * fy * (1 - fx) + coarse[y1][:, x1] * fy * fx)
    yy, xx = np.mgrid[0:height, 0:width]
    for _ in range(6):
        colour = rng.integers(0, 256, size=3)
        cx, cy = rng.integers(0, width), rng.integers(0, height)
        r = int(rng.integers(height // 12, height // 4))
        if rng.random() < 0.5:
            img[max(0, cy - r):cy + r, max(0, cx - r):cx + r] = colour
        else:
            img[(yy - cy) ** 2 + (xx - cx) ** 2 < r * r] = colour
    return np.clip(img, 0, 255).astype(np.uint8)


def write_clip(target: str | os.PathLike[str] | io.BytesIO | None = None, *,
               shots: Sequence[float] = (2.0, 2.0), pictures: Sequence[np.ndarray] = (),
               width: int = 320, height: int = 240, fps: int = 25, seed: int = 0,
               codec: str = "libx264", container_format: str = "mp4",
               options: dict[str, str] | None = None, audio_seconds: float | None = None,
               rotation: int | None = None, tags: dict[str, str] | None = None,
               stream_tags: dict[str, str] | None = None,
               pan_px_per_s: float = 12.0, texture: float = 0.0) -> bytes | None:
    """Write a clip of ``len(shots)`` shots lasting ``shots[i]`` seconds each; shot ``i``
    shows ``pictures[i]`` when given (resized by cropping/tiling to the frame), else
    :func:`shot_picture` of ``seed + i``. ``tags`` go on the container (FFmpeg's muxer writes
    its own ``encoder``), ``stream_tags`` on the video stream. Returns the bytes when
    ``target`` is ``None``. ``texture`` adds seeded fine grain (standard deviation in grey
    levels) to each shot's picture, so the clip costs the bits and decode time of real
    footage rather than of flat colour."""
    import av

    out = io.BytesIO() if target is None else target
    margin = int(pan_px_per_s * max(shots, default=1.0)) + 2
    with av.open(out, mode="w", format=container_format) as c:
        for k, v in (tags or {}).items():
            c.metadata[k] = v
        vs = c.add_stream(codec, rate=fps)
        vs.width, vs.height = width, height
        vs.pix_fmt = "yuv420p" if codec not in ("mjpeg",) else "yuvj420p"
        if options:
            vs.options = dict(options)
        for k, v in (stream_tags or {}).items():  # handler_name becomes the hdlr name
            vs.metadata[k] = v
        if rotation is not None:
            vs.set_display_rotation(rotation)
        aus = None
        if audio_seconds is not None:
            aus = c.add_stream("aac", rate=48000)
            aus.layout = "mono"
        n = 0
        for i, dur in enumerate(shots):
            if i < len(pictures):
                pic = np.asarray(pictures[i])[:, :, :3]
                reps = (-(-(height + 2) // pic.shape[0]), -(-(width + margin) // pic.shape[1]), 1)
                base = np.tile(pic, reps)[:height + 2, :width + margin]
            else:
                base = shot_picture(seed + i, width + margin, height + 2)
            if texture:
                grain = np.random.default_rng(seed + 1000 + i).normal(0, texture, base.shape)
                base = np.clip(base + grain, 0, 255).astype(np.uint8)
            for f in range(int(round(dur * fps))):
                dx = min(margin - 1, int(pan_px_per_s * f / fps))
                img = np.ascontiguousarray(base[1:height + 1, dx:dx + width])
                frame = av.VideoFrame.from_ndarray(img, format="rgb24")
                frame.pts = n
                frame.time_base = Fraction(1, fps)
                n += 1
                for packet in vs.encode(frame):
                    c.mux(packet)
        for packet in vs.encode():
            c.mux(packet)
        if aus is not None:
            samples = int(48000 * audio_seconds)
            t = np.arange(samples, dtype=np.float32) / 48000
            wave = (0.1 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
            pos = 0
            while pos < samples:
                chunk = wave[pos:pos + 1024]
                af = av.AudioFrame.from_ndarray(chunk[None, :], format="flt", layout="mono")
                af.sample_rate = 48000
                af.pts = pos
                af.time_base = Fraction(1, 48000)
                pos += len(chunk)
                for packet in aus.encode(af):
                    c.mux(packet)
            for packet in aus.encode():
                c.mux(packet)
    return out.getvalue() if target is None else None
