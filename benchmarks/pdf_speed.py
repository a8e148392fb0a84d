"""PDF screening speed: ``python -m benchmarks.pdf_speed [--pages 40 --photos 30 --runs 3]``.

Builds a press-release PDF of ``--pages`` pages with ``--photos`` real camera JPEGs of
``../shared/corpus/exif`` pasted in (raw DCTDecode streams, as layout programs embed them),
page text, and one incremental update (pyHanko's writer) that changes the creation date and
adds a line of text, then times, in a fresh process on one core, the whole unit through the
``quick`` profile: the PDF's metadata, revisions (recovered and compared), signatures
check, page text, and every child (each photo byte-exact, with its EXIF, JPEG structure and
checks; the earlier revision). Prints seconds per run (target <= 3 s) and the measuring
process's peak RSS (VmHWM).
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "exif"


def camera_files(n: int) -> list[Path]:
    """``n`` real camera JPEGs (largest first: the heaviest children), by EXIF Make."""
    from PIL import Image

    found = []
    for p in sorted(CORPUS.glob("*/jpg/*.jpg")):
        try:
            with Image.open(p) as im:
                if im.mode in ("RGB", "L") and im.getexif().get(0x010F):
                    found.append((p.stat().st_size, p))
        except Exception:  # noqa: BLE001, S112 - unreadable corpus oddities are skipped
            continue
    found.sort(reverse=True)
    return [p for _, p in found[:n]]


def build(pages: int, photos: int) -> bytes:
    import pikepdf
    from PIL import Image
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    files = camera_files(photos)
    if len(files) < photos:
        raise SystemExit(f"only {len(files)} camera JPEGs under {CORPUS}")
    pdf = pikepdf.new()
    font = pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                              BaseFont=pikepdf.Name.Helvetica)
    for n in range(pages):
        pdf.add_blank_page(page_size=(595, 842))
        page = pdf.pages[-1]
        ops = [f"BT /F1 11 Tf 50 800 Td (Ministry statement, page {n + 1}, issued "
               "1 March 2024) Tj ET"]
        xobjects = pikepdf.Dictionary()
        if n < photos:
            jpeg = files[n].read_bytes()
            im = Image.open(io.BytesIO(jpeg))
            s = pikepdf.Stream(pdf, b"")
            s.write(jpeg, filter=pikepdf.Name.DCTDecode)
            s.Type, s.Subtype = pikepdf.Name.XObject, pikepdf.Name.Image
            s.Width, s.Height = im.size
            s.ColorSpace = pikepdf.Name.DeviceRGB if im.mode == "RGB" else \
                pikepdf.Name.DeviceGray
            s.BitsPerComponent = 8
            xobjects.Im1 = s
            ops.append("q 400 0 0 300 90 400 cm /Im1 Do Q")
        page.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font),
                                            XObject=xobjects)
        page.Contents = pdf.make_stream(" ".join(ops).encode())
    pdf.docinfo = pdf.make_indirect(pikepdf.Dictionary(
        Producer=pikepdf.String("Microsoft Word"),
        CreationDate=pikepdf.String("D:20240301100000+03'00'")))
    buf = io.BytesIO()
    pdf.save(buf, object_stream_mode=pikepdf.ObjectStreamMode.disable)
    w = IncrementalPdfFileWriter(io.BytesIO(buf.getvalue()))
    ref = w.trailer.raw_get("/Info")
    ref.get_object()["/CreationDate"] = generic.pdf_string("D:20240228090000+03'00'")
    w.mark_update(ref)
    w.add_stream_to_page(0, generic.StreamObject(
        stream_data=b"BT /F1 11 Tf 50 780 Td (Corrected: 28 February 2024) Tj ET"))
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def measure(path: str) -> dict:
    """One run of the quick profile over the PDF, in this process (called in a fresh one)."""
    from provenancekit.forensics.batch import checks_for, profile_scan_options
    from provenancekit.forensics.context import ScanOptions
    from provenancekit.forensics.scan import scan_file

    checks = checks_for("quick", None)
    options = ScanOptions(**profile_scan_options("quick", None))
    start = time.perf_counter()
    res = scan_file(path, options=options, checks=checks)
    items = [u.to_dict() for u in res.units()]
    seconds = time.perf_counter() - start
    top = items[0]
    rss = None
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                rss = int(line.split()[1]) / 1024
    return {"seconds": seconds, "items": len(items),
            "children": len(top.get("children") or []),
            "relations": sorted({i.get("relation") for i in items[1:]}),
            "revisions": top["metadata"]["PDF"]["revisions"]["count"],
            "extract_s": top["checks"][0]["seconds"],
            "findings": sorted({f["code"] for f in top["findings"]}),
            "peak_rss_mb": rss}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=40)
    ap.add_argument("--photos", type=int, default=30)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--measure", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return
    data = build(args.pages, args.photos)
    with tempfile.TemporaryDirectory(prefix="pdf-speed-") as tmp:
        path = Path(tmp) / "statement.pdf"
        path.write_bytes(data)
        print(f"PDF: {args.pages} pages, {args.photos} camera JPEGs, 1 incremental update, "
              f"{len(data) / 1e6:.1f} MB")
        for run in range(args.runs):
            out = subprocess.run(  # noqa: S603 - our own module, fresh process per run
                [sys.executable, "-m", "benchmarks.pdf_speed", "--measure", str(path)],
                check=True, capture_output=True, text=True,
                env={"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
                     "PATH": "/usr/bin:/bin"}, cwd=Path(__file__).resolve().parents[1])
            r = json.loads(out.stdout.strip().splitlines()[-1])
            print(f"run {run + 1}: {r['seconds']:.2f} s (target <= 3 s), {r['items']} items "
                  f"({r['children']} children: {', '.join(r['relations'])}), "
                  f"{r['revisions']} revisions, PDF extraction {r['extract_s']:.2f} s, "
                  f"peak RSS {r['peak_rss_mb']:.0f} MiB")
        print("container findings:", ", ".join(r["findings"]))


if __name__ == "__main__":
    main()
