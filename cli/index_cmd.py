"""``provenance index``: build and query the known-imagery index."""

from __future__ import annotations

import click
from rich.console import Console

from provenancekit.forensics.index import open_index, resolve_index_path
from provenancekit.reports.index_view import add_line, add_summary, print_query, print_stats
from provenancekit.reports.serialize import to_json

from .options import known_index_option


@click.group()
def index() -> None:
    """Known imagery: remember previously published images, find their copies.

    The index is one SQLite file: --index, else $PROVENANCE_INDEX, else
    $XDG_DATA_HOME/provenance/index.sqlite (~/.local/share/provenance/index.sqlite).
    A scan matches against it with 'provenance scan --index FILE'.
    """


@index.command("add")
@click.argument("paths", nargs=-1, type=click.Path())
@known_index_option
@click.option("--source-csv", "source_csv", type=click.Path(exists=True, dir_okay=False),
              default=None,
              help="CSV with header path,url,first_seen,caption,credit (paths relative to "
                   "the CSV). Without PATHS, adds every file it lists.")
@click.option("--url", default=None, help="Where the image(s) were first published.")
@click.option("--first-seen", "first_seen", default=None,
              help="When the image(s) were first seen (ISO 8601: 2022, 2022-03, 2022-03-14 "
                   "or a date-time).")
@click.option("--caption", default=None, help="Caption the image was first published with.")
@click.option("--credit", default=None, help="Author or agency credited.")
def index_add(paths: tuple[str, ...], index: str | None, source_csv: str | None,
              url: str | None, first_seen: str | None, caption: str | None,
              credit: str | None) -> None:
    """Add image files and folders (recursively) to the index.

    Unreadable images are reported and skipped; adding the same file again changes nothing
    (except filling empty url/first_seen/caption/credit). Each image is added in its own
    transaction, so an interrupted run keeps every image added before it.
    """
    if not paths and not source_csv:
        raise click.UsageError("give image files/folders, or --source-csv FILE")
    where = resolve_index_path(index)
    counts: dict[str, int] = {}
    console = Console(highlight=False)
    with open_index(where) as idx:
        for result in idx.add_paths(paths, source_csv=source_csv,
                                    defaults={"url": url, "first_seen": first_seen,
                                              "caption": caption, "credit": credit}):
            counts[result.status] = counts.get(result.status, 0) + 1
            console.print(add_line(result.to_dict()))
    console.print(add_summary(counts, where))


@index.command("stats")
@known_index_option
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def index_stats(index: str | None, as_json: bool) -> None:
    """Show what the index holds: images, provenance coverage, hash versions."""
    with open_index(resolve_index_path(index), create=False, readonly=True) as idx:
        stats = idx.stats()
    if as_json:
        click.echo(to_json(stats), nl=False)
    else:
        print_stats(stats, Console(highlight=False))


@index.command("query")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@known_index_option
@click.option("--json", "as_json", is_flag=True, help="Print the matches as JSON.")
def index_query(paths: tuple[str, ...], index: str | None, as_json: bool) -> None:
    """Find the indexed images each given image is a copy of (ranked, with distances,
    the transformation and where/when each was first seen)."""
    with open_index(resolve_index_path(index), create=False, readonly=True) as idx:
        results = [idx.query_path(p).to_dict() for p in paths]
    if as_json:
        click.echo(to_json({"schema": "provenance.index_query/1", "results": results}), nl=False)
    else:
        print_query(results, Console(highlight=False))
