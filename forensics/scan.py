"""Run the registered checks over evidence files and build the ``provenance.scan/1`` result."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from . import __version__
from .checks import Check, get_checks
from .checks.base import ReleasePass
from .context import AnalysisContext, ScanOptions
from .errors import DecodeError, IntakeError
from .intake import expand_paths, read_evidence
from .model import (
    EMPTY_SUMMARY,
    CheckOutput,
    CheckResult,
    Finding,
    ItemError,
    ItemResult,
    scan_document,
    severity_rank,
)
from .sniff import IMAGE_TYPES

# When several problems are found, the item's ``error`` names the most serious.
_PROBLEM_ORDER = ("unsupported_format", "decompression_bomb", "corrupt_image", "truncated",
                  "corrupt_exif")


def tool_info() -> dict[str, Any]:
    """Name and version of the tool and of the libraries its results depend on."""
    from importlib.metadata import PackageNotFoundError, version

    libs = {}
    for dist in ("pillow", "opencv-python-headless", "exifread", "imagehash", "pdqhash", "numpy",
                 "defusedxml", "pillow-heif", "c2pa-python"):
        try:
            libs[dist] = version(dist)
        except PackageNotFoundError:
            libs[dist] = None
    return {"name": "provenance", "version": __version__, "libraries": libs,
            "checks": {c.name: c.version for c in get_checks()}}


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
              inspect: Callable[[AnalysisContext], None] | None = None) -> ItemResult:
    """Analyse one file. Never raises for anything the file contains.

    Checks with a release-level pass (:attr:`Check.has_release_pass`) make the file's record:
    with ``release`` (check name -> pass, :func:`release_passes`) the file is compared with
    the files scanned before it in the same release (``known_image.duplicate_in_release``);
    with ``records`` the records are stored there by check name (a worker sends them to the
    process that runs the passes). ``inspect`` is called with the file's analysis context
    once the checks have run (e.g. to make a thumbnail from the shared preview without
    decoding the file again); what it raises is ignored.
    """
    checks = tuple(checks) if checks is not None else get_checks()
    try:
        item, data = read_evidence(path)
    except IntakeError as err:
        return ItemResult.from_error(path, ItemError(err.code, err.message))
    ctx = AnalysisContext(item, data, options)
    if item.media_type not in IMAGE_TYPES:
        applicable = False  # e.g. the track check reads GPX/KML/GeoJSON/CSV logs
        for check in checks:
            try:
                applicable = applicable or bool(check.applies_to(item))
            except Exception:  # noqa: BLE001 - _run_check records it as that check's error
                pass
        if not applicable:
            ctx.problem("unsupported_format",
                        f"{path}: {item.media_type} is not an image format this version "
                        "analyses")
    else:
        ctx.jpeg  # noqa: B018 - records JPEG structure problems early
        if ctx.image_or_none is not None:  # records open problems early
            try:
                ctx.preview  # noqa: B018 - decodes once (reduced): records truncation
            except DecodeError as err:
                ctx.problem(err.code, err.message)
    results, findings = [], []
    for check in checks:
        result, found = _run_check(check, ctx)
        results.append(result)
        findings.extend(found)
    if release is not None or records is not None:
        for check in checks:
            if not check.has_release_pass:
                continue
            try:
                record = check.release_record(ctx)
                if record is None:
                    continue
                if records is not None:
                    records[check.name] = record
                if release is not None and check.name in release:
                    findings.extend(release[check.name].observe_bytes(path, record))
            except DecodeError as err:
                ctx.problem(err.code, err.message)
            except Exception:  # noqa: BLE001, S110 - the release pass never drops a file
                pass
    if inspect is not None:
        try:
            inspect(ctx)
        except Exception:  # noqa: BLE001, S110 - a convenience never costs the file its result
            pass
    try:
        metadata = ctx.metadata.to_dict() if item.media_type in IMAGE_TYPES else {
            "summary": dict(EMPTY_SUMMARY), "File": {"media_type": item.media_type,
                                                      "extension_media_type":
                                                      item.extension_media_type}}
    except Exception as exc:  # noqa: BLE001
        ctx.problem("metadata_error", f"metadata could not be read: {exc}"[:300])
        metadata = {"summary": dict(EMPTY_SUMMARY)}
    problems = sorted(ctx.problems, key=lambda p: _PROBLEM_ORDER.index(p.code)
                      if p.code in _PROBLEM_ORDER else len(_PROBLEM_ORDER))
    if problems:
        metadata = dict(metadata)
        metadata["problems"] = [p.to_dict() for p in problems]
    findings.sort(key=lambda f: -severity_rank(f.severity))
    return ItemResult(path=path, sha256=item.sha256, size=item.size,
                      media_type=item.media_type, status="error" if problems else "ok",
                      error=problems[0] if problems else None, metadata=metadata,
                      checks=tuple(results), findings=tuple(findings))


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
            yield scan_file(inp.path, options=options, checks=checks, release=release)


def scan(paths: Iterable[str | os.PathLike[str]], *, options: ScanOptions | None = None,
         checks: Sequence[Check] | None = None) -> dict[str, Any]:
    """Scan everything and return the whole ``provenance.scan/1`` document."""
    items = [r.to_dict() for r in scan_paths(paths, options=options, checks=checks)]
    return scan_document(items, tool_info())
