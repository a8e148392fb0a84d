"""The known-imagery index: add previously published images, find their copies.

Typical use (the library API the CLI and the demo build on)::

    from provenancekit.forensics.index import open_index

    with open_index("known.sqlite") as idx:          # created when missing
        idx.add_image("archive/2019/strike.jpg", url="https://...", first_seen="2019-02-14",
                      caption="...", credit="...")
        result = idx.query_path("released.jpg")      # ranked matches with evidence
        for m in result.matches:
            print(m.record.url, m.candidate.distances(), m.transformation)

A scan loads the index once per process (:func:`load_index`) and the ``known_image`` check
matches every released image against it.

Path of the index: the explicit one, else the ``PROVENANCE_INDEX`` environment variable,
else ``$XDG_DATA_HOME/provenance/index.sqlite`` (``~/.local/share/provenance/index.sqlite``).
A scan uses an index only when given one (option or environment variable), so a scan never
depends on a file nobody pointed it to.
"""

from __future__ import annotations

import csv
import io
import os
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import numpy as np

from ..context import AnalysisContext
from ..errors import DecodeError, IntakeError
from ..intake import expand_paths, read_evidence
from ..model import EvidenceItem
from ..sniff import IMAGE_TYPES, SNIFF_BYTES, sniff_media_type
from . import features as feat
from .hashing import (
    PDQ_QUALITY_MIN,
    WORKING_SIDE,
    global_hashes,
    hash_versions,
    incompatibilities,
    trim_uniform_border,
)
from .match import (
    Candidate,
    MatchParams,
    confidence,
    describe_transformation,
    judge,
    parse_when,
)
from .matcher import HashMatcher
from .signature import Signature, signature_from_rgb
from .store import PROVENANCE_FIELDS, IndexRecord, IndexStore, KnownIndexError, SQLiteStore

ENV_VAR = "PROVENANCE_INDEX"


def default_index_path() -> str:
    """``$PROVENANCE_INDEX``, else ``$XDG_DATA_HOME/provenance/index.sqlite``, else
    ``~/.local/share/provenance/index.sqlite``."""
    env = os.environ.get(ENV_VAR)
    if env:
        return env
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local",
                                                           "share")
    return os.path.join(base, "provenance", "index.sqlite")


def resolve_index_path(explicit: str | os.PathLike[str] | None) -> str:
    """The index path for ``index`` commands: explicit, else :func:`default_index_path`."""
    return os.fspath(explicit) if explicit else default_index_path()


def scan_index_path(explicit: str | os.PathLike[str] | None) -> str | None:
    """The index a scan uses: explicit, else ``$PROVENANCE_INDEX``, else none."""
    if explicit:
        return os.fspath(explicit)
    return os.environ.get(ENV_VAR) or None


@dataclass(frozen=True)
class AddResult:
    """What happened to one input of ``index add``."""

    path: str
    status: str
    """``added``, ``exists`` (same SHA-256 already indexed) or ``skipped``."""
    sha256: str | None = None
    id: int | None = None
    code: str | None = None
    """Why it was skipped (``not_found``, ``corrupt_image``, ``unsupported_format``...)."""
    message: str = ""
    pdq_quality: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "status": self.status, "sha256": self.sha256, "id": self.id,
                "code": self.code, "message": self.message, "pdq_quality": self.pdq_quality}


@dataclass
class Match:
    """An indexed image a query was found to be a copy of."""

    record: IndexRecord
    candidate: Candidate
    transformation: dict[str, Any]
    confidence: str
    pdq_quality_min: int = PDQ_QUALITY_MIN
    """The :attr:`MatchParams.pdq_quality_min` the match was judged with."""

    def to_dict(self) -> dict[str, Any]:
        c = self.candidate
        v = c.verification
        q_min = self.pdq_quality_min
        return {
            "entry": self.record.provenance(),
            "method": c.method,
            "confidence": self.confidence,
            "distances": c.distances(),
            "pdq_quality": {"known": c.pdq_quality, "release": c.query_pdq_quality},
            "low_quality_pdq": bool(
                (c.pdq_quality is not None and c.pdq_quality < q_min)
                or (c.query_pdq_quality is not None and c.query_pdq_quality < q_min)),
            "verification": None if v is None else {
                "verified": v.reason == "verified", "inliers": v.inliers,
                "matches": v.matches, "mirrored": v.mirrored, "scale": v.scale,
                "rotation_deg": v.rotation_deg, "region": v.region, "spread": v.spread,
                "transform": v.transform, "reason": v.reason},
            "transformation": self.transformation,
            "region": None if c.region is None else {
                "box": list(c.region),
                "found": "the known picture is inside a larger frame (a screenshot or a card): "
                         "box is its place in the frame, relative (left, top, right, bottom)"},
            "notes": list(c.reasons),
        }


@dataclass
class QueryResult:
    """Matches of one query image, closest first, and the closest rejected candidates."""

    path: str
    sha256: str | None
    matches: list[Match] = field(default_factory=list)
    rejected: list[Candidate] = field(default_factory=list)
    pdq_quality: int | None = None
    error: str | None = None
    code: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path, "sha256": self.sha256, "pdq_quality": self.pdq_quality,
            "error": None if self.error is None else {"code": self.code,
                                                     "message": self.error},
            "matches": [m.to_dict() for m in self.matches],
            "closest_non_matches": [
                {"sha256": c.sha256, "distances": c.distances(),
                 "inliers": c.verification.inliers if c.verification else None,
                 "reasons": c.reasons} for c in self.rejected[:3]],
        }


def decode_working(path_or_bytes: str | os.PathLike[str] | bytes, *,
                   name: str | None = None) -> tuple[EvidenceItem, AnalysisContext, np.ndarray]:
    """Read (or take) the bytes, type them and decode the bounded working image.

    Uses the same :class:`AnalysisContext` decode as a scan (JPEG draft, never a full
    12 MP decode). Raises :class:`IntakeError` / :class:`DecodeError` naming the file.
    """
    if isinstance(path_or_bytes, (bytes, bytearray, memoryview)):
        import hashlib

        data = bytes(path_or_bytes)
        label = name or "<bytes>"
        if not data:
            raise IntakeError(f"{label}: the data is empty", path=label, code="empty_file")
        item = EvidenceItem(path=label, sha256=hashlib.sha256(data).hexdigest(),
                            size=len(data), media_type=sniff_media_type(data[:SNIFF_BYTES]))
    else:
        item, data = read_evidence(os.fspath(path_or_bytes))
    if item.media_type not in IMAGE_TYPES:
        raise DecodeError(f"{item.path}: {item.media_type} is not an image format this "
                          "version analyses", path=item.path, code="unsupported_format")
    ctx = AnalysisContext(item, data)
    rgb = ctx.rgb(WORKING_SIDE)
    serious = [p for p in ctx.problems if p.code in ("truncated", "decompression_bomb",
                                                      "corrupt_image")]
    if serious:
        raise DecodeError(serious[0].message, path=item.path, code=serious[0].code)
    return item, ctx, rgb


def read_source_csv(path: str | os.PathLike[str]) -> dict[str, dict[str, str]]:
    """Provenance rows of a CSV with a header ``path,url,first_seen,caption,credit``.

    Keys are absolute paths (relative ones are taken relative to the CSV's folder). Extra
    columns are ignored; values are kept as text (data, never evaluated).
    Raises :class:`KnownIndexError` (code ``bad_source_csv``) when there is no ``path`` column.
    """
    path = os.fspath(path)
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            text = fh.read()
    except OSError as exc:
        raise KnownIndexError(f"{path}: cannot read the source CSV ({exc.strerror})", path=path,
                          code="bad_source_csv") from exc
    reader = csv.DictReader(io.StringIO(text))
    fields = {(f or "").strip().lower(): f for f in (reader.fieldnames or [])}
    if "path" not in fields:
        raise KnownIndexError(f"{path}: the source CSV needs a header with a 'path' column "
                          "(path,url,first_seen,caption,credit)", path=path,
                          code="bad_source_csv")
    base = os.path.dirname(os.path.abspath(path))
    out: dict[str, dict[str, str]] = {}
    for row in reader:
        p = (row.get(fields["path"]) or "").strip()
        if not p:
            continue
        full = os.path.normpath(p if os.path.isabs(p) else os.path.join(base, p))
        out[full] = {k: (row.get(fields[k]) or "").strip() for k in PROVENANCE_FIELDS
                     if k in fields}
    return out


class KnownImageIndex:
    """A store plus its in-memory matcher and the matching rules (:class:`MatchParams`)."""

    def __init__(self, store: IndexStore, *, params: MatchParams | None = None):
        self.store = store
        self.params = params or MatchParams()
        """The rules every match and add of this object uses (a scan's are the
        ``known_image`` check's own, given to :func:`load_index`)."""
        self._matcher: HashMatcher | None = None
        self._lock = threading.RLock()
        stored = _stored_versions(store)
        problems = incompatibilities(stored, hash_versions())
        if stored.get("features") not in (None, feat.FEATURE_SCHEME):
            problems.append(f"features: index has {stored.get('features')!r}, this "
                            f"installation {feat.FEATURE_SCHEME!r}")
        if problems:
            where = getattr(store, "path", "index")
            raise KnownIndexError(f"{where}: the index was built with incompatible hash versions "
                              f"({'; '.join(problems)}); rebuild it with this installation",
                              path=where, code="incompatible_index")

    @property
    def path(self) -> str | None:
        return getattr(self.store, "path", None)

    def with_params(self, params: MatchParams) -> KnownImageIndex:
        """The same index (store, loaded matcher) judged with other rules.

        The two objects share the store: closing either closes it. Searching is unchanged
        (the in-memory tables do not depend on the rules), so this costs no reload.
        """
        if params == self.params:
            return self
        view = object.__new__(KnownImageIndex)
        view.store, view.params = self.store, params
        view._matcher, view._lock = self.matcher, self._lock
        return view

    @property
    def matcher(self) -> HashMatcher:
        """The in-memory matcher, loaded from the store on first use (and after adds)."""
        with self._lock:
            if self._matcher is None:
                self._matcher = HashMatcher(self.store.hash_arrays())
            return self._matcher

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> KnownImageIndex:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # -- adding ----------------------------------------------------------------------------
    def add_image(self, source: str | os.PathLike[str] | bytes, *, url: str | None = None,
                  first_seen: str | None = None, caption: str | None = None,
                  credit: str | None = None, name: str | None = None) -> AddResult:
        """Add one image (a path or its bytes) with its provenance.

        Never raises for a bad image: the result says ``skipped`` with a code and a message.
        Adding the same bytes again changes nothing but empty provenance fields.
        """
        label = name or (os.fspath(source) if not isinstance(source, (bytes, bytearray))
                         else "<bytes>")
        prov = {"url": url, "first_seen": first_seen, "caption": caption, "credit": credit}
        prov = {k: (str(v).strip() if v is not None else None) or None for k, v in prov.items()}
        if prov["first_seen"] is not None and parse_when(prov["first_seen"]) is None:
            return AddResult(label, "skipped", code="bad_first_seen",
                             message=f"{label}: first_seen {prov['first_seen']!r} is not an "
                                     "ISO 8601 date (YYYY, YYYY-MM, YYYY-MM-DD or date-time)")
        try:
            item, ctx, rgb = decode_working(source, name=name)
        except (IntakeError, DecodeError) as err:
            msg = err.message if label in err.message else f"{label}: {err.message}"
            return AddResult(label, "skipped", code=err.code, message=msg)
        except Exception as exc:  # noqa: BLE001 - one bad file never aborts an add
            return AddResult(label, "skipped", code="unreadable",
                             message=f"{label}: cannot be decoded ({type(exc).__name__}: "
                                     f"{exc})"[:300])
        hashes = global_hashes(rgb)
        local = feat.extract(rgb)
        alternates = []
        inner, box = trim_uniform_border(rgb, tolerance=4)
        h_w, w_w = rgb.shape[:2]
        margin = max(1 - (box[2] - box[0]) / w_w, 1 - (box[3] - box[1]) / h_w)
        if margin >= self.params.alternate_margin:  # the picture inside its own flat margin
            a = global_hashes(inner)
            alternates.append((a.phash, a.dhash, a.pdq, a.pdq_quality))
        w, h = (int(v) for v in ctx.image.size)
        record = IndexRecord(
            sha256=item.sha256, phash=hashes.phash, dhash=hashes.dhash, pdq=hashes.pdq,
            pdq_quality=hashes.pdq_quality, width=w, height=h, media_type=item.media_type,
            source_path=None if isinstance(source, (bytes, bytearray)) else os.path.abspath(
                os.fspath(source)),
            added_at=datetime.now(timezone.utc).isoformat(timespec="seconds"), **prov)
        status, new_id = self.store.add(record, feat.pack(local) if len(local) else None,
                                        feat.words(local.descriptors), alternates)
        if status == "added":
            with self._lock:
                self._matcher = None
        msg = "added" if status == "added" else "already indexed (same SHA-256)"
        if hashes.pdq_quality < self.params.pdq_quality_min:
            msg += f"; low PDQ quality {hashes.pdq_quality} (flagged, not trusted alone)"
        return AddResult(label, status, item.sha256, new_id, None, msg, hashes.pdq_quality)

    def add_paths(self, paths: Iterable[str | os.PathLike[str]], *,
                  source_csv: str | os.PathLike[str] | None = None,
                  defaults: Mapping[str, str | None] | None = None) -> Iterator[AddResult]:
        """Add files and folders (recursively); each file is its own transaction.

        Provenance comes from ``source_csv`` rows (matched by path, else by unique file
        name), with ``defaults`` filling what a row leaves empty. With no ``paths``, the
        files the CSV lists are added.
        """
        rows = read_source_csv(source_csv) if source_csv else {}
        by_name: dict[str, list[str]] = {}
        for p in rows:
            by_name.setdefault(os.path.basename(p), []).append(p)
        paths = list(paths)
        if not paths:
            paths = list(rows)
        defaults = dict(defaults or {})
        for inp in expand_paths(paths):
            if inp.error is not None:
                yield AddResult(inp.path, "skipped", code=inp.error.code,
                                message=inp.error.message)
                continue
            row = rows.get(os.path.normpath(os.path.abspath(inp.path)))
            if row is None:
                same = by_name.get(os.path.basename(inp.path), [])
                row = rows[same[0]] if len(same) == 1 else {}
            prov = {k: row.get(k) or defaults.get(k) for k in PROVENANCE_FIELDS}
            yield self.add_image(inp.path, **prov)

    # -- matching --------------------------------------------------------------------------
    def match(self, sig: Signature, *, local_features: bool = True
              ) -> tuple[list[Match], list[Candidate]]:
        """Matches of one signature (accepted, strongest first) and rejected candidates.

        With ``local_features=False`` only the global hashes are searched and judged (no
        feature votes, no RANSAC): the screening depth of the ``quick`` profile.
        """
        p = self.params
        m = self.matcher
        q_pdq, q_ph, q_dh = sig.probe_arrays()
        cands: dict[int, Candidate] = {}
        rows_of_id: dict[int, int] = {}
        if m.n:
            found = m.search(q_pdq, q_ph, q_dh, pdq_radius=p.search_pdq_radius,
                             phash_radius=p.search_phash_radius)
            order = np.lexsort((found.phash, found.pdq))[:p.max_hash_candidates]
            ids = m.ids(found.rows[order])
            for k, i in zip(order, ids, strict=True):
                if int(i) not in cands:  # closest row first
                    cands[int(i)] = self._candidate(int(i), found, int(k), sig)
                    rows_of_id[int(i)] = int(found.rows[k])
        if sig.sha256:
            rec = self.store.get(sig.sha256)
            if rec is not None and rec.id is not None:
                c = cands.get(rec.id) or self._candidate_for_ids([rec.id], sig, rows_of_id)[0]
                c.identical = True
                cands[rec.id] = c
        if local_features:
            self._add_votes(cands, rows_of_id, sig, feat.words(sig.features.descriptors))
        records = self.store.records(cands)
        if local_features:
            self._verify(cands, records, sig, mirrored=False)
        for c in cands.values():
            judge(c, p, query_information=sig.information(c.pdq_variant or 0))
        if local_features and p.mirrored_pass and not any(c.accepted for c in cands.values()) \
                and m.n:
            # only what the mirrored features vote for, and the hash candidates whose closest
            # variant is a mirror image, are verified mirrored (not every candidate again)
            mirror = sig.mirrored_features
            voted = self._add_votes(cands, rows_of_id, sig, feat.words(mirror.descriptors))
            records.update(self.store.records(set(cands) - set(records)))
            self._verify(cands, records, sig, mirrored=True, only=voted | {
                i for i, c in cands.items()
                if c.pdq_variant is not None and c.pdq_variant % 8 >= 4})
            for c in cands.values():
                judge(c, p, query_information=sig.information(c.pdq_variant or 0))
        matches = []
        for c in cands.values():
            if not c.accepted:
                continue
            rec = records[c.id]
            tr = describe_transformation(c, query_size=sig.full_size,
                                         ref_size=(rec.width, rec.height), params=p,
                                         trim_box=sig.box(c.pdq_variant or 0),
                                         working_size=sig.working_size)
            matches.append(Match(rec, c, tr, confidence(c, p), p.pdq_quality_min))
        matches.sort(key=_match_rank)
        rejected = sorted((c for c in cands.values() if not c.accepted),
                          key=lambda c: (c.pdq if c.pdq is not None else 999,
                                         -(c.verification.inliers if c.verification else 0)))
        return matches, rejected

    def _candidate(self, id_: int, found: Any, k: int, sig: Signature) -> Candidate:
        m = self.matcher
        row = int(found.rows[k])
        pv = int(found.pdq_variant[k])
        return Candidate(
            id=id_, sha256="", pdq=int(found.pdq[k]), pdq_variant=pv,
            phash=int(found.phash[k]), phash_variant=int(found.phash_variant[k]),
            dhash=int(found.dhash[k]), dhash_variant=int(found.dhash_variant[k]),
            pdq_quality=int(m.quality[row]),
            query_pdq_quality=sig.sets[min(pv // 8, len(sig.sets) - 1)].pdq_quality,
            trimmed=pv >= 8, region=sig.region(pv))

    def _candidate_for_ids(self, ids: list[int], sig: Signature,
                           rows_of_id: dict[int, int]) -> list[Candidate]:
        m = self.matcher
        rows = m.rows_of(np.array(ids, np.int64))
        ok = rows >= 0
        out = []
        if ok.any():
            q_pdq, q_ph, q_dh = sig.probe_arrays()
            d = m.distances(rows[ok], q_pdq, q_ph, q_dh)
            for k, i in enumerate(np.array(ids)[ok]):
                out.append(self._candidate(int(i), d, k, sig))
                rows_of_id[int(i)] = int(d.rows[k])
        for i in np.array(ids)[~ok]:
            out.append(Candidate(id=int(i), sha256=""))
        return out

    def _add_votes(self, cands: dict[int, Candidate], rows_of_id: dict[int, int],
                   sig: Signature, words: np.ndarray) -> set[int]:
        """Add the vote candidates of ``words``; returns their ids."""
        p = self.params
        votes = self.store.vote(words.tolist(), limit=p.word_candidates, min_votes=p.min_votes)
        new = [i for i, _ in votes if i not in cands]
        for c in self._candidate_for_ids(new, sig, rows_of_id):
            cands[c.id] = c
        for i, n in votes:
            cands[i].votes = max(cands[i].votes, n)
        return {i for i, _ in votes}

    def _verify(self, cands: dict[int, Candidate], records: dict[int, IndexRecord],
                sig: Signature, *, mirrored: bool, only: set[int] | None = None) -> None:
        p = self.params
        todo = [c for c in cands.values()
                if (c.verification is None or c.verification.reason != "verified")
                and (only is None or c.id in only)]
        stored = self.store.features([c.id for c in todo])
        query = sig.mirrored_features if mirrored else sig.features
        for c in todo:
            rec = records.get(c.id)
            if rec is not None:
                c.sha256 = rec.sha256
            data = stored.get(c.id)
            if data is None or rec is None:
                continue
            try:
                ref = feat.unpack(data)
            except ValueError:
                continue
            v = feat.verify(query, ref, ratio=p.ratio, reprojection=p.reprojection,
                            min_spread=p.min_spread, min_inliers=p.min_inliers,
                            query_full_size=sig.full_size, ref_full_size=(rec.width, rec.height),
                            mirrored=mirrored)
            if c.verification is None or v.reason == "verified" or \
                    v.inliers > c.verification.inliers:
                c.verification = v

    def query_path(self, source: str | os.PathLike[str] | bytes, *,
                   name: str | None = None, local_features: bool = True) -> QueryResult:
        """Match one image file (or its bytes). Bad input gives a result with ``error``.
        ``local_features=False``: the global hashes alone (the ``quick`` profile's depth)."""
        label = name or (os.fspath(source) if not isinstance(source, (bytes, bytearray))
                         else "<bytes>")
        try:
            item, ctx, rgb = decode_working(source, name=name)
        except (IntakeError, DecodeError) as err:
            return QueryResult(label, None, error=err.message, code=err.code)
        w, h = (int(v) for v in ctx.image.size)
        sig = signature_from_rgb(rgb, full_size=(w, h), sha256=item.sha256,
                                 regions=self.params.region_settings())
        matches, rejected = self.match(sig, local_features=local_features)
        return QueryResult(label, item.sha256, matches, rejected, sig.hashes.pdq_quality)

    def stats(self) -> dict[str, Any]:
        out = self.store.stats()
        out["matcher_loaded"] = self._matcher is not None
        if self._matcher is not None:
            out["matcher_bytes"] = self._matcher.nbytes()
        return out


def _match_rank(m: Match) -> tuple[int, int, int]:
    c = m.candidate
    strength = 0 if c.identical else (1 if c.method and "+" in c.method else 2)
    inl = -(c.verification.inliers if c.verification else 0)
    return (strength, c.pdq if c.pdq is not None else 999, inl)


def _stored_versions(store: IndexStore) -> dict[str, str]:
    import json

    try:
        return json.loads(store.meta().get("hash_versions", "{}"))
    except ValueError:
        return {}


def _current_versions() -> dict[str, str]:
    v = hash_versions()
    v["features"] = feat.FEATURE_SCHEME
    return v


def open_index(path: str | os.PathLike[str] | None = None, *, create: bool = True,
               readonly: bool = False, params: MatchParams | None = None) -> KnownImageIndex:
    """Open (by default creating) a SQLite known-imagery index.

    ``path`` defaults to :func:`default_index_path`. Raises :class:`KnownIndexError` with a
    clear message for a missing (``create=False``), corrupt or incompatible index.
    """
    where = resolve_index_path(path)
    store = SQLiteStore(where, create=create and not readonly, readonly=readonly,
                        hash_versions=_current_versions())
    try:
        return KnownImageIndex(store, params=params)
    except Exception:
        store.close()
        raise


_LOADED: dict[str, tuple[tuple[int, int], KnownImageIndex]] = {}
_LOADED_LOCK = threading.Lock()


def load_index(path: str | os.PathLike[str], *,
               params: MatchParams | None = None) -> KnownImageIndex:
    """The read-only index at ``path`` with its matcher loaded: once per process.

    Reopened only when the file changed (size or modification time). ``params`` are the
    rules its matches are judged with (a scan passes the ``known_image`` check's own, so a
    changed threshold changes the outcome); the file is loaded once whatever the rules
    (:meth:`KnownImageIndex.with_params`). ``None``: the default :class:`MatchParams`.
    """
    return _load(path).with_params(params or MatchParams())


def _load(path: str | os.PathLike[str]) -> KnownImageIndex:
    where = os.path.abspath(os.fspath(path))
    try:
        st = os.stat(where)
    except OSError as exc:
        raise KnownIndexError(f"{where}: no known-imagery index here ({exc.strerror})",
                          path=where, code="index_not_found") from exc
    stamp = (st.st_mtime_ns, st.st_size)
    with _LOADED_LOCK:
        hit = _LOADED.get(where)
        if hit is not None and hit[0] == stamp:
            return hit[1]
        idx = open_index(where, create=False, readonly=True)
        idx.matcher  # noqa: B018 - load the hashes now, once
        if hit is not None:
            hit[1].close()
        _LOADED[where] = (stamp, idx)
        return idx
