"""``provenance track show``: one navigation file's summary, mission, flown track, map and
profile (HTML and/or JSON)."""

from __future__ import annotations

import click

from provenancekit.forensics.batch import BatchOptions
from provenancekit.forensics.track_view import show_track
from provenancekit.reports.serialize import to_json
from provenancekit.reports.track_page import render_track_html

from .options import batch_limits_options, write_html


@click.group()
def track() -> None:
    """Navigation data: flight logs, missions, NMEA, DJI SRT, GPX/KML/GeoJSON/CSV tracks."""


@track.command("show")
@click.argument("path", type=click.Path())
@click.option("--json", "as_json", is_flag=True,
              help="Print the track document (provenance.track/1) as JSON on stdout.")
@click.option("--html", "html_path", type=click.Path(dir_okay=False), default=None,
              help="Write the page (map: mission dashed, flown track coloured by time; "
                   "altitude/speed profile; findings) to this file.")
@batch_limits_options
def show(path: str, as_json: bool, html_path: str | None, workers: int, timeout: float,
         memory_mb: int) -> None:
    """Summary, programmed mission, flown track, map and profile of one navigation file.

    Without --json or --html, prints the findings. The file is read in a worker process with
    the per-file timeout and memory limit, never modified."""
    doc = show_track(path, options=BatchOptions(workers=1, timeout_s=timeout,
                                                memory_mb=memory_mb))
    if html_path:
        write_html(html_path, path, lambda: render_track_html(doc), "the file being shown")
    if as_json:
        click.echo(to_json(doc), nl=False)
    elif not html_path:
        for f in doc["findings"]:
            click.echo(f"[{f['severity']}/{f['confidence']}] {f['code']}: {f['message']}")
