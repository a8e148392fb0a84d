"""The case file (``case.yaml``): what is claimed, and the released evidence.

Parsed with PyYAML's safe loader (no Python objects, no tags that run code); the node tree
from ``yaml.compose`` keeps every field's line so a problem is reported as
``case.yaml:12: claim.text: is required``. Unknown fields are refused (a typo must not
silently drop an assertion), with the nearest known name suggested.

Paths are relative to the case file's folder, and evidence stays inside it: a path that
leaves it (``../../../etc/passwd``, an absolute path, a link pointing out) is refused unless
the run allows it (``allow_outside``), and the report then names each such file. A case
folder is what travels (to a colleague, into an archive): a report resting on files outside
it cannot be re-checked from the folder, and a path taken silently from elsewhere on the
machine can put that file's contents (a preview, its metadata) into a published report
(issue 14, item 8). The known-imagery index and trust anchors may sit outside (a desk's
shared index): they are read, never shown, and the report records whether each is inside.
"""

from __future__ import annotations

import difflib
import hashlib
import math
import os
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from ..errors import ProvenanceError
from ..tracks.times import TimeValue, Window, read_time
from .template import Placeholder, placeholders

CASE_VERSION = 1
FIRST_DRAFT = ("verified", "likely", "possible", "unverified", "false")
"""First Draft's verification scale, strongest first."""
MEDIA_CATEGORIES = ("OriginalMediaContent", "EditedOrCroppedContent",
                    "DecontextualizedContent", "TransformedContent", "StagedContent",
                    "SatireOrParodyContent")
"""schema.org ``MediaManipulationRatingEnumeration`` members used by MediaReview."""
EVIDENCE_KINDS = ("auto", "image", "track", "document")
MAX_CASE_BYTES = 2 * 1024 * 1024
PLACEHOLDER_PROBLEM = "still holds the template's placeholder"
"""How a problem about a template placeholder left in the case file begins."""
MAX_DEPTH = 32
"""Deepest nesting of mappings and lists a case file may have (real ones use four)."""


class CaseFileError(ProvenanceError):
    """The case file is missing, unreadable or invalid. ``problems`` lists each one."""

    code = "invalid_case"

    def __init__(self, message: str, *, path: str | None = None,
                 problems: list[str] | None = None):
        super().__init__(message, path=path)
        self.problems = problems or []


@dataclass(frozen=True)
class Appearance:
    url: str
    published: str | None = None
    title: str | None = None


@dataclass(frozen=True)
class Claim:
    text: str
    author: str
    date: str | None
    appearances: tuple[Appearance, ...] = ()
    author_type: str = "Organization"


@dataclass(frozen=True)
class Place:
    name: str
    lat: float
    lon: float
    radius_km: float | None = None
    note: str | None = None


@dataclass(frozen=True)
class EvidenceSpec:
    id: str
    file: str
    """The path as the case file writes it."""
    path: str
    """Absolute path, resolved against the case file's folder."""
    kind: str = "auto"
    obtained_from: str | None = None
    obtained_at: str | None = None
    purports: str | None = None
    line: int = 0
    outside_case_folder: bool = False
    """The file lies outside the case file's folder (taken only with ``allow_outside``)."""


@dataclass(frozen=True)
class Review:
    """What the fact-checker confirms after reading the report (never filled by the tool)."""

    reviewer: str | None = None
    organization: str | None = None
    organization_url: str | None = None
    rating: str | None = None
    rating_explanation: str | None = None
    url: str | None = None
    published: str | None = None
    media: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Case:
    path: str
    sha256: str
    title: str
    claim: Claim
    window: Window | None
    window_iso: tuple[str, str] | None
    place: Place | None
    target: Place | None
    sites: tuple[Place, ...]
    evidence: tuple[EvidenceSpec, ...]
    review: Review
    index_path: str | None = None
    trust_anchors_path: str | None = None
    allow_outside: bool = False
    """Evidence outside the case folder was allowed (``provenance case run --allow-outside``)."""

    @property
    def folder(self) -> str:
        return os.path.dirname(self.path)


# --------------------------------------------------------------------------------------------
# Reading with line numbers
# --------------------------------------------------------------------------------------------


class _Lines:
    """Line of every node in the composed tree, by field path (``("claim", "text")``)."""

    def __init__(self, name: str, budget: int = MAX_CASE_BYTES):
        self.name = name
        self.lines: dict[tuple[Any, ...], int] = {}
        self.problems: list[str] = []
        self.budget = budget
        """Values (and characters of text) the walk may still visit: YAML aliases repeat a
        node wherever they are used, so a small file can stand for billions of values."""

    def walk(self, node: yaml.Node, path: tuple[Any, ...] = ()) -> None:
        self.budget -= 1 + (len(node.value) if isinstance(node, yaml.ScalarNode) else 0)
        if self.budget < 0:
            raise CaseFileError(f"{self.name}: YAML aliases (*name) expand the case file to far "
                                "more values than it holds; write the values out instead",
                                path=self.name)
        if len(path) > MAX_DEPTH:
            raise CaseFileError(f"{self.name}:{node.start_mark.line + 1}: values are nested "
                                f"more than {MAX_DEPTH} levels deep", path=self.name)
        self.lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            seen: dict[Any, int] = {}
            for key, value in node.value:
                k = key.value if isinstance(key, yaml.ScalarNode) else str(key.value)
                if k in seen:
                    self.error(path + (k,), f"appears twice (first on line {seen[k]})",
                               key.start_mark.line + 1)
                seen[k] = key.start_mark.line + 1
                self.lines[path + (k,)] = key.start_mark.line + 1
                self.walk(value, path + (k,))
                self.lines[path + (k,)] = key.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode):
            for i, value in enumerate(node.value):
                self.walk(value, path + (i,))

    def line(self, path: tuple[Any, ...]) -> int:
        while path and path not in self.lines:
            path = path[:-1]
        return self.lines.get(path, 1)

    def error(self, path: tuple[Any, ...], what: str, line: int | None = None) -> None:
        where = ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in path)
        where = where.replace(".[", "[") or "(top level)"
        self.problems.append(f"{self.name}:{line or self.line(path)}: {where}: {what}")


class _Reader:
    def __init__(self, data: Any, lines: _Lines):
        self.data = data
        self.lines = lines

    def get(self, path: tuple[Any, ...]) -> Any:
        cur = self.data
        for p in path:
            if isinstance(p, int):
                if not isinstance(cur, list) or p >= len(cur):
                    return None
            elif not isinstance(cur, dict):
                return None
            cur = cur[p] if isinstance(p, int) else cur.get(p)
        return cur

    def mapping(self, path: tuple[Any, ...], allowed: tuple[str, ...], *,
                required: bool = True) -> dict[str, Any] | None:
        value = self.get(path)
        if value is None:
            if required:
                self.lines.error(path, "is required (a mapping of fields)")
            return None
        if not isinstance(value, dict):
            self.lines.error(path, f"must be a mapping of fields, not {_kind(value)}")
            return None
        for key in value:
            if key not in allowed:
                hint = difflib.get_close_matches(str(key), allowed, n=1)
                self.lines.error(path + (key,), "unknown field" + (
                    f" (did you mean '{hint[0]}'?)" if hint else
                    f" (known: {', '.join(allowed)})"))
        return value

    def text(self, path: tuple[Any, ...], *, required: bool = False,
             choices: tuple[str, ...] | None = None) -> str | None:
        value = self.get(path)
        if value is None or value == "":
            if required:
                self.lines.error(path, "is required")
            return None
        if isinstance(value, (dict, list)):
            self.lines.error(path, f"must be text, not {_kind(value)}")
            return None
        if isinstance(value, bool):  # YAML 1.1 reads a bare false/no/off as a boolean
            out = "false" if value is False else "true"
        else:
            out = value.isoformat() if isinstance(value, (date, datetime)) else str(value)
        if choices is not None and out not in choices:
            hint = difflib.get_close_matches(out, choices, n=1)
            self.lines.error(path, f"{out!r} is not one of {', '.join(choices)}"
                             + (f" (did you mean '{hint[0]}'?)" if hint else ""))
            return None
        return out

    def number(self, path: tuple[Any, ...], *, required: bool = False, lo: float | None = None,
               hi: float | None = None, unit: str = "") -> float | None:
        value = self.get(path)
        if value is None:
            if required:
                self.lines.error(path, "is required (a number)")
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.lines.error(path, f"must be a number{unit}, not {_kind(value)} {value!r}")
            return None
        v = float(value)
        if not math.isfinite(v) or (lo is not None and v < lo) or (hi is not None and v > hi):
            self.lines.error(path, f"{value} is out of range ({lo} to {hi}{unit})")
            return None
        return v

    def time(self, path: tuple[Any, ...], *, required: bool = False,
             need_offset: bool = False) -> TimeValue | None:
        value = self.get(path)
        if value is None or value == "":
            if required:
                self.lines.error(path, "is required (an ISO 8601 date-time such as "
                                       "2025-12-29T21:00:00+03:00)")
            return None
        t = read_time(value)  # calendar ends are explained below, not called "not a time"
        if t is None:
            self.lines.error(path, f"{str(value)[:60]!r} is not an ISO 8601 date or date-time")
            return None
        try:
            t.earliest_utc(), t.latest_utc()
        except OverflowError:  # 0001-01-01 / 9999-12-31: the UTC offset range leaves the calendar
            self.lines.error(path, f"{t.iso()} is too close to the ends of the calendar "
                                   "to be placed in time")
            return None
        if need_offset and (not t.has_offset or t.date_only):
            self.lines.error(path, f"{t.iso()} needs a time and a UTC offset "
                                   "(e.g. 2025-12-29T21:00:00+03:00 or ...Z)")
            return None
        return t


def _kind(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "text", bool: "true/false",
            int: "a number", float: "a number"}.get(type(value), type(value).__name__)


def load_case(path: str | os.PathLike[str], *, check_files: bool = True,
              allow_outside: bool = False) -> Case:
    """Read and validate a case file. Raises :class:`CaseFileError` listing every problem
    as ``file:line: field: what is wrong``.

    An evidence file outside the case file's folder (``../``, an absolute path, a link that
    points out) is refused unless ``allow_outside``; then its spec says so
    (:attr:`EvidenceSpec.outside_case_folder`) and the report names it."""
    p = Path(path)
    name = str(p)
    try:
        raw = p.read_bytes()
    except FileNotFoundError as exc:
        raise CaseFileError(f"{name}: the case file does not exist", path=name) from exc
    except IsADirectoryError as exc:
        raise CaseFileError(f"{name}: is a folder; give the case.yaml inside it",
                            path=name) from exc
    except OSError as exc:
        raise CaseFileError(f"{name}: cannot be read ({exc.strerror or exc})", path=name) from exc
    if len(raw) > MAX_CASE_BYTES:
        raise CaseFileError(f"{name}: {len(raw)} bytes is too large for a case file", path=name)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CaseFileError(f"{name}: is not UTF-8 text (byte {exc.start})", path=name) from exc
    lines = _Lines(name, budget=2 * len(text) + 1000)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.load(text, Loader=yaml.SafeLoader)  # noqa: S506 - SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark else ""
        raise CaseFileError(f"{name}{line}: not valid YAML: {exc.problem or exc}",
                            path=name) from exc
    except yaml.YAMLError as exc:
        raise CaseFileError(f"{name}: not valid YAML: {exc}", path=name) from exc
    except RecursionError as exc:
        raise CaseFileError(f"{name}: values are nested too deeply to read", path=name) from exc
    except Exception as exc:  # noqa: BLE001 - PyYAML's constructors raise plain errors
        raise CaseFileError(
            f"{name}: a value cannot be read ({type(exc).__name__}: {exc}"[:300] + "): an "
            "impossible date or time (hour 25, 30 February) or a value that does not fit its "
            "!!tag? Correct it, or quote it to keep it as text", path=name) from exc
    if node is None or data is None:
        raise CaseFileError(f"{name}: the case file is empty; run `provenance case init` for "
                            "a template", path=name)
    lines.walk(node)
    case = _validate(_Reader(data, lines), p.resolve(), raw, check_files, allow_outside)
    if lines.problems:
        n = len(lines.problems)
        held = sum(PLACEHOLDER_PROBLEM in p for p in lines.problems)
        note = (f" ({held} field{'s' if held > 1 else ''} still hold{'' if held > 1 else 's'} "
                "the template's placeholders: fill in each one named below)") if held else ""
        raise CaseFileError(f"{name}: {n} problem{'s' if n > 1 else ''} in the case file{note}:"
                            "\n  " + "\n  ".join(lines.problems), path=name,
                            problems=lines.problems)
    assert case is not None
    return case


_TOP = ("version", "title", "claim", "asserts", "sites", "known_imagery", "evidence", "review",
        "trust_anchors")


def _place(r: _Reader, path: tuple[Any, ...], *, radius: bool) -> Place | None:
    allowed = ("name", "lat", "lon", "radius_km", "note")
    m = r.mapping(path, allowed if radius else tuple(a for a in allowed if a != "radius_km"),
                  required=False)
    if m is None:
        return None
    name = r.text(path + ("name",), required=True)
    lat = r.number(path + ("lat",), required=True, lo=-90, hi=90, unit=" degrees")
    lon = r.number(path + ("lon",), required=True, lo=-180, hi=180, unit=" degrees")
    rad = r.number(path + ("radius_km",), lo=0.001, hi=20000, unit=" km") if radius else None
    note = r.text(path + ("note",))
    if name is None or lat is None or lon is None:
        return None
    return Place(name, lat, lon, rad, note)


def _resolve(r: _Reader, folder: Path, name: str, where: tuple[Any, ...]) -> str | None:
    """``name`` relative to the case file's folder, absolute; ``None`` (with a problem
    recorded) for a name no file can have."""
    if "\x00" in name:
        r.lines.error(where, f"{name[:60]!r} contains a NUL character, which no file name can")
        return None
    return str((folder / name).resolve())


def _expand(r: _Reader, pattern: tuple[str, ...], done: tuple[Any, ...] = ()
            ) -> list[tuple[Any, ...]]:
    """The case file's paths matching a placeholder path (``*``: each item of that list)."""
    if not pattern:
        return [done]
    head, rest = pattern[0], pattern[1:]
    if head == "*":
        items = r.get(done)
        return [p for i in range(len(items) if isinstance(items, list) else 0)
                for p in _expand(r, rest, (*done, i))]
    return _expand(r, rest, (*done, head))


def _same_time(value: Any, example: datetime) -> bool:
    t = read_time(value)
    return t is not None and t.has_offset and not t.date_only and t.dt == example


def _still_placeholder(r: _Reader, ph: Placeholder, path: tuple[Any, ...]) -> str | None:
    """What the field still holds, when it is the template's example; else ``None``."""
    value = r.get(path)
    if ph.kind == "position":
        if not isinstance(value, dict):
            return None
        lat, lon = value.get("lat"), value.get("lon")
        if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (lat, lon)) \
                and (float(lat), float(lon)) == ph.value:
            return f"lat {lat}, lon {lon}"
        return None
    if ph.kind == "time":
        if value is None or not _same_time(value, ph.value):
            return None
        return value.isoformat() if isinstance(value, (date, datetime)) else str(value)
    if isinstance(value, str) and value.strip() == ph.value:
        return repr(ph.value) if len(ph.value) <= 60 else repr(ph.value[:57] + "...")
    return None


def _refuse_placeholders(r: _Reader) -> None:
    """A problem for each field still holding the template's example (see
    :mod:`forensics.case.template`): a report about a claim by "Who made it" at 0, 0 helps
    nobody, and a fact-checker may publish its ClaimReview."""
    for ph in placeholders():
        for path in _expand(r, ph.path):
            held = _still_placeholder(r, ph, path)
            if held is None:
                continue
            what = " position" if ph.kind == "position" else ""
            todo = "give the real coordinates" if ph.kind == "position" else "fill it in"
            if ph.optional:
                todo += " or remove it"
            r.lines.error(path, f"{PLACEHOLDER_PROBLEM}{what} ({held}): {todo}")


def inside_folder(path: str, folder: str) -> bool:
    """Whether the absolute, resolved ``path`` lies in ``folder`` (resolved) or below it."""
    try:
        return os.path.commonpath([path, folder]) == folder
    except ValueError:  # another drive (Windows)
        return False


def _outside_problem(f: str, resolved: str, folder: Path) -> str:
    """Why an evidence path that leaves the case folder is refused, and what to do."""
    written = os.path.normpath(os.path.join(folder, f))  # the path as written, links kept
    how = (f"is a link to {resolved}, outside the case folder" if inside_folder(written,
                                                                               str(folder))
           else f"leaves the case folder ({resolved})")
    return (f"{f}: {how}; copy the file into the case folder {folder}, or allow it "
            "explicitly (provenance case run --allow-outside: the report then names it)")


def _validate(r: _Reader, path: Path, raw: bytes, check_files: bool,
              allow_outside: bool = False) -> Case | None:
    top = r.mapping((), _TOP)
    if top is None:
        return None
    version = r.get(("version",))
    if version is not None and version != CASE_VERSION:
        r.lines.error(("version",), f"{version!r}: this tool reads case files of version "
                                    f"{CASE_VERSION}")
    title = r.text(("title",)) or "Untitled case"
    # claim
    r.mapping(("claim",), ("text", "author", "author_type", "date", "appearance"))
    c_text = r.text(("claim", "text"), required=True)
    c_author = r.text(("claim", "author"), required=True)
    c_author_type = r.text(("claim", "author_type"), choices=("Organization", "Person"))
    c_date = r.time(("claim", "date"))
    apps: list[Appearance] = []
    app_raw = r.get(("claim", "appearance"))
    if app_raw is not None and not isinstance(app_raw, list):
        r.lines.error(("claim", "appearance"), "must be a list of {url, published, title}")
    for i, a in enumerate(app_raw if isinstance(app_raw, list) else []):
        pth = ("claim", "appearance", i)
        if isinstance(a, str):
            apps.append(Appearance(a))
            continue
        if r.mapping(pth, ("url", "published", "title")) is None:
            continue
        url = r.text(pth + ("url",), required=True)
        pub = r.time(pth + ("published",))
        if url:
            apps.append(Appearance(url, pub.iso() if pub else None, r.text(pth + ("title",))))
    # assertions
    r.mapping(("asserts",), ("event", "place", "target"))
    window = window_iso = None
    if r.mapping(("asserts", "event"), ("start", "end"), required=False) is not None:
        start = r.time(("asserts", "event", "start"), required=True, need_offset=True)
        end = r.time(("asserts", "event", "end"), required=True, need_offset=True)
        if start and end:
            if end.dt <= start.dt:
                r.lines.error(("asserts", "event", "end"), f"{end.iso()} is not after the "
                                                           f"start {start.iso()}")
            else:
                window = Window(start.dt, end.dt)
                window_iso = (start.iso(), end.iso())
    place = _place(r, ("asserts", "place"), radius=True)
    target = _place(r, ("asserts", "target"), radius=True)
    sites: list[Place] = []
    sites_raw = r.get(("sites",))
    if sites_raw is not None and not isinstance(sites_raw, list):
        r.lines.error(("sites",), "must be a list of {name, lat, lon, note}")
    for i in range(len(sites_raw) if isinstance(sites_raw, list) else 0):
        s = _place(r, ("sites", i), radius=True)
        if s:
            sites.append(s)
    # known imagery and trust anchors
    index_path = None
    if r.mapping(("known_imagery",), ("index",), required=False) is not None:
        idx = r.text(("known_imagery", "index"), required=True)
        if idx:
            index_path = _resolve(r, path.parent, idx, ("known_imagery", "index"))
            if index_path and check_files and not os.path.isfile(index_path):
                r.lines.error(("known_imagery", "index"), f"{idx}: no such index file")
    anchors = r.text(("trust_anchors",))
    anchors_path = _resolve(r, path.parent, anchors, ("trust_anchors",)) if anchors else None
    if anchors_path and check_files and not os.path.isfile(anchors_path):
        r.lines.error(("trust_anchors",), f"{anchors}: no such PEM file")
    # evidence
    evidence: list[EvidenceSpec] = []
    ev_raw = r.get(("evidence",))
    if not isinstance(ev_raw, list) or not ev_raw:
        r.lines.error(("evidence",), "is required: a list of evidence items ({id, file, ...})")
        ev_raw = ev_raw if isinstance(ev_raw, list) else []
    ids: dict[str, int] = {}
    for i in range(len(ev_raw)):
        pth = ("evidence", i)
        if r.mapping(pth, ("id", "file", "kind", "obtained_from", "obtained_at", "purports")) \
                is None:
            continue
        f = r.text(pth + ("file",), required=True)
        eid = r.text(pth + ("id",)) or f"E{i + 1}"
        if eid in ids:
            r.lines.error(pth + ("id",), f"{eid!r} is already used by evidence[{ids[eid]}]")
        ids[eid] = i
        kind = r.text(pth + ("kind",), choices=EVIDENCE_KINDS) or "auto"
        got = r.time(pth + ("obtained_at",))
        if not f:
            continue
        resolved = _resolve(r, path.parent, f, pth + ("file",))
        if resolved is None:
            continue
        outside = not inside_folder(resolved, str(path.parent))
        if outside and not allow_outside:  # refused before its existence is even looked at
            r.lines.error(pth + ("file",), _outside_problem(f, resolved, path.parent))
            continue
        if check_files and not os.path.exists(resolved):
            r.lines.error(pth + ("file",), f"{f}: no such file (paths are relative to the "
                                           "case file's folder)")
        elif check_files and os.path.isdir(resolved):
            r.lines.error(pth + ("file",), f"{f}: is a folder; list each file as its own item")
        evidence.append(EvidenceSpec(
            id=eid, file=f, path=str(resolved), kind=kind,
            obtained_from=r.text(pth + ("obtained_from",)),
            obtained_at=got.iso() if got else None, purports=r.text(pth + ("purports",)),
            line=r.lines.line(pth), outside_case_folder=outside))
    # review (the fact-checker's confirmation)
    review = Review()
    if r.mapping(("review",), ("reviewer", "organization", "organization_url", "rating",
                               "rating_explanation", "url", "published", "media"),
                 required=False) is not None:
        media_raw = r.get(("review", "media"))
        media: dict[str, str] = {}
        if media_raw is not None and not isinstance(media_raw, dict):
            r.lines.error(("review", "media"), "must map evidence ids to a category")
        for key in media_raw if isinstance(media_raw, dict) else {}:
            cat = r.text(("review", "media", key), choices=MEDIA_CATEGORIES)
            if str(key) not in ids:
                r.lines.error(("review", "media", key), f"no evidence item has the id {key!r}")
            elif cat:
                media[str(key)] = cat
        pub = r.time(("review", "published"))
        review = Review(
            reviewer=r.text(("review", "reviewer")),
            organization=r.text(("review", "organization")),
            organization_url=r.text(("review", "organization_url")),
            rating=r.text(("review", "rating"), choices=FIRST_DRAFT),
            rating_explanation=r.text(("review", "rating_explanation")),
            url=r.text(("review", "url")), published=pub.iso() if pub else None, media=media)
    _refuse_placeholders(r)
    if c_text is None or c_author is None:
        return None
    claim = Claim(c_text, c_author, c_date.iso() if c_date else None, tuple(apps),
                  c_author_type or "Organization")
    return Case(path=str(path), sha256=hashlib.sha256(raw).hexdigest(), title=title,
                claim=claim, window=window, window_iso=window_iso, place=place, target=target,
                sites=tuple(sites), evidence=tuple(evidence), review=review,
                index_path=index_path, trust_anchors_path=anchors_path,
                allow_outside=allow_outside)
