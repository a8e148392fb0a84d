"""Same-source clusters of a release, each kind on its own (never one merged score).

Lab notes. A cluster is the set of items sharing exact values, and its ``basis`` lists those
values, so a reader can check it by hand:

* **device**, ``by`` (strongest first): ``serial`` (one body, lens or internal serial number
  of one maker: one physical device), ``owner`` (the camera's owner name), ``model_firmware``
  (make, model and firmware or phone build: bodies of one model on one firmware), ``model``
  (make and model only: the weakest; many bodies share it).
* **pipeline**: the writer's fingerprint, all of its parts equal. JPEG: quantization and
  Huffman table digests, marker/segment order (APPn with identifiers, repeats listed once),
  frame type and subsampling, EXIF layout (byte order, per-IFD tag lists without GPS),
  thumbnail size and tables, XMP packet style, ICC profile (Kee, Johnson & Farid 2011's
  camera signature, generalised to any software). PNG: chunk order, mode, text keys, ICC.
  PDF: Producer, Creator, version, fonts. Video: encoder and codec. A camera's files that
  later went through one editor share a pipeline distinct from the camera's.
* **signer**: one C2PA signing certificate (issuer, common name, serial), one C2PA claim
  generator, or one PDF signature signer.
* **place_time**: single-link groups of pictures whose GPS positions lie within
  ``place_radius_m`` and capture times within ``place_gap_s`` (times as written).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from typing import Any

from ..tracks.geo import haversine_km
from .facts import TABLE_PARTS, Facts, pipeline_key
from .params import ReleaseParams


def _groups(facts: Iterable[Facts], key: Callable[[Facts], Iterable[Hashable]]
            ) -> dict[Hashable, list[Facts]]:
    out: dict[Hashable, list[Facts]] = defaultdict(list)
    for f in facts:
        for k in key(f):
            out[k].append(f)
    return out


def _cluster(kind: str, by: str, members: list[Facts], basis: dict[str, Any]
             ) -> dict[str, Any]:
    return {"kind": kind, "by": by, "members": [m.path for m in members], "basis": basis,
            "_facts": members}


def device_clusters(facts: list[Facts]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    serial = _groups(facts, lambda f: [(cls, (f.make or "").split(" ")[0].lower(), v.upper())
                                       for cls, _, v in f.serials])
    for (cls, _make, _v), members in serial.items():
        if len(members) > 1:
            fields = sorted({fld for m in members for c, fld, v in m.serials if c == cls
                             and v.upper() == _v})
            value = next(v for c, _, v in members[0].serials if c == cls and v.upper() == _v)
            out.append(_cluster("device", "serial", members, {
                "serial_class": cls, "serial": value, "fields": fields,
                "make": members[0].make}))
    owner = _groups(facts, lambda f: [f.owner[1].strip().lower()] if f.owner else [])
    for _, members in owner.items():
        if len(members) > 1:
            out.append(_cluster("device", "owner", members, {
                "owner": members[0].owner[1] if members[0].owner else None,
                "fields": sorted({m.owner[0] for m in members if m.owner})}))
    firm = _groups(facts, lambda f: [(f.camera, f.firmware[1])] if f.camera and f.firmware
                   else [])
    for _, members in firm.items():
        if len(members) > 1:
            m0 = members[0]
            out.append(_cluster("device", "model_firmware", members, {
                "make": m0.make, "model": m0.model,
                "firmware": m0.firmware[1] if m0.firmware else None,
                "firmware_fields": sorted({m.firmware[0] for m in members if m.firmware})}))
    same = {frozenset(c["members"]) for c in out if c["by"] == "model_firmware"}
    model = _groups(facts, lambda f: [f.camera] if f.camera else [])
    for _, members in model.items():  # a model cluster no wider than its firmware one: left out
        if len(members) > 1 and frozenset(m.path for m in members) not in same:
            out.append(_cluster("device", "model", members, {
                "make": members[0].make, "model": members[0].model}))
    return out


def pipeline_clusters(facts: list[Facts]) -> list[dict[str, Any]]:
    out = []
    for k, members in _groups(facts, lambda f: [pipeline_key(f)] if f.pipeline else []).items():
        if len(members) > 1:
            basis: dict[str, Any] = {"fingerprint": k, **(members[0].pipeline or {})}
            for part in TABLE_PARTS:
                values = {(m.pipeline or {}).get(part) for m in members}
                if len(values) > 1:
                    basis[part] = f"varies ({len(values)} distinct: chosen per picture)"
            out.append(_cluster("pipeline", str(basis.get("format")), members, basis))
    return out


def signer_clusters(facts: list[Facts]) -> list[dict[str, Any]]:
    out = []

    def cert(f: Facts) -> list[Hashable]:
        s = f.signer or {}
        if not s:
            return []
        return [(s.get("issuer"), s.get("common_name"), s.get("cert_serial_number"))]

    for (issuer, cn, serial), members in _groups(facts, cert).items():  # type: ignore[misc]
        if len(members) > 1:
            out.append(_cluster("signer", "c2pa_certificate", members, {
                "issuer": issuer, "common_name": cn, "cert_serial_number": serial}))
    gens = _groups(facts, lambda f: [f.claim_generator] if f.claim_generator else [])
    for gen, members in gens.items():
        if len(members) > 1:
            out.append(_cluster("signer", "c2pa_claim_generator", members,
                                {"claim_generator": gen}))
    pdf = _groups(facts, lambda f: sorted(set(f.pdf_signers)))
    for who, members in pdf.items():
        if len(members) > 1:
            out.append(_cluster("signer", "pdf_signature", members, {"signer": who}))
    return out


class _Union:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def join(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def place_time_clusters(facts: list[Facts], params: ReleaseParams) -> list[dict[str, Any]]:
    """Single-link groups within ``place_radius_m`` and ``place_gap_s`` (grid of cells one
    radius wide: only the 9 neighbouring cells are compared)."""
    pts = [f for f in facts if f.gps is not None and f.epoch is not None]
    if len(pts) < 2:
        return []
    r_km = params.place_radius_m / 1000.0
    cell = params.place_radius_m / 111_320.0  # degrees of latitude per radius
    grid: dict[tuple[int, int], list[int]] = defaultdict(list)
    keys = []
    for i, f in enumerate(pts):
        lat, lon = f.gps  # type: ignore[misc]
        scale = max(0.01, math.cos(math.radians(lat)))
        k = (math.floor(lat / cell), math.floor(lon * scale / cell))
        keys.append(k)
        grid[k].append(i)
    uf = _Union(len(pts))
    for i, f in enumerate(pts):
        ky, kx = keys[i]
        for dy in (-1, 0, 1):
            for dx in (-1, 0, 1):
                for j in grid.get((ky + dy, kx + dx), ()):
                    if j <= i:
                        continue
                    g = pts[j]
                    if (abs((f.epoch or 0) - (g.epoch or 0)) <= params.place_gap_s
                            and haversine_km(f.gps, g.gps) <= r_km):  # type: ignore[arg-type]
                        uf.join(i, j)
    groups: dict[int, list[Facts]] = defaultdict(list)
    for i, f in enumerate(pts):
        groups[uf.find(i)].append(f)
    out = []
    for members in groups.values():
        if len(members) < 2:
            continue
        lat = sum(m.gps[0] for m in members) / len(members)  # type: ignore[index]
        lon = sum(m.gps[1] for m in members) / len(members)  # type: ignore[index]
        far = max(haversine_km((lat, lon), m.gps) for m in members) * 1000  # type: ignore[arg-type]
        times = sorted(m.time or "" for m in members)
        out.append(_cluster("place_time", "gps_and_time", members, {
            "radius_m": params.place_radius_m, "gap_s": params.place_gap_s,
            "centre": {"lat": round(lat, 6), "lon": round(lon, 6)},
            "max_from_centre_m": round(far, 1), "first": times[0], "last": times[-1]}))
    return out
