"""Batch screening speed and memory: ``python -m benchmarks.batch_speed [--n12 100 --n2 100]``.

Builds a folder of realistic 12-megapixel and 2-megapixel JPEGs (camera EXIF, camera-like
quality 92-95, 4:2:0, sensor-noise texture, ~2.5 bits/pixel like the real 12 MP camera files
in the corpus, which run 1.1-2.8) and a known-imagery index, and prints, in one run on this
machine:

* the bare reduced-size decode rate (Pillow ``draft`` to ~1/8 scale) as the floor;
* ``quick`` profile files/s (matching against the index) with 1 and 2 workers, and the ratio
  to the floor, both overall (including the workers' start, ~0.5 s) and steady (between the
  first and last result);
* the same for the real >= 8 MP camera JPEGs of ``../shared/corpus`` when present;
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
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import piexif
from PIL import Image

from provenancekit.forensics.batch import (
    BatchOptions,
    checks_for,
    profile_scan_options,
    rss_mb,
    run_batch,
)
from provenancekit.forensics.context import ScanOptions
from provenancekit.forensics.index import open_index
from provenancekit.forensics.store import ResultStore

from .proctree import descendants


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
            # a different picture per file (distinct layout, shared sensor noise): a release
            # of near-copies would make the duplicate pass verify every pair, which is not
            # what a press kit looks like
            layout = rng.integers(0, 255, (h // 256 + 2, w // 256 + 2, 3), dtype=np.uint8)
            big = np.asarray(Image.fromarray(layout).resize((w, h), Image.Resampling.BILINEAR))
            arr = np.clip(template.astype(np.int16) + (big.astype(np.int16) - 128) // 2,
                          0, 255).astype(np.uint8)
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
        return sorted(descendants(os.getpid()))

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


def build_index(path: Path, n: int, seed: int = 7) -> float:
    """A known-imagery index of ``n`` distinct pictures (so ``quick`` really matches)."""
    rng = np.random.default_rng(seed)
    start = time.perf_counter()
    with open_index(path) as idx:
        for i in range(n):
            buf = io.BytesIO()
            Image.fromarray(_photo(rng, 1024, 768)).save(buf, "JPEG", quality=90)
            idx.add_image(buf.getvalue(), url=f"https://example.org/archive/{i}",
                          first_seen="2020-01-01", name=f"archive_{i}.jpg")
    return time.perf_counter() - start


@dataclass
class Rate:
    overall: float
    """Files per second from the call to the last result (includes starting the workers)."""
    steady: float
    """Files per second between the first and the last result (workers already running)."""
    peak_mb: float


def rate(folder: Path, profile: str, workers: int, index: Path | None = None) -> Rate:
    stamps: list[float] = []
    opts = BatchOptions(workers=workers, scan=ScanOptions(  # as `provenance scan --profile`
        index_path=str(index) if index else None, **profile_scan_options(profile, None)))
    with _PeakRss() as mem:
        s = run_batch([folder], checks=checks_for(profile, None), options=opts,
                      on_item=lambda _: stamps.append(time.monotonic()))
    skip = min(workers, len(stamps) - 1)  # the first result of each worker
    steady = (len(stamps) - 1 - skip) / (stamps[-1] - stamps[skip]) \
        if len(stamps) > skip + 1 and stamps[-1] > stamps[skip] else float("nan")
    return Rate(s.analysed / s.seconds, steady, mem.peak)


def real_photos(dest: Path, min_pixels: int = 8_000_000) -> list[Path]:
    """Copies (in the temporary folder) of the real camera JPEGs of 8 MP or more in
    ``../shared/corpus``, when it is present."""
    corpus = Path(__file__).resolve().parents[2] / "shared" / "corpus"
    out: list[Path] = []
    if not corpus.is_dir():
        return out
    dest.mkdir(parents=True, exist_ok=True)
    for p in sorted(corpus.rglob("*")):
        if p.suffix.lower() not in (".jpg", ".jpeg") or not p.is_file():
            continue
        try:
            with Image.open(p) as im:
                if im.format != "JPEG" or im.size[0] * im.size[1] < min_pixels:
                    continue
        except Exception:  # noqa: BLE001 - corpus files that do not open are not photos
            continue
        q = dest / f"{len(out):03d}_{p.name}"
        shutil.copyfile(p, q)
        out.append(q)
    return out


def bits_per_pixel(paths: list[Path]) -> float:
    px = 0
    for p in paths:
        with Image.open(p) as im:
            px += im.size[0] * im.size[1]
    return 8 * sum(p.stat().st_size for p in paths) / px


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


def _row(label: str, sel: list[Path], tmp: Path, index: Path | None, full: bool) -> None:
    floor = draft_floor(sel)
    sub = tmp / label.replace(" ", "_")
    sub.mkdir()
    for p in sel:
        os.link(p, sub / p.name)
    q1 = rate(sub, "quick", 1, index)
    q2 = rate(sub, "quick", 2, index)
    print(f"[{label}] {len(sel)} files, {bits_per_pixel(sel):.2f} bits/pixel; bare draft "
          f"decode floor: {floor:.1f} files/s (one core)")
    print(f"[{label}] quick, 1 worker : {q1.overall:.1f} files/s overall, {q1.steady:.1f} "
          f"steady = {q1.overall / floor:.2f} / {q1.steady / floor:.2f} x floor; "
          f"peak worker RSS {q1.peak_mb:.0f} MiB")
    print(f"[{label}] quick, 2 workers: {q2.overall:.1f} files/s overall, {q2.steady:.1f} "
          f"steady = {q2.overall / q1.overall:.2f} / {q2.steady / q1.steady:.2f} x one "
          f"worker; peak worker RSS {q2.peak_mb:.0f} MiB")
    if full:
        f2 = rate(sub, "full", 2, index)
        print(f"[{label}] full,  2 workers: {f2.overall:.2f} files/s overall, "
              f"{f2.steady:.2f} steady; peak worker RSS {f2.peak_mb:.0f} MiB")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n12", type=int, default=100, help="12 MP files")
    ap.add_argument("--n2", type=int, default=100, help="2 MP files")
    ap.add_argument("--index-size", type=int, default=300,
                    help="pictures in the known-imagery index the quick profile matches "
                         "against (0: no index)")
    ap.add_argument("--full-n", type=int, default=30,
                    help="files of each size the (slow) full profile is timed on")
    ap.add_argument("--skip-resume", action="store_true")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="prov-bench-"))
    try:
        t0 = time.perf_counter()
        paths = build_folder(tmp / "release", args.n12, args.n2)
        print(f"built {len(paths)} JPEGs ({args.n12} x 12 MP, {args.n2} x 2 MP) in "
              f"{time.perf_counter() - t0:.1f} s; cores: {os.cpu_count()}")
        index = None
        if args.index_size:
            index = tmp / "known.sqlite"
            secs = build_index(index, args.index_size)
            print(f"index: {args.index_size} pictures added in {secs:.1f} s")
        groups = [("12 MP", [p for p in paths if p.name.startswith("p12")]),
                  ("2 MP", [p for p in paths if p.name.startswith("p2")]),
                  ("real >= 8 MP (corpus)", real_photos(tmp / "real"))]
        for label, sel in groups:
            if sel:
                _row(label, sel, tmp, index, full=False)
        for label, sel in groups[:2]:
            if sel and args.full_n:
                sub = sel[:args.full_n]
                _row(f"{label} first {len(sub)}", sub, tmp, index, full=True)
        if not args.skip_resume:
            secs, n = resume_10k(tmp)
            print(f"resume of a 10,000-file run with every result stored: {secs:.2f} s "
                  f"({n} items read back)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
