"""Options shared by several commands (defined once, as decorators)."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import click

from provenancekit.forensics.batch import DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT_S

F = Callable[..., Any]


def batch_limits_options(f: F) -> F:
    """``--workers``, ``--timeout``, ``--memory-limit``: how files are analysed (each in a
    worker process, so a file that hangs or crashes a library costs only its own result)."""
    f = click.option("--memory-limit", "memory_mb", type=click.IntRange(min=64),
                     default=DEFAULT_MEMORY_MB, show_default=True,
                     help="MiB of resident memory one worker may use; past it the file gets "
                          "error 'out_of_memory' and the run goes on.")(f)
    f = click.option("--timeout", type=click.FloatRange(min=0.1), default=DEFAULT_TIMEOUT_S,
                     show_default=True,
                     help="Seconds one file may take; past it the file gets error 'timeout' "
                          "and the run goes on.")(f)
    f = click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
                     help="Worker processes analysing files in parallel.")(f)
    return f


def trust_anchors_option(f: F) -> F:
    return click.option(
        "--trust-anchors", "trust_anchors", type=click.Path(exists=True, dir_okay=False),
        default=None,
        help="PEM file of C2PA trust anchors (root certificates) to trust. Without it, "
             "valid Content Credentials are reported as 'valid, signer not trusted'.")(f)


def output_option(f: F) -> F:
    return click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True),
                        default=None, help="Write the result to this file instead of stdout.")(f)


def index_option(f: F) -> F:
    return click.option(
        "--index", "index", type=click.Path(dir_okay=False), default=None,
        envvar="PROVENANCE_INDEX", show_envvar=True,
        help="Known-imagery index (SQLite) to match against. Default: $PROVENANCE_INDEX, "
             "else none for scans.")(f)


def scan_options(f: F) -> F:
    """Batch outputs and behaviour shared by commands that screen many files."""
    f = click.option("--fail-on", "fail_on", type=click.Choice(["low", "medium", "high"]),
                     default=None,
                     help="Exit with code 1 when any file's triage level is at or above "
                          "this.")(f)
    f = click.option("--csv", "csv_path", type=click.Path(dir_okay=False), default=None,
                     help="Also write one CSV row per file (summary fields).")(f)
    f = click.option("--jsonl", "jsonl", type=click.Path(dir_okay=False), default=None,
                     help="Also write one JSON item per line as each file finishes "
                          "(appended to with --resume).")(f)
    f = click.option("--html", "html", type=click.Path(dir_okay=False), default=None,
                     help="Also write a self-contained triage page (sortable, filterable, "
                          "offline).")(f)
    f = click.option("--resume", is_flag=True,
                     help="Skip files whose result in --results is still valid (same path, "
                          "size, modification time and check versions).")(f)
    f = click.option("--results", "results", type=click.Path(dir_okay=False), default=None,
                     help="SQLite results store, written as each file finishes (WAL): an "
                          "interrupted run loses at most the files in flight.")(f)
    return f


def known_index_option(f: F) -> F:
    """``--index`` for the ``index`` commands: where the known-imagery index lives."""
    return click.option(
        "--index", "index", type=click.Path(dir_okay=False), default=None,
        envvar="PROVENANCE_INDEX", show_envvar=True,
        help="Known-imagery index file (SQLite). Default: $PROVENANCE_INDEX, else "
             "$XDG_DATA_HOME/provenance/index.sqlite "
             "(~/.local/share/provenance/index.sqlite).")(f)


def write_html(html_path: str, source_path: str, render: Callable[[], str], source: str) -> None:
    """Write the page ``render()`` makes to ``html_path`` (never over ``source_path``, the
    input it shows, named ``source`` in the refusal) and say where it went."""
    if os.path.abspath(html_path) == os.path.abspath(source_path):
        raise click.UsageError(f"--html would overwrite {source}")
    with open(html_path, "w", encoding="utf-8") as fh:
        fh.write(render())
    click.echo(f"Wrote {html_path}", err=True)
