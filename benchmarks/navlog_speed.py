"""How fast flight logs are summarised, against pymavlink reading the same file (issue 16).

    python -m benchmarks.navlog_speed [--mb 100] [--skip-full] [--seed 0]

Inputs: the largest DataFlash log of ``../shared/corpus/navlog`` (``pymavlink/test.BIN``,
64 KiB: a SITL log cut short) and a synthetic one of ``--mb`` MB written by
:func:`samples.navunit.dataflash_log`: every record packed with :mod:`struct` per its own
``FMT`` message, at the rates ArduPlane 3.8 logs with its default bitmask (IMU/IMU2 50 Hz;
ATT, AHR2, NKF1-6, NKQ, PID, CTUN, NTUN, RCIN/RCOU, POS, VIBE... 25 Hz; BARO, BAT, POWR, MAG,
STAT 10 Hz; GPS, GPA 5 Hz; RAD 1 Hz), a 600-parameter dump, firmware messages and a
13-item mission: 100 MB is a 55-minute flight of 2.4 million messages.

Each reading runs in a fresh process (``--child``), one at a time, on one core:

``ours``
    :func:`forensics.tracks.parse.parse_track` (the whole summary: positions, mission,
    events, the sensor streams of the fabrication checks).
``pymavlink_selective``
    ``DFReader_binary`` + ``recv_match(type=[GPS, CMD, MSG, VER, MODE, EV, ERR])`` until the
    end: how this project read DataFlash before (pymavlink's own index, then a message
    object per wanted message and per PARM/STAT/ORGN it adds).
``pymavlink_full``
    ``DFReader_binary`` + ``recv_msg()`` over every message, as ``mavlogdump.py`` does:
    the floor a reader of only what it needs must beat (skipped with ``--skip-full``).

Reported per input and reader: seconds (wall, after the bytes are in memory), MB/s, peak
resident memory of the process (``VmHWM``) and what it was before the read began (the
interpreter, the libraries and the file's bytes). Target (issue 16): 100 MB summarised in
at most 15 s on one core, peak RSS at most 300 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

NAVLOG = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "navlog"
WANTED = ["GPS", "CMD", "MSG", "VER", "MODE", "EV", "ERR"]


def _rss_mb() -> float:
    """Peak resident memory of this process so far, MB (``VmHWM``: reset by ``exec``, unlike
    ``ru_maxrss``, which a child inherits from the process that forked it)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def child(mode: str, path: str) -> dict[str, float | int | str]:
    """One reading, in this process: the numbers as a dict."""
    from pymavlink import DFReader  # imported before the clock starts, for every reader

    if mode == "ours":
        from provenancekit.forensics.tracks import parse_track

        data = Path(path).read_bytes()
        base = _rss_mb()
        t = time.perf_counter()
        track = parse_track(path, data)
        secs = time.perf_counter() - t
        extra = {"points": len(track.points),
                 "fraction_decoded": track.integrity.get("fraction_decoded", "")}
    else:
        from provenancekit.forensics.tracks.model import quiet

        base = _rss_mb()
        t = time.perf_counter()
        n = 0
        with quiet():
            log = DFReader.DFReader_binary(path, zero_time_base=False)
            while True:
                m = log.recv_match(type=WANTED) if mode == "pymavlink_selective" \
                    else log.recv_msg()
                if m is None:
                    break
                n += 1
        secs = time.perf_counter() - t
        extra = {"messages": n}
    size = os.path.getsize(path)
    return {"mode": mode, "bytes": size, "seconds": round(secs, 3),
            "mb_per_s": round(size / 1e6 / secs, 2) if secs else 0.0,
            "rss_before_mb": round(base, 1), "rss_peak_mb": round(_rss_mb(), 1), **extra}


def _run(mode: str, path: Path) -> dict:
    out = subprocess.run([sys.executable, "-m", "benchmarks.navlog_speed", "--child", mode,
                          str(path)], capture_output=True, text=True, timeout=900,
                         cwd=Path(__file__).resolve().parents[1], check=False)
    line = out.stdout.strip().splitlines()[-1] if out.stdout.strip() else ""
    if out.returncode or not line.startswith("{"):
        return {"mode": mode, "error": (out.stderr or out.stdout)[-400:]}
    return json.loads(line)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mb", type=float, default=100.0, help="size of the synthetic log, MB")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--skip-full", action="store_true",
                    help="do not time pymavlink's full iteration (the slowest reading)")
    ap.add_argument("--child", nargs=2, metavar=("MODE", "PATH"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(child(*args.child)))
        return 0
    from provenancekit.samples.navunit import dataflash_log

    inputs: list[tuple[str, Path]] = []
    corpus = NAVLOG / "pymavlink" / "test.BIN"
    if corpus.is_file():
        inputs.append(("corpus test.BIN", corpus))
    with tempfile.TemporaryDirectory(prefix="navlog-speed-") as tmp:
        t = time.perf_counter()
        big = Path(tmp) / "synthetic.bin"
        big.write_bytes(dataflash_log(target_bytes=int(args.mb * 1e6), seed=args.seed))
        print(f"synthetic DataFlash log: {big.stat().st_size / 1e6:.1f} MB written in "
              f"{time.perf_counter() - t:.1f} s")
        inputs.append((f"synthetic {args.mb:g} MB", big))
        modes = ["ours", "pymavlink_selective"] + ([] if args.skip_full else ["pymavlink_full"])
        print(f"{'input':<22} {'reader':<20} {'s':>8} {'MB/s':>8} {'RSS before':>11} "
              f"{'RSS peak':>9}  other")
        for label, path in inputs:
            for mode in modes:
                r = _run(mode, path)
                if "error" in r:
                    print(f"{label:<22} {mode:<20} error: {r['error']}")
                    continue
                other = {k: v for k, v in r.items() if k in ("points", "messages",
                                                             "fraction_decoded")}
                print(f"{label:<22} {mode:<20} {r['seconds']:>8.3f} {r['mb_per_s']:>8.1f} "
                      f"{r['rss_before_mb']:>10.0f}M {r['rss_peak_mb']:>8.0f}M  {other}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
