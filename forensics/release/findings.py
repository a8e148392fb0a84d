"""Release-level findings: what the clusters, lineage and counters say together.

Lab notes. Each finding is a :class:`~forensics.model.Finding` of check ``release`` citing
item paths in ``evidence.items``. Severities: a unique device (serial) shared by files said to
come from different sources, and a counter order contradicting the dates within one device,
are high; the same contradiction within a model-level group is high with medium confidence
(model + firmware) or medium with low confidence (model only: two bodies of one model explain
it). Sources are the claims a case makes (``sources``: item path -> claimed source); without
them "different sources" is never said.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from ..model import Finding
from ..tracks.geo import haversine_km
from .facts import TABLE_PARTS, Facts, pipeline_key
from .params import ReleaseParams

CHECK = "release"
CODES = {
    "release.shared_device_serial": "files share one device serial number (one camera/lens)",
    "release.device_identity_conflict": "one serial number under different claimed cameras",
    "release.pipeline_split": "one claimed camera model, several writer fingerprints",
    "release.pipeline_across_cameras": "one writer fingerprint under several claimed cameras",
    "release.derived_copy": "one file of the release was made from another (crop, resize, "
                            "XMP/C2PA derivation)",
    "release.counter_order_contradicts_time": "a device's counters disagree with its dates",
    "release.place_time_cluster": "pictures taken at one place within one time window",
    "release.all_within_radius": "all positioned pictures lie within a small radius",
    "release.shared_signer": "files signed by one C2PA certificate or PDF signer",
}


def _sources(members: list[Facts], sources: Mapping[str, str] | None) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    for m in members:
        if sources and m.path in sources:
            out[sources[m.path]].append(m.path)
    return dict(out)


def device_findings(clusters: list[dict[str, Any]], sources: Mapping[str, str] | None
                    ) -> list[Finding]:
    out = []
    for c in clusters:
        if c["by"] != "serial":
            continue
        members: list[Facts] = c["_facts"]
        b = c["basis"]
        claimed = _sources(members, sources)
        what = f"{b['serial_class']} serial {b['serial']!r} ({', '.join(b['fields'])})"
        ev = {"cluster": c["id"], "items": c["members"], "basis": b, "sources": claimed}
        if len(claimed) > 1:
            out.append(Finding("release.shared_device_serial", CHECK, "high", "high",
                               f"Files said to come from {len(claimed)} sources share one "
                               f"device {what}: they were made with one device.", ev))
        else:
            out.append(Finding("release.shared_device_serial", CHECK, "info", "high",
                               f"{len(members)} files share one device {what}: one device "
                               "made them.", ev))
        cams = sorted({f"{m.make} {m.model}" for m in members if m.model})
        if len(cams) > 1:
            out.append(Finding("release.device_identity_conflict", CHECK, "medium", "high",
                               f"One {what} appears under {len(cams)} claimed cameras "
                               f"({'; '.join(cams)}): one serial belongs to one device, so "
                               "the make/model or the serial was edited in some files.",
                               {**ev, "cameras": cams}))
    return out


def pipeline_findings(facts: list[Facts], pipeline_clusters: list[dict[str, Any]]
                      ) -> list[Finding]:
    out = []
    by_camera: dict[tuple[str, str], list[Facts]] = defaultdict(list)
    for f in facts:
        if f.camera and f.pipeline:
            by_camera[f.camera].append(f)
    for _, members in by_camera.items():
        prints: dict[str, list[Facts]] = defaultdict(list)
        for m in members:
            prints[pipeline_key(m) or ""].append(m)
        if len(prints) < 2:
            continue
        parts = sorted({k for a in prints.values() for b in prints.values()
                        for k in (a[0].pipeline or {}) if k not in TABLE_PARTS
                        and (a[0].pipeline or {}).get(k) != (b[0].pipeline or {}).get(k)})
        groups = [{"fingerprint": k, "items": [m.path for m in v],
                   "software": sorted({str(m_soft) for m in v
                                       if (m_soft := _software(m)) is not None})}
                  for k, v in prints.items()]
        cam = f"{members[0].make} {members[0].model}"
        out.append(Finding("release.pipeline_split", CHECK, "low", "medium",
                           f"One claimed camera ({cam}), {len(prints)} writer fingerprints "
                           f"(differing in {', '.join(parts)}): some of its files were "
                           "re-written by other software after capture.",
                           {"camera": cam, "items": [m.path for m in members],
                            "fingerprints": groups, "differing": parts}))
    for c in pipeline_clusters:
        members = c["_facts"]
        cams = sorted({f"{m.make} {m.model}" for m in members if m.model})
        if len(cams) > 1 and c["by"] == "JPEG":
            out.append(Finding("release.pipeline_across_cameras", CHECK, "low", "medium",
                               f"{len(members)} files claiming {len(cams)} different cameras "
                               f"share one writer fingerprint ({c['id']}): the same tables, "
                               "segment order and EXIF layout, so one program wrote them all "
                               "(which may be an ordinary library such as libjpeg).",
                               {"cluster": c["id"], "items": c["members"], "cameras": cams,
                                "basis": c["basis"]}))
    return out


def _software(f: Facts) -> str | None:
    return f.firmware[1] if f.firmware else None


def lineage_findings(edges: list[dict[str, Any]]) -> list[Finding]:
    out = []
    for e in edges:
        rel = e["relation"]
        if rel == "crop":
            box = e["basis"].get("crop_box")
            out.append(Finding("release.derived_copy", CHECK, "low", "medium",
                               f"{e['to']} is a crop of {e['from']}"
                               + (f" (the part {box} of it)" if box else "") + ".",
                               {"items": [e["from"], e["to"]], "edge": e}))
        elif rel == "resized":
            out.append(Finding("release.derived_copy", CHECK, "info", "medium",
                               f"{e['to']} is a smaller copy of {e['from']} (scale "
                               f"{e['basis'].get('scale')}).",
                               {"items": [e["from"], e["to"]], "edge": e}))
        elif rel in ("derived_from", "history", "c2pa_ingredient", "original_document"):
            out.append(Finding("release.derived_copy", CHECK, "info", "high",
                               f"{e['to']} was made from {e['from']} ({rel}: "
                               f"{_short(e['basis'])}).",
                               {"items": [e["from"], e["to"]], "edge": e}))
    return out


def _short(basis: dict[str, Any]) -> str:
    return "; ".join(f"{k} {v}" for k, v in basis.items() if v not in (None, "", []))[:300]


def counter_findings(tables: list[dict[str, Any]]) -> list[Finding]:
    out = []
    for t in tables:
        bad = t["out_of_order"]
        if not bad:
            continue
        sev, conf = {"serial": ("high", "high"), "owner": ("high", "high"),
                     "model_firmware": ("high", "medium")}.get(t["by"], ("medium", "low"))
        alt = {"model_firmware": " or two bodies of one model and firmware",
               "model": " or two bodies of one model"}.get(t["by"], "")
        out.append(Finding(
            "release.counter_order_contradicts_time", CHECK, sev, conf,
            f"Counter order contradicts capture order within {t['device']} ({t['counter']}): "
            f"{len(bad)} of {t['rows_total']} files stand out of the order in which the "
            f"counter and the clock both rise ({', '.join(bad[:5])}"
            f"{' ...' if len(bad) > 5 else ''}): their dates were edited, or they come from "
            f"another occasion{alt}.",
            {"device": t["device"], "counter": t["counter"], "items": bad,
             "table": t["rows"]}))
    return out


def place_findings(facts: list[Facts], clusters: list[dict[str, Any]], params: ReleaseParams,
                   sources: Mapping[str, str] | None) -> list[Finding]:
    out = []
    for c in clusters:
        members = c["_facts"]
        if len(members) < params.place_min_members:
            continue
        claimed = _sources(members, sources)
        sev = "medium" if len(claimed) > 1 else "info"
        b = c["basis"]
        out.append(Finding("release.place_time_cluster", CHECK, sev, "high",
                           f"{len(members)} pictures were taken within "
                           f"{params.place_radius_m:g} m and {params.place_gap_s:g} s of one "
                           f"another (single link; all within {b['max_from_centre_m']:g} m of "
                           f"their centre, {b['first']} to {b['last']})"
                           + (f", though said to come from {len(claimed)} sources"
                              if len(claimed) > 1 else "") + ".",
                           {"cluster": c["id"], "items": c["members"], "basis": b,
                            "sources": claimed}))
    pts = [f for f in facts if f.gps is not None]
    if len(pts) >= params.all_within_min:
        lat = sum(f.gps[0] for f in pts) / len(pts)  # type: ignore[index]
        lon = sum(f.gps[1] for f in pts) / len(pts)  # type: ignore[index]
        far = max(haversine_km((lat, lon), f.gps) for f in pts) * 1000  # type: ignore[arg-type]
        if far <= params.all_within_m:
            claimed = _sources(pts, sources)
            out.append(Finding("release.all_within_radius", CHECK,
                               "medium" if len(claimed) > 1 else "low", "high",
                               f"All {len(pts)} positioned pictures lie within {far:.0f} m of "
                               f"one point ({lat:.5f}, {lon:.5f})"
                               + (f", though said to come from {len(claimed)} sources"
                                  if len(claimed) > 1 else "") + ".",
                               {"items": [f.path for f in pts], "sources": claimed,
                                "centre": {"lat": round(lat, 6), "lon": round(lon, 6)},
                                "max_from_centre_m": round(far, 1)}))
    return out


def signer_findings(clusters: list[dict[str, Any]]) -> list[Finding]:
    return [Finding("release.shared_signer", CHECK, "info", "high",
                    f"{len(c['members'])} files share one {c['by'].replace('_', ' ')} "
                    f"({_short(c['basis'])}).",
                    {"cluster": c["id"], "items": c["members"], "basis": c["basis"]})
            for c in clusters if c["by"] in ("c2pa_certificate", "pdf_signature")]
