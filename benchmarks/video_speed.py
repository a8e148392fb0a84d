"""Speed and memory of screening one video (issue 15): metadata + keyframes + hashing.

    python -m benchmarks.video_speed                  # 60 s 1080p30 H.264, pinned to one core
    python -m benchmarks.video_speed --seconds 20 --repeat 3
    python -m benchmarks.video_speed --keep /tmp/clip.mp4   # reuse / keep the generated clip

The clip is generated here with PyAV (libx264 ``veryfast``, a keyframe every 30 frames as
phones and action cameras write, plus x264's scene-cut keyframes; no sound), from seeded
grained pictures panned at 40 px/s, with a cut every 3-8 s (:mod:`samples.video_clips`), in
a child process so its encoding memory is not counted.
Then, in this process, pinned to one CPU (``--cores``):

* **floor**: the bare keyframe-only decode of the same clip (PyAV, packets not flagged as
  keyframes never sent to the decoder, frames not converted): what any keyframe search
  costs at least;
* **screen**: :class:`forensics.containers.video.VideoExtractor` (metadata, findings,
  keyframe search, the chosen keyframes rendered to PNG) plus, per keyframe child, its
  SHA-256 and the known-imagery global hashes of the quick profile (``decode_working`` +
  ``global_hashes``: pHash, dHash, PDQ over the 8 orientations).

Printed: both times (wall and CPU: on a shared machine the CPU time is the steadier figure,
the wall time counts other processes' turns on the one core), the screen time as a fraction
of the clip's duration (target <= 0.1) and as a ratio to the floor, the keyframes found
against the cuts made, and the peak RSS of this process (target <= 500 MB; it includes the
clip's bytes, which the scan holds in memory as ``ctx.data``).
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing as mp
import os
import resource
import tempfile
import time

import numpy as np


def _generate(path: str, seconds: float, width: int, height: int, fps: int, preset: str,
              seed: int, gop: int, texture: float) -> None:
    from provenancekit.samples.video_clips import write_clip

    rng = np.random.default_rng(seed)
    shots: list[float] = []
    while sum(shots) < seconds:
        shots.append(float(rng.uniform(3.0, 8.0)))
    shots[-1] -= sum(shots) - seconds
    with open(path, "wb") as fh:
        write_clip(fh, shots=shots, width=width, height=height, fps=fps, seed=seed,
                   options={"preset": preset, "g": str(gop)}, pan_px_per_s=40.0,
                   texture=texture)
    with open(path + ".cuts", "w") as fh:
        fh.write(",".join(f"{t:.3f}" for t in np.cumsum([0.0] + shots[:-1])))


def _floor(data: bytes) -> tuple[float, float, int]:
    import io

    import av

    w0, c0 = time.perf_counter(), time.process_time()
    n = 0
    with av.open(io.BytesIO(data)) as c:
        s = c.streams.video[0]
        s.codec_context.skip_frame = "NONKEY"
        for packet in c.demux(s):
            if packet.size and not packet.is_keyframe:
                continue
            for _frame in packet.decode():
                n += 1
    return time.perf_counter() - w0, time.process_time() - c0, n


def _screen(data: bytes, path: str) -> tuple[float, float, dict]:
    from provenancekit.forensics.containers.base import DEFAULT_LIMITS, Budget
    from provenancekit.forensics.containers.video import VideoExtractor
    from provenancekit.forensics.context import AnalysisContext
    from provenancekit.forensics.index.hashing import global_hashes
    from provenancekit.forensics.index.known import decode_working
    from provenancekit.forensics.model import EvidenceItem

    w0, c0 = time.perf_counter(), time.process_time()
    item = EvidenceItem(path=path, sha256=hashlib.sha256(data).hexdigest(), size=len(data),
                        media_type="video/mp4")
    ctx = AnalysisContext(item, data)
    ex = VideoExtractor().extract(ctx, Budget(DEFAULT_LIMITS).container())
    times, png_bytes = [], 0
    for child in ex.children:
        hashlib.sha256(child.data).hexdigest()
        if child.relation == "keyframe":
            global_hashes(decode_working(child.data)[2])
            times.append(child.details["t"])
            png_bytes += len(child.data)
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    return wall, cpu, {"keyframes": times, "png_bytes": png_bytes,
                       "plan": ex.metadata.get("Keyframes"), "problems": ctx.problems,
                       "findings": [f.code for f in ex.findings]}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--width", type=int, default=1920)
    ap.add_argument("--height", type=int, default=1080)
    ap.add_argument("--fps", type=int, default=30)
    ap.add_argument("--preset", default="veryfast")
    ap.add_argument("--gop", type=int, default=30, help="keyframe interval in frames (a phone's"
                    " or a GoPro's is about one second)")
    ap.add_argument("--texture", type=float, default=12.0,
                    help="grain added to each shot (grey levels): the bit rate of footage")
    ap.add_argument("--seed", type=int, default=15)
    ap.add_argument("--repeat", type=int, default=2, help="timed runs (best is printed)")
    ap.add_argument("--cores", type=int, default=1, help="CPUs this process may use")
    ap.add_argument("--keep", help="path of the clip: reused when it exists, else kept")
    args = ap.parse_args(argv)

    tmp = None
    path = args.keep
    if path is None:
        tmp = tempfile.TemporaryDirectory(prefix="video_speed_")
        path = os.path.join(tmp.name, "clip.mp4")
    try:
        if not os.path.exists(path):
            t = time.perf_counter()
            proc = mp.get_context("spawn").Process(target=_generate, args=(
                path, args.seconds, args.width, args.height, args.fps, args.preset, args.seed,
                args.gop, args.texture))
            proc.start()
            proc.join()
            if proc.exitcode != 0:
                print("clip generation failed")
                return 1
            print(f"generated {args.seconds:g} s {args.width}x{args.height}@{args.fps} "
                  f"({args.preset}) in {time.perf_counter() - t:.1f} s")
        if hasattr(os, "sched_setaffinity") and args.cores:
            os.sched_setaffinity(0, set(sorted(os.sched_getaffinity(0))[:args.cores]))
        with open(path, "rb") as fh:
            data = fh.read()
        cuts = []
        if os.path.exists(path + ".cuts"):
            with open(path + ".cuts") as fh:
                cuts = [float(x) for x in fh.read().split(",") if x]
        print(f"clip: {len(data) / 1e6:.1f} MB ({len(data) * 8 / 1e6 / args.seconds:.1f} Mbit/s), "
              f"{len(cuts)} shots; cores: "
              f"{len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else '?'}")
        floors, screens = [], []
        info: dict = {}
        for _ in range(max(1, args.repeat)):
            floors.append(_floor(data))
            wall, cpu, info = _screen(data, "clip.mp4")
            screens.append((wall, cpu))
        fw, fc, nkey = min(floors)
        sw, sc = min(screens)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        found = info["keyframes"]
        hit = sum(any(abs(k - c) <= 0.1 for k in found) for c in cuts)
        plan = info["plan"] or {}
        print(f"floor (keyframe-only decode): {fw:.2f} s wall, {fc:.2f} s CPU, "
              f"{nkey} keyframes decoded")
        print(f"screen (metadata + keyframes + sha256 + global hashes): {sw:.2f} s wall, "
              f"{sc:.2f} s CPU")
        print(f"  = {sw / args.seconds:.3f} x duration wall, {sc / args.seconds:.3f} x in CPU "
              f"time (target <= 0.1); {sw / fw if fw else float('nan'):.2f} x the floor wall, "
              f"{sc / fc if fc else float('nan'):.2f} x in CPU time")
        print(f"  keyframe search {plan.get('seconds')} s ({plan.get('mode')}, "
              f"{plan.get('candidates')} candidates); {len(found)} keyframe children, "
              f"{info['png_bytes'] / 1e6:.1f} MB of PNG")
        print(f"  cuts found: {hit}/{len(cuts)} within 0.1 s; findings: {info['findings']}; "
              f"problems: {[p.code for p in info['problems']]}")
        print(f"peak RSS: {rss:.0f} MB (target <= 500 MB)")
    finally:
        if tmp is not None:
            tmp.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
