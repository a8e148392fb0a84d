"""The light check (:mod:`forensics.sun`) on real camera files: false contradictions.

Usage::

    python -m benchmarks.sun_check [--corpus ../shared/corpus] [--limit N]

Every picture of ``<corpus>/exif`` and ``<corpus>/neardup`` whose camera recorded a usable GPS
position, an instant (DateTimeOriginal with its offset, else the GPS UTC date and time) and
ExposureTime, FNumber and ISO is judged at its *own* time and place: untouched photos, so every
``inconsistent`` is a false contradiction. Prints the counts per status, each inconsistent or
cannot-tell file with its numbers, and the time taken. A report: exits 0.
"""

from __future__ import annotations

import argparse
import re
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from provenancekit.forensics.batch import BatchOptions, run_batch
from provenancekit.forensics.intake import expand_paths
from provenancekit.forensics.sun import (
    SunParams,
    exposure_value,
    flash_fired,
    judge_light,
    sun_position,
)

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def _instant(item: dict[str, Any]) -> tuple[datetime, str] | None:
    md = item.get("metadata") or {}
    dto = (md.get("summary") or {}).get("datetime_original")
    if dto:
        try:
            t = datetime.fromisoformat(dto)
            if t.tzinfo is not None:
                return t, "DateTimeOriginal with offset"
        except ValueError:
            pass
    gps = (md.get("EXIF") or {}).get("GPS") or {}
    date = gps.get("GPSDate") or gps.get("GPSDateStamp")
    stamp = gps.get("GPSTimeStamp")
    if not date or not stamp:
        return None
    nums = re.findall(r"\d+(?:/\d+)?", str(stamp))
    try:
        h, m, s = (eval_fraction(x) for x in nums[:3])
        day = datetime.strptime(str(date).replace("-", ":")[:10], "%Y:%m:%d")
        t = day.replace(tzinfo=timezone.utc).timestamp() + h * 3600 + m * 60 + s
        return datetime.fromtimestamp(t, timezone.utc), "GPS date and time (UTC)"
    except (ValueError, IndexError, OverflowError):
        return None


def eval_fraction(x: str) -> float:
    a, _, b = x.partition("/")
    return float(a) / float(b) if b else float(a)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--limit", type=int, default=0, help="at most this many files (0: all)")
    args = ap.parse_args(argv)
    folders = [args.corpus / "exif", args.corpus / "neardup"]
    paths = [str(f) for f in folders if f.is_dir()]
    if args.limit:
        paths = [i.path for i in expand_paths(paths)][: args.limit]
    t0 = time.perf_counter()
    items: list[dict[str, Any]] = []
    run_batch(paths, checks=(), options=BatchOptions(workers=2, timeout_s=60),
              on_item=items.append)
    params = SunParams()
    counts = {"consistent": 0, "inconsistent": 0, "cannot_tell": 0}
    skipped = {"no_gps": 0, "no_instant": 0, "no_exposure": 0, "error": 0}
    notes = []
    for item in items:
        if item.get("status") != "ok":
            skipped["error"] += 1
            continue
        md = item.get("metadata") or {}
        gps = (md.get("summary") or {}).get("gps")
        if not gps:
            skipped["no_gps"] += 1
            continue
        inst = _instant(item)
        if inst is None:
            skipped["no_instant"] += 1
            continue
        ifd = (md.get("EXIF") or {}).get("ExifIFD") or {}
        ev = exposure_value(ifd.get("ExposureTime"), ifd.get("FNumber"),
                            ifd.get("ISOSpeedRatings") or ifd.get("PhotographicSensitivity"))
        if ev is None:
            skipped["no_exposure"] += 1
            continue
        elev, _az = sun_position(gps["lat"], gps["lon"], inst[0])
        verdict = judge_light(ev, elev, flash_fired(ifd.get("Flash")), params)
        counts[verdict["status"]] += 1
        if verdict["status"] != "consistent":
            notes.append(f"  {verdict['status']:12s} {Path(item['path']).name}: "
                         f"{verdict['reason']} ({inst[1]} {inst[0].isoformat()})")
    seconds = time.perf_counter() - t0
    judged = sum(counts.values())
    print(f"sun check on untouched camera files: {len(items)} files read, {judged} judged "
          f"(GPS + instant + exposure), skipped {skipped}")
    print(f"  consistent {counts['consistent']}, cannot tell {counts['cannot_tell']}, "
          f"inconsistent (false contradictions) {counts['inconsistent']} of {judged}")
    for line in notes:
        print(line)
    print(f"  {seconds:.1f} s (metadata read through the batch driver, 2 workers)")


if __name__ == "__main__":
    main()
