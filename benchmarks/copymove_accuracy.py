"""Copy-move detection: accuracy on real forgeries, false alarms, robustness, speed, memory.

    python -m benchmarks.copymove_accuracy                # every figure (about 4 min, 2 cores)
    python -m benchmarks.copymove_accuracy --fit          # refit the score weights
    python -m benchmarks.copymove_accuracy --skip-speed --workers 1
    python -m benchmarks.copymove_accuracy --skip-speed --skip-synthetic   # corpus only, ~5 min

Data (``../shared/corpus``, see its ``SOURCES.md``; nothing is copied into the project):

* CASIA v1 subset: the 50 copy-move forgeries (``Sp_S_*``) with masks, and the 139 authentic
  pictures. Masks mark the pasted copy only (not its source).
* NoSo copy-move: 7 forgeries (lossless PNG) whose masks mark the changed regions, and their
  5 originals.
* Camera originals, every one in the corpus (:func:`camera_originals`): the pictures of
  ``exif/`` that the scanner types as images whose metadata names a camera (Make or Model)
  and no editing software (``exif-py/jpg/tests/45-gps_ifd.jpg``, a game screenshot by
  SOURCES.md, left out); the ``original`` and ``distinct`` photos of ``neardup/pairs.csv``
  (byte-identical copies once); and, below, the CASIA v1 authentic pictures and the NoSo
  originals. The other ``exif/`` pictures (an editor named, no camera named: GIMP-resized
  samples, a logo, a screenshot) are analysed too and reported on a line of their own.
* Synthetic (generated here, see :mod:`samples.copymove_synthetic`): clones planted
  in random camera-like pictures with shifts, rotations, scaling, mirroring and JPEG
  re-compression; and repeated-structure negatives (a facade of identical windows, a tiled
  wall) that must not be called clones.

Definitions:

* A picture is *flagged* when the check raises ``copy_move.cloned_region`` (always *high*
  severity; its score >= ``CopyMoveParams.report_score``). TPR and FPR are over pictures.
* Calibration split (the same as ``benchmarks/editing_accuracy.py``): CASIA files sorted by
  name within tampered and within authentic, even positions = *fit* half (used by ``--fit``
  for the score weights), odd positions = *held-out* half. Figures are printed for both
  halves and for all.
* Pixel F1 / MCC: per picture, of the check's ``copy_move_mask`` (the pasted copies, or both
  regions when it cannot tell source from target) against the ground truth, then averaged
  over the flagged pictures ("detected") and over all forgeries (0 when not flagged).
  CASIA's masks mark only the pasted copy, so a match whose roles are undetermined (both
  regions marked) can reach at most F1 0.667 there; as a diagnostic of localisation alone,
  F1 is also given "if the roles were known" (per match, the one of its two regions that
  lies more on the ground truth). NoSo's masks mark both regions.
* Repeated-print rule (rule (f) of :mod:`forensics.editing.copymove`): "before" is the
  check with ``noise_rule=False``, "after" the check as registered. A file is re-run without
  the rule only when the rule discounted a candidate in it (elsewhere both runs are the
  same). *Medium+* counts files with a ``copy_move.*`` finding of medium or high severity.
* Repeated print vs a copied digit (:func:`synthetic_print`): a generated sign with the
  same digit printed twice must not be flagged; a digit copied as pixels over another one
  should be. The second measures the rule's known weakness: JPEG re-compression replaces a
  flat area's fine noise, so such a copy can be discounted as print.
* Baseline: the naive SIFT self-match count the issue quotes (OpenCV SIFT, default
  settings, each keypoint's 2 nearest other keypoints, Lowe ratio 0.6, pairs >= 10 px
  apart; the picture's score is the number of matches).
"""

from __future__ import annotations

import argparse
import csv
import io
import math
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from benchmarks.editing_accuracy import (  # one loader and metric for both
    _read_mask,
    noso_items,
    pixel_scores,
)

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
CODE = "copy_move.cloned_region"


# --------------------------------------------------------------------------- data


def casia_items(root: Path) -> list[dict[str, Any]]:
    base = root / "forgery" / "casia-v1"
    items: list[dict[str, Any]] = []
    tampered: list[dict[str, Any]] = []
    with open(base / "labels.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["label"] == "tampered":
                tampered.append({"path": str(base / row["image"]), "set": "casia",
                                 "kind": row["type"], "mask": str(base / row["mask"])})
    tampered.sort(key=lambda it: it["path"])
    for i, it in enumerate(tampered):  # split over all tampered, as editing_accuracy does
        it["half"] = "fit" if i % 2 == 0 else "held_out"
    items += [it for it in tampered if it["kind"] == "copy-move"]
    for i, p in enumerate(sorted((base / "Au").glob("*.jpg"))):
        items.append({"path": str(p), "set": "casia", "kind": "authentic", "mask": None,
                      "half": "fit" if i % 2 == 0 else "held_out"})
    return items


NOT_CAMERA = {"exif/exif-py/jpg/tests/45-gps_ifd.jpg": "a Gran Turismo 5 screenshot (SOURCES.md)"}
"""exif/ pictures whose metadata names a maker but that are not camera pictures."""


def camera_originals(root: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every untouched camera picture of ``exif/`` and ``neardup/`` (see the module
    docstring), and the other ``exif/`` pictures (``set`` 'exif_other', with the reason)."""
    import hashlib

    from provenancekit.forensics.checks import get_checks
    from provenancekit.forensics.scan import scan_file
    from provenancekit.forensics.sniff import IMAGE_TYPES

    keep: list[dict[str, Any]] = []
    other: list[dict[str, Any]] = []
    seen: set[str] = set()
    for p in sorted((root / "exif").rglob("*")):
        if not p.is_file() or "_meta" in p.parts:
            continue
        md = scan_file(str(p), checks=get_checks(["metadata"])).to_dict()
        if md["media_type"] not in IMAGE_TYPES or md["status"] == "error":
            continue
        rel = p.relative_to(root).as_posix()
        summary = (md.get("metadata") or {}).get("summary") or {}
        edited = [f for f in md["findings"] if f["code"] == "metadata.software_edited"]
        why = (NOT_CAMERA.get(rel) or (f"editor named: {edited[0]['message'][:70]}" if edited
                                       else None)
               or (None if summary.get("make") or summary.get("model")
                   else "no camera named in the metadata"))
        spec = {"path": str(p), "kind": "authentic", "mask": None, "half": "n/a",
                "group": "exif"}
        if why:
            other.append({**spec, "set": "exif_other", "why": why})
        else:
            keep.append({**spec, "set": "camera"})
    pairs = root / "neardup" / "pairs.csv"
    if pairs.is_file():
        with open(pairs, encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                path = root / "neardup" / row["file"]
                if row["relation"] not in ("original", "distinct") or not path.is_file():
                    continue
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                if digest in seen:
                    continue
                seen.add(digest)
                keep.append({"path": str(path), "set": "camera", "kind": "authentic",
                             "mask": None, "half": "n/a", "group": "neardup"})
    return keep, other


# --------------------------------------------------------------------------- per picture


def _png_mask(data: bytes, size: tuple[int, int], *, any_colour: bool = False) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as im:
        im = im.convert("RGB" if any_colour else "L").resize(size, Image.Resampling.NEAREST)
        arr = np.asarray(im)
    return arr.max(axis=2) > 0 if any_colour else arr >= 128


def naive_sift_count(path: str) -> int:
    """The baseline: number of SIFT self-matches passing Lowe's ratio test."""
    import cv2

    g = np.asarray(Image.open(path).convert("L"))
    kps, des = cv2.SIFT_create().detectAndCompute(g, None)
    if des is None or len(kps) < 3:
        return 0
    count = 0
    for ms in cv2.BFMatcher(cv2.NORM_L2).knnMatch(des, des, k=3):
        ms = [m for m in ms if m.trainIdx != m.queryIdx][:2]
        if len(ms) == 2 and ms[0].distance < 0.6 * ms[1].distance:
            a, b = kps[ms[0].queryIdx].pt, kps[ms[0].trainIdx].pt
            if math.hypot(a[0] - b[0], a[1] - b[1]) >= 10:
                count += 1
    return count


BEFORE_KEYS = ("flagged", "medium_plus", "score", "f1", "f1_union", "findings")
"""What :func:`analyse` keeps of the run without the repeated-print rule (``before``)."""


def _reduce(item: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    """One scan result reduced to the figures the report needs."""
    res = item["checks"][0] if item["checks"] else {}
    found = [f for f in item["findings"] if f["code"] == CODE]
    medium = [f for f in item["findings"] if f["code"].startswith("copy_move.")
              and f["severity"] in ("medium", "high")]
    discounted = [r for f in item["findings"] if f["code"] == "copy_move.repeated_structure"
                  for r in f["evidence"].get("set_aside", []) if r.get("discounted")]
    out: dict[str, Any] = {
        "status": res.get("status"), "error": res.get("error"),
        "score": res.get("score") or 0.0, "flagged": bool(found),
        "medium_plus": bool(medium), "working_size": res.get("working_size"),
        "discounted": [{"score": r["score"], "noise_correlation": r["noise_correlation"],
                        "target_bbox": r["target_bbox"]} for r in discounted],
        "findings": [{"message": f["message"], "confidence": f["confidence"],
                      "roles": f["evidence"].get("roles"),
                      "score": f["evidence"].get("score")} for f in found]}
    if spec.get("mask"):
        with Image.open(spec["path"]) as im:
            size = im.size
        gt = _read_mask(spec["mask"], size)
        arts = {a["name"]: a for a in res.get("artifacts", [])}
        import base64

        pred = np.zeros(gt.shape, bool)
        union = np.zeros(gt.shape, bool)
        if "copy_move_mask" in arts:
            pred = _png_mask(base64.b64decode(arts["copy_move_mask"]["data_base64"]), size)
        if "copy_move_map" in arts:
            union = _png_mask(base64.b64decode(arts["copy_move_map"]["data_base64"]), size,
                              any_colour=True)
        out["f1"], out["mcc"] = pixel_scores(pred, gt)
        out["f1_union"], out["mcc_union"] = pixel_scores(union, gt)
        # diagnostic only: localisation if the roles were known (per match, keep whichever
        # of its two regions lies more on the ground truth)
        oracle = np.zeros(gt.shape, bool)
        for f in found:
            parts = []
            for key in ("target_bbox", "source_bbox"):
                x0, y0, x1, y1 = f["evidence"][key]
                part = np.zeros(gt.shape, bool)
                part[y0:y1, x0:x1] = union[y0:y1, x0:x1]
                parts.append(part)
            oracle |= max(parts, key=lambda m: float((m & gt).sum()) / max(1.0, m.sum()))
        out["f1_oracle"], out["mcc_oracle"] = pixel_scores(oracle, gt)
        determined = [f for f in found if f["evidence"].get("roles") == "determined"]
        if determined:  # was the named target the ground-truth region?
            ok = 0
            for f in determined:
                x0, y0, x1, y1 = f["evidence"]["target_bbox"]
                u0, v0, u1, v1 = f["evidence"]["source_bbox"]
                ok += int(gt[y0:y1, x0:x1].mean() >= gt[v0:v1, u0:u1].mean())
            out["roles_right"] = ok
            out["roles_determined"] = len(determined)
    return out


def analyse(spec: dict[str, Any]) -> dict[str, Any]:
    """Run the copy-move check on one file (through the real scanner) and reduce it; where
    the repeated-print rule discounted a candidate, also without the rule (``before``)."""
    import cv2

    from provenancekit.forensics.checks.copy_move import CopyMoveCheck
    from provenancekit.forensics.scan import scan_file

    cv2.setNumThreads(1)
    start = time.perf_counter()
    item = scan_file(spec["path"], checks=[CopyMoveCheck()]).to_dict()
    seconds = time.perf_counter() - start
    out: dict[str, Any] = {**spec, "seconds": seconds, **_reduce(item, spec)}
    before = out
    if out["discounted"]:
        plain = CopyMoveCheck().with_params(noise_rule=False)
        before = _reduce(scan_file(spec["path"], checks=[plain]).to_dict(), spec)
    out["before"] = {k: before[k] for k in BEFORE_KEYS if k in before}
    if spec["set"] == "casia" and spec["kind"] in ("copy-move", "authentic"):
        out["naive"] = naive_sift_count(spec["path"])
    return out


# --------------------------------------------------------------------------- statistics


def auc(pos: list[float], neg: list[float]) -> float:
    if not pos or not neg:
        return float("nan")
    p, n = np.asarray(pos), np.asarray(neg)
    return float(((p[:, None] > n[None, :]).sum() + 0.5 * (p[:, None] == n[None, :]).sum())
                 / (len(p) * len(n)))


def roc_points(pos: list[float], neg: list[float]) -> list[tuple[float, float, float]]:
    """(threshold, TPR, FPR) for every distinct score used as 'flag when >= threshold'."""
    out = []
    for th in sorted(set(pos) | set(neg), reverse=True):
        out.append((th, float(np.mean(np.asarray(pos) >= th)),
                    float(np.mean(np.asarray(neg) >= th))))
    return out


def tpr_at_fpr(pos: list[float], neg: list[float], max_fpr: float) -> tuple[float, float, float]:
    best = (0.0, 0.0, float("inf"))
    for th, tpr, fpr in roc_points(pos, neg):
        if fpr <= max_fpr and tpr > best[0]:
            best = (tpr, fpr, th)
    return best


def _pct(x: float) -> str:
    return f"{x:.3f}"


def print_report(results: list[dict[str, Any]]) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    casia = [r for r in results if r["set"] == "casia"]
    print("\n== CASIA v1 copy-move (50) vs authentic (139): image level ==")
    print(f"{'half':10} {'TPR':>6} {'FPR':>6} {'AUC':>6}   (flagged = a high-severity "
          "copy_move.cloned_region finding)")
    for half in ("fit", "held_out", "all"):
        sel = [r for r in casia if half == "all" or r["half"] == half]
        pos = [r for r in sel if r["kind"] == "copy-move"]
        neg = [r for r in sel if r["kind"] == "authentic"]
        tpr = float(np.mean([r["flagged"] for r in pos])) if pos else float("nan")
        fpr = float(np.mean([r["flagged"] for r in neg])) if neg else float("nan")
        a = auc([r["score"] for r in pos], [r["score"] for r in neg])
        print(f"{half:10} {_pct(tpr):>6} {_pct(fpr):>6} {_pct(a):>6}   "
              f"({len(pos)} forgeries, {len(neg)} authentic)")
        figures[f"casia_{half}"] = {"tpr": tpr, "fpr": fpr, "auc": a}
    pos_s = [r["score"] for r in casia if r["kind"] == "copy-move"]
    neg_s = [r["score"] for r in casia if r["kind"] == "authentic"]
    t, f, th = tpr_at_fpr(pos_s, neg_s, 0.05)
    print(f"best TPR at FPR <= 0.05 over the score: TPR {t:.3f} at FPR {f:.3f} "
          f"(threshold {th:.3f})")
    npos = [float(r.get("naive", 0)) for r in casia if r["kind"] == "copy-move"]
    nneg = [float(r.get("naive", 0)) for r in casia if r["kind"] == "authentic"]
    if npos and nneg:
        t5, f5, th5 = tpr_at_fpr(npos, nneg, 0.05)
        best = max(roc_points(npos, nneg), key=lambda x: x[1] - x[2])
        print(f"naive SIFT self-match count baseline: AUC {auc(npos, nneg):.3f}; TPR {t5:.3f} "
              f"at FPR {f5:.3f} (>= {th5:.0f} matches); best Youden point TPR {best[1]:.3f} "
              f"at FPR {best[2]:.3f} (>= {best[0]:.0f} matches)")
        figures["naive"] = {"auc": auc(npos, nneg), "tpr_at_5": t5, "fpr_at_5": f5}

    print("\n== Pixel level (mean per picture) ==")
    for dataset in ("casia", "noso"):
        forg = [r for r in results if r["set"] == dataset and r.get("mask")]
        if not forg:
            continue
        det = [r for r in forg if r["flagged"]]
        for label, sel in (("detected", det), ("all forgeries", forg)):
            if not sel:
                continue
            f1 = float(np.mean([r["f1"] for r in sel]))
            mcc = float(np.mean([r["mcc"] for r in sel]))
            fu = float(np.mean([r["f1_union"] for r in sel]))
            mu = float(np.mean([r["mcc_union"] for r in sel]))
            fo = float(np.mean([r["f1_oracle"] for r in sel]))
            print(f"{dataset:6} {label:14} n={len(sel):3}  F1 {f1:.3f}  MCC {mcc:.3f}   "
                  f"(union of both regions: F1 {fu:.3f}  MCC {mu:.3f}; diagnostic, if the "
                  f"roles were known: F1 {fo:.3f})")
            figures[f"{dataset}_pixel_{label.split()[0]}"] = {"f1": f1, "mcc": mcc,
                                                              "f1_union": fu,
                                                              "f1_oracle": fo}
        nd = sum(r.get("roles_determined", 0) for r in det)
        nr = sum(r.get("roles_right", 0) for r in det)
        nm = sum(len(r["findings"]) for r in det)
        print(f"{dataset:6} source/target told apart for {nd} of {nm} reported matches, "
              f"{nr} of them the right way round")

    noso = [r for r in results if r["set"] == "noso"]
    if noso:
        print("\n== NoSo copy-move ==")
        for r in noso:
            mark = "FOUND" if r["flagged"] else "missed"
            if r["kind"] == "authentic":
                mark = "FALSE ALARM" if r["flagged"] else "clean"
            print(f"  {Path(r['path']).name:16} {r['kind']:10} {mark:11} score {r['score']:.3f}")
        figures["noso_found"] = sum(r["flagged"] for r in noso if r["kind"] == "copy-move")
        figures["noso_forgeries"] = sum(r["kind"] == "copy-move" for r in noso)

    print("\n== False alarms (high-severity copy-move findings on authentic pictures) ==")
    for name, sel in (("CASIA v1 authentic", [r for r in casia if r["kind"] == "authentic"]),
                      ("camera originals (exif, neardup)",
                       [r for r in results if r["set"] == "camera"]),
                      ("NoSo originals", [r for r in noso if r["kind"] == "authentic"])):
        if not sel:
            continue
        fl = [r for r in sel if r["flagged"]]
        print(f"{name}: {len(fl)} of {len(sel)} ({len(fl) / len(sel):.1%})")
        figures[f"fa_{name.split()[0].lower()}"] = (len(fl), len(sel))
        for r in fl:
            for f in r["findings"]:
                print(f"  - {Path(r['path']).name}: {f['message'][:400]}")
    figures.update(print_rule_report(results))
    errors = [r for r in results if r["status"] == "error"]
    if errors:
        print(f"\nchecks that errored: {len(errors)}")
        for r in errors[:10]:
            print(f"  - {Path(r['path']).name}: {r['error']}")
    times = [r["seconds"] for r in results]
    print(f"\nper-file time through the scanner (copy-move only, 1 OpenCV thread): median "
          f"{np.median(times):.2f} s, max {np.max(times):.2f} s")
    return figures


def _mean(rows: list[dict[str, Any]], key: str) -> float:
    return float(np.mean([r.get(key, 0.0) for r in rows])) if rows else float("nan")


def print_rule_report(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Before / after the repeated-print rule: false alarms on every camera original, and
    what the rule costs on the real forgeries."""
    figures: dict[str, Any] = {}
    print("\n== Repeated-print rule (f): before (noise_rule=False) -> after ==")
    authentic = {
        "exif camera pictures": [r for r in results if r["set"] == "camera"
                                 and r.get("group") == "exif"],
        "neardup photos": [r for r in results if r["set"] == "camera"
                           and r.get("group") == "neardup"],
        "CASIA v1 authentic": [r for r in results if r["set"] == "casia"
                               and r["kind"] == "authentic"],
        "NoSo originals": [r for r in results if r["set"] == "noso"
                           and r["kind"] == "authentic"],
    }
    every = [r for rows in authentic.values() for r in rows]
    other = [r for r in results if r["set"] == "exif_other"]
    print("medium-or-higher copy_move.* findings (files / total; target 0 on camera originals):")
    for name, rows in [*authentic.items(), ("every camera original", every),
                       ("other exif pictures (not counted above)", other)]:
        if not rows:
            continue
        b = sum(r["before"]["medium_plus"] for r in rows)
        a = sum(r["medium_plus"] for r in rows)
        print(f"  {name:40} {b:3} / {len(rows):<4} -> {a:3} / {len(rows)}")
        key = "every" if name.startswith("every") else name.split()[0].lower()
        figures[f"medium_plus_{key}"] = {"before": (b, len(rows)), "after": (a, len(rows))}
    for r in every + other:
        if r["before"]["medium_plus"] or r["medium_plus"]:
            d = r["discounted"][0] if r["discounted"] else None
            what = (f"discounted (score {d['score']:.2f}, noise correlation "
                    f"{d['noise_correlation']:.2f})" if d else "")
            tag = " [not a camera picture: " + r["why"] + "]" if r.get("why") else ""
            print(f"    - {Path(r['path']).name}: before "
                  f"{'medium+' if r['before']['medium_plus'] else 'clean'}, after "
                  f"{'medium+' if r['medium_plus'] else 'clean'} {what}{tag}")
    print("cost on the real forgeries (flagged = a copy_move.cloned_region finding, "
          "score >= report_score):")
    for name, sel_f, sel_a in (
            ("CASIA v1 copy-move", [r for r in results if r["set"] == "casia"
                                    and r["kind"] == "copy-move"],
             authentic["CASIA v1 authentic"]),
            ("NoSo copy-move", [r for r in results if r["set"] == "noso"
                                and r["kind"] == "copy-move"], authentic["NoSo originals"])):
        if not sel_f:
            continue
        row: dict[str, Any] = {}
        for when, get in (("before", lambda r: r["before"]), ("after", lambda r: r)):
            fs = [get(r) for r in sel_f]
            au = [get(r) for r in sel_a]
            row[when] = {"tpr": _mean(fs, "flagged"), "fpr": _mean(au, "flagged"),
                         "f1": _mean(fs, "f1"), "f1_union": _mean(fs, "f1_union")}
        b, a = row["before"], row["after"]
        print(f"  {name:20} TPR {b['tpr']:.3f} -> {a['tpr']:.3f}   FPR {b['fpr']:.3f} -> "
              f"{a['fpr']:.3f}   pixel F1 (all forgeries) {b['f1']:.3f} -> {a['f1']:.3f}   "
              f"(union of both regions {b['f1_union']:.3f} -> {a['f1_union']:.3f})  "
              f"n={len(sel_f)}")
        lost = [Path(r["path"]).name for r in sel_f if r["before"]["flagged"]
                and not r["flagged"]]
        if lost:
            print(f"    lost to the rule: {', '.join(lost)}")
        figures[f"rule_{name.split()[0].lower()}"] = row
    return figures


# --------------------------------------------------------------------------- synthetic


def synthetic(seeds: int = 4) -> dict[str, Any]:
    """Clones planted with every transform, and repeated-structure negatives."""
    import cv2

    from provenancekit.forensics.editing.copymove import detect_copy_move
    from provenancekit.samples.copymove_synthetic import (
        facade,
        jpeg_roundtrip,
        natural_texture,
        plant_clone,
        tiled_wall,
    )

    cv2.setNumThreads(1)
    cases = {
        "shift": {}, "shift, JPEG 75": {"q": 75},
        "rotate 30": {"angle_deg": 30.0}, "rotate 30, JPEG 90": {"angle_deg": 30.0, "q": 90},
        "rotate 90": {"angle_deg": 90.0}, "scale 1.25": {"scale": 1.25},
        "scale 0.8 + rotate 15, JPEG 90": {"scale": 0.8, "angle_deg": 15.0, "q": 90},
        "mirror": {"flip": True}, "mirror, JPEG 90": {"flip": True, "q": 90},
    }
    print("\n== Synthetic clones (random camera-like pictures, 640x480, clone ~100x80) ==")
    print(f"{'case':32} {'found':>7} {'F1 (both regions)':>18} {'median score':>13}")
    out: dict[str, Any] = {}
    for name, kw in cases.items():
        kw = dict(kw)
        q = kw.pop("q", None)
        found, f1s, scores = 0, [], []
        for seed in range(seeds):
            rng = np.random.default_rng(100 + seed)
            host = natural_texture(640, 480, seed=100 + seed)
            x0, y0 = int(rng.integers(40, 220)), int(rng.integers(40, 200))
            box = (x0, y0, x0 + 100, y0 + 80)
            tx, ty = int(rng.integers(380, 560)), int(rng.integers(260, 400))
            img, tmask, smask = plant_clone(host, source_box=box, target_xy=(tx, ty), **kw)
            if q:
                img = jpeg_roundtrip(img, q)
            r = detect_copy_move(img)
            scores.append(r.score)
            if r.matches:
                found += 1
                f1s.append(pixel_scores(r.region_mask((640, 480)), tmask | smask)[0])
        print(f"{name:32} {found:>3}/{seeds:<3} {np.mean(f1s) if f1s else 0.0:>18.3f} "
              f"{np.median(scores):>13.3f}")
        out[name] = found / seeds
    print("\n== Repeated structure that must not be flagged ==")
    negatives = {
        "facade of identical windows, JPEG 85": lambda s: jpeg_roundtrip(facade(seed=s), 85),
        "facade, lossless": lambda s: facade(seed=s, noise=1.0),
        "tiled wall, JPEG 85": lambda s: jpeg_roundtrip(tiled_wall(seed=s), 85),
        "random picture, no clone, JPEG 90": lambda s: jpeg_roundtrip(
            natural_texture(seed=200 + s), 90),
    }
    for name, make in negatives.items():
        flagged = 0
        set_aside = 0
        for seed in range(seeds):
            r = detect_copy_move(make(seed))
            flagged += bool(r.matches)
            set_aside += bool(r.rejected)
        print(f"{name:40} flagged {flagged}/{seeds}  (repeats found and set aside in "
              f"{set_aside}/{seeds})")
        out[name] = flagged / seeds
    out.update(synthetic_print(seeds))
    return out


def synthetic_print(seeds: int = 4) -> dict[str, Any]:
    """Repeated print against a digit copied as pixels (rule (f)): a generated sign "62-42"
    (two printed 2s, independent noise), and the sign "62-47" whose 7 is overwritten by a
    pixel copy of its 2 (the digit-swap forgery), both saved as JPEG 92 and 80."""
    from dataclasses import replace

    import cv2

    from provenancekit.forensics.editing.copymove import CopyMoveParams, detect_copy_move
    from provenancekit.samples.copymove_synthetic import (
        jpeg_roundtrip,
        plant_clone,
        printed_sign,
    )

    cv2.setNumThreads(1)
    p = CopyMoveParams()
    off = replace(p, noise_rule=False)
    print("\n== Repeated print vs a digit copied as pixels (generated sign, rule on / off) ==")
    out: dict[str, Any] = {}
    rows: dict[str, list[tuple[bool, bool, float | None]]] = {}
    for seed in range(seeds):
        sign = printed_sign(seed=seed)
        m = detect_copy_move(jpeg_roundtrip(sign, 92), params=off).matches
        if not m:
            continue
        dx, dy = round(m[0].translation[0]), round(m[0].translation[1])
        src = m[0].source_bbox if dx > 0 else m[0].target_bbox
        cx, cy = src[0] + (src[2] - src[0]) // 2, src[1] + (src[3] - src[1]) // 2
        forged, _, _ = plant_clone(printed_sign(seed=seed, text="62-47"), source_box=src,
                                   target_xy=(cx + abs(dx), cy + dy), shape="rect",
                                   feather=1.0)
        for q in (92, 80):
            for name, img in ((f"printed 62-42, JPEG {q}", sign),
                              (f"7 replaced by a copied 2, JPEG {q}", forged)):
                x = jpeg_roundtrip(img, q)
                on, no = detect_copy_move(x, params=p), detect_copy_move(x, params=off)
                r = max(((v.score, v.noise_correlation) for v in no.matches), default=(0, None))
                rows.setdefault(name, []).append((bool(on.matches), bool(no.matches), r[1]))
    for name, got in rows.items():
        rs = ", ".join("n/a" if r is None else f"{r:.2f}" for *_, r in got)
        print(f"{name:36} flagged {sum(g[0] for g in got)}/{len(got)} (rule off "
              f"{sum(g[1] for g in got)}/{len(got)}); noise r {rs}")
        out[name] = sum(g[0] for g in got) / len(got)
    return out


# --------------------------------------------------------------------------- speed


def _vm(field: str) -> float:
    """A memory figure of this process from /proc (MB), e.g. VmHWM (peak RSS)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return float("nan")


def _speed_child(path: str) -> None:
    """Run in a fresh process: time the check on ``path`` and report peak memory."""
    import cv2

    from provenancekit.forensics.checks.copy_move import CopyMoveCheck
    from provenancekit.forensics.scan import scan_file

    cv2.setNumThreads(1)
    base = _vm("VmRSS")  # after the imports
    times = []
    res: dict[str, Any] = {}
    for _ in range(3):
        t = time.perf_counter()
        item = scan_file(path, checks=[CopyMoveCheck()]).to_dict()
        times.append(time.perf_counter() - t)
        res = item["checks"][0]
    peak = _vm("VmHWM")
    print(f"{min(times):.3f} {res['seconds']:.3f} {res['working_size']} {peak - base:.0f}"
          f" {peak:.0f}")


def speed(root: Path) -> None:
    import cv2

    from provenancekit.samples.copymove_synthetic import natural_texture, plant_clone

    print("\n== Speed (one core: one process, OpenCV limited to 1 thread; best of 3) ==")
    print(f"{'file':44} {'scan s':>7} {'check s':>8} {'working size':>14} "
          f"{'+peak MB':>8} {'peak RSS MB':>11}")
    with tempfile.TemporaryDirectory() as tmp:
        files: list[tuple[str, str]] = []
        try:
            from provenancekit.samples.generate import build_samples

            built = build_samples(Path(tmp) / "demo")
            for name in ("wreckage_cloned.jpg", "IMG_0412.jpg"):
                files.append((f"demo {name} (1600x1200)", str(built.get(name).path)))
        except Exception as exc:  # noqa: BLE001 - the demo is optional here
            print(f"(demo samples unavailable: {exc})")
        # a 12-megapixel camera-like JPEG with a clone
        host = natural_texture(1000, 750, seed=7)
        big = cv2.resize(host, (4000, 3000), interpolation=cv2.INTER_CUBIC)
        rng = np.random.default_rng(7)
        big = np.clip(big + rng.normal(0, 2.0, big.shape), 0, 255).astype(np.uint8)
        big, _, _ = plant_clone(big, source_box=(600, 500, 1100, 900), target_xy=(3000, 2200))
        p12 = Path(tmp) / "synthetic_12mp.jpg"
        Image.fromarray(big).save(p12, "JPEG", quality=92)
        files.append(("synthetic 4000x3000 JPEG q92 (12 MP)", str(p12)))
        real = root / "neardup" / "threatexchange-pdq" / "pdq" / "data" / "reg-test-input" / \
            "exif-rotn" / "exif-rotn-1.jpg"
        if real.is_file():
            files.append(("real 4032x3024 phone JPEG (exif-rotn-1)", str(real)))
        for label, path in files:
            proc = subprocess.run([sys.executable, "-m", "benchmarks.copymove_accuracy",
                                   "--speed-child", path], capture_output=True, text=True,
                                  cwd=str(Path(__file__).resolve().parents[1]), check=False)
            parts = proc.stdout.strip().split()
            if proc.returncode != 0 or len(parts) < 5:
                print(f"{label:44} failed: {proc.stderr.strip()[-300:]}")
                continue
            ws = " ".join(parts[2:-2]).replace(" ", "")
            print(f"{label:44} {float(parts[0]):>7.3f} {float(parts[1]):>8.3f} {ws:>14} "
                  f"{parts[-2]:>8} {parts[-1]:>11}")
    print("(scan s = the whole scan_file call with only this check: read, hash, decode, "
          "check; check s = the check alone as the scanner records it; +peak MB = peak "
          "resident memory above the process after its imports)")


# --------------------------------------------------------------------------- fit


def fit(root: Path, workers: int) -> None:
    """Refit the score weights on the fit half of CASIA v1 (see CopyMoveParams)."""
    items = [it for it in casia_items(root)]
    with ProcessPoolExecutor(workers) as pool:
        rows = [r for part in pool.map(_fit_rows, items, chunksize=4) for r in part]
    train = [r for r in rows if r["half"] == "fit"]
    x = np.array([r["x"] for r in train])
    y = np.array([r["y"] for r in train], float)
    w = logistic_fit(x, y, lam=1.0)
    print(f"candidates: {len(rows)} ({sum(r['y'] for r in rows)} on a ground-truth clone); "
          f"fit half: {len(train)}")
    print("score_weights = (" + ", ".join(f"{v:.3f}" for v in w) + ")")
    for half in ("fit", "held_out"):
        sel = [r for r in rows if r["half"] == half]
        best: dict[str, float] = {}
        kind: dict[str, str] = {}
        for r in sel:
            s = 1 / (1 + math.exp(-(w[0] + float(np.dot(w[1:], r["x"])))))
            best[r["path"]] = max(best.get(r["path"], 0.0), s)
            kind[r["path"]] = r["kind"]
        items_h = [it for it in items if it["half"] == half]
        pos = [best.get(it["path"], 0.0) for it in items_h if it["kind"] == "copy-move"]
        neg = [best.get(it["path"], 0.0) for it in items_h if it["kind"] == "authentic"]
        print(f"{half:9} at 0.5: TPR {np.mean(np.asarray(pos) >= 0.5):.3f} "
              f"FPR {np.mean(np.asarray(neg) >= 0.5):.3f}  AUC {auc(pos, neg):.3f}")


def logistic_fit(x: np.ndarray, y: np.ndarray, lam: float = 1.0, iters: int = 100
                 ) -> np.ndarray:
    """L2-regularised logistic regression (Newton-Raphson); the intercept is not penalised.
    Returns (intercept, weights...)."""
    xx = np.hstack([np.ones((len(x), 1)), x])
    w = np.zeros(xx.shape[1])
    reg = lam * np.diag([0.0] + [1.0] * (xx.shape[1] - 1))
    for _ in range(iters):
        p = 1 / (1 + np.exp(-np.clip(xx @ w, -60, 60)))
        hess = xx.T @ (xx * (p * (1 - p))[:, None]) + reg
        grad = xx.T @ (p - y) + reg @ w
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w


def _fit_rows(spec: dict[str, Any]) -> list[dict[str, Any]]:
    import cv2

    from provenancekit.forensics.checks.copy_move import CopyMoveCheck
    from provenancekit.forensics.editing.copymove import (
        detect_copy_move,
        match_features,
        rule_refusal,
    )

    cv2.setNumThreads(1)
    p = CopyMoveCheck.params
    with Image.open(spec["path"]) as im:
        rgb = np.asarray(im.convert("RGB"))
    collected: list[Any] = []
    detect_copy_move(rgb, params=p, collect=collected)
    gt = _read_mask(spec["mask"], (rgb.shape[1], rgb.shape[0])) if spec.get("mask") else None
    rows = []
    for v in collected:
        if rule_refusal(v, p):
            continue  # refused by rule, not scored
        on_gt = False
        if gt is not None:
            both = v.target | v.source
            on_gt = float((both & gt).sum()) >= 0.3 * float(v.target.sum())
        rows.append({"path": spec["path"], "half": spec["half"], "kind": spec["kind"],
                     "x": list(match_features(v)), "y": int(on_gt)})
    return rows


# --------------------------------------------------------------------------- main


def run_corpus(root: Path, workers: int) -> dict[str, Any]:
    items = casia_items(root)
    noso = noso_items(root) if (root / "forgery" / "noso-copymove").is_dir() else []
    camera, other = camera_originals(root) if (root / "exif").is_dir() else ([], [])
    items = items + noso + camera + other
    print(f"{len(items)} files, {workers} worker(s)")
    start = time.perf_counter()
    if workers > 1:
        with ProcessPoolExecutor(workers) as pool:
            results = list(pool.map(analyse, items, chunksize=4))
    else:
        results = [analyse(it) for it in items]
    print(f"analysed in {time.perf_counter() - start:.0f} s wall time")
    return print_report(results)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", default=str(CORPUS))
    ap.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    ap.add_argument("--fit", action="store_true", help="refit the score weights")
    ap.add_argument("--skip-speed", action="store_true")
    ap.add_argument("--skip-synthetic", action="store_true")
    ap.add_argument("--print-only", action="store_true",
                    help="only the repeated-print vs copied-digit figures (about 1 min)")
    ap.add_argument("--speed-child", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.speed_child:
        _speed_child(args.speed_child)
        return 0
    root = Path(args.corpus)
    if args.print_only:
        synthetic_print()
        return 0
    if args.fit:
        fit(root, args.workers)
        return 0
    from provenancekit.forensics.checks.copy_move import CopyMoveCheck

    p = CopyMoveCheck.params
    print(f"copy-move check {CopyMoveCheck.version}: report threshold {p.report_score}, "
          f"keypoints at <= {p.keypoint_max_side} px (small pictures enlarged to "
          f"{p.keypoint_min_side}), verification at <= {p.dense_max_side} px")
    if (root / "forgery" / "casia-v1").is_dir():
        run_corpus(root, args.workers)
    else:
        print(f"corpus not found under {root}: corpus figures skipped", file=sys.stderr)
    if not args.skip_synthetic:
        synthetic()
    if not args.skip_speed:
        speed(root)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
