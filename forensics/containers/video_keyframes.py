"""Keyframes at shot changes: the pictures of a video that go through known imagery and the
image checks as children of the video.

Two passes over the main video stream, both streamed (the file is read through PyAV in
packets; only small grey frames are kept between them):

1. :func:`plan_keyframes` decodes the **coded keyframes** only (``skip_frame=NONKEY``:
   what a player decodes to seek, the cheapest decode there is; x264 and most editors put
   one at every scene cut, cameras one every GOP) into grey frames
   :attr:`~.video_params.VideoParams.analysis_width` wide and measures the content change
   between consecutive ones (half the L1 distance of 32-bin histograms, or the mean absolute
   difference / 64, whichever is larger). A video with fewer than
   ``min_coded_keyframes`` keyframes (intra refresh, a single IDR) is fully decoded instead
   and sampled at even steps. Decoding stops at ``decode_budget_s`` and says where.
2. :func:`select_keyframes` keeps the first frame, then the shot changes (the strongest in
   each stretch when there are more than ``max_keyframes``), then fills gaps longer than
   ``max_gap_s``; :func:`render_keyframes` seeks to each chosen frame and yields it decoded
   at full stored resolution (no rotation applied) as a lossless PNG.

Each :class:`Keyframe` names its stream, presentation timestamp, time base, time in seconds,
whether it was a coded keyframe, its picture type and why it was chosen; the child's path is
``clip.mp4#t=12.48`` (Media Fragments).

Lab notes (``benchmarks/video_speed.py``, 60 s 1080p H.264, x264 ``veryfast``): the
keyframe-only pass is the floor. The first frame and the shot changes are held decoded
from pass 1 (up to :data:`MAX_HELD_BYTES`) rather than decoded again. PNGs are written with
OpenCV at zlib level 1, Huffman coding only: on a grained 1080p frame 0.097 s CPU against
0.143 s with the default strategy (6 % larger); Pillow's default level 6 is slower still.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, BinaryIO

import numpy as np

from .video_meta import open_source
from .video_params import VideoParams

MAX_CANDIDATES = 50_000
"""Candidate frames kept for selection at most (a 64x36 grey frame is 2.3 kB)."""
MAX_HELD_BYTES = 64 * 1024 * 1024
"""Decoded frames of likely keyframes (the first, shot changes) held from pass 1 so pass 2
need not decode them again, up to this many bytes of pixels (about 21 frames of 1080p)."""


@dataclass(frozen=True)
class Candidate:
    time_s: float
    pts: int | None
    coded_keyframe: bool
    pict_type: str
    score: float | None
    """Content change from the previous candidate (0..1; ``None`` for the first)."""


@dataclass
class KeyframePlan:
    """What pass 1 found and which frames were chosen."""

    stream: int
    time_base: str | None
    mode: str
    """``coded_keyframes`` or ``sampled`` (full decode, evenly spaced samples)."""
    candidates: list[Candidate] = field(default_factory=list)
    chosen: list[tuple[int, str]] = field(default_factory=list)
    """(candidate index, reason: ``first``, ``shot_change``, ``coverage``)."""
    decoded_frames: int = 0
    searched_until_s: float | None = None
    duration_s: float | None = None
    budget_reached: bool = False
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)
    held: dict[int, Any] = field(default_factory=dict, repr=False)
    """Candidate index -> decoded frame held from pass 1 (not serialised)."""

    def summary(self) -> dict[str, Any]:
        """JSON-safe description (the container's ``metadata.Keyframes``)."""
        return {
            "stream": self.stream, "time_base": self.time_base, "mode": self.mode,
            "candidates": len(self.candidates),
            "coded_keyframes": sum(c.coded_keyframe for c in self.candidates),
            "shot_changes": sum(1 for _, r in self.chosen if r == "shot_change"),
            "chosen": [{"t": round(self.candidates[i].time_s, 3), "reason": r,
                        "score": None if self.candidates[i].score is None
                        else round(self.candidates[i].score, 3)} for i, r in self.chosen],
            "decoded_frames": self.decoded_frames,
            "searched_until_s": self.searched_until_s, "duration_s": self.duration_s,
            "budget_reached": self.budget_reached, "seconds": round(self.seconds, 3),
            "problems": self.problems[:10]}


@dataclass(frozen=True)
class Keyframe:
    """One chosen frame, decoded and stored losslessly."""

    png: bytes
    width: int
    height: int
    stream: int
    pts: int | None
    time_base: str | None
    time_s: float
    coded_keyframe: bool
    pict_type: str
    reason: str
    score: float | None

    def details(self) -> dict[str, Any]:
        return {"stream": self.stream, "pts": self.pts, "time_base": self.time_base,
                "t": round(self.time_s, 3), "coded_keyframe": self.coded_keyframe,
                "picture_type": self.pict_type, "reason": self.reason,
                "shot_change_score": None if self.score is None else round(self.score, 3),
                "width": self.width, "height": self.height,
                "stored_as": "PNG (lossless) of the decoded frame, as stored (no rotation)"}


def change_score(a: np.ndarray, b: np.ndarray) -> float:
    """Content change between two grey frames of one size, 0..1 (see the module notes)."""
    ha = np.bincount((a >> 3).ravel(), minlength=32).astype(np.float64)
    hb = np.bincount((b >> 3).ravel(), minlength=32).astype(np.float64)
    hist = 0.5 * float(np.abs(ha / ha.sum() - hb / hb.sum()).sum())
    mad = float(np.abs(a.astype(np.int16) - b.astype(np.int16)).mean()) / 64.0
    return min(1.0, max(hist, mad))


def select_keyframes(candidates: list[Candidate], *, duration_s: float | None,
                     params: VideoParams) -> list[tuple[int, str]]:
    """Indices of the candidates to keep with why (``first``, ``shot_change``,
    ``coverage``), in time order: at most ``params.max_keyframes`` (see the module notes)."""
    n, cap = len(candidates), max(1, params.max_keyframes)
    if n == 0:
        return []
    chosen: dict[int, str] = {0: "first"}
    shots = [i for i in range(1, n) if (candidates[i].score or 0.0) >= params.shot_threshold]
    room = cap - 1
    if len(shots) <= room:
        chosen.update({i: "shot_change" for i in shots})
    elif room > 0:
        start = candidates[0].time_s
        end = max(duration_s or 0.0, candidates[-1].time_s, start + 1e-6)
        span = (end - start) / room
        picked: set[int] = set()
        for b in range(room):  # the strongest shot change of each stretch
            lo, hi = start + b * span, start + (b + 1) * span
            inside = [i for i in shots if lo <= candidates[i].time_s < hi and i not in picked]
            if inside:
                picked.add(max(inside, key=lambda i: candidates[i].score or 0.0))
        rest = sorted((i for i in shots if i not in picked),
                      key=lambda i: -(candidates[i].score or 0.0))
        for i in rest[:room - len(picked)]:
            picked.add(i)
        chosen.update({i: "shot_change" for i in picked})
    end_t = max(duration_s or 0.0, candidates[-1].time_s)
    while len(chosen) < cap:  # fill the longest gap while one is longer than max_gap_s
        times = sorted((candidates[i].time_s, i) for i in chosen)
        gaps = [(times[k + 1][0] - times[k][0], times[k][0], times[k + 1][0])
                for k in range(len(times) - 1)]
        gaps.append((end_t - times[-1][0], times[-1][0], end_t))
        gap, lo, hi = max(gaps)
        if gap <= params.max_gap_s:
            break
        mid = (lo + hi) / 2
        pool = [i for i in range(n) if i not in chosen and lo < candidates[i].time_s < hi]
        if not pool:
            # no frame inside the longest gap: try the others, longest first
            found = None
            for g, a, b in sorted(gaps, reverse=True):
                if g <= params.max_gap_s:
                    break
                alt = [i for i in range(n) if i not in chosen and a < candidates[i].time_s < b]
                if alt:
                    m2 = (a + b) / 2
                    found = min(alt, key=lambda i: abs(candidates[i].time_s - m2))
                    break
            if found is None:
                break
            chosen[found] = "coverage"
            continue
        chosen[min(pool, key=lambda i: abs(candidates[i].time_s - mid))] = "coverage"
    return sorted(chosen.items(), key=lambda kv: candidates[kv[0]].time_s)


def _frame_time(frame: Any, stream: Any, index: int, rate: float | None) -> float:
    t = frame.time
    if t is not None:
        return float(t)
    if frame.pts is not None and stream.time_base is not None:
        return float(frame.pts * stream.time_base)
    return index / rate if rate else float(index)


_PICT_TYPES = {0: "?", 1: "I", 2: "P", 3: "B", 4: "S", 5: "SI", 6: "SP", 7: "BI"}


def _pict(frame: Any) -> str:
    """The picture type letter (PyAV 18 gives FFmpeg's number, older versions an enum)."""
    value = frame.pict_type
    name = getattr(value, "name", None)
    if name:
        return str(name)
    try:
        return _PICT_TYPES.get(int(value), str(value))
    except (TypeError, ValueError):
        return str(value)


def _open(fh: BinaryIO) -> Any:
    import av

    return av.open(fh, mode="r", metadata_errors="replace")


PacketSink = Callable[[Any], None]


def plan_keyframes(source: str | os.PathLike[str] | bytes | BinaryIO, *, stream_index: int,
                   params: VideoParams, duration_s: float | None = None,
                   other_streams: Mapping[int, PacketSink] | None = None) -> KeyframePlan:
    """Pass 1 and the selection (see the module notes). Decoding problems are recorded in
    the plan, never raised, once the file is open; a file PyAV cannot open raises.

    ``other_streams`` maps stream indices (telemetry, subtitles) to a function given each of
    their packets during the same read of the file, so a video is read once."""
    started = time.monotonic()
    with open_source(source) as (fh, _size):
        container = _open(fh)
        try:
            stream = container.streams[stream_index]
            plan = KeyframePlan(stream=stream_index, time_base=str(stream.time_base)
                                if stream.time_base is not None else None,
                                mode="coded_keyframes", duration_s=duration_s)
            _pass1(container, stream, plan, params, keyframes_only=True, started=started,
                   others=other_streams or {})
            coded = sum(c.coded_keyframe for c in plan.candidates)
            if coded < params.min_coded_keyframes and not plan.budget_reached and (
                    duration_s or 0) > params.max_gap_s / 4:
                plan.mode = "sampled"
                plan.candidates.clear()
                container.seek(0, stream=stream)
                _pass1(container, stream, plan, params, keyframes_only=False, started=started,
                       others={})
        finally:
            container.close()
    plan.chosen = select_keyframes(plan.candidates, duration_s=duration_s, params=params)
    plan.seconds = time.monotonic() - started
    return plan


def _frames(container: Any, stream: Any, keyframes_only: bool,
            others: Mapping[int, PacketSink]) -> Iterator[Any]:
    """Decoded frames of ``stream``: with ``keyframes_only`` only packets flagged as
    keyframes reach the decoder (the others are not even sent); packets of ``others`` go to
    their sinks on the way."""
    streams = [stream] + [container.streams[i] for i in others if i != stream.index]
    for packet in container.demux(streams):
        if packet.stream.index != stream.index:
            sink = others.get(packet.stream.index)
            if sink is not None and packet.size:
                sink(packet)
            continue
        if keyframes_only and packet.size and not packet.is_keyframe:
            continue
        yield from packet.decode()


def _pass1(container: Any, stream: Any, plan: KeyframePlan, params: VideoParams, *,
           keyframes_only: bool, started: float, others: Mapping[int, PacketSink]) -> None:
    cc = stream.codec_context
    cc.skip_frame = "NONKEY" if keyframes_only else "DEFAULT"
    w = max(8, params.analysis_width)
    h = max(8, round(w * (cc.height or 9) / (cc.width or 16)))
    rate = float(stream.average_rate) if stream.average_rate else None
    step = 0.0
    if not keyframes_only:
        step = max(0.25, (plan.duration_s or 0) / max(1, 4 * params.max_keyframes))
    prev: np.ndarray | None = None
    next_t = 0.0
    index = 0
    held_bytes = 0
    try:
        for frame in _frames(container, stream, keyframes_only, others):
            plan.decoded_frames += 1
            index += 1
            t = _frame_time(frame, stream, index - 1, rate)
            plan.searched_until_s = round(t, 3)
            if time.monotonic() - started > params.decode_budget_s:
                plan.budget_reached = True
                plan.problems.append(f"decode budget of {params.decode_budget_s:g} s reached "
                                     f"at t={t:.2f} s: the rest was not searched")
                break
            if not keyframes_only and t + 1e-6 < next_t:
                continue
            if len(plan.candidates) >= MAX_CANDIDATES:
                plan.problems.append(f"more than {MAX_CANDIDATES} candidate frames: the rest "
                                     "were not searched")
                break
            next_t = t + step
            small = frame.reformat(width=w, height=h, format="gray").to_ndarray()
            small = np.ascontiguousarray(small[:h, :w])
            score = None if prev is None else change_score(prev, small)
            prev = small
            if keyframes_only and (score is None or score >= params.shot_threshold):
                size = (frame.width or 0) * (frame.height or 0) * 3 // 2
                if held_bytes + size <= MAX_HELD_BYTES:
                    plan.held[len(plan.candidates)] = frame
                    held_bytes += size
            plan.candidates.append(Candidate(
                time_s=t, pts=frame.pts, coded_keyframe=bool(frame.key_frame),
                pict_type=_pict(frame), score=score))
    except Exception as exc:  # noqa: BLE001 - damaged packets: keep what was decoded
        where = plan.searched_until_s
        plan.problems.append(f"decoding stopped at t={where if where is not None else 0:.2f} s"
                             f": {type(exc).__name__}: {str(exc)[:160]}")


def _png(frame: Any, level: int) -> tuple[bytes, int, int]:
    import cv2

    bgr = frame.to_ndarray(format="bgr24")
    ok, buf = cv2.imencode(".png", bgr, [cv2.IMWRITE_PNG_COMPRESSION, int(level),
                                         cv2.IMWRITE_PNG_STRATEGY,
                                         cv2.IMWRITE_PNG_STRATEGY_HUFFMAN_ONLY])
    if not ok:  # pragma: no cover - OpenCV encodes any uint8 BGR array
        raise ValueError("PNG encoding failed")
    return buf.tobytes(), int(bgr.shape[1]), int(bgr.shape[0])


def render_keyframes(source: str | os.PathLike[str] | bytes | BinaryIO, plan: KeyframePlan,
                     params: VideoParams) -> Iterator[Keyframe]:
    """Pass 2: the chosen frames, decoded at full size and stored as PNG, one at a time (a
    generator: the file stays open until it is exhausted or closed). Frames that cannot be
    decoded again are skipped and recorded in ``plan.problems``."""
    if not plan.chosen:
        return
    wanted = [(plan.candidates[i], reason) for i, reason in plan.chosen]
    with open_source(source) as (fh, _size):
        container = _open(fh)
        try:
            stream = container.streams[plan.stream]
            cc = stream.codec_context
            if plan.mode == "coded_keyframes":
                cc.skip_frame = "NONKEY"
                for (index, reason), (cand, _) in zip(plan.chosen, wanted, strict=True):
                    frame = plan.held.pop(index, None)
                    if frame is None:
                        frame = _seek_frame(container, stream, cand, plan)
                    if frame is None:
                        continue
                    yield _keyframe(frame, cand, reason, plan, params)
            else:
                cc.skip_frame = "DEFAULT"
                todo = list(wanted)
                try:
                    for frame in container.decode(stream):
                        if not todo:
                            break
                        cand, reason = todo[0]
                        if frame.pts is not None and cand.pts is not None and \
                                frame.pts < cand.pts:
                            continue
                        todo.pop(0)
                        yield _keyframe(frame, cand, reason, plan, params)
                except Exception as exc:  # noqa: BLE001 - damaged packets
                    plan.problems.append(f"keyframes after t={todo[0][0].time_s:.2f} s could "
                                         f"not be decoded again: {type(exc).__name__}")
        finally:
            plan.held.clear()
            container.close()


def _keyframe(frame: Any, cand: Candidate, reason: str, plan: KeyframePlan,
              params: VideoParams) -> Keyframe:
    png, w, h = _png(frame, params.png_compression)
    return Keyframe(png=png, width=w, height=h, stream=plan.stream, pts=frame.pts,
                    time_base=plan.time_base, time_s=cand.time_s,
                    coded_keyframe=bool(frame.key_frame), pict_type=_pict(frame),
                    reason=reason, score=cand.score)


def _seek_frame(container: Any, stream: Any, cand: Candidate, plan: KeyframePlan) -> Any:
    try:
        if cand.pts is not None:
            container.seek(cand.pts, stream=stream, backward=True, any_frame=False)
        else:
            container.seek(0, stream=stream)
        for frame in container.decode(stream):
            if cand.pts is None or frame.pts is None or frame.pts >= cand.pts:
                return frame
    except Exception as exc:  # noqa: BLE001 - a frame that decoded once but not again
        plan.problems.append(f"the keyframe at t={cand.time_s:.2f} s could not be decoded "
                             f"again: {type(exc).__name__}: {str(exc)[:120]}")
    return None
