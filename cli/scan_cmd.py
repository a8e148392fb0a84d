"""``provenance scan``: screen files and folders, from one photo to a whole press kit."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack
from typing import IO, Any

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from provenancekit.forensics.batch import (
    PROFILES,
    BatchOptions,
    checks_for,
    profile_scan_options,
    run_batch,
)
from provenancekit.forensics.context import ScanOptions
from provenancekit.forensics.errors import UsageError
from provenancekit.forensics.model import scan_document
from provenancekit.forensics.release import with_release
from provenancekit.forensics.scan import tool_info
from provenancekit.forensics.store import ResultStore, db_path
from provenancekit.forensics.triage import level_at_least, level_counts
from provenancekit.reports.csv_out import write_csv
from provenancekit.reports.serialize import to_json, to_jsonl_line
from provenancekit.reports.terminal import print_batch_summary, print_scan
from provenancekit.reports.triage import render_triage

from .options import (
    batch_limits_options,
    index_option,
    output_option,
    scan_options,
    trust_anchors_option,
)


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["table", "json", "jsonl"]),
              default="table", show_default=True,
              help="What to write to stdout (or -o): table: readable terminal table, most "
                   "suspicious first; json: one provenance.scan/1 document; jsonl: one item "
                   "per line, written as each file finishes.")
@output_option
@trust_anchors_option
@index_option
@click.option("--profile", type=click.Choice(sorted(PROFILES)), default="full",
              show_default=True,
              help="quick: intake, metadata, JPEG structure, hashes and index match by the "
                   "global hashes (the screening pass: crops and heavy overlays of known "
                   "images need full); full: every check, index match with local features "
                   "too.")
@click.option("--checks", "check_names", default=None, metavar="NAME[,NAME...]",
              help="Run exactly these checks (see 'provenance checks list'); overrides "
                   "--profile.")
@batch_limits_options
@scan_options
def scan(paths: tuple[str, ...], fmt: str, output: str | None, trust_anchors: str | None,
         index: str | None, workers: int, profile: str, check_names: str | None,
         timeout: float, memory_mb: int, results: str | None, resume: bool,
         html: str | None, jsonl: str | None, csv_path: str | None,
         fail_on: str | None) -> None:
    """Scan image files and folders (recursively) and report findings.

    Every input appears in the result with status ok or error; a bad file (even one that
    hangs or crashes a library) never stops the scan. Exit codes: 0 nothing at or above
    --fail-on, 1 something is, 2 usage or I/O error.
    """
    if resume and not results:
        raise UsageError("--resume needs --results FILE (the store of the interrupted run)")
    names = [n.strip() for n in check_names.split(",") if n.strip()] if check_names else None
    try:
        checks = checks_for(profile, names)
    except KeyError as exc:
        raise UsageError(f"unknown check(s): {exc.args[0]}; see 'provenance checks list'"
                         ) from exc
    # a missing or corrupt index stops run_batch before the first file, clearly (exit 2)
    opts = BatchOptions(workers=workers, timeout_s=timeout, memory_mb=memory_mb,
                        resume=resume, thumbnails=bool(html),
                        scan=ScanOptions.build(trust_anchors_path=trust_anchors,
                                               index_path=index,
                                               **profile_scan_options(profile, names)))
    err = Console(stderr=True)
    with ExitStack() as stack:
        if html and not results:  # the triage page needs the thumbnails a store keeps
            tmpdir = stack.enter_context(tempfile.TemporaryDirectory(prefix="provenance-"))
            results = os.path.join(tmpdir, "results.sqlite")
        store = stack.enter_context(ResultStore(results)) if results else None
        out: IO[str] = stack.enter_context(_open(output)) if output else sys.stdout
        jsonl_fh = stack.enter_context(_open(jsonl, "a" if resume else "w")) if jsonl else None
        collected: list[dict[str, Any]] = []
        progress = _progress(err)
        task = None
        if progress is not None:
            stack.enter_context(progress)
            task = progress.add_task("scanning", total=None)

        def on_total(n: int) -> None:
            if progress is not None and task is not None:
                progress.update(task, total=n)

        def on_item(item: dict[str, Any]) -> None:
            if fmt == "jsonl":
                out.write(to_jsonl_line(item))
                out.flush()
            if jsonl_fh is not None:
                jsonl_fh.write(to_jsonl_line(item))
                jsonl_fh.flush()
            if store is None:
                collected.append(item)
            if progress is not None and task is not None:
                progress.advance(task)

        summary = run_batch(paths, checks=checks, options=opts, store=store, on_item=on_item,
                            on_total=on_total)
        def all_items() -> Iterator[dict[str, Any]]:
            if store is not None:  # streamed from the store: a huge run stays small here
                return store.items(paths=summary.order)
            rank = {p: i for i, p in enumerate(summary.order)}
            return iter(sorted(collected, key=lambda i: rank.get(i["path"], len(rank))))

        # the whole result set is held in memory only for outputs that need it at once
        items = list(all_items()) if fmt in ("json", "table") or csv_path or html else []
        ranked = sorted(items, key=lambda i: -(i.get("triage") or {}).get("score", 0.0))
        if fmt == "json":  # more than one item: the release section (forensics.release)
            out.write(to_json(with_release(scan_document(items, tool_info()))))
        elif fmt == "table":
            print_scan(scan_document(ranked, tool_info()),
                       Console(file=out, width=None if out is sys.stdout else 160))
        if csv_path:
            with _open(csv_path) as fh:
                write_csv(ranked, fh)
        if html:
            thumbs = store.thumbnails() if store is not None else {}
            page = render_triage(ranked, summary=level_counts(items),
                                 thumbnails={i["path"]: thumbs.get(db_path(i["path"]), b"")
                                             for i in ranked})
            with _open(html) as fh:
                fh.write(page)
        flagged = bool(fail_on) and any(
            level_at_least((i.get("triage") or {}).get("level", "none"), fail_on)
            for i in (items if items else all_items()))
    print_batch_summary(summary.to_dict(), err)
    if summary.interrupted:
        err.print("Interrupted: finished files are stored"
                  + ("; run again with --resume to finish the rest." if results else "."))
        sys.exit(130)
    if fail_on and flagged:
        sys.exit(1)


def _open(path: str, mode: str = "w") -> IO[str]:
    return open(path, mode, encoding="utf-8", errors="backslashreplace", newline="\n")


class _RateColumn(ProgressColumn):
    def render(self, task: Task) -> Text:
        return Text(f"{task.speed:.1f} files/s" if task.speed else "")


def _progress(console: Console) -> Progress | None:
    """Count, rate and ETA on stderr when it is a terminal; nothing otherwise."""
    if not console.is_terminal:
        return None
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    _RateColumn(), TimeElapsedColumn(), TimeRemainingColumn(),
                    console=console, transient=False)
