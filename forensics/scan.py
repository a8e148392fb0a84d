"""Run the registered checks over evidence files and build the ``provenance.scan/1`` result.

A container (a PDF, a video: :mod:`forensics.containers`) is opened by its extractor, and
each child it yields is scanned here like a file given as input (same checks, release pass,
``inspect``), depth first, and returned in :attr:`ItemResult.descendants`, so one call of
:func:`scan_file` gives the container and all it holds as one unit.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict
from typing import Any

from . import __version__
from .checks import Check, get_checks
from .checks.base import ReleasePass
from .containers import (
    DEFAULT_LIMITS,
    Budget,
    ContainerLimits,
    Extraction,
    Extractor,
    child_path,
    extractor_for,
    get_extractors,
    rollup_findings,
)
from .context import AnalysisContext, ScanOptions
from .errors import DecodeError, IntakeError
from .intake import expand_paths, read_evidence
from .model import (
    EMPTY_SUMMARY,
    CheckOutput,
    CheckResult,
    EvidenceItem,
    Finding,
    ItemError,
    ItemResult,
    scan_document,
    severity_rank,
)
from .sniff import IMAGE_TYPES, SNIFF_BYTES, extension_media_type, sniff_media_type

# When several problems are found, the item's ``error`` names the most serious.
_PROBLEM_ORDER = ("unsupported_format", "decompression_bomb", "corrupt_image", "truncated",
                  "corrupt_exif")


def tool_info() -> dict[str, Any]:
    """Name and version of the tool and of the libraries its results depend on."""
    from importlib.metadata import PackageNotFoundError, version

    libs = {}
    for dist in ("pillow", "opencv-python-headless", "exifread", "imagehash", "pdqhash", "numpy",
                 "defusedxml", "pillow-heif", "c2pa-python", "pymavlink", "pyulog", "pynmea2",
                 "srt", "pikepdf", "pyhanko", "pypdf", "av", "astral"):
        try:
            libs[dist] = version(dist)
        except PackageNotFoundError:
            libs[dist] = None
    for dist in ("pikepdf", "pypdf", "pyHanko"):
        try:
            libs[dist] = version(dist)
        except PackageNotFoundError:
            libs[dist] = None
    return {"name": "provenance", "version": __version__, "libraries": libs,
            "checks": {c.name: c.version for c in get_checks()},
            "extractors": {e.name: e.version for e in get_extractors()}}


def _run_check(check: Check, ctx: AnalysisContext) -> tuple[CheckResult, list[Finding]]:
    params: Mapping[str, Any] = {}
    start = time.perf_counter()
    try:
        params = check.params_dict()
        if not check.applies_to(ctx.item) or not check.applies_to_context(ctx):
            return CheckResult(check.name, check.version, "not_applicable", 0.0, params), []
        out = check.run(ctx)
        if not isinstance(out, CheckOutput):
            out = CheckOutput(findings=tuple(out))
    except DecodeError as err:
        ctx.problem(err.code, err.message)
        return CheckResult(check.name, check.version, "error", time.perf_counter() - start,
                           params, f"{err.code}: {err.message}"), []
    except Exception as exc:  # noqa: BLE001 - one failing check never drops the file
        return CheckResult(check.name, check.version, "error", time.perf_counter() - start,
                           params, f"{type(exc).__name__}: {exc}"[:500]), []
    findings = list(out.findings)
    status = "flagged" if any(f.severity != "info" for f in findings) else "ok"
    return CheckResult(check.name, check.version, status, time.perf_counter() - start,
                       params, score=out.score, working_size=out.working_size,
                       artifacts=out.artifacts), findings


def release_passes(checks: Sequence[Check], options: ScanOptions | None
                   ) -> dict[str, ReleasePass]:
    """A new release-level pass of every check that declares one, by check name."""
    opts = options or ScanOptions()
    out: dict[str, ReleasePass] = {}
    for c in checks:
        if c.has_release_pass:
            rp = c.release_pass(opts)
            if rp is not None:
                out[c.name] = rp
    return out


def prepare_checks(checks: Sequence[Check], options: ScanOptions | None) -> None:
    """Each check's once-per-process preparation (e.g. opening the index); raises a clear
    :class:`~forensics.errors.ProvenanceError` when a scan cannot start."""
    opts = options or ScanOptions()
    for c in checks:
        c.prepare(opts)


def scan_file(path: str, *, options: ScanOptions | None = None,
              checks: Sequence[Check] | None = None,
              release: Mapping[str, ReleasePass] | None = None,
              records: dict[str, bytes] | None = None,
              inspect: Callable[[AnalysisContext], None] | None = None,
              limits: ContainerLimits | None = None) -> ItemResult:
    """Analyse one file. Never raises for anything the file contains.

    Checks with a release-level pass (:attr:`Check.has_release_pass`) make the file's record:
    with ``release`` (check name -> pass, :func:`release_passes`) the file is compared with
    the files scanned before it in the same release (``known_image.duplicate_in_release``);
    with ``records`` the records are stored there by check name (a worker sends them to the
    process that runs the passes; every item's own are also in :attr:`ItemResult.records`).
    ``inspect`` is called with each item's analysis context once the checks have run (e.g.
    to make a thumbnail from the shared preview without decoding the file again); what it
    raises is ignored.

    A container is opened into children within ``limits`` (the caps of
    :class:`~forensics.containers.ContainerLimits`); they are in the result's
    :attr:`~ItemResult.descendants` (``result.units()`` is the container and all of them).
    """
    try:
        item, data = read_evidence(path)
    except IntakeError as err:
        return ItemResult.from_error(path, ItemError(err.code, err.message))
    result = scan_data(item, data, options=options, checks=checks, release=release,
                       inspect=inspect, limits=limits)
    if records is not None:
        records.update(result.records)
    return result


def scan_data(item: EvidenceItem, data: bytes, *, options: ScanOptions | None = None,
              checks: Sequence[Check] | None = None,
              release: Mapping[str, ReleasePass] | None = None,
              inspect: Callable[[AnalysisContext], None] | None = None,
              limits: ContainerLimits | None = None) -> ItemResult:
    """:func:`scan_file` of bytes already read (``item`` from
    :func:`~forensics.intake.read_evidence`)."""
    checks = tuple(checks) if checks is not None else get_checks()
    limits = limits or DEFAULT_LIMITS
    return _Unit(options, checks, release, inspect, limits).scan(item, data, depth=0)


class _Unit:
    """One input file and everything inside it: shared caps, one digest set."""

    def __init__(self, options: ScanOptions | None, checks: tuple[Check, ...],
                 release: Mapping[str, ReleasePass] | None,
                 inspect: Callable[[AnalysisContext], None] | None, limits: ContainerLimits):
        self.options, self.checks, self.release = options, checks, release
        self.inspect, self.limits = inspect, limits
        self.budget = Budget(limits)
        self.seen: set[str] = set()

    def scan(self, item: EvidenceItem, data: bytes, *, depth: int,
             parent: ItemResult | None = None, child: Any = None) -> ItemResult:
        self.seen.add(item.sha256)
        ctx = AnalysisContext(item, data, self.options)
        extractor = extractor_for(item) if depth < self.limits.max_depth else None
        extraction: Extraction | None = None
        ex_result: CheckResult | None = None
        cbudget = self.budget.container(child.relation if child is not None else None)
        if extractor is not None:
            extraction, ex_result = _extract(extractor, ctx, cbudget, self.limits)
        if item.media_type not in IMAGE_TYPES:
            applicable = extractor_for(item) is not None
            for check in self.checks:
                try:
                    applicable = applicable or bool(check.applies_to(item))
                except Exception:  # noqa: BLE001 - _run_check records it as that check's error
                    pass
            if not applicable:
                ctx.problem("unsupported_format",
                            f"{item.path}: {item.media_type} is not an image format this "
                            "version analyses")
        else:
            ctx.jpeg  # noqa: B018 - records JPEG structure problems early
            if ctx.image_or_none is not None:  # records open problems early
                try:
                    ctx.preview  # noqa: B018 - decodes once (reduced): records truncation
                except DecodeError as err:
                    ctx.problem(err.code, err.message)
        results, findings = [], []
        for check in self.checks:
            result, found = _run_check(check, ctx)
            results.append(result)
            findings.extend(found)
        records: dict[str, bytes] = {}
        for check in self.checks:
            if not check.has_release_pass:
                continue
            try:
                record = check.release_record(ctx)
                if record is None:
                    continue
                records[check.name] = record
                if self.release is not None and check.name in self.release:
                    findings.extend(self.release[check.name].observe_bytes(item.path, record))
            except DecodeError as err:
                ctx.problem(err.code, err.message)
            except Exception:  # noqa: BLE001, S110 - the release pass never drops a file
                pass
        if self.inspect is not None:
            try:
                self.inspect(ctx)
            except Exception:  # noqa: BLE001, S110 - a convenience never costs the file
                pass
        try:
            if extraction is not None:
                metadata = dict(extraction.metadata)
                metadata["summary"] = {**EMPTY_SUMMARY, **(metadata.get("summary") or {})}
                metadata["File"] = {"media_type": item.media_type,
                                    "extension_media_type": item.extension_media_type}
            elif item.media_type in IMAGE_TYPES:
                metadata = ctx.metadata.to_dict()
            else:
                metadata = {"summary": dict(EMPTY_SUMMARY), "File": {
                    "media_type": item.media_type,
                    "extension_media_type": item.extension_media_type}}
        except Exception as exc:  # noqa: BLE001
            ctx.problem("metadata_error", f"metadata could not be read: {exc}"[:300])
            metadata = {"summary": dict(EMPTY_SUMMARY)}
        if extractor is None and extractor_for(item) is not None:
            metadata = dict(metadata)
            metadata["Container"] = {"not_opened": f"nested deeper than max_depth "
                                                   f"{self.limits.max_depth}"}
        if child is not None:
            metadata = dict(metadata)
            metadata["Container"] = {**(metadata.get("Container") or {}),
                                     "relation": child.relation,
                                     "locator": dict(child.locator), **dict(child.details)}
        own = ItemResult(
            path=item.path, sha256=item.sha256, size=item.size, media_type=item.media_type,
            status="ok", error=None, metadata=metadata, checks=(), findings=(),
            parent=None if parent is None else {"sha256": parent.sha256, "path": parent.path},
            locator=None if child is None else dict(child.locator),
            relation=None if child is None else child.relation)
        kids: list[ItemResult] = []
        descendants: list[ItemResult] = []
        if extraction is not None and ex_result is not None:
            info = self._children(own, extractor, extraction, cbudget, depth, kids,
                                  descendants)
            metadata = dict(metadata)
            metadata["Container"] = {**(metadata.get("Container") or {}), **info}
            ex_findings = list(extraction.findings)
            kid_dicts = [k.to_dict() for k in kids]
            try:
                ex_findings += extractor.review(extraction, {**own.to_dict(),
                                                             "metadata": metadata}, kid_dicts)
            except Exception as exc:  # noqa: BLE001 - the review never costs the file
                metadata["Container"]["review_error"] = f"{type(exc).__name__}: {exc}"[:300]
            ex_findings += rollup_findings(extractor.name, kid_dicts)
            ex_result = _with_findings(ex_result, ex_findings)
            results.insert(0, ex_result)
            findings = ex_findings + findings
        problems = sorted(ctx.problems, key=lambda p: _PROBLEM_ORDER.index(p.code)
                          if p.code in _PROBLEM_ORDER else len(_PROBLEM_ORDER))
        if problems:
            metadata = dict(metadata)
            metadata["problems"] = [p.to_dict() for p in problems]
        findings.sort(key=lambda f: -severity_rank(f.severity))
        return ItemResult(
            path=item.path, sha256=item.sha256, size=item.size, media_type=item.media_type,
            status="error" if problems else "ok", error=problems[0] if problems else None,
            metadata=metadata, checks=tuple(results), findings=tuple(findings),
            children=tuple(k.sha256 for k in kids if k.sha256) if extraction is not None
            else None, parent=own.parent, locator=own.locator, relation=own.relation,
            descendants=tuple(descendants), records=records)

    def _children(self, own: ItemResult, extractor: Extractor | None, extraction: Extraction,
                  cbudget: Any, depth: int, kids: list[ItemResult],
                  descendants: list[ItemResult]) -> dict[str, Any]:
        """Scan every child the extraction yields; what ``metadata.Container`` says."""
        duplicates: list[dict[str, Any]] = []
        error = None
        try:
            for ch in extraction.children:
                if not cbudget.take(len(ch.data)):
                    continue
                sha = hashlib.sha256(ch.data).hexdigest()
                path = child_path(own.path, ch)
                if sha in self.seen:
                    if len(duplicates) < 200:
                        duplicates.append({"path": path, "sha256": sha,
                                           "relation": ch.relation})
                    continue
                citem = EvidenceItem(
                    path=path, sha256=sha, size=len(ch.data),
                    media_type=sniff_media_type(ch.data[:SNIFF_BYTES]),
                    extension_media_type=extension_media_type(ch.name) if ch.name else None)
                res = self.scan(citem, ch.data, depth=depth + 1, parent=own, child=ch)
                kids.append(res)
                descendants.extend(res.units())
        except Exception as exc:  # noqa: BLE001 - a damaged container keeps what was read
            error = f"{type(exc).__name__}: {exc}"[:300]
        info: dict[str, Any] = {"extractor": extractor.name if extractor else None,
                                "children": len(kids), "skipped": dict(cbudget.skipped),
                                "duplicates": duplicates}
        if error:
            info["error"] = f"extraction stopped: {error}"
        return info


def _extract(extractor: Extractor, ctx: AnalysisContext, budget: Any,
             limits: ContainerLimits) -> tuple[Extraction | None, CheckResult]:
    """Run an extractor; its check result (no findings yet) and what it read."""
    params: dict[str, Any] = {}
    start = time.perf_counter()
    try:
        params = {**extractor.params_dict(), "limits": asdict(limits)}
        extraction = extractor.extract(ctx, budget)
    except DecodeError as err:
        ctx.problem(err.code, err.message)
        return Extraction(metadata={"summary": {}}), CheckResult(
            extractor.name, extractor.version, "error", time.perf_counter() - start, params,
            f"{err.code}: {err.message}")
    except Exception as exc:  # noqa: BLE001 - an extractor bug never drops the file
        ctx.problem("container_error", f"{ctx.item.path}: the {extractor.name} extractor "
                    f"failed: {type(exc).__name__}: {exc}"[:400])
        return Extraction(metadata={"summary": {}}), CheckResult(
            extractor.name, extractor.version, "error", time.perf_counter() - start, params,
            f"{type(exc).__name__}: {exc}"[:500])
    return extraction, CheckResult(extractor.name, extractor.version, "ok",
                                   time.perf_counter() - start, params)


def _with_findings(result: CheckResult, findings: list[Finding]) -> CheckResult:
    if result.status == "error":
        return result
    status = "flagged" if any(f.severity != "info" for f in findings) else "ok"
    return CheckResult(result.name, result.version, status, result.seconds, result.params)


def scan_paths(paths: Iterable[str | os.PathLike[str]], *, options: ScanOptions | None = None,
               checks: Sequence[Check] | None = None) -> Iterator[ItemResult]:
    """Expand ``paths`` and yield one :class:`ItemResult` per input, as each finishes."""
    checks = tuple(checks) if checks is not None else get_checks()
    prepare_checks(checks, options)  # once per process; a broken index stops here, clearly
    release = release_passes(checks, options)
    for inp in expand_paths(paths):
        if inp.error is not None:
            yield ItemResult.from_error(inp.path, inp.error)
        else:
            yield from scan_file(inp.path, options=options, checks=checks,
                                 release=release).units()


def scan(paths: Iterable[str | os.PathLike[str]], *, options: ScanOptions | None = None,
         checks: Sequence[Check] | None = None) -> dict[str, Any]:
    """Scan everything and return the whole ``provenance.scan/1`` document (with its
    ``release`` section when it holds more than one item: :mod:`forensics.release`)."""
    from .release import with_release

    items = [r.to_dict() for r in scan_paths(paths, options=options, checks=checks)]
    return with_release(scan_document(items, tool_info()))
