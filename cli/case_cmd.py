"""``provenance case``: write a case-file template, run a case, verify a report's inputs."""

from __future__ import annotations

import json
import sys

import click

from provenancekit.forensics.batch import BatchOptions
from provenancekit.forensics.case import run_case, verify_report, write_template
from provenancekit.forensics.errors import ProvenanceError
from provenancekit.reports.case_report import ReportSchemaError, read_report, write_case_outputs

from .options import batch_limits_options


@click.group("case")
def case() -> None:
    """Claim-tied reports: a case file states the claim and lists the released evidence."""


@case.command("init")
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("--force", is_flag=True, help="Overwrite an existing case.yaml.")
def init(folder: str, force: bool) -> None:
    """Write a commented case.yaml template (and an evidence/ folder) into FOLDER."""
    path = write_template(folder, overwrite=force)
    click.echo(f"Wrote {path}. Fill it in, put the files in {folder}/evidence/, then run:\n"
               f"  provenance case run {path} -o {folder}/out/")


@case.command("run")
@click.argument("case_file", type=click.Path(dir_okay=False))
@click.option("-o", "--out", "out_dir", type=click.Path(file_okay=False), required=True,
              help="Folder for report.html, report.json and claimreview.jsonld.")
@click.option("--allow-outside", is_flag=True,
              help="Take evidence files from outside the case folder (the report names each).")
@batch_limits_options
def run(case_file: str, out_dir: str, allow_outside: bool, workers: int, timeout: float,
        memory_mb: int) -> None:
    """Scan the case's evidence, assess it against the claim and write the report.

    Each evidence file is analysed in a worker process: one that hangs or crashes a library
    is reported with its error ('timeout', 'worker_crashed'...) and the report is written.
    Evidence must lie inside the case file's folder unless --allow-outside is given."""
    report = run_case(case_file, batch=BatchOptions(workers=workers, timeout_s=timeout,
                                                    memory_mb=memory_mb),
                      allow_outside=allow_outside)
    emit_case_outputs(report, out_dir)


def emit_case_outputs(report: dict, out_dir: str) -> None:
    """Write the three outputs and print where they are, with the suggested rating."""
    try:
        paths = write_case_outputs(report, out_dir)
    except ReportSchemaError as exc:
        raise ProvenanceError(str(exc), code="report_schema") from exc
    s = report["summary"]
    confirmed = s.get("confirmed_rating") or "not yet confirmed (set review.rating)"
    click.echo(f"{len(report['evidence'])} evidence item(s) assessed. Suggested rating: "
               f"{s['suggested_rating']}; confirmed: {confirmed}.")
    for e in report["evidence"]:
        marks = " ".join(f"{a['assertion']}={a['status']}" for a in e["assessments"])
        copy = f" (same bytes as {e['copy_of']}, counted once)" if e.get("copy_of") else ""
        click.echo(f"  {e['id']:>4} {e['file']}: {marks}{copy}")
    outside = report["case"].get("outside_case_folder") or []
    if outside:
        named = ", ".join(f"{o['id']} {o['path']}" for o in outside)
        click.echo(f"Taken from outside the case folder (--allow-outside; named in the "
                   f"report): {named}")
    click.echo(f"Report (HTML): {paths['html']}\nReport (JSON): {paths['json']}\n"
               f"ClaimReview (JSON-LD): {paths['jsonld']}")


@case.command("verify")
@click.argument("report_file", type=click.Path(dir_okay=False))
@click.option("--base", "base_dir", type=click.Path(file_okay=False), default=None,
              help="The case folder to check (default: found from where the report is now).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def verify(report_file: str, base_dir: str | None, as_json: bool) -> None:
    """Re-hash the evidence, case file and index a report names; exit 1 unless every one is
    unchanged.

    The files are looked for in the case folder as it is now: the report records its own
    place relative to the case folder, so a case folder copied or moved with its out/ folder
    is checked where it is (not at the original paths). --base names the case folder
    instead."""
    try:
        report = read_report(report_file)
    except ValueError as exc:
        raise ProvenanceError(str(exc), path=report_file, code="not_a_report") from exc
    result = verify_report(report, report_path=report_file, base_dir=base_dir)
    if as_json:
        click.echo(json.dumps(result, indent=2))
    else:
        base = result["base"]
        click.echo(f"Case folder: {base['path']} ({base['why']}).")
        for r in result["inputs"]:
            where = "" if r["looked_in"] == "case folder" else f"  [{r['looked_in']}]"
            click.echo(f"  {r['status']:>10}  {r['role']:<20} {r['file']}{where}")
            if r.get("hint"):
                click.echo(f"              {r['hint']}")
        click.echo("All inputs unchanged since the report." if result["ok"] else
                   f"{len(result['changed'])} input(s) changed, missing or not verifiable "
                   "since the report.")
    if not result["ok"]:
        sys.exit(1)
