"""Batch screening speed and memory: ``python -m benchmarks.batch_speed [--n12 40 --n2 40]``.

Builds a folder of realistic 12-megapixel and 2-megapixel JPEGs (camera EXIF, camera-like
quality 92-95, 4:2:0, sensor-noise texture) and prints, in one run on this machine:

* the bare reduced-size decode rate (Pillow ``draft`` to ~1/8 scale) as the floor;
* ``quick`` profile files/s with 1 and 2 workers, and the ratio to the floor;
* ``full`` profile files/s (every registered check) with 2 workers;
* peak resident memory per worker (sampled from /proc while the batch runs);
* resume of a 10,000-file run whose results are all stored.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import piexif
from PIL import Image

from forensics.batch import BatchOptions, checks_for, rss_mb, run_batch
from forensics.store import ResultStore


def _photo(rng: np.random.Generator, w: int, h: int) -> np.ndarray:
    """A photo-like picture: smooth gradients, edges and sensor noise (not flat colour)."""
    small = rng.integers(0, 255, (h // 64 + 2, w // 64 + 2, 3), dtype=np.uint8)
    base = np.asarray(Image.fromarray(small).resize((w, h), Image.Resampling.BICUBIC),
                      dtype=np.float32)
    base += rng.normal(0, 4, (h, w, 1)).astype(np.float32)
    return np.clip(base, 0, 255).astype(np.uint8)


def _exif(i: int, w: int, h: int) -> bytes:
    return piexif.dump({
        "0th": {piexif.ImageIFD.Make: b"Canon", piexif.ImageIFD.Model: b"Canon EOS 90D",
                piexif.ImageIFD.DateTime: b"2025:12:29 23:47:12"},
        "Exif": {piexif.ExifIFD.DateTimeOriginal: b"2025:12:29 23:47:12",
                 piexif.ExifIFD.PixelXDimension: w, piexif.ExifIFD.PixelYDimension: h,
                 piexif.ExifIFD.MakerNote: bytes(range(256)) * 2},
        "GPS": {piexif.GPSIFD.GPSLatitudeRef: b"N", piexif.GPSIFD.GPSLatitude:
                ((61, 1), (31, 1), (i, 1)), piexif.GPSIFD.GPSLongitudeRef: b"E",
                piexif.GPSIFD.GPSLongitude: ((34, 1), (10, 1), (0, 1))},
    })


def build_folder(root: Path, n12: int, n2: int, seed: int = 1) -> list[Path]:
    rng = np.random.default_rng(seed)
    root.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, count, (w, h) in (("p12", n12, (4000, 3000)), ("p2", n2, (1600, 1200))):
        template = _photo(rng, w, h)
        for i in range(count):
            arr = np.roll(template, i * 7, axis=1)  # different pixels, same cost
            buf = io.BytesIO()
            Image.fromarray(arr).save(buf, "JPEG", quality=92 + i % 4, subsampling=2,
                                      exif=_exif(i, w, h))
            p = root / f"{name}_{i:04d}.jpg"
            p.write_bytes(buf.getvalue())
            paths.append(p)
    return paths


def draft_floor(paths: list[Path]) -> float:
    start = time.perf_counter()
    for p in paths:
        with Image.open(p) as im:
            im.draft("RGB", (im.size[0] // 8, im.size[1] // 8))
            im.load()
    return len(paths) / (time.perf_counter() - start)


class _PeakRss:
    """Samples the resident memory of every child process of this one."""

    def __init__(self) -> None:
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _children(self) -> list[int]:
        """Every descendant (workers are grandchildren, forked by the fork server)."""
        parent_of: dict[int, int] = {}
        for pid in os.listdir("/proc"):
            if pid.isdigit():
                try:
                    with open(f"/proc/{pid}/stat") as fh:
                        parent_of[int(pid)] = int(fh.read().rsplit(")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    pass
        family = {os.getpid()}
        changed = True
        while changed:
            changed = False
            for pid, ppid in parent_of.items():
                if ppid in family and pid not in family:
                    family.add(pid)
                    changed = True
        family.discard(os.getpid())
        return sorted(family)

    def _run(self) -> None:
        while not self._stop.is_set():
            for pid in self._children():
                self.peak = max(self.peak, rss_mb(pid) or 0.0)
            time.sleep(0.05)

    def __enter__(self) -> _PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def rate(folder: Path, profile: str, workers: int) -> tuple[float, float, int]:
    with _PeakRss() as mem:
        s = run_batch([folder], checks=checks_for(profile, None),
                      options=BatchOptions(workers=workers))
    return s.analysed / s.seconds, mem.peak, s.analysed


def resume_10k(tmp: Path) -> tuple[float, int]:
    folder = tmp / "tiny"
    folder.mkdir()
    one = io.BytesIO()
    Image.new("RGB", (8, 8), "grey").save(one, "JPEG")
    for i in range(10_000):
        (folder / f"f{i:05d}.jpg").write_bytes(one.getvalue())
    db = str(tmp / "run.sqlite")
    checks = checks_for("quick", None)
    with ResultStore(db) as store:
        run_batch([folder], checks=checks, options=BatchOptions(workers=2), store=store)
        start = time.perf_counter()
        s = run_batch([folder], checks=checks, options=BatchOptions(resume=True), store=store)
        items = sum(1 for _ in store.items(paths=s.order))
        return time.perf_counter() - start, items


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n12", type=int, default=30, help="12 MP files")
    ap.add_argument("--n2", type=int, default=30, help="2 MP files")
    ap.add_argument("--skip-resume", action="store_true")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="prov-bench-"))
    try:
        t0 = time.perf_counter()
        paths = build_folder(tmp / "release", args.n12, args.n2)
        print(f"built {len(paths)} JPEGs ({args.n12} x 12 MP, {args.n2} x 2 MP) in "
              f"{time.perf_counter() - t0:.1f} s; cores: {os.cpu_count()}")
        for label, sel in (("12 MP", [p for p in paths if p.name.startswith("p12")]),
                           ("2 MP", [p for p in paths if p.name.startswith("p2")])):
            if not sel:
                continue
            floor = draft_floor(sel)
            sub = tmp / label.replace(" ", "")
            sub.mkdir()
            for p in sel:
                os.link(p, sub / p.name)
            q1, m1, _ = rate(sub, "quick", 1)
            q2, m2, _ = rate(sub, "quick", 2)
            f2, mf, _ = rate(sub, "full", 2)
            print(f"[{label}] bare draft decode floor: {floor:.1f} files/s (one core)")
            print(f"[{label}] quick, 1 worker : {q1:.1f} files/s = {q1 / floor:.2f} x floor; "
                  f"peak worker RSS {m1:.0f} MiB")
            print(f"[{label}] quick, 2 workers: {q2:.1f} files/s = {q2 / q1:.2f} x one worker;"
                  f" peak worker RSS {m2:.0f} MiB")
            print(f"[{label}] full,  2 workers: {f2:.1f} files/s; peak worker RSS {mf:.0f} MiB")
        if not args.skip_resume:
            secs, n = resume_10k(tmp)
            print(f"resume of a 10,000-file run with every result stored: {secs:.2f} s "
                  f"({n} items read back)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
