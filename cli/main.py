"""``provenance`` commands. Each parses options, calls one library function, renders with
``reports``, and turns library errors into one clear line (exit code 2) in :func:`main`."""

from __future__ import annotations

import os
import sys

import click
from rich.console import Console

from provenancekit.forensics import __version__
from provenancekit.forensics.batch import BatchOptions, scan_one
from provenancekit.forensics.checks import get_checks
from provenancekit.forensics.context import ScanOptions
from provenancekit.forensics.errors import ProvenanceError
from provenancekit.reports.serialize import to_json
from provenancekit.reports.terminal import metadata_tree, print_scan

from .case_cmd import case, emit_case_outputs
from .index_cmd import index
from .options import trust_anchors_option
from .release_cmd import release
from .scan_cmd import scan
from .track_cmd import track


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="provenance")
def cli() -> None:
    """Check released media before repeating a claim built on it.

    Every evidence file is hashed, typed by its bytes and never modified.
    """


@cli.command()
@click.argument("path", type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print the metadata as JSON.")
@trust_anchors_option
def metadata(path: str, as_json: bool, trust_anchors: str | None) -> None:
    """Show every metadata field read from one file, grouped (like exiftool -G).

    The file is read in a worker process with the scan's per-file timeout and memory limit,
    like every file the tool analyses."""
    options = BatchOptions(scan=ScanOptions.build(trust_anchors_path=trust_anchors))
    item = scan_one(path, checks=(), options=options)
    if as_json:
        click.echo(to_json(item), nl=False)
    else:
        Console().print(metadata_tree(item))


@cli.command()
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default="provenance-demo",
              show_default=True, help="Folder to build the sample case in.")
def demo(out_dir: str) -> None:
    """Build the sample case (generated evidence, no downloads) and run it: report.html,
    report.json, claimreview.jsonld and the plain scan.json in the folder."""
    from provenancekit.samples.demo import run_demo

    report = run_demo(out_dir)
    doc = {"schema": report["scan_schema"], "tool": report["reproducibility"]["tool"],
           "items": [e["scan"] for e in report["evidence"] if e.get("scan")]}
    result_path = os.path.join(out_dir, "scan.json")
    with open(result_path, "w", encoding="utf-8") as fh:
        fh.write(to_json(doc))
    print_scan(doc, Console())
    emit_case_outputs(report, out_dir)
    click.echo(f"Sample evidence: {os.path.join(out_dir, 'evidence')}; "
               f"plain scan (JSON): {result_path}")


@cli.group()
def checks() -> None:
    """The registered checks."""


@checks.command("list")
def checks_list() -> None:
    """List every check with its version and parameters."""
    for c in get_checks():
        click.echo(f"{c.name} {c.version}: {c.description}")
        for k, v in c.params_dict().items():
            click.echo(f"    {k} = {v}")


cli.add_command(scan)
cli.add_command(case)
cli.add_command(index)
cli.add_command(track)
cli.add_command(release)


def main() -> None:
    """Console entry point: the one boundary where library errors become messages."""
    try:
        rv = cli(standalone_mode=False)
        if isinstance(rv, int) and rv:
            sys.exit(rv)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2)
    except ProvenanceError as exc:
        where = f"{exc.path}: " if exc.path and exc.path not in exc.message else ""
        click.echo(f"error [{exc.code}]: {where}{exc.message}", err=True)
        sys.exit(2)
    except OSError as exc:
        click.echo(f"error: {exc.filename or ''} {exc.strerror or exc}".strip(), err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - last resort: a message, never a traceback
        click.echo(f"internal error ({type(exc).__name__}): {exc}. Please report this with "
                   "the command you ran.", err=True)
        sys.exit(3)
