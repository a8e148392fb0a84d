"""Speed of the editing checks per file, on one core.

    python -m benchmarks.editing_speed            # 12 MP JPEGs + the demo's 1600x1200 JPEGs
    python -m benchmarks.editing_speed --repeat 5

A realistic 12-megapixel (4000x3000) photo-like JPEG is generated at run time (multi-scale
texture, edges, sensor-like noise, Canon EXIF, quality 92, 4:2:0), plus a doubly compressed
copy (saved at quality 80, decoded, saved again at 92) so the double-JPEG localisation path
runs too; the demo case's JPEGs come from :mod:`samples.generate`. Nothing is downloaded.

Every check registered in :data:`forensics.checks.CHECKS` is timed (so copy-move is included
once registered), in two ways:

* *alone*: a fresh analysis context per check, so the check pays for every decode it needs;
* *in scan*: the checks in registration order on one shared context, as ``scan`` runs them
  (later checks reuse decodes cached by earlier ones).

The table-only check is also timed with the metadata already parsed (its own cost), and the
reading of the DCT coefficients is timed on its own. Targets from issue 4: the whole editing
suite under 3 s per 12 MP JPEG, table check under 5 ms, double-JPEG under 150 ms.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import hashlib  # noqa: E402
import io  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402


def photo_like(width: int, height: int, seed: int = 1) -> np.ndarray:
    """A photo-like RGB picture: smooth multi-scale shading, hard-edged shapes and noise."""
    import cv2

    rng = np.random.default_rng(seed)
    img = np.zeros((height, width, 3), np.float32)
    for scale in (256, 64, 16, 4):
        small = rng.normal(0, 1, (height // scale + 2, width // scale + 2, 3)).astype(np.float32)
        img += cv2.resize(small, (width, height), interpolation=cv2.INTER_CUBIC) * (scale ** 0.5)
    img = (img - img.min()) / (img.max() - img.min()) * 200 + 20
    for _ in range(60):  # hard edges: rectangles and discs of flat-ish colour
        colour = rng.uniform(10, 245, 3).tolist()
        x, y = int(rng.integers(0, width)), int(rng.integers(0, height))
        if rng.random() < 0.5:
            cv2.rectangle(img, (x, y), (x + int(rng.integers(50, 800)),
                                        y + int(rng.integers(50, 600))), colour, -1)
        else:
            cv2.circle(img, (x, y), int(rng.integers(20, 300)), colour, -1)
    img = cv2.GaussianBlur(img, (0, 0), 1.2)
    img += rng.normal(0, 2.0, img.shape).astype(np.float32)
    return np.clip(img, 0, 255).astype(np.uint8)


def jpeg_bytes(rgb: np.ndarray, quality: int, exif: bytes | None = None) -> bytes:
    buf = io.BytesIO()
    kw = {"exif": exif} if exif else {}
    Image.fromarray(rgb).save(buf, "JPEG", quality=quality, subsampling=2, **kw)
    return buf.getvalue()


def make_files(folder: Path) -> list[Path]:
    exif = Image.Exif()
    exif[0x010F] = "Canon"
    exif[0x0110] = "Canon EOS 90D"
    rgb = photo_like(4000, 3000)
    single = folder / "photo_12mp_q92.jpg"
    single.write_bytes(jpeg_bytes(rgb, 92, exif.tobytes()))
    first = np.asarray(Image.open(io.BytesIO(jpeg_bytes(rgb, 80))).convert("RGB"))
    double = folder / "photo_12mp_q80_then_q92.jpg"
    double.write_bytes(jpeg_bytes(first, 92, exif.tobytes()))
    files = [single, double]
    try:
        from samples.generate import build_samples

        built = build_samples(folder / "demo")
        for f in built.files:
            if f.name.endswith(".jpg") and f.path.stat().st_size > 0:
                with Image.open(f.path) as im:
                    if im.format == "JPEG" and max(im.size) >= 1000:
                        files.append(f.path)
    except Exception as exc:  # noqa: BLE001 - the demo is optional here
        print(f"(demo files not generated: {exc})")
    return files


def context(path: Path):
    from forensics.context import AnalysisContext
    from forensics.intake import read_evidence

    item, data = read_evidence(str(path))
    return AnalysisContext(item, data)


def time_file(path: Path, repeat: int) -> None:
    from forensics.checks import CHECKS

    with Image.open(path) as im:
        size = im.size
    print(f"\n{path.name}: {size[0]}x{size[1]} ({size[0] * size[1] / 1e6:.1f} MP), "
          f"{path.stat().st_size / 1e6:.2f} MB")
    alone: dict[str, list[float]] = {c.name: [] for c in CHECKS}
    in_scan: dict[str, list[float]] = {c.name: [] for c in CHECKS}
    work: dict[str, object] = {}
    status: dict[str, str] = {}
    for _ in range(repeat):
        for check in CHECKS:
            ctx = context(path)
            t = time.perf_counter()
            out = check.run(ctx) if check.applies_to(ctx.item) else None
            alone[check.name].append(time.perf_counter() - t)
            work[check.name] = getattr(out, "working_size", None)
            status[check.name] = "ran" if out is not None else "n/a"
        ctx = context(path)
        for check in CHECKS:
            t = time.perf_counter()
            if check.applies_to(ctx.item):
                check.run(ctx)
            in_scan[check.name].append(time.perf_counter() - t)
    print(f"   {'check':16} {'alone (s)':>10} {'in scan (s)':>12}  working size")
    total_alone = total_scan = 0.0
    for check in CHECKS:
        a, s = statistics.median(alone[check.name]), statistics.median(in_scan[check.name])
        if check.name != "metadata":
            total_alone += a
            total_scan += s
        print(f"   {check.name:16} {a:10.3f} {s:12.3f}  {work[check.name] or '-'}"
              f"{'' if status[check.name] == 'ran' else ' (not applicable)'}")
    print(f"   {'editing suite':16} {total_alone:10.3f} {total_scan:12.3f}  (every registered "
          "check except metadata)")
    # the table check's own cost, metadata already parsed (as in a scan)
    from forensics.checks import get_checks

    table = get_checks(["jpeg_structure"])[0]
    ctx = context(path)
    ctx.metadata  # noqa: B018
    ctx.jpeg  # noqa: B018
    times = []
    for _ in range(max(5, repeat)):
        t = time.perf_counter()
        table.run(ctx)
        times.append(time.perf_counter() - t)
    print(f"   jpeg_structure with metadata parsed: {1000 * statistics.median(times):.2f} ms "
          "(target < 5 ms)")
    from forensics.editing.dct import read_coefficients

    data = path.read_bytes()
    times = []
    for _ in range(max(3, repeat)):
        t = time.perf_counter()
        read_coefficients(data)
        times.append(time.perf_counter() - t)
    print(f"   DCT coefficients read (jpeglib): {1000 * statistics.median(times):.0f} ms; "
          f"double_jpeg total alone {1000 * statistics.median(alone['double_jpeg']):.0f} ms "
          "(target < 150 ms)")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    try:
        import cv2

        cv2.setNumThreads(1)
    except ImportError:
        pass
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core
    with tempfile.TemporaryDirectory(prefix="provenance-speed-") as tmp:
        t = time.perf_counter()
        files = make_files(Path(tmp))
        print(f"generated {len(files)} JPEGs in {time.perf_counter() - t:.1f} s "
              f"(sha256 of the 12 MP one: "
              f"{hashlib.sha256(files[0].read_bytes()).hexdigest()[:16]}...)")
        for path in files:
            time_file(path, args.repeat)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak resident memory of this process: {peak:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
