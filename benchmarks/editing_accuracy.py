"""Accuracy of the editing checks on real forgeries, and their false alarms.

    python -m benchmarks.editing_accuracy            # every registered check, all figures
    python -m benchmarks.editing_accuracy --fit      # refit the double-JPEG score weights
    python -m benchmarks.editing_accuracy --limit 20 --workers 1   # a quick look

Data (``../shared/corpus``, see its ``SOURCES.md``; nothing is copied into the project):

* CASIA v1 subset: 50 splicing + 50 copy-move forgeries with pixel masks, 139 authentic.
* NoSo copy-move: 7 forgeries (lossless PNG) with masks, 5 originals.
* Camera originals: the JPEGs in ``exif/metadata-extractor-images/jpg`` whose metadata
  names no editing software (the excluded ones are listed).

Every check registered in :data:`forensics.checks.CHECKS` runs through the real scanner
(:func:`forensics.scan.scan_file`), so a newly registered check (e.g. copy-move) is measured
without changes here. Definitions used below:

* *score* of a check: its calibrated ``score`` (0 when it reports none).
* *pixel checks*: every registered check except ``metadata`` and ``jpeg_structure`` (the
  metadata cues: editor names, dates, quantization-table signatures).
* *pixel score*: the highest pixel-check score; *every-check score*: the highest of the
  pixel score, the ``jpeg_structure`` score and the metadata check's strongest finding
  (info 0, low 0.3, medium 0.7, high 0.9). *stacked*: a logistic regression over the
  checks' logit scores, fitted on the ``fit`` half (so only its held-out rows are fair).
* *predicted mask* of a check: its ``*_mask`` PNG artifact when it has one, else the
  bounding boxes in its findings' ``regions`` (filled). ELA draws no regions by design; its
  row thresholds the normalised ELA map at 0.5 *in this benchmark only*.
* *best-of-checks*: per image, the mask of the check whose strongest finding is the most
  severe (then the highest score) among those that predicted a region (scores of different
  checks are calibrated on different questions, severities are comparable); *union*: all
  checks' masks together.
* Pixel F1 and MCC are per image (0 when nothing is predicted), then averaged.
* Calibration split: the score constants that were fitted (double-JPEG weights, thresholds)
  were fitted on the even-numbered CASIA images (sorted by name within tampered and within
  authentic); figures are printed for the odd-numbered (held-out) half and for all images.
"""

from __future__ import annotations

import argparse
import csv
import io
import math
import os
import sys
import time
from collections import defaultdict
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
METADATA_CUES = ("metadata", "jpeg_structure")
SEVERITY_SCORE = {"info": 0.0, "low": 0.3, "medium": 0.7, "high": 0.9}


# --------------------------------------------------------------------------- data


def casia_items(root: Path) -> list[dict[str, Any]]:
    base = root / "forgery" / "casia-v1"
    items: list[dict[str, Any]] = []
    with open(base / "labels.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["label"] == "tampered":
                items.append({"path": str(base / row["image"]), "set": "casia",
                              "kind": row["type"], "mask": str(base / row["mask"])})
    for p in sorted((base / "Au").glob("*.jpg")):
        items.append({"path": str(p), "set": "casia", "kind": "authentic", "mask": None})
    # the calibration split: alternate files within tampered and within authentic
    for group in ("tampered", "authentic"):
        members = sorted((it for it in items if (it["kind"] == "authentic") ==
                          (group == "authentic")), key=lambda it: it["path"])
        for i, it in enumerate(members):
            it["half"] = "fit" if i % 2 == 0 else "held_out"
    return items


def noso_items(root: Path) -> list[dict[str, Any]]:
    base = root / "forgery" / "noso-copymove"
    items = []
    with open(base / "labels.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            tampered = row["label"] != "authentic" and row.get("mask")
            items.append({"path": str(base / row["image"]), "set": "noso",
                          "kind": "copy-move" if tampered else "authentic",
                          "mask": str(base / row["mask"]) if tampered else None,
                          "half": "n/a"})
    return items


def camera_items(root: Path) -> tuple[list[dict[str, Any]], list[str]]:
    from provenancekit.forensics.checks import get_checks
    from provenancekit.forensics.scan import scan_file

    base = root / "exif" / "metadata-extractor-images" / "jpg"
    keep, excluded = [], []
    for p in sorted(base.iterdir()):
        if p.suffix.lower() not in (".jpg", ".jpeg"):
            continue
        md = scan_file(str(p), checks=get_checks(["metadata"])).to_dict()
        edited = [f for f in md["findings"] if f["code"] == "metadata.software_edited"]
        if edited:
            excluded.append(f"{p.name}: {edited[0]['message'][:90]}")
            continue
        keep.append({"path": str(p), "set": "camera", "kind": "authentic", "mask": None,
                     "half": "n/a"})
    return keep, excluded


# --------------------------------------------------------------------------- per image


def _read_mask(path: str, size: tuple[int, int]) -> np.ndarray:
    with Image.open(path) as im:
        m = np.asarray(im.convert("L")) >= 128
    if (m.shape[1], m.shape[0]) != size:
        m = np.asarray(Image.fromarray(m.astype(np.uint8) * 255).resize(
            size, Image.Resampling.NEAREST)) >= 128
    return m


def _artifact_mask(art: dict[str, Any], size: tuple[int, int]) -> np.ndarray:
    import base64

    with Image.open(io.BytesIO(base64.b64decode(art["data_base64"]))) as im:
        im = im.convert("L").resize(size, Image.Resampling.NEAREST)
        return np.asarray(im) >= 128


def _boxes(value: Any) -> Iterable[list[float]]:
    if isinstance(value, dict):
        for k, v in value.items():
            if k in ("bbox", "source_bbox", "target_bbox") and isinstance(v, list) \
                    and len(v) == 4 and all(isinstance(x, (int, float)) for x in v):
                yield v
            else:
                yield from _boxes(v)
    elif isinstance(value, list):
        for v in value:
            yield from _boxes(v)


def predicted_masks(item: dict[str, Any], size: tuple[int, int],
                    rgb: np.ndarray | None) -> dict[str, np.ndarray]:
    """The region mask each check predicted (only checks that predicted something)."""
    out: dict[str, np.ndarray] = {}
    for res in item["checks"]:
        name = res["name"]
        if name in METADATA_CUES:
            continue
        arts = [a for a in res["artifacts"] if "mask" in a["name"]]
        if arts:
            m = np.zeros((size[1], size[0]), dtype=bool)
            for a in arts:
                m |= _artifact_mask(a, size)
            if m.any():
                out[name] = m
            continue
        m = np.zeros((size[1], size[0]), dtype=bool)
        for f in item["findings"]:
            if f["check"] != name or f["severity"] == "info":
                continue
            for x0, y0, x1, y1 in _boxes(f["evidence"]):
                m[int(y0):int(math.ceil(y1)), int(x0):int(math.ceil(x1))] = True
        if m.any():
            out[name] = m
    if rgb is not None and any(c["name"] == "ela" for c in item["checks"]):
        from provenancekit.forensics.checks.ela import ElaParams
        from provenancekit.forensics.editing.ela import ela_map, normalise
        from provenancekit.forensics.editing.heatmap import upsample_mask

        p = ElaParams()
        level = normalise(ela_map(rgb, quality=p.quality, block=p.block)) >= 0.5
        full = upsample_mask(level, shape=(level.shape[0] * p.block, level.shape[1] * p.block))
        out["ela"] = full[:size[1], :size[0]]
    return out


def pixel_scores(pred: np.ndarray, gt: np.ndarray) -> tuple[float, float]:
    """Pixel F1 and Matthews correlation of a predicted mask against the ground truth."""
    tp = float(np.sum(pred & gt))
    fp = float(np.sum(pred & ~gt))
    fn = float(np.sum(~pred & gt))
    tn = float(pred.size) - tp - fp - fn
    f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0
    den = math.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
    mcc = (tp * tn - fp * fn) / den if den else 0.0
    return f1, mcc


def analyse(spec: dict[str, Any]) -> dict[str, Any]:
    """Run every registered check on one file and reduce the result to figures."""
    from provenancekit.forensics.scan import scan_file

    start = time.perf_counter()
    item = scan_file(spec["path"]).to_dict()
    seconds = time.perf_counter() - start
    scores = {c["name"]: (c["score"] if c["score"] is not None else 0.0)
              for c in item["checks"]}
    md = max((SEVERITY_SCORE[f["severity"]] for f in item["findings"]
              if f["check"] == "metadata"), default=0.0)
    pixel = max((s for n, s in scores.items() if n not in METADATA_CUES), default=0.0)
    out: dict[str, Any] = {
        **spec, "seconds": seconds, "scores": scores,
        "pixel_score": pixel, "metadata_score": md,
        "every_score": max(pixel, scores.get("jpeg_structure", 0.0), md),
        "errors": {c["name"]: c["error"] for c in item["checks"] if c["status"] == "error"},
        "findings": [(f["check"], f["code"], f["severity"], f["message"][:160])
                     for f in item["findings"]],
        "pixel": {},
    }
    if spec["mask"]:
        with Image.open(spec["path"]) as im:
            size = im.size
            rgb = np.asarray(im.convert("RGB"))
        gt = _read_mask(spec["mask"], size)
        preds = predicted_masks(item, size, rgb)
        for name, m in preds.items():
            out["pixel"][name] = pixel_scores(m, gt)
        shown = {n: m for n, m in preds.items() if n != "ela"}
        if shown:
            rank = {n: max((SEVERITY_SCORE[f["severity"]] for f in item["findings"]
                            if f["check"] == n), default=0.0) for n in shown}
            best = max(shown, key=lambda n: (rank[n], scores.get(n, 0.0)))
            out["pixel"]["best_of_checks"] = pixel_scores(shown[best], gt)
            out["pixel"]["union"] = pixel_scores(np.logical_or.reduce(list(shown.values())), gt)
    return out


# --------------------------------------------------------------------------- figures


def auc(pos: list[float], neg: list[float]) -> float:
    """Area under the ROC curve (Mann-Whitney, ties count half)."""
    if not pos or not neg:
        return float("nan")
    p, n = np.asarray(pos)[:, None], np.asarray(neg)[None, :]
    return float((p > n).mean() + 0.5 * (p == n).mean())


def tpr_at_fpr(pos: list[float], neg: list[float], max_fpr: float) -> tuple[float, float]:
    """Best TPR with FPR <= max_fpr (threshold on the score), and that FPR."""
    best = (0.0, 0.0)
    for t in sorted(set(pos) | set(neg)):
        fpr = float(np.mean(np.asarray(neg) >= t))
        tpr = float(np.mean(np.asarray(pos) >= t))
        if fpr <= max_fpr and tpr > best[0]:
            best = (tpr, fpr)
    return best


def _features(r: dict[str, Any], names: list[str]) -> list[float]:
    out = [1.0]
    for n in names:
        s = r["metadata_score"] if n == "metadata" else r["scores"].get(n, 0.0)
        s = min(max(float(s), 1e-4), 1 - 1e-4)
        out.append(math.log(s / (1 - s)))
    return out


def stack(results: list[dict[str, Any]], names: list[str], key: str) -> list[float]:
    """Logistic regression over the checks' logit scores, fitted on the CASIA ``fit`` half
    (tampered of both kinds vs authentic, ridge 1.0); stores ``r[key]`` for every result
    and returns the weights."""
    fit = [r for r in results if r["set"] == "casia" and r["half"] == "fit"]
    x = np.asarray([_features(r, names) for r in fit])
    y = np.asarray([0.0 if r["kind"] == "authentic" else 1.0 for r in fit])
    w = np.zeros(x.shape[1])
    for _ in range(60):
        p = 1 / (1 + np.exp(-np.clip(x @ w, -50, 50)))
        grad = x.T @ (y - p) - 1.0 * w
        hess = (x * (p * (1 - p))[:, None]).T @ x + 1.0 * np.eye(x.shape[1])
        w += np.linalg.solve(hess, grad)
    for r in results:
        r[key] = float(1 / (1 + np.exp(-np.clip(np.dot(_features(r, names), w), -50, 50))))
    return [round(float(v), 3) for v in w]


def print_report(results: list[dict[str, Any]], excluded: list[str], check_names: list[str]
                 ) -> None:
    casia = [r for r in results if r["set"] == "casia"]
    pixel_names = [n for n in check_names if n not in METADATA_CUES]
    w_pixel = stack(results, pixel_names, "pixel_stacked")
    w_every = stack(results, check_names, "every_stacked")
    print("\nstacked = logistic regression over the checks' logit scores, fitted on the CASIA "
          "'fit' half;")
    print(f"  pixel weights (bias, {', '.join(pixel_names)}): {w_pixel}")
    print(f"  every weights (bias, {', '.join(check_names)}): {w_every}")
    print("\n== Image level: CASIA v1, tampered vs 139 authentic (AUC; TPR at FPR<=0.05) ==")
    print(f"{'score':24} {'half':9} {'splicing':>18} {'copy-move':>18}")
    for label, key in [*[(n, n) for n in check_names], ("PIXEL CHECKS (max)", "pixel"),
                       ("PIXEL CHECKS (stacked)", "pixel_stacked"),
                       ("EVERY CHECK (max)", "every"), ("EVERY CHECK (stacked)", "every_stacked")]:
        for half in ("held_out", "all"):
            rows = [r for r in casia if half == "all" or r["half"] == half]
            neg = [_score(r, key) for r in rows if r["kind"] == "authentic"]
            cells = []
            for kind in ("splicing", "copy-move"):
                pos = [_score(r, key) for r in rows if r["kind"] == kind]
                tpr, fpr = tpr_at_fpr(pos, neg, 0.05)
                cells.append(f"{auc(pos, neg):.3f} ({tpr:.2f}@{fpr:.2f})")
            print(f"{label:24} {half:9} {cells[0]:>18} {cells[1]:>18}")
    print("\n== Pixel level: mean F1 / MCC per image against the masks ==")
    print("(all = every forgery of that type, 0 when nothing predicted; detected = images "
          "where the check predicted a region)")
    for dataset, kinds in (("casia", ("splicing", "copy-move")), ("noso", ("copy-move",))):
        for kind in kinds:
            rows = [r for r in results if r["set"] == dataset and r["kind"] == kind]
            if not rows:
                continue
            print(f"-- {dataset} {kind} ({len(rows)} images)")
            for name in [*[n for n in check_names if n not in METADATA_CUES],
                         "best_of_checks", "union"]:
                got = [r["pixel"].get(name) for r in rows]
                f1_all = np.mean([g[0] if g else 0.0 for g in got])
                mcc_all = np.mean([g[1] if g else 0.0 for g in got])
                det = [g for g in got if g]
                f1_det = np.mean([g[0] for g in det]) if det else float("nan")
                mcc_det = np.mean([g[1] for g in det]) if det else float("nan")
                label = name + (" (thresholded, benchmark only)" if name == "ela" else "")
                print(f"   {label:42} all F1 {f1_all:.3f} MCC {mcc_all:.3f} | detected "
                      f"{len(det):3d}: F1 {f1_det:.3f} MCC {mcc_det:.3f}")
    noso = [r for r in results if r["set"] == "noso"]
    if noso:
        print("\n== NoSo copy-move: findings per file (not info) ==")
        for r in noso:
            codes = sorted({f"{c}:{s}" for _, c, s, _ in r["findings"] if s != "info"})
            print(f"   {os.path.basename(r['path']):18} {r['kind']:10} pixel score "
                  f"{r['pixel_score']:.2f}  {', '.join(codes) or '-'}")
    print("\n== False alarms: HIGH pixel findings on authentic images ==")
    for label, rows in (("CASIA v1 authentic", [r for r in casia if r["kind"] == "authentic"]),
                        ("camera originals", [r for r in results if r["set"] == "camera"])):
        raised = [(r, f) for r in rows for f in r["findings"]
                  if f[2] == "high" and f[0] not in METADATA_CUES]
        files = {r["path"] for r, _ in raised}
        medium = {r["path"] for r in rows for f in r["findings"]
                  if f[2] == "medium" and f[0] not in METADATA_CUES}
        print(f"-- {label}: {len(files)}/{len(rows)} files with a HIGH pixel finding "
              f"({len(files) / max(1, len(rows)):.1%}); medium on {len(medium)} files")
        for r, f in raised:
            print(f"   HIGH   {os.path.basename(r['path'])}: {f[1]}: {f[3]}")
        for r in rows:
            for f in r["findings"]:
                if f[2] == "medium" and f[0] not in METADATA_CUES:
                    print(f"   medium {os.path.basename(r['path'])}: {f[1]}: {f[3][:110]}")
    if excluded:
        print("   camera originals excluded because their metadata names an editor:")
        for e in excluded:
            print(f"     {e}")
    errors = [(r["path"], e) for r in results for e in r["errors"].items()]
    if errors:
        print("\n== Check errors ==")
        for path, (name, err) in errors:
            print(f"   {os.path.basename(path)}: {name}: {err}")
    secs = [r["seconds"] for r in results]
    print(f"\n{len(results)} files, {sum(secs):.1f} s of scanning "
          f"(median {np.median(secs):.2f} s per file, all registered checks)")


def _score(r: dict[str, Any], key: str) -> float:
    if key == "pixel":
        return r["pixel_score"]
    if key == "every":
        return r["every_score"]
    if key in ("pixel_stacked", "every_stacked"):
        return r[key]
    if key == "metadata":
        return r["metadata_score"]
    return r["scores"].get(key, 0.0)


# --------------------------------------------------------------------------- fitting


def fit_double_jpeg(items: list[dict[str, Any]]) -> None:
    """Fit the double-JPEG score weights on the ``fit`` half (logistic regression)."""
    from provenancekit.forensics.checks.double_jpeg import DoubleJpegParams, double_jpeg_statistics
    from provenancekit.forensics.editing.dct import read_coefficients

    params = DoubleJpegParams()
    xs, ys, halves, kinds = [], [], [], []
    for it in items:
        with open(it["path"], "rb") as fh:
            st = double_jpeg_statistics(read_coefficients(fh.read()), params)
        top = st["regions"][0] if st["regions"] else None
        xs.append([1.0, math.log1p(st["gain_per_1000"]), math.sqrt(st["largest_region"])])
        ys.append(0.0 if it["kind"] == "authentic" else 1.0)
        halves.append(it["half"])
        kinds.append((it["kind"], st["gain"], top["strength_nats"] if top else 0.0,
                      top["area_fraction"] if top else 0.0))
    x, y = np.asarray(xs), np.asarray(ys)
    fit = np.asarray([h == "fit" for h in halves])
    ridge = 0.01
    w = np.zeros(3)
    for _ in range(50):  # Newton-Raphson with a ridge
        p = 1 / (1 + np.exp(-(x[fit] @ w)))
        grad = x[fit].T @ (y[fit] - p) - ridge * w
        hess = (x[fit] * (p * (1 - p))[:, None]).T @ x[fit] + ridge * np.eye(3)
        w += np.linalg.solve(hess, grad)
    print("double_jpeg score_weights (fitted on the 'fit' half):",
          tuple(round(float(v), 3) for v in w))
    for half in ("fit", "held_out"):
        sel = np.asarray([h == half for h in halves])
        s = 1 / (1 + np.exp(-(x[sel] @ w)))
        print(f"  {half}: AUC {auc(list(s[y[sel] == 1]), list(s[y[sel] == 0])):.3f}")
    au = [k for k, h in zip(kinds, halves, strict=True) if k[0] == "authentic" and h == "fit"]
    strengths = sorted((k[2] for k in au if k[1] >= params.strong_gain
                        and k[3] >= params.high_region_fraction), reverse=True)
    print(f"  authentic (fit half) with a strong-gain region >= {params.high_region_fraction}: "
          f"{len(strengths)}; strengths {', '.join(f'{s:.1f}' for s in strengths[:10])}")


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", default=str(CORPUS))
    ap.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    ap.add_argument("--limit", type=int, default=0, help="at most N files per group")
    ap.add_argument("--fit", action="store_true", help="refit the double-JPEG score weights")
    args = ap.parse_args(argv)
    root = Path(args.corpus)
    if not (root / "forgery" / "casia-v1").is_dir():
        print(f"corpus not found under {root}", file=sys.stderr)
        return 2
    casia = casia_items(root)
    if args.fit:
        fit_double_jpeg(casia)
        return 0
    from provenancekit.forensics.checks import CHECKS

    names = [c.name for c in CHECKS]
    noso = noso_items(root) if (root / "forgery" / "noso-copymove").is_dir() else []
    camera, excluded = camera_items(root) if (root / "exif").is_dir() else ([], [])
    items = casia + noso + camera
    if args.limit:
        groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        for it in items:
            groups[(it["set"], it["kind"])].append(it)
        items = [it for g in groups.values() for it in g[:args.limit]]
    print(f"registered checks: {', '.join(names)}; {len(items)} files, "
          f"{args.workers} worker(s)")
    start = time.perf_counter()
    if args.workers > 1:
        with ProcessPoolExecutor(args.workers) as pool:
            results = list(pool.map(analyse, items, chunksize=4))
    else:
        results = [analyse(it) for it in items]
    print(f"analysed in {time.perf_counter() - start:.0f} s wall time")
    print_report(results, excluded, names)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
