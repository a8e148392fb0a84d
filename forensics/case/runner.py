"""Run a case: scan the listed evidence, assess it against the claim, return the report.

:func:`run_case` is the one library entry point (``provenance case run`` calls it and hands
the dict to ``reports`` for rendering); :func:`verify_report` re-hashes the inputs a report
names and says whether anything changed since.

Every evidence file, picture or track, is analysed by the batch driver
(:func:`forensics.batch.run_batch`): in a worker process, with the per-file timeout and memory
limit, so a hostile file named in a case costs only its own entry (``timeout``,
``worker_crashed``...) and the report is still written. Tracks are measured against the claim
by the track check (``track.against_claim``, from :attr:`ScanOptions.claim`); pictures'
previews are the workers' thumbnails. Nothing here decodes or parses an evidence file.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import io
import os
import platform
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from .. import __version__
from ..batch import BatchOptions, run_batch
from ..checks import Check, get_checks
from ..context import Claim, ClaimPlace, ScanOptions
from ..errors import ProvenanceError
from ..model import SCHEMA as SCAN_SCHEMA
from ..scan import tool_info
from ..tracks import TRACK_MEDIA_TYPES, TrackParams
from ..tracks.analyse import drawn_points
from ..tracks.geo import map_extent
from .assess import (
    LIMIT_CLAIM,
    LIMIT_OBTAINED,
    AssessParams,
    apply_time_limits,
    assess_integrity,
    assess_originality,
    assess_place,
    assess_time,
    params_dict,
    suggest_media_category,
    suggest_rating,
    supports,
)
from .casefile import Case, EvidenceSpec, Place, inside_folder, load_case
from .claimreview import build_claimreview
from .light import apply_light, light_findings
from .navigation import assess_navigation
from .timeline import claim_timeline, item_timeline

REPORT_SCHEMA = "provenance.case-report/1"
PREVIEW_MAX_SIDE = 360
"""Longest side, pixels, of a picture's preview in the report (made by the worker from the
shared reduced decode, orientation applied)."""


def _sha256_file(path: str) -> tuple[str, int]:
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


def _claim(case: Case) -> Claim:
    def place(p: Place) -> ClaimPlace:
        return ClaimPlace(p.name, p.lat, p.lon, p.radius_km)

    return Claim(target=place(case.target) if case.target else None,
                 sites=tuple(place(p) for p in case.sites), window=case.window_iso)


def _case_checks(checks: tuple[Check, ...], track_params: TrackParams) -> tuple[Check, ...]:
    """The checks with the case's own track parameters (a check whose params have the
    field takes the case's value)."""
    out = []
    for c in checks:
        fields = {f.name for f in dataclasses.fields(c.params)} \
            if dataclasses.is_dataclass(c.params) else set()
        out.append(c.with_params(final_leg_km=track_params.final_leg_km)
                   if "final_leg_km" in fields else c)
    return tuple(out)


def _not_analysed(path: str) -> dict[str, Any]:
    msg = f"{path}: not analysed (the run was interrupted before this file finished)"
    return {"path": path, "sha256": None, "size": None, "media_type": None,
            "status": "error", "error": {"code": "not_analysed", "message": msg},
            "metadata": {}, "checks": [], "findings": []}


def _kind(spec_kind: str, item: dict[str, Any]) -> str:
    """``track`` / ``document`` / ``image``: a case file's ``kind``, or for ``auto`` what the
    file's bytes are (the intake's media type)."""
    if spec_kind in ("track", "document", "image"):
        return spec_kind
    return "track" if item.get("media_type") in TRACK_MEDIA_TYPES else "image"


def _preview(jpeg: bytes) -> dict[str, Any] | None:
    """The report's preview entry for a worker's thumbnail (a small upright JPEG)."""

    from PIL import Image  # only to read the thumbnail's size; the evidence is never opened

    try:
        with Image.open(io.BytesIO(jpeg)) as im:
            width, height = im.size
    except Exception:  # noqa: BLE001 - a preview is a courtesy
        return None
    return {"media_type": "image/jpeg", "width": width, "height": height,
            "data_base64": base64.b64encode(jpeg).decode("ascii")}


def _heatmaps(item: dict[str, Any]) -> list[dict[str, Any]]:
    """References to the PNG artifacts (heat maps) the checks produced for this item."""
    out = []
    for ci, check in enumerate(item.get("checks") or []):
        for ai, art in enumerate(check.get("artifacts") or []):
            if str(art.get("media_type", "")).startswith("image/"):
                out.append({"check": check.get("name"), "check_index": ci,
                            "artifact_index": ai, "name": art.get("name"),
                            "description": art.get("description")})
    return out


def _place_dict(p: Place | None) -> dict[str, Any] | None:
    if p is None:
        return None
    return {"name": p.name, "lat": p.lat, "lon": p.lon, "radius_km": p.radius_km,
            "note": p.note}


def _versions() -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for dist in ("pyyaml", "jsonschema", "jinja2", "defusedxml", "click"):
        try:
            out[dist] = version(dist)
        except PackageNotFoundError:
            out[dist] = None
    return out


def _index_searched(checks: tuple[Check, ...]) -> bool:
    return any(c.uses_index for c in checks)


def _mtime(path: str) -> str | None:
    try:
        ts = os.stat(path).st_mtime
    except OSError:
        return None
    return datetime.fromtimestamp(ts, timezone.utc).isoformat(timespec="seconds")


def run_case(case_path: str | os.PathLike[str], *,
             assess_params: AssessParams | None = None,
             track_params: TrackParams | None = None,
             checks: tuple[Check, ...] | None = None,
             batch: BatchOptions | None = None,
             allow_outside: bool = False) -> dict[str, Any]:
    """Validate the case file, scan and assess its evidence; return the report dict
    (``provenance.case-report/1``). Raises :class:`CaseFileError` for a bad case file.

    ``checks`` (default: every registered check) and ``batch`` (workers, per-file timeout
    and memory limit; its scan options are the case's) decide how the evidence is analysed.
    Evidence outside the case folder is refused unless ``allow_outside``; the report then
    names it (``case.outside_case_folder``, ``evidence[].outside_case_folder``).
    """
    assess_params = assess_params or AssessParams()
    track_params = track_params or TrackParams()
    case = load_case(case_path, allow_outside=allow_outside)
    generated_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    checks = _case_checks(tuple(checks) if checks is not None else get_checks(), track_params)
    options = ScanOptions.build(trust_anchors_path=case.trust_anchors_path,
                                index_path=case.index_path, claim=_claim(case))
    batch = dataclasses.replace(batch or BatchOptions(), scan=options, resume=False,
                                thumbnails=True, thumbnail_side=PREVIEW_MAX_SIDE,
                                thumbnail_upright=True)
    scanned: dict[str, dict[str, Any]] = {}
    thumbs: dict[str, bytes] = {}

    def keep(item: dict[str, Any]) -> None:
        scanned[os.path.realpath(item["path"])] = item

    def keep_thumb(path: str, data: bytes) -> None:
        thumbs[os.path.realpath(path)] = data

    run_batch(list(dict.fromkeys(e.path for e in case.evidence)), checks=checks,
              options=batch, on_item=keep, on_thumbnail=keep_thumb)
    items = {e.id: scanned.get(os.path.realpath(e.path)) or _not_analysed(e.path)
             for e in case.evidence}
    kinds = {e.id: _kind(e.kind, items[e.id]) for e in case.evidence}
    searched = bool(case.index_path) and _index_searched(checks)
    evidence: list[dict[str, Any]] = []
    for spec in case.evidence:
        kind = kinds[spec.id]
        entry: dict[str, Any] = {
            "id": spec.id, "file": spec.file, "path": spec.path, "kind": kind,
            "obtained_from": spec.obtained_from, "obtained_at": spec.obtained_at,
            "purports": spec.purports, "outside_case_folder": spec.outside_case_folder,
            "sha256": None, "size": None, "media_type": None,
            "status": "ok", "error": None, "summary": None, "preview": None, "track": None,
            "timeline": [], "assessments": [], "heatmaps": [], "scan": None,
        }
        item = items[spec.id]
        if kind == "track":
            entry.update(sha256=item.get("sha256"), size=item.get("size"),
                         media_type=item.get("media_type"), status=item.get("status"),
                         error=item.get("error"), scan=item)
            analysis = next((f.get("evidence") for f in item.get("findings") or []
                             if f.get("code") == "track.against_claim"), None)
            if analysis is None or item.get("status") == "error":
                err = item.get("error") or {"code": "not_a_track", "message":
                                            f"{spec.file}: not read as a track"}
                entry.update(status="error", error=err)
                entry["assessments"] = [{"assertion": a, "status": "cannot_tell",
                                         "confidence": "high", "summary": err["message"],
                                         "findings": [], "rests_on": []}
                                        for a in ("target", "time")]
            else:
                entry["track"] = analysis
                entry["timeline"] = item_timeline({}, window=case.window,
                                                  obtained_at=spec.obtained_at,
                                                  file_mtime=_mtime(spec.path), track=analysis)
        else:
            entry.update(sha256=item.get("sha256"), size=item.get("size"),
                         media_type=item.get("media_type"), status=item.get("status"),
                         error=item.get("error"),
                         summary=(item.get("metadata") or {}).get("summary"), scan=item)
            matches = [dict(f.get("evidence") or {}) for f in item.get("findings") or []
                       if f.get("code") == "known_image.match"]
            entry["timeline"] = item_timeline(item, window=case.window,
                                              obtained_at=spec.obtained_at,
                                              file_mtime=_mtime(spec.path),
                                              known_matches=matches)
            entry["heatmaps"] = _heatmaps(item)
            thumb = thumbs.get(os.path.realpath(spec.path))
            if kind == "image" and thumb is not None:
                entry["preview"] = _preview(thumb)
        if entry["sha256"] is None and os.path.isfile(spec.path):
            try:  # a file the scan refused (empty, timed out...) is still hashed, unparsed
                entry["sha256"], entry["size"] = _sha256_file(spec.path)
            except OSError:
                pass
        evidence.append(entry)
    groups = _mark_copies(evidence, case)
    specs = {e.id: e for e in case.evidence}
    labels = {os.path.realpath(e["path"]): f"{e['id']} ({e['file']})" for e in evidence}
    for entry in evidence:
        item = entry["scan"]
        group = groups.get(entry["sha256"] or "", [entry])
        limits = _limits(case, specs[entry["id"]], [e for e in group if e is not entry])
        if entry["kind"] == "track":
            if entry["track"] is not None:
                entry["assessments"] = [
                    apply_time_limits(a, entry["timeline"], limits, assess_params)
                    if a["assertion"] == "time" else a
                    for a in assess_navigation(entry["track"], case, track_params.near_km)]
                entry["assessments"].append(assess_integrity(item))
            continue
        dups = [f"{e['id']} ({e['file']})" for e in group if e is not entry]
        entry["assessments"] = [
            apply_light(assess_time(item, entry["timeline"], case.window, limits,
                                    assess_params), light_findings(item, case)),
            assess_place(item, case.place, assess_params),
            assess_originality(item, case.window, index_searched=searched,
                               exact_duplicates=dups, params=assess_params,
                               copy_of=entry["copy_of"], labels=labels),
            assess_integrity(item),
        ]
    for entry in evidence:
        can, cannot = supports(entry["assessments"])
        entry["can_support"], entry["cannot_support"] = can, cannot
        cat, why = suggest_media_category(entry["kind"], entry["scan"] or {},
                                          entry["assessments"])
        entry["suggested_media_category"] = cat
        entry["suggested_media_category_reason"] = why
        entry["confirmed_media_category"] = case.review.media.get(entry["id"])
    summary = suggest_rating(evidence)
    core = [(p.lat, p.lon) for p in (case.place, case.target, *case.sites) if p is not None]
    for e in evidence:
        core.extend(drawn_points(e.get("track") or {}))
    photos = [(e["id"], float(g["lat"]), float(g["lon"])) for e in evidence
              if not e["copy_of"]  # a byte-identical copy is the same dot
              and (g := (e.get("summary") or {}).get("gps")) and g.get("lat") is not None
              and g.get("lon") is not None]
    extent = map_extent(core, [(lat, lon) for _, lat, lon in photos])
    if extent is not None:
        extent["photos_shown"] = [photos[i][0] for i in extent.pop("others_shown")]
        extent["photo_km"] = {photos[i][0]: km for i, km in enumerate(extent.pop("others_km"))}
    summary["confirmed_rating"] = case.review.rating
    who = [v for v in (case.review.reviewer, case.review.organization) if v]
    summary["confirmed_by"] = ", ".join(who) if who else None
    claim = {"text": case.claim.text, "author": case.claim.author,
             "author_type": case.claim.author_type, "date": case.claim.date,
             "appearances": [{"url": a.url, "published": a.published, "title": a.title}
                             for a in case.claim.appearances]}
    assertions = _assertions(case, evidence)
    inputs = [_input("case_file", None, os.path.basename(case.path), case.path, case.sha256,
                     case.folder)]
    for e in evidence:
        inputs.append(_input("evidence", e["id"], e["file"], e["path"], e["sha256"],
                             case.folder))
    if case.index_path:
        sha = _sha256_file(case.index_path)[0] if os.path.isfile(case.index_path) else None
        inputs.append(_input("known_imagery_index", None, os.path.basename(case.index_path),
                             case.index_path, sha, case.folder))
    if case.trust_anchors_path:
        inputs.append(_input("trust_anchors", None, os.path.basename(case.trust_anchors_path),
                             case.trust_anchors_path,
                             _sha256_file(case.trust_anchors_path)[0], case.folder))
    check_params = {c.name: dict(c.params_dict()) for c in checks}
    tool = tool_info()
    return {
        "schema": REPORT_SCHEMA,
        "generated_at": generated_at,
        "case": {
            "title": case.title, "file": case.path, "sha256": case.sha256, "claim": claim,
            "asserts": {"event": ({"start": case.window_iso[0], "end": case.window_iso[1]}
                                  if case.window_iso else None),
                        "place": _place_dict(case.place), "target": _place_dict(case.target)},
            "sites": [_place_dict(s) for s in case.sites],
            "known_imagery": {"index": case.index_path, "searched": searched,
                              "note": _index_note(case.index_path, searched)},
            "outside_case_folder": [{"id": e.id, "file": e.file, "path": e.path}
                                    for e in case.evidence if e.outside_case_folder],
        },
        "timeline": claim_timeline(claim, case.window_iso, case.window),
        "evidence": evidence,
        "assertions": assertions,
        "summary": summary,
        "map": extent,
        "claimreview": build_claimreview(case, evidence, generated_at=generated_at),
        "reproducibility": {
            "tool": tool, "python": platform.python_version(),
            "platform": platform.platform(terse=True), "other_libraries": _versions(),
            "check_params": check_params,
            "case_params": {"assessment": params_dict(assess_params),
                            "track": {k: v for k, v in vars(track_params).items()}},
            "case_folder": case.folder,
            "inputs": inputs,
            "verify": "provenance case verify report.json",
        },
        "scan_schema": SCAN_SCHEMA,
        "tool_version": __version__,
    }


def _mark_copies(evidence: list[dict[str, Any]], case: Case) -> dict[str, list[dict[str, Any]]]:
    """Byte-identical evidence is one piece of evidence (issue 14, item 4): the first entry
    with a SHA-256 (in case-file order) is the piece; each later one gets ``copy_of`` (its
    id) and ``copy_note``, the first lists them in ``copies``. Returns SHA-256 -> entries.

    2026-12 notes: two entries with the same bytes (a track reposted under another name) were
    assessed as independent, so one file counted twice in the assertion table and in the
    suggested rating (two copies of one photo made 'likely' out of 'possible'). The same
    rule also missed that a copy obtained earlier bounds the other's times (the bytes
    existed by the earliest obtained_at: see :func:`_limits`), wrote one MediaReview per copy
    (now one, with an appearance per copy) and drew coincident photo dots on the map; an
    empty or unanalysed file's hash, taken after the scan, was never compared at all."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for e in evidence:
        e["copy_of"], e["copy_note"], e["copies"] = None, None, []
        if e["sha256"]:
            groups.setdefault(e["sha256"], []).append(e)
    for group in groups.values():
        first = group[0]
        for e in group[1:]:
            same = os.path.realpath(e["path"]) == os.path.realpath(first["path"])
            what = ("the same file as" if same else "a byte-identical copy of")
            e["copy_of"] = first["id"]
            e["copy_note"] = (f"{e['id']} ({e['file']}) is {what} {first['id']} "
                              f"({first['file']}): the same SHA-256, one piece of evidence, "
                              f"counted once (as {first['id']}) in the assertions and the "
                              "suggested rating.")
            first["copies"].append(e["id"])
    return groups


def _limits(case: Case, spec: EvidenceSpec, copies: list[dict[str, Any]] | None = None
            ) -> list[dict[str, Any]]:
    """The moments an evidence file's times cannot pass (see :func:`apply_time_limits`):
    when it was obtained (and each byte-identical copy: the same bytes existed by then), when
    the claim was made and each time it was published."""
    out = []
    if spec.obtained_at:
        out.append({"kind": LIMIT_OBTAINED, "source": "case file", "field": "obtained_at",
                    "value": spec.obtained_at})
    for c in copies or []:
        if c.get("obtained_at"):
            out.append({"kind": LIMIT_OBTAINED, "source": "case file",
                        "field": f"obtained_at of {c['id']} (the same bytes)",
                        "value": c["obtained_at"]})
    if case.claim.date:
        out.append({"kind": LIMIT_CLAIM, "source": "claim", "field": "claim.date",
                    "value": case.claim.date})
    for i, a in enumerate(case.claim.appearances):
        if a.published:
            out.append({"kind": LIMIT_CLAIM, "source": "claim",
                        "field": f"claim.appearance[{i}].published",
                        "value": a.published})
    return out


def _input(role: str, eid: str | None, file: str, path: str, sha256: str | None,
           folder: str) -> dict[str, Any]:
    """One input of the run, with its place relative to the case folder (``case_relative``,
    POSIX separators; ``None`` for a file outside it), so a copied or moved case folder is
    re-checked where it is now (:func:`verify_report`)."""
    real = os.path.realpath(path)
    inside = inside_folder(real, folder)
    rel = Path(os.path.relpath(real, folder)).as_posix() if inside else None
    return {"role": role, "id": eid, "file": file, "path": path, "sha256": sha256,
            "case_relative": rel, "outside_case_folder": not inside}


def _index_note(index: str | None, searched: bool) -> str:
    if not index:
        return "No known-imagery index named in the case file: originality was not searched."
    if not searched:
        return ("The case names an index, but this installation has no known-imagery check, "
                "so it was not searched.")
    return "Every image was matched against the known-imagery index."


def _assertions(case: Case, evidence: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per claim assertion: which items are consistent / inconsistent / cannot tell."""
    out = []
    specs = [("time", "event", "The event happened between "
              + (f"{case.window_iso[0]} and {case.window_iso[1]}" if case.window_iso
                 else "(no window given)")),
             ("place", "place", f"It happened at {case.place.name}" if case.place
              else "(no place given)"),
             ("target", "target", f"The target was {case.target.name}" if case.target
              else "(no target given)")]
    members: dict[str, list[dict[str, Any]]] = {}
    for e in evidence:  # each piece of evidence once: byte-identical copies under the first
        members.setdefault(e.get("copy_of") or e["id"], []).append(e)
    for assertion, key, statement in specs:
        groups: dict[str, list[str]] = {"consistent": [], "inconsistent": [], "cannot_tell": []}
        copies: dict[str, list[str]] = {}
        for pid, group in members.items():
            found = [a["status"] for e in group for a in e["assessments"]
                     if a["assertion"] == assertion]
            if not found:
                continue
            status = next(s for s in ("inconsistent", "consistent", "cannot_tell")
                          if s in found)
            groups[status].append(pid)
            if len(group) > 1:
                copies[pid] = [e["id"] for e in group[1:]]
        out.append({"assertion": assertion, "key": key, "statement": statement, **groups,
                    "copies": copies})
    return out


# --------------------------------------------------------------------------------------------
# verify
# --------------------------------------------------------------------------------------------


def _case_base(report: dict[str, Any], report_path: str | None, base_dir: str | None
               ) -> dict[str, Any]:
    """Which folder the report's inputs are looked for in, and why (see
    :func:`verify_report`)."""
    rp = report.get("reproducibility") or {}
    recorded = rp.get("case_folder") or os.path.dirname((report.get("case") or {}).get("file")
                                                        or "")
    from_report = rp.get("case_folder_from_report")
    if base_dir:
        return {"path": os.path.abspath(base_dir), "source": "base",
                "why": "the folder given with --base", "recorded": recorded}
    if report_path and from_report is not None:
        here = os.path.dirname(os.path.abspath(report_path))
        return {"path": os.path.normpath(os.path.join(here, from_report)), "source": "report",
                "why": f"where the report is now ({here}) and the case folder's place "
                       f"relative to it when it was written ({from_report!r})",
                "recorded": recorded}
    return {"path": recorded, "source": "recorded",
            "why": "the case folder recorded at run time (the report does not say where it "
                   "was written relative to the case folder)", "recorded": recorded}


def verify_report(report: dict[str, Any], *, report_path: str | os.PathLike[str] | None = None,
                  base_dir: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """Re-hash every input a report names, where the case folder is *now*.

    The case folder (the ``base``) is, in this order: ``base_dir`` (``--base``); else the
    folder the report sits in (``report_path``) joined with the case folder's place relative
    to it, recorded when the report was written
    (``reproducibility.case_folder_from_report``), so a case folder copied or moved with its
    report is checked where it is, not at the originals; else the case folder recorded at
    run time. Each input inside the case folder is looked for at ``base/case_relative``;
    one outside it (an allowed outside evidence file, a shared index) at its recorded path.
    ``ok`` only when every input is unchanged.

    2026-12 notes (issue 14, item 1): the previous version re-hashed the absolute paths
    recorded at run time unless ``--base`` was given, so a tampered copy of a case folder
    read "unchanged" (the originals were hashed) and a moved folder read "missing" with no
    hint. A missing file now says where it was looked for, from which base, and whether a
    file is still at the recorded path.
    """
    if report.get("schema") != REPORT_SCHEMA:
        raise ProvenanceError(f"not a case report ({report.get('schema')!r}, expected "
                              f"{REPORT_SCHEMA!r})", code="not_a_report")
    inputs = (report.get("reproducibility") or {}).get("inputs") or []
    base = _case_base(report, os.fspath(report_path) if report_path else None,
                      os.fspath(base_dir) if base_dir else None)
    recorded_folder = base["recorded"]
    results = []
    for inp in inputs:
        recorded = inp.get("path") or ""
        rel = inp.get("case_relative")
        if rel is None and "case_relative" not in inp and recorded_folder:
            # a report written before case_relative was recorded
            rel = (os.path.relpath(recorded, recorded_folder)
                   if inside_folder(os.path.normpath(recorded), recorded_folder) else None)
        path = os.path.join(base["path"], *rel.split("/")) if rel is not None else recorded
        entry: dict[str, Any] = {
            "role": inp.get("role"), "id": inp.get("id"), "file": inp.get("file"),
            "path": path, "recorded_path": recorded, "case_relative": rel,
            "looked_in": "case folder" if rel is not None else
            "recorded path (outside the case folder)",
            "expected": inp.get("sha256"), "actual": None, "hint": None}
        if not os.path.isfile(path):
            entry["status"] = "missing"
            entry["hint"] = _missing_hint(path, recorded, base, rel is not None)
        else:
            try:
                entry["actual"] = _sha256_file(path)[0]
            except OSError as exc:
                entry["status"] = "unreadable"
                entry["error"] = str(exc)
            else:
                if inp.get("sha256") is None:
                    entry["status"] = "not_hashed"
                    entry["hint"] = ("no SHA-256 was recorded for it when the report was "
                                     "written (the file was missing or unreadable then)")
                else:
                    entry["status"] = ("unchanged" if entry["actual"] == inp["sha256"]
                                       else "changed")
        results.append(entry)
    ok = bool(results) and all(r["status"] == "unchanged" for r in results)
    return {"ok": ok, "base": {k: base[k] for k in ("path", "source", "why")},
            "recorded_case_folder": recorded_folder, "inputs": results,
            "changed": [r for r in results if r["status"] != "unchanged"]}


def _missing_hint(path: str, recorded: str, base: dict[str, Any], in_folder: bool) -> str:
    where = f"not found at {path}"
    if not in_folder:
        return where + " (it was outside the case folder, so it is looked for where it was)"
    where += f" (case folder taken to be {base['path']}: {base['why']})"
    if os.path.normpath(recorded) != os.path.normpath(path) and os.path.isfile(recorded):
        return (where + f"; a file is still at the recorded path {recorded}: to check that "
                f"one, give --base {base['recorded']}")
    return where + "; if the case folder moved apart from the report, give --base FOLDER"
