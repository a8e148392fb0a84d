"""``provenance release show``: the release section of a stored scan (clusters, lineage,
counters and release findings) as text, JSON or a self-contained HTML page."""

from __future__ import annotations

import click

from provenancekit.forensics.release.stored import load_scan, load_sources, release_of
from provenancekit.reports.release_page import render_release_html
from provenancekit.reports.serialize import to_json

from .options import write_html


@click.group()
def release() -> None:
    """All the files of one release together: same source, lineage, order."""


@release.command("show")
@click.argument("scan_file", type=click.Path(exists=True, dir_okay=False))
@click.option("--html", "html_path", type=click.Path(dir_okay=False), default=None,
              help="Write the page (clusters with their shared values, lineage graph, "
                   "counter/time tables, findings) to this file.")
@click.option("--json", "as_json", is_flag=True,
              help="Print the release section as JSON on stdout.")
@click.option("--sources", "sources_path", type=click.Path(exists=True, dir_okay=False),
              default=None,
              help="CSV of path,source: the source each file is claimed to come from (the "
                   "release is analysed again with these claims).")
def show(scan_file: str, html_path: str | None, as_json: bool,
         sources_path: str | None) -> None:
    """Show the release analysis of SCAN_FILE (a scan --format json document or a JSONL run);
    computed from the stored items when the file has no release section. Never re-reads
    the evidence files."""
    doc = release_of(load_scan(scan_file),
                     sources=load_sources(sources_path) if sources_path else None)
    rel = doc["release"]
    if html_path:
        write_html(html_path, scan_file, lambda: render_release_html(doc), "the scan file")
    if as_json:
        click.echo(to_json(rel), nl=False)
        return
    click.echo(f"{rel['items']} file(s); {len(rel['clusters'])} cluster(s), "
               f"{len(rel['lineage'])} lineage edge(s), {len(rel['findings'])} finding(s)")
    for c in rel["clusters"]:
        click.echo(f"  {c['id']} ({c['by']}): {len(c['members'])} files")
    for f in rel["findings"]:
        click.echo(f"[{f['severity']}/{f['confidence']}] {f['code']}: {f['message']}")
