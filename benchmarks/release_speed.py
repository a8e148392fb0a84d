"""Release analysis speed: ``python -m benchmarks.release_speed [--n 10000] [--scan scan.json]``.

The release analysis works from the stored items only, so its cost is measured on items:
the real items of a quick scan of ``../shared/corpus/exif`` (or of ``--scan FILE``),
replicated to ``--n`` items. Each copy gets its own path and sha256, and realistic variety
so every part of the analysis works: copies of camera pictures spread over 40 bodies (body
serials in half of them), file-name counters and capture times rising per body with 1 % of
the dates moved (counter contradictions), GPS jittered within a few km (place/time
clusters), an XMP DerivedFrom chain in 2 % and a release near-duplicate finding in 2 %. It
prints the item count, clusters, edges, findings and the seconds on one core (best of
``--repeat``), beside the JSON load time of the same document for scale.
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import time
from pathlib import Path

from provenancekit.forensics.batch import checks_for, profile_scan_options
from provenancekit.forensics.context import ScanOptions
from provenancekit.forensics.release import analyse_release
from provenancekit.forensics.scan import scan

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "exif"


def base_items(scan_file: str | None) -> list[dict]:
    if scan_file:
        return json.loads(Path(scan_file).read_text(encoding="utf-8"))["items"]
    opts = ScanOptions.build(**profile_scan_options("quick", None))
    return scan([str(CORPUS)], options=opts, checks=checks_for("quick", None))["items"]


def replicate(items: list[dict], n: int, seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    ok = [i for i in items if i.get("status") == "ok"]
    out: list[dict] = []
    counters: dict[int, int] = {}
    for k in range(n):
        it = copy.deepcopy(ok[k % len(ok)])
        body = k % 40
        counters[body] = counters.get(body, 0) + rng.randint(1, 5)
        it["path"] = f"/release/body{body:02d}/DSC_{counters[body] % 10000:04d}_{k}.JPG"
        it["sha256"] = f"{k:064x}"
        md = it["metadata"]
        s = md["summary"]
        minutes = counters[body] * 2 + (rng.randint(-600, 600) if rng.random() < 0.01 else 0)
        s["datetime_original"] = (f"2025-06-{1 + (minutes // 1440) % 28:02d}T"
                                  f"{(minutes // 60) % 24:02d}:{minutes % 60:02d}:00")
        s["make"], s["model"] = "Canon", f"Canon EOS R{body % 8}"
        s["gps"] = {"lat": 48.0 + rng.uniform(-0.03, 0.03), "lon": 37.5 + rng.uniform(-0.03, 0.03),
                    "alt": None}
        exif = md.setdefault("EXIF", {}) or {}
        md["EXIF"] = exif
        if body % 2 == 0:
            exif.setdefault("ExifIFD", {})["BodySerialNumber"] = f"0{body:02d}2027{body:04d}"
        xmp = md.get("XMP") or {"packets": 1, "properties": {}}
        md["XMP"] = xmp
        props = xmp.setdefault("properties", {})
        props["xmpMM:InstanceID"] = f"xmp.iid:{k:032X}"
        props["xmpMM:DocumentID"] = f"xmp.did:{k:032X}"
        if k > 10 and rng.random() < 0.02:
            props["xmpMM:DerivedFrom"] = {"stRef:instanceID": f"xmp.iid:{k - 7:032X}"}
        if k > 10 and rng.random() < 0.02:
            it["findings"] = [*it.get("findings", []), {
                "code": "known_image.duplicate_in_release", "check": "known_image",
                "severity": "low", "confidence": "high", "message": "copy",
                "evidence": {"other_path": out[k - 3]["path"], "method": "pdq",
                             "distances": {"pdq": 8}, "transformation": {"scale": 1.0}}}]
        out.append(it)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=10_000, help="items to analyse")
    ap.add_argument("--scan", default=None, help="a stored scan.json to replicate")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    items = replicate(base_items(args.scan), args.n)
    text = json.dumps({"items": items})
    t0 = time.perf_counter()
    json.loads(text)
    load_s = time.perf_counter() - t0
    best = float("inf")
    release: dict = {}
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        release = analyse_release(items)
        best = min(best, time.perf_counter() - t0)
    kinds: dict[str, int] = {}
    for c in release["clusters"]:
        kinds[c["kind"]] = kinds.get(c["kind"], 0) + 1
    codes: dict[str, int] = {}
    for f in release["findings"]:
        codes[f["code"]] = codes.get(f["code"], 0) + 1
    print(f"items: {release['items']} (document {len(text) / 1e6:.0f} MB of JSON, "
          f"loaded in {load_s:.2f} s)")
    print(f"clusters: {kinds}; lineage edges: {len(release['lineage'])}; "
          f"counter tables: {len(release['counters'])}")
    print(f"findings: {codes}; left out: {release['findings_left_out']}")
    print(f"release analysis: {best:.2f} s on one core (best of {args.repeat}); "
          f"target <= 10 s for 10,000 items")


if __name__ == "__main__":
    main()
