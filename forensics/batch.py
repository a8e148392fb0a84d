"""Batch screening: many files in worker processes, contained, resumable, nothing lost.

Each file is analysed in a worker process. A file that hangs past the timeout, a worker killed
by a signal, a library that segfaults, or a worker that runs out of its memory limit only costs
that file: it gets status ``error`` with code ``timeout``, ``worker_crashed`` or
``out_of_memory``, the worker is replaced and the batch goes on. Every input path yields exactly
one item, and with a results store every item is committed as it finishes.

A container (a PDF, a video) and every child it holds are one unit: the worker returns them
together, so the timeout and the memory limit cover the whole container, and the store
commits them in one transaction (a resumed run never finds half a PDF).

Workers come from a ``forkserver`` where available: a clean process that has imported the
libraries once and forks a worker in milliseconds. Plain ``fork`` of the main process is not
used because thread pools (OpenCV, BLAS) copied mid-use can deadlock in the child.
"""

from __future__ import annotations

import hashlib
import multiprocessing as mp
import os
import signal
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any

from .checks import Check, get_checks
from .checks.base import ReleasePass
from .containers import DEFAULT_LIMITS, ContainerLimits, get_extractors, rollup_findings
from .containers.base import ROLLUP_CODE
from .context import AnalysisContext, ScanOptions
from .intake import Input, expand_paths
from .model import ItemError, ItemResult
from .scan import prepare_checks, release_passes, scan_file
from .store import FileKey, ResultStore, db_path, file_key
from .thumbs import thumbnail_jpeg
from .triage import triage

error_item = ItemResult.from_error

DEFAULT_TIMEOUT_S = 120.0
"""Seconds one file may take in a worker before it is abandoned with ``timeout``."""
DEFAULT_MEMORY_MB = 3072
"""Resident-memory limit per worker (MiB), watched by the parent; a worker past it is stopped
and its file gets ``out_of_memory``."""

PROFILES: dict[str, Callable[[Check], bool]] = {
    # The screening pass: the checks that declare themselves cheap on every file (intake,
    # metadata, JPEG structure, hashes and index match, track logs).
    "quick": lambda c: c.screening,
    # Every registered check.
    "full": lambda c: True,
}

PROFILE_SCAN_OPTIONS: dict[str, dict[str, Any]] = {
    # screening matches known imagery by the global hashes alone (no ORB, no RANSAC)
    "quick": {"local_features": False},
}
"""What a profile changes in :class:`ScanOptions` (an explicit check list changes nothing)."""


def profile_scan_options(profile: str | None, names: Sequence[str] | None) -> dict[str, Any]:
    """The :class:`ScanOptions` fields a profile sets (none with an explicit check list)."""
    return {} if names else dict(PROFILE_SCAN_OPTIONS.get(profile or "full", {}))


def checks_for(profile: str | None, names: Sequence[str] | None) -> tuple[Check, ...]:
    """The checks of a profile, or of an explicit name list (which wins)."""
    if names:
        return get_checks(tuple(names))
    wanted = PROFILES[profile or "full"]
    return tuple(c for c in get_checks() if wanted(c))


def checks_key(checks: Sequence[Check], options: ScanOptions,
               limits: ContainerLimits | None = None) -> str:
    """Identity of what a result depends on: check and extractor names+versions,
    result-changing options and the container caps."""
    parts = [f"{c.name}@{c.version}" for c in checks]
    parts.append(f"index={options.index_path or ''}")
    parts.append(f"local_features={options.local_features}")
    parts.append(f"trust={hashlib.sha256((options.trust_anchors_pem or '').encode()).hexdigest()}")
    parts.extend(f"{e.name}@{e.version}" for e in get_extractors())
    if limits is not None and limits != DEFAULT_LIMITS:
        parts.append(f"limits={limits}")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


@dataclass(frozen=True)
class BatchOptions:
    workers: int = 1
    timeout_s: float = DEFAULT_TIMEOUT_S
    memory_mb: int | None = DEFAULT_MEMORY_MB
    resume: bool = False
    thumbnails: bool = False
    """Also make a small JPEG thumbnail per image (from the shared preview: no extra decode)."""
    thumbnail_side: int = 112
    """Longest side of a thumbnail, pixels."""
    thumbnail_upright: bool = False
    """Apply the EXIF orientation to thumbnails (a report's pictures); triage pages show the
    picture as stored, like the analysis sees it."""
    scan: ScanOptions = field(default_factory=ScanOptions)
    containers: ContainerLimits = DEFAULT_LIMITS
    """Caps on what one container (PDF, video) may yield (children, bytes, depth)."""


@dataclass
class BatchSummary:
    inputs: int = 0
    analysed: int = 0
    skipped_resume: int = 0
    duplicates_ignored: int = 0
    errors_by_code: dict[str, int] = field(default_factory=dict)
    levels: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    interrupted: bool = False
    order: list[str] = field(default_factory=list)
    """Every input path, in input order, each container's children right after it (to
    present results in a stable order)."""
    children: int = 0
    """Items found inside containers (each also in the results)."""
    children_of: dict[str, list[str]] = field(default_factory=dict)
    """Container path -> its descendants' paths, in order."""

    @property
    def files_per_second(self) -> float:
        return self.analysed / self.seconds if self.seconds > 0 else 0.0

    def count(self, item: dict[str, Any]) -> None:
        level = (item.get("triage") or {}).get("level", "none")
        self.levels[level] = self.levels.get(level, 0) + 1
        if item.get("error"):
            code = item["error"]["code"]
            self.errors_by_code[code] = self.errors_by_code.get(code, 0) + 1

    def to_dict(self) -> dict[str, Any]:
        return {"inputs": self.inputs, "analysed": self.analysed,
                "children": self.children, "skipped_resume": self.skipped_resume,
                "duplicates_ignored": self.duplicates_ignored,
                "errors_by_code": dict(sorted(self.errors_by_code.items())),
                "levels": self.levels, "seconds": round(self.seconds, 3),
                "files_per_second": round(self.files_per_second, 2),
                "interrupted": self.interrupted}


def finish_item(result: ItemResult | dict[str, Any]) -> dict[str, Any]:
    """The item dict (with its triage block)."""
    item = result.to_dict() if isinstance(result, ItemResult) else dict(result)
    if "triage" not in item:
        item["triage"] = triage(item)
    return item


# --------------------------------------------------------------------------- worker side


def rss_mb(pid: int) -> float | None:
    """Resident memory of a process in MiB (Linux ``/proc``), or ``None`` when unknown."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as fh:
            pages = int(fh.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / (1024 * 1024)
    except (OSError, ValueError, IndexError):
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def _die_with_parent(main: int) -> None:
    """Make sure a worker never outlives a main process killed with ``kill -9``: Linux
    delivers SIGKILL when the worker's parent (the fork server, which exits with the main
    process) dies (prctl PR_SET_PDEATHSIG); the loop also polls the main process."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if not _alive(main):  # it died before prctl took effect
        os._exit(0)


def _worker(conn: Connection, checks: tuple[Check, ...], options: ScanOptions,
            memory_mb: int | None, thumbnails: tuple[int, bool] | None, parent: int,
            limits: ContainerLimits = DEFAULT_LIMITS) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides about Ctrl-C
    _die_with_parent(parent)
    try:
        import cv2

        cv2.setNumThreads(1)
    except Exception:  # noqa: BLE001 - OpenCV is optional for the worker loop itself
        pass
    while True:
        try:
            while not conn.poll(1.0):
                if not _alive(parent):
                    return
            path = conn.recv()
        except (EOFError, OSError):
            return
        if path is None:
            return
        thumbs: dict[str, bytes] = {}

        def grab(ctx: AnalysisContext, thumbs: dict[str, bytes] = thumbs) -> None:
            if thumbnails and ctx.is_image and ctx.image_or_none is not None:
                side, upright = thumbnails
                orientation = ctx.metadata.summary.get("orientation") if upright else None
                thumbs.setdefault(ctx.item.path, thumbnail_jpeg(  # no second decode
                    ctx.preview, max_side=side, orientation=orientation))

        unit: list[tuple[dict[str, Any], bytes | None, dict[str, bytes]]] = []
        try:
            result = scan_file(path, options=options, checks=checks, inspect=grab,
                               limits=limits)
            for r in result.units():
                item = finish_item(r)
                thumb = thumbs.get(r.path) if item.get("status") == "ok" else None
                unit.append((item, thumb, dict(r.records)))
        except MemoryError:
            unit = [(finish_item(error_item(path, ItemError(
                "out_of_memory", f"{path}: analysis needed more than the "
                f"{memory_mb} MiB per-worker memory limit"))), None, {})]
        except BaseException as exc:  # noqa: BLE001 - report, never die silently
            unit = [(finish_item(error_item(path, ItemError(
                "worker_error", f"{path}: {type(exc).__name__}: {exc}"[:500]))), None, {})]
        try:
            conn.send(unit)  # the container and its children together
        except (BrokenPipeError, OSError):
            return


# --------------------------------------------------------------------------- parent side


class _Worker:
    def __init__(self, ctx: Any, checks: tuple[Check, ...], opts: BatchOptions):
        self.conn, child = ctx.Pipe()
        thumbs = (opts.thumbnail_side, opts.thumbnail_upright) if opts.thumbnails else None
        self.proc = ctx.Process(target=_worker, args=(child, checks, opts.scan, opts.memory_mb,
                                                      thumbs, os.getpid(), opts.containers),
                                daemon=True)
        self.proc.start()
        child.close()
        self.path: str | None = None
        self.started = 0.0

    def assign(self, path: str) -> None:
        self.path, self.started = path, time.monotonic()
        self.conn.send(path)

    def stop(self, kill: bool = False) -> None:
        try:
            if kill:
                self.proc.kill()
            else:
                self.conn.send(None)
        except (BrokenPipeError, OSError):
            pass
        self.proc.join(timeout=2 if not kill else 5)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join(timeout=5)
        self.conn.close()


def _crash_error(path: str, exitcode: int | None) -> ItemError:
    if exitcode is not None and exitcode < 0:
        sig = -exitcode
        try:
            name = signal.Signals(sig).name
        except ValueError:
            name = f"signal {sig}"
        if sig == signal.SIGKILL:
            return ItemError("out_of_memory", f"{path}: the worker was killed ({name}), most "
                             "likely by the system's out-of-memory killer; the batch went on")
        return ItemError("worker_crashed", f"{path}: the worker died with {name} while "
                         "analysing this file (a library crashed on it); the batch went on")
    return ItemError("worker_crashed", f"{path}: the worker exited (code {exitcode}) while "
                     "analysing this file; the batch went on")


def run_batch(paths: Iterable[str | os.PathLike[str]], *, checks: Sequence[Check],
              options: BatchOptions | None = None, store: ResultStore | None = None,
              on_item: Callable[[dict[str, Any]], None] | None = None,
              on_total: Callable[[int], None] | None = None,
              on_thumbnail: Callable[[str, bytes], None] | None = None) -> BatchSummary:
    """Analyse every input in worker processes; call ``on_item`` with each finished item.

    With ``store``, every item is committed as it finishes, and with ``options.resume``
    inputs whose stored result is still valid are skipped (they are not passed to
    ``on_item``). Returns counts for the end-of-run summary.
    """
    opts = options or BatchOptions()
    checks = tuple(checks)
    prepare_checks(checks, opts.scan)  # a broken index stops the run here, clearly
    key_of_checks = checks_key(checks, opts.scan, opts.containers)
    summary = BatchSummary()
    start = time.monotonic()
    inputs: list[Input] = []
    seen: set[str] = set()
    dupes: list[str] = []
    for inp in expand_paths(paths, duplicates=dupes):
        # only a path the system can open stands for its target: realpath() also resolves
        # chains longer than the kernel follows (and dangling links), which would let an
        # unreadable link take the place of the real file it names
        real = os.path.realpath(inp.path) if inp.error is None and os.path.exists(inp.path) \
            else inp.path
        if real in seen:
            summary.duplicates_ignored += 1
            continue
        seen.add(real)
        inputs.append(inp)
    summary.inputs = len(inputs)
    summary.order = [inp.path for inp in inputs]
    summary.duplicates_ignored += len(dupes)

    done: dict[str, tuple[int | None, int | None]] = {}
    if store is not None and opts.resume:
        done = store.done_paths(key_of_checks)
    todo: list[tuple[Input, FileKey]] = []
    skipped: list[str] = []
    for inp in inputs:
        key = file_key(inp.path, key_of_checks)
        stored = done.get(db_path(inp.path))
        if stored is not None and stored == (key.size, key.mtime_ns) and key.size is not None:
            summary.skipped_resume += 1
            skipped.append(inp.path)
            continue
        todo.append((inp, key))
    # Release-level passes (e.g. known_image.duplicate_in_release) run in this process over
    # every worker's files; the first one's records are kept in the store, so on resume it
    # first learns what the earlier run stored.
    passes = release_passes(checks, opts.scan)
    stored_pass = next(iter(passes), None)
    if store is not None and skipped:
        for path in skipped:  # a resumed container's children follow it, as stored
            under = store.paths_under(path)
            if under:
                summary.children_of[path] = under
    if stored_pass is not None and store is not None and skipped:
        learnt = [p for path in skipped for p in (path, *summary.children_of.get(path, ()))]
        for path, sig in store.signatures(learnt):
            passes[stored_pass].observe_bytes(path, sig, compare=False)  # reported back then
    if on_total:
        on_total(len(todo))

    def emit(item: dict[str, Any], key: FileKey, thumb: bytes | None = None,
             sig: bytes | None = None,
             children: Sequence[tuple[dict[str, Any], bytes | None, bytes | None]] = ()
             ) -> None:
        if store is not None:
            if children or item.get("children") is not None:
                store.put_unit([(item, key, thumb, sig)] + [
                    (c, FileKey(c["path"], c.get("size"), key.mtime_ns, key.checks_key), t, s)
                    for c, t, s in children])
            else:
                store.put(item, key, thumb, sig)
        summary.analysed += 1
        if children:
            summary.children += len(children)
            summary.children_of[item["path"]] = [c["path"] for c, _, _ in children]
        for it, th in [(item, thumb), *((c, t) for c, t, _ in children)]:
            if on_thumbnail is not None and th:
                on_thumbnail(it["path"], th)
            summary.count(it)
            if on_item:
                on_item(it)

    queue: list[tuple[str, FileKey]] = []
    for inp, key in todo:
        if inp.error is not None:
            emit(finish_item(error_item(inp.path, inp.error)), key)
        else:
            queue.append((inp.path, key))

    try:
        _pool(queue, checks, opts, emit, passes)
    except KeyboardInterrupt:
        summary.interrupted = True
    summary.order = [p for path in summary.order
                     for p in (path, *summary.children_of.get(path, ()))]
    summary.seconds = time.monotonic() - start
    return summary


def _pool(queue: list[tuple[str, FileKey]], checks: tuple[Check, ...], opts: BatchOptions,
          emit: Callable[..., None], passes: dict[str, ReleasePass]) -> None:
    if not queue:
        return
    method = "forkserver" if "forkserver" in mp.get_all_start_methods() else "spawn"
    ctx = mp.get_context(method)
    if method == "forkserver":
        ctx.set_forkserver_preload(["provenancekit.forensics.scan",
                                    "provenancekit.forensics.batch"])
    nworkers = max(1, min(opts.workers, len(queue)))
    keys = dict(queue)
    pending = [p for p, _ in reversed(queue)]  # pop() from the end keeps input order
    workers = [_Worker(ctx, checks, opts) for _ in range(nworkers)]
    try:
        for w in workers:
            if pending:
                w.assign(pending.pop())
        while any(w.path is not None for w in workers):
            busy = [w for w in workers if w.path is not None]
            now = time.monotonic()
            wait_s = max(0.05, min(0.25, *(opts.timeout_s - (now - w.started) for w in busy)))
            ready = wait([w.conn for w in busy] + [w.proc.sentinel for w in busy],
                         timeout=wait_s)
            for i, w in enumerate(workers):
                if w.path is None:
                    continue
                path = w.path
                item: dict[str, Any] | None = None
                replace = False
                thumb: bytes | None = None
                records: dict[str, bytes] = {}
                children: list[tuple[dict[str, Any], bytes | None, dict[str, bytes]]] = []
                died = w.proc.sentinel in ready or not w.proc.is_alive()
                if w.conn in ready:
                    try:
                        (item, thumb, records), *children = w.conn.recv()
                    except (EOFError, OSError, TypeError, ValueError):
                        died = True  # the worker went away instead of answering
                if item is None and died:
                    w.proc.join(timeout=5)
                    item = finish_item(error_item(path, _crash_error(path, w.proc.exitcode)))
                    replace = True
                elif item is None and opts.memory_mb and \
                        (rss_mb(w.proc.pid) or 0) > opts.memory_mb:
                    item = finish_item(error_item(path, ItemError(
                        "out_of_memory", f"{path}: the worker passed the {opts.memory_mb} MiB "
                        "per-worker memory limit on this file and was stopped; the batch "
                        "went on")))
                    replace = True
                elif item is None and time.monotonic() - w.started > opts.timeout_s:
                    item = finish_item(error_item(path, ItemError(
                        "timeout", f"{path}: analysis took longer than the {opts.timeout_s:g} "
                        "s per-file timeout and was stopped; the batch went on")))
                    replace = True
                if item is None:
                    continue
                w.path = None
                # the worker gets its next file before this one is stored, so the release
                # pass and the store's commit overlap with its analysis
                if replace:
                    w.stop(kill=True)
                    if pending:
                        w = workers[i] = _Worker(ctx, checks, opts)
                    else:
                        w = workers[i] = _Idle()
                if pending and isinstance(w, _Worker) and w.path is None:
                    w.assign(pending.pop())
                for name, rp in passes.items():
                    if records.get(name):
                        item = _with_release_findings(
                            item, name, rp.observe_bytes(path, records[name]))
                stored = records.get(next(iter(passes))) if passes else None
                kids: list[tuple[dict[str, Any], bytes | None, bytes | None]] = []
                changed = False
                for citem, cthumb, crec in children:
                    for name, rp in passes.items():
                        if crec.get(name):
                            found = rp.observe_bytes(citem["path"], crec[name])
                            changed = changed or bool(found)
                            citem = _with_release_findings(citem, name, found)
                    kids.append((citem, cthumb,
                                 crec.get(next(iter(passes))) if passes else None))
                if changed:  # a child's release findings count in its container's rank
                    item, kids = _rolled_up(item, kids)
                emit(item, keys[path], thumb, stored, kids)
    finally:
        for w in workers:
            if isinstance(w, _Worker):
                w.stop(kill=w.path is not None)


def _with_release_findings(item: dict[str, Any], check: str, found: list[Any]
                           ) -> dict[str, Any]:
    if not found:
        return item
    item = dict(item)
    item["findings"] = [*item.get("findings", []), *(f.to_dict() for f in found)]
    if item.get("checks"):  # the check whose release pass raised something now
        item["checks"] = [{**c, "status": "flagged"} if c.get("name") == check
                          and any(f.severity != "info" for f in found) else c
                          for c in item["checks"]]
    item.pop("triage", None)
    return finish_item(item)


def _rolled_up(item: dict[str, Any], kids: list[tuple[dict[str, Any], Any, Any]]
               ) -> tuple[dict[str, Any], list[tuple[dict[str, Any], Any, Any]]]:
    """Recompute every container's ``container.child_flagged`` findings of a unit (after
    the release pass added findings to children), deepest first."""
    items = [item] + [k[0] for k in kids]
    for n in range(len(items) - 1, -1, -1):
        parent = items[n]
        if parent.get("children") is None:
            continue
        direct = [i for i in items[n + 1:] if (i.get("parent") or {}).get("path")
                  == parent["path"]]
        ex = next((c.get("name") for c in parent.get("checks") or []
                   if any(f.get("code") == ROLLUP_CODE and f.get("check") == c.get("name")
                          for f in parent.get("findings") or [])), None)
        ex = ex or (parent.get("checks") or [{}])[0].get("name")
        if not ex:
            continue
        own = [f for f in parent.get("findings") or [] if f.get("code") != ROLLUP_CODE]
        rolled = [f.to_dict() for f in rollup_findings(ex, direct)]
        new = dict(parent)
        new["findings"] = own + rolled
        new["checks"] = [{**c, "status": "flagged"} if c.get("name") == ex and c.get(
            "status") == "ok" and any(f["severity"] != "info" for f in rolled) else c
            for c in parent.get("checks") or []]
        new.pop("triage", None)
        items[n] = finish_item(new)
    return items[0], [(items[i + 1], k[1], k[2]) for i, k in enumerate(kids)]


class _Idle:
    """A retired slot (its worker died and nothing is left to give a new one)."""

    path = None


def scan_one(path: str, *, checks: Sequence[Check],
             options: BatchOptions | None = None) -> dict[str, Any]:
    """One file through the batch driver (a worker process, with the timeout and memory
    limit): the item dict. For commands about a single file (``provenance metadata``)."""
    found: list[dict[str, Any]] = []
    run_batch([path], checks=checks, options=options, on_item=found.append)
    if not found:  # the run was interrupted before the file finished
        raise KeyboardInterrupt
    return found[0]
