"""Case verdicts a fact-checker can publish (issue 14, items 1, 3, 4, 7, 8), on real files.

Real inputs from ``../shared/corpus`` (copied into the test's temporary folder, never modified
in place; skipped when the corpus is absent):

* ``HMD_Nokia_8.3_5G.jpg``: a phone photo whose EXIF DateTimeOriginal 2022-08-14 14:12:31 has
  OffsetTimeOriginal +03:00 (11:12:31 UTC) and whose GPS clock says 11:12:32 UTC
  (``provenance metadata FILE --json``), taken in Helsinki (60.1467, 24.9068);
* ``cerknicko-jezero.gpx``: a GPSBabel track of a lake shore walk (gpxpy's test data).

Only the metadata and track checks run (the case logic under test reads their results; the
pixel checks would add ~10 s a run on the 9 MP photo and change nothing here).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from provenancekit.forensics.case import (
    CaseFileError,
    load_case,
    run_case,
    template_text,
    verify_report,
)
from provenancekit.forensics.case.template import placeholders
from provenancekit.forensics.checks import get_checks
from provenancekit.reports.case_report import write_case_outputs

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
NOKIA = CORPUS / "exif" / "exif-py" / "jpg" / "mobile" / "HMD_Nokia_8.3_5G.jpg"
TRACK = CORPUS / "navlog" / "gpxpy" / "cerknicko-jezero.gpx"

pytestmark = [
    pytest.mark.skipif(not (NOKIA.is_file() and TRACK.is_file()),
                       reason="../shared/corpus is not beside the project"),
    pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork"),
]


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    """``provenance ARGS`` through the console entry point's module (its error handling)."""
    return subprocess.run([sys.executable, "-m", "provenancekit.cli", *args],
                          capture_output=True, text=True, timeout=300)


def _checks() -> tuple:
    return tuple(c for c in get_checks() if c.name in ("metadata", "track"))


# The template's examples and what a fact-checker writes instead (a claim about the photo).
FILLED = {
    '"Short name of the case"': '"Helsinki harbour photo"',
    '"The claim exactly as it was made."': '"The photo shows the harbour fire of 14 August."',
    '"Who made it (a ministry, a spokesperson, an account)"': '"City press office"',
    "date: 2025-01-01T12:00:00+00:00": "date: 2022-08-14T18:00:00+03:00",
    "https://example.org/where-the-claim-appeared": "https://city.example/press/0814",
    "published: 2025-01-01T12:00:00+00:00": "published: 2022-08-14T18:00:00+03:00",
    '"Headline or post title"': '"Fire at the harbour"',
    "start: 2025-01-01T00:00:00+00:00": "start: 2022-08-14T13:00:00+03:00",
    "end: 2025-01-01T06:00:00+00:00": "end: 2022-08-14T16:00:00+03:00",
    '"Named place"': '"West Harbour"',
    "    lat: 0.0\n    lon: 0.0\n    radius_km: 2": "    lat: 60.147\n    lon: 24.907\n"
                                                   "    radius_km: 2",
    '"Alleged target"': '"Pier 4"',
    "    lat: 0.0\n    lon: 0.0\n    radius_km: 1": "    lat: 60.148\n    lon: 24.909\n"
                                                   "    radius_km: 1",
    '"Other named site"': '"Fire station"',
    "    lat: 0.0\n    lon: 0.0\n    note": "    lat: 60.16\n    lon: 24.94\n    note",
    '"Why it matters"': '"Where the fire crews came from"',
    "https://example.org/where-you-got-it": "https://t.me/s/city_press/88",
    "obtained_at: 2025-01-02T09:00:00+00:00": "obtained_at: 2022-08-15T09:00:00+03:00",
    '"What the release says the file shows"': '"The fire at the harbour"',
    '"Your name"': '"A. Checker"',
    '"Your organisation"': '"Example Desk"',
    "organization_url: https://example.org": "organization_url: https://desk.example",
}


def _case_folder(tmp_path: Path, name: str = "case") -> Path:
    folder = tmp_path / name
    (folder / "evidence").mkdir(parents=True)
    shutil.copyfile(NOKIA, folder / "evidence" / "photo1.jpg")
    return folder


def _fill(text: str, keep: tuple[str, ...] = ()) -> str:
    for old, new in FILLED.items():
        assert old in text, old
        if old not in keep:
            text = text.replace(old, new, 1)
    return text


# --------------------------------------------------------------------------------------------
# item 7: an unfilled template is refused, naming each field to fill
# --------------------------------------------------------------------------------------------


def test_case_init_then_run_is_refused_naming_every_field(tmp_path: Path) -> None:
    folder = _case_folder(tmp_path)
    init = _cli("case", "init", str(folder))
    assert init.returncode == 0, init.stderr
    run = _cli("case", "run", str(folder / "case.yaml"), "-o", str(folder / "out"))
    assert run.returncode == 2, run.stdout + run.stderr
    assert not (folder / "out").exists()  # no report about a claim at 0, 0
    out = run.stderr
    assert "Traceback" not in out
    assert "22 fields still hold the template's placeholders" in out
    for ph in placeholders():
        field = ".".join(ph.path).replace(".*", "[0]")
        assert f"{field}: still holds the template's placeholder" in out, field
    assert "(lat 0.0, lon 0.0): give the real coordinates" in out


def test_a_filled_template_runs_and_a_forgotten_field_is_named(tmp_path: Path) -> None:
    folder = _case_folder(tmp_path)
    text = template_text()
    (folder / "case.yaml").write_text(_fill(text), encoding="utf-8")
    case = load_case(folder / "case.yaml")
    assert case.claim.author == "City press office" and case.place is not None
    report = run_case(folder / "case.yaml", checks=_checks())
    assert report["evidence"][0]["summary"]["model"] == "Nokia 8.3 5G"
    # one forgotten example of each kind: text, a time at another offset, a position
    forgot = _fill(text, keep=("date: 2025-01-01T12:00:00+00:00", '"Your organisation"',
                               "    lat: 0.0\n    lon: 0.0\n    note"))
    forgot = forgot.replace("date: 2025-01-01T12:00:00+00:00",
                            "date: 2025-01-01T15:00:00+03:00")  # the same instant
    (folder / "case.yaml").write_text(forgot, encoding="utf-8")
    with pytest.raises(CaseFileError) as info:
        load_case(folder / "case.yaml")
    named = sorted(p.split(": ", 2)[1] for p in info.value.problems)
    assert named == ["claim.date", "review.organization", "sites[0]"], info.value.problems
    # a copied, unedited evidence block is caught too (each list item is checked)
    second = _fill(text).replace(
        "  # - id: E2", "  - id: E2\n    file: evidence/photo1.jpg\n"
        "    obtained_from: https://example.org/where-you-got-it\n  # - id: E3")
    (folder / "case.yaml").write_text(second, encoding="utf-8")
    with pytest.raises(CaseFileError, match=r"evidence\[1\]\.obtained_from: still holds"):
        load_case(folder / "case.yaml")


# --------------------------------------------------------------------------------------------
# shared: a case about the Nokia photo (Helsinki, 14 August 2022)
# --------------------------------------------------------------------------------------------


def _write_case(folder: Path, evidence: list[dict], *, claim_date: str | None =
                "2022-08-14T18:00:00+03:00", published: str | None = "2022-08-14T18:05:00+03:00",
                window: tuple[str, str] | None = ("2022-08-14T13:00:00+03:00",
                                                  "2022-08-14T16:00:00+03:00")) -> Path:
    claim: dict = {"text": "The photo shows the harbour fire of 14 August.",
                   "author": "City press office"}
    if claim_date:
        claim["date"] = claim_date
    if published:
        claim["appearance"] = [{"url": "https://city.example/press/0814",
                                "published": published}]
    doc: dict = {"version": 1, "title": "Helsinki harbour photo", "claim": claim,
                 "asserts": {"place": {"name": "West Harbour", "lat": 60.147, "lon": 24.907,
                                       "radius_km": 2}},
                 "evidence": evidence}
    if window:
        doc["asserts"]["event"] = {"start": window[0], "end": window[1]}
    path = folder / "case.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


# --------------------------------------------------------------------------------------------
# item 8: evidence outside the case folder is refused unless allowed, then named
# --------------------------------------------------------------------------------------------


def test_evidence_outside_the_case_folder_is_refused_unless_allowed(tmp_path: Path) -> None:
    folder = _case_folder(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copyfile(NOKIA, elsewhere / "photo.jpg")
    (folder / "evidence" / "link.jpg").symlink_to(elsewhere / "photo.jpg")
    case = _write_case(folder, [
        {"id": "E1", "file": "evidence/photo1.jpg"},
        {"id": "E2", "file": "../elsewhere/photo.jpg"},
        {"id": "E3", "file": str(elsewhere / "photo.jpg")},
        {"id": "E4", "file": "evidence/link.jpg"},
        {"id": "E5", "file": "../../../../../../../../../etc/passwd"}])
    with pytest.raises(CaseFileError) as info:
        load_case(case)
    problems = info.value.problems
    assert [p.split(": ", 2)[1] for p in problems] == [
        f"evidence[{i}].file" for i in (1, 2, 3, 4)], problems
    assert "../elsewhere/photo.jpg: leaves the case folder" in problems[0]
    assert f"is a link to {elsewhere / 'photo.jpg'}, outside the case folder" in problems[2]
    assert "etc/passwd: leaves the case folder (/etc/passwd)" in problems[3]
    assert all("--allow-outside" in p for p in problems)
    # the CLI refuses it too, and writes nothing
    run = _cli("case", "run", str(case), "-o", str(folder / "out"))
    assert run.returncode == 2 and "leaves the case folder" in run.stderr
    assert not (folder / "out").exists()
    # allowed: taken, and named in the report, its HTML and the CLI's output
    _write_case(folder, [{"id": "E1", "file": "evidence/photo1.jpg"},
                         {"id": "E2", "file": "../elsewhere/photo.jpg"},
                         {"id": "E4", "file": "evidence/link.jpg"}])
    report = run_case(case, checks=_checks(), allow_outside=True)
    by_id = {e["id"]: e for e in report["evidence"]}
    assert [o["id"] for o in report["case"]["outside_case_folder"]] == ["E2", "E4"]
    assert report["case"]["outside_case_folder"][0]["path"] == str(elsewhere / "photo.jpg")
    assert not by_id["E1"]["outside_case_folder"]
    assert by_id["E2"]["outside_case_folder"] and by_id["E4"]["outside_case_folder"]
    assert by_id["E2"]["summary"]["model"] == "Nokia 8.3 5G"
    paths = write_case_outputs(report, folder / "out")  # the schema knows the fields
    html = paths["html"].read_text(encoding="utf-8")
    assert "Taken from outside the case folder" in html and str(elsewhere) in html
    # the CLI flag (a small file: the CLI runs every check)
    shutil.copyfile(TRACK, elsewhere / "track.gpx")
    _write_case(folder, [{"id": "T1", "file": "../elsewhere/track.gpx"}])
    run = _cli("case", "run", str(case), "-o", str(folder / "out2"), "--allow-outside")
    assert run.returncode == 0, run.stderr
    assert "Taken from outside the case folder (--allow-outside; named in the report): " \
           f"T1 {elsewhere / 'track.gpx'}" in run.stdout


# --------------------------------------------------------------------------------------------
# item 1: verify checks the case folder where it is now
# --------------------------------------------------------------------------------------------


def _verify(report: Path, *extra: str) -> tuple[int, dict]:
    run = _cli("case", "verify", str(report), "--json", *extra)
    assert run.returncode in (0, 1), run.stderr
    return run.returncode, json.loads(run.stdout)


def _flip_one_byte(path: Path, at: int = 5000) -> None:
    with open(path, "r+b") as fh:
        fh.seek(at)
        byte = fh.read(1)
        fh.seek(at)
        fh.write(bytes([byte[0] ^ 1]))


def test_verify_checks_the_copy_or_the_moved_folder_not_the_originals(tmp_path: Path) -> None:
    orig = _case_folder(tmp_path, "orig")
    shutil.copyfile(TRACK, orig / "evidence" / "walk.gpx")
    case = _write_case(orig, [{"id": "E1", "file": "evidence/photo1.jpg"},
                              {"id": "T1", "file": "evidence/walk.gpx"}])
    report = run_case(case, checks=_checks())
    write_case_outputs(report, orig / "out")
    doc = json.loads((orig / "out" / "report.json").read_text(encoding="utf-8"))
    assert doc["reproducibility"]["case_folder_from_report"] == ".."
    assert [i["case_relative"] for i in doc["reproducibility"]["inputs"]] == [
        "case.yaml", "evidence/photo1.jpg", "evidence/walk.gpx"]
    code, res = _verify(orig / "out" / "report.json")
    assert code == 0 and res["ok"] and res["base"] == {
        "path": str(orig), "source": "report", "why": res["base"]["why"]}
    # a copy (to a colleague), one evidence file of the copy tampered with
    copy = tmp_path / "colleague" / "case"
    shutil.copytree(orig, copy, symlinks=True)
    _flip_one_byte(copy / "evidence" / "photo1.jpg")
    code, res = _verify(copy / "out" / "report.json")
    assert code == 1 and not res["ok"]
    assert res["base"]["path"] == str(copy) and res["base"]["source"] == "report"
    assert [(c["file"], c["status"]) for c in res["changed"]] == [
        ("evidence/photo1.jpg", "changed")]
    assert all(i["path"].startswith(str(copy)) for i in res["inputs"])
    code, res = _verify(orig / "out" / "report.json")  # the originals are untouched
    assert code == 0
    # the folder moved (renamed): every file still found, the base says where
    moved = tmp_path / "archive-2022-08"
    orig.rename(moved)
    run = _cli("case", "verify", str(moved / "out" / "report.json"))
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"Case folder: {moved} (where the report is now ({moved / 'out'})" in run.stdout
    assert "All inputs unchanged since the report." in run.stdout
    assert "missing" not in run.stdout
    # --base stays an override, both ways
    code, res = _verify(copy / "out" / "report.json", "--base", str(moved))
    assert code == 0 and res["base"]["source"] == "base"
    code, res = _verify(moved / "out" / "report.json", "--base", str(copy))
    assert code == 1 and [c["file"] for c in res["changed"]] == ["evidence/photo1.jpg"]
    # the report alone, sent on without its folder: missing, with a hint naming --base
    alone = tmp_path / "mail" / "report.json"
    alone.parent.mkdir()
    shutil.copyfile(moved / "out" / "report.json", alone)
    run = _cli("case", "verify", str(alone))
    assert run.returncode == 1
    assert run.stdout.count("   missing  ") == 3
    assert "give --base FOLDER" in run.stdout
    code, res = _verify(alone, "--base", str(moved))
    assert code == 0


def test_verify_of_a_report_without_its_place_uses_the_recorded_folder(tmp_path: Path) -> None:
    """A report written before the place was recorded (or a dict never written) is checked
    at the recorded case folder, and says so; a file still at the recorded path is named."""
    folder = _case_folder(tmp_path)
    case = _write_case(folder, [{"id": "E1", "file": "evidence/photo1.jpg"}])
    report = run_case(case, checks=_checks())
    assert "case_folder_from_report" not in report["reproducibility"]  # set when written
    old = json.loads(json.dumps(report))
    for inp in old["reproducibility"]["inputs"]:
        del inp["case_relative"], inp["outside_case_folder"]
    del old["reproducibility"]["case_folder"]
    res = verify_report(old, report_path=tmp_path / "somewhere" / "report.json")
    assert res["ok"] and res["base"]["source"] == "recorded"
    assert res["base"]["path"] == str(folder)
    # the report alone, taken elsewhere while the case folder stays: the file still at the
    # recorded path is named, with the --base that checks it
    written = write_case_outputs(report, folder / "out")["json"]
    alone = tmp_path / "mail" / "out" / "report.json"
    alone.parent.mkdir(parents=True)
    shutil.copyfile(written, alone)
    res = verify_report(json.loads(alone.read_text(encoding="utf-8")), report_path=alone)
    assert not res["ok"] and res["base"]["path"] == str(tmp_path / "mail")
    miss = res["inputs"][1]
    assert miss["status"] == "missing" and miss["file"] == "evidence/photo1.jpg"
    assert f"a file is still at the recorded path {folder / 'evidence' / 'photo1.jpg'}" \
           in miss["hint"] and f"give --base {folder}" in miss["hint"]


# --------------------------------------------------------------------------------------------
# item 3: impossible times (after the file was obtained, after the claim was published)
# --------------------------------------------------------------------------------------------

CANON = CORPUS / "exif" / "metadata-extractor-images" / "jpg" / "Canon EOS 7D.jpg"


def _time(report: dict, eid: str = "E1") -> dict:
    entry = next(e for e in report["evidence"] if e["id"] == eid)
    return next(a for a in entry["assessments"] if a["assertion"] == "time")


def _codes(assessment: dict) -> list[str]:
    return [f["code"] for f in assessment["findings"]]


def test_a_photo_captured_after_it_was_obtained_is_inconsistent(tmp_path: Path) -> None:
    """The phone's clock (14:12:31+03:00) and its GPS clock (11:12:32Z) agree, inside the
    window: consistent when obtained the next day; obtained at 12:00+03:00, the same file is
    dated 2.2 h after it was in the fact-checker's hands."""
    folder = _case_folder(tmp_path)
    window = ("2022-08-14T10:00:00+03:00", "2022-08-14T16:00:00+03:00")
    case = _write_case(folder, [{"id": "E1", "file": "evidence/photo1.jpg",
                                 "obtained_at": "2022-08-15T09:00:00+03:00"}], window=window)
    before = _time(run_case(case, checks=_checks()))
    assert before["status"] == "consistent", before
    _write_case(folder, [{"id": "E1", "file": "evidence/photo1.jpg",
                          "obtained_at": "2022-08-14T12:00:00+03:00"}], window=window)
    t = _time(run_case(case, checks=_checks()))
    assert (t["status"], t["confidence"]) == ("inconsistent", "high"), t
    assert _codes(t)[0] == "case.captured_after_obtained"
    f = t["findings"][0]
    assert (f["severity"], f["confidence"]) == ("high", "high")
    # both times cited: the file's (GPS clock, the camera clock with it) and obtained_at
    assert "EXIF GPS date/time (UTC) says 2022-08-14T11:12:32+00:00, 2.2 h after obtained_at " \
           "(2022-08-14T12:00:00+03:00) (so does EXIF DateTimeOriginal)" in t["summary"]
    assert f["evidence"]["limit_value"] == "2022-08-14T12:00:00+03:00"
    assert {x["field"] for x in f["evidence"]["times"]} == {"GPS date/time (UTC)",
                                                            "DateTimeOriginal"}
    assert {"obtained_at", "DateTimeOriginal"} <= {r["field"] for r in t["rests_on"]}
    # with no event window stated, the impossibility still stands
    _write_case(folder, [{"id": "E1", "file": "evidence/photo1.jpg",
                          "obtained_at": "2022-08-14T12:00:00+03:00"}], window=None)
    t = _time(run_case(case, checks=_checks()))
    assert t["status"] == "inconsistent" and _codes(t)[0] == "case.captured_after_obtained"


def test_a_photo_captured_after_the_claim_was_published_is_inconsistent(tmp_path: Path
                                                                        ) -> None:
    folder = _case_folder(tmp_path)
    window = ("2022-08-14T10:00:00+03:00", "2022-08-14T16:00:00+03:00")  # claim made during it
    ev = [{"id": "E1", "file": "evidence/photo1.jpg",
           "obtained_at": "2022-08-15T09:00:00+03:00"}]
    case = _write_case(folder, ev, window=window, claim_date="2022-08-14T12:00:00+03:00",
                       published="2022-08-14T12:30:00+03:00")
    t = _time(run_case(case, checks=_checks()))
    assert (t["status"], t["confidence"]) == ("inconsistent", "high"), t
    assert _codes(t) == ["case.captured_after_claim", "case.time_inside_window",
                         "case.light_fits_claim"]  # the sun check: a daylight exposure at noon
    assert "2.2 h after claim.date (2022-08-14T12:00:00+03:00)" in t["summary"]
    # 12 minutes after: within a camera clock's error, medium confidence (the parameter)
    _write_case(folder, ev, window=window, claim_date="2022-08-14T14:00:00+03:00",
                published=None)
    t = _time(run_case(case, checks=_checks()))
    assert (t["status"], t["confidence"]) == ("inconsistent", "medium"), t
    assert t["findings"][0]["evidence"]["hours_after"] == pytest.approx(0.209, abs=0.001)
    # an appearance's publication time is a limit too
    _write_case(folder, ev, window=window, claim_date=None,
                published="2022-08-14T12:30:00+03:00")
    t = _time(run_case(case, checks=_checks()))
    assert "claim.appearance[0].published (2022-08-14T12:30:00+03:00)" in t["summary"]


def test_a_time_without_offset_is_impossible_only_when_every_offset_agrees(tmp_path: Path
                                                                           ) -> None:
    """The same photo with OffsetTime* and the GPS block removed (piexif, on the copy): its
    DateTimeOriginal 14:12:31 may mean 00:12Z to 02:12Z the next day."""
    import piexif

    folder = _case_folder(tmp_path)
    photo = folder / "evidence" / "photo1.jpg"
    exif = piexif.load(str(photo))
    for tag in (piexif.ExifIFD.OffsetTime, piexif.ExifIFD.OffsetTimeOriginal,
                piexif.ExifIFD.OffsetTimeDigitized):
        exif["Exif"].pop(tag, None)
    exif["GPS"] = {}
    exif["thumbnail"] = None
    piexif.insert(piexif.dump(exif), str(photo))
    ev = {"id": "E1", "file": "evidence/photo1.jpg"}
    case = _write_case(folder, [{**ev, "obtained_at": "2022-08-14T12:00:00+03:00"}],
                       window=None, claim_date=None, published=None)
    t = _time(run_case(case, checks=_checks()))
    assert "case.captured_after_obtained" not in _codes(t), t  # UTC+14 would put it at 00:12Z
    _write_case(folder, [{**ev, "obtained_at": "2022-08-13T23:00:00+03:00"}], window=None,
                claim_date=None, published=None)
    t = _time(run_case(case, checks=_checks()))
    assert _codes(t)[0] == "case.captured_after_obtained", t
    assert "DateTimeOriginal says 2022-08-14T14:12:31, " in t["summary"]


def test_a_file_written_after_it_was_obtained_cannot_be_taken_at_face_value(
        tmp_path: Path) -> None:
    """Canon EOS 7D: XMP exif:DateTimeOriginal 2010-12-12T12:41:35+01:00, xmp:ModifyDate
    2011-01-10T21:09:00+01:00. Obtained on 20 December, the file says it was saved in
    January: its times are not evidence of anything."""
    folder = tmp_path / "case"
    (folder / "evidence").mkdir(parents=True)
    shutil.copyfile(CANON, folder / "evidence" / "canon.jpg")
    window = ("2010-12-12T10:00:00+01:00", "2010-12-12T14:00:00+01:00")
    ev = {"id": "E1", "file": "evidence/canon.jpg"}
    case = _write_case(folder, [{**ev, "obtained_at": "2011-02-01T10:00:00+01:00"}],
                       window=window, claim_date=None, published=None)
    assert _time(run_case(case, checks=_checks()))["status"] == "consistent"
    _write_case(folder, [{**ev, "obtained_at": "2010-12-20T10:00:00+01:00"}], window=window,
                claim_date=None, published=None)
    t = _time(run_case(case, checks=_checks()))
    assert (t["status"], t["confidence"]) == ("cannot_tell", "medium"), t
    assert _codes(t)[0] == "case.written_after_obtained"
    assert "XMP xmp:ModifyDate says 2011-01-10T21:09:00+01:00" in t["summary"]
    assert "Taken at face value: " in t["summary"]


def test_a_track_logged_after_it_was_obtained_is_inconsistent(tmp_path: Path) -> None:
    folder = tmp_path / "case"
    (folder / "evidence").mkdir(parents=True)
    shutil.copyfile(TRACK, folder / "evidence" / "walk.gpx")
    window = ("2010-08-05T00:00:00Z", "2010-08-06T00:00:00Z")
    ev = {"id": "T1", "file": "evidence/walk.gpx"}
    case = _write_case(folder, [{**ev, "obtained_at": "2010-08-06T09:00:00Z"}], window=window,
                       claim_date=None, published=None)
    assert _time(run_case(case, checks=_checks()), "T1")["status"] == "consistent"
    _write_case(folder, [{**ev, "obtained_at": "2010-08-05T15:00:00Z"}], window=window,
                claim_date=None, published=None)
    t = _time(run_case(case, checks=_checks()), "T1")
    assert (t["status"], t["confidence"]) == ("inconsistent", "high"), t
    assert t["summary"].startswith("track last fix says 2010-08-05T16:23:49+00:00, 1.4 h "
                                   "after obtained_at (2010-08-05T15:00:00+00:00): the track "
                                   "is dated after the file was obtained")


# --------------------------------------------------------------------------------------------
# item 4: the same bytes count once
# --------------------------------------------------------------------------------------------


def test_byte_identical_evidence_counts_once(tmp_path: Path) -> None:
    """The phone photo released twice under two names fits the claimed time and place: one
    piece of evidence ('possible'), not two ('likely' before)."""
    folder = _case_folder(tmp_path)
    shutil.copyfile(NOKIA, folder / "evidence" / "repost_from_channel.jpg")
    ev = [{"id": "E1", "file": "evidence/photo1.jpg", "obtained_at": "2022-08-15T09:00:00+03:00"},
          {"id": "E2", "file": "evidence/repost_from_channel.jpg",
           "obtained_from": "https://t.me/s/other/12", "obtained_at": "2022-08-15T10:00:00+03:00"}]
    case = _write_case(folder, ev)
    report = run_case(case, checks=_checks())
    e1, e2 = report["evidence"]
    assert e1["sha256"] == e2["sha256"]
    assert (e1["copy_of"], e1["copies"], e2["copy_of"]) == (None, ["E2"], "E1")
    assert e2["copy_note"].startswith("E2 (evidence/repost_from_channel.jpg) is a "
                                      "byte-identical copy of E1 (evidence/photo1.jpg)")
    orig = next(a for a in e2["assessments"] if a["assertion"] == "originality")
    assert orig["summary"].startswith("A byte-identical copy of E1 (evidence/photo1.jpg)")
    orig = next(a for a in e1["assessments"] if a["assertion"] == "originality")
    assert orig["summary"].startswith("E2 (evidence/repost_from_channel.jpg) is a "
                                      "byte-identical copy of this file")
    rows = {a["assertion"]: a for a in report["assertions"]}
    assert rows["time"]["consistent"] == ["E1"] and rows["place"]["consistent"] == ["E1"]
    assert rows["time"]["copies"] == {"E1": ["E2"]}
    assert report["summary"]["supporting"] == ["E1"]
    assert report["summary"]["suggested_rating"] == "possible"
    assert report["map"]["photos_shown"] == ["E1"]
    media = [m for m in report["claimreview"]["@graph"] if m["@type"] == "MediaReview"]
    assert len(media) == 1
    assert [a["name"] for a in media[0]["itemReviewed"]["mediaItemAppearance"]] == [
        "evidence/photo1.jpg", "evidence/repost_from_channel.jpg"]
    paths = write_case_outputs(report, folder / "out")
    html = paths["html"].read_text(encoding="utf-8")
    assert "E1 (= E2)" in html and "byte-identical copy of E1" in html
    # a copy obtained earlier bounds both: the same bytes existed by then
    ev[1]["obtained_at"] = "2022-08-14T12:00:00+03:00"
    _write_case(folder, ev, window=("2022-08-14T10:00:00+03:00", "2022-08-14T16:00:00+03:00"))
    report = run_case(case, checks=_checks())
    t1 = _time(report, "E1")
    assert t1["status"] == "inconsistent" and _codes(t1)[0] == "case.captured_after_obtained"
    assert "obtained_at of E2 (the same bytes) (2022-08-14T12:00:00+03:00)" in t1["summary"]
    assert {a["assertion"]: a for a in report["assertions"]}["time"]["inconsistent"] == ["E1"]
    assert report["summary"]["undermining"] == ["E1"]


def test_a_track_reposted_under_another_name_counts_once(tmp_path: Path) -> None:
    folder = tmp_path / "case"
    (folder / "evidence").mkdir(parents=True)
    shutil.copyfile(TRACK, folder / "evidence" / "walk.gpx")
    shutil.copyfile(TRACK, folder / "evidence" / "nav_unit_export.gpx")
    case = _write_case(folder, [{"id": "T1", "file": "evidence/walk.gpx"},
                                {"id": "T2", "file": "evidence/nav_unit_export.gpx"},
                                {"id": "T3", "file": "evidence/walk.gpx"}],
                       window=("2010-08-05T00:00:00Z", "2010-08-06T00:00:00Z"),
                       claim_date=None, published=None)
    doc = yaml.safe_load(case.read_text(encoding="utf-8"))
    doc["asserts"]["target"] = {"name": "Shore", "lat": 45.772, "lon": 14.357}
    doc["asserts"]["place"] = {"name": "Lake", "lat": 45.77, "lon": 14.36, "radius_km": 5}
    case.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    report = run_case(case, checks=_checks())
    t1, t2, t3 = report["evidence"]
    assert t1["kind"] == t2["kind"] == "track" and t1["track"]["points"] > 0
    assert (t2["copy_of"], t3["copy_of"], t1["copies"]) == ("T1", "T1", ["T2", "T3"])
    assert "is the same file as T1" in t3["copy_note"]
    rows = {a["assertion"]: a for a in report["assertions"]}
    listed = [i for a in rows.values() for k in ("consistent", "inconsistent", "cannot_tell")
              for i in a[k]]
    assert "T2" not in listed and "T3" not in listed and listed.count("T1") == 3
    assert rows["target"]["copies"] == {"T1": ["T2", "T3"]}
    run = _cli("case", "verify", str(write_case_outputs(report, folder / "out")["json"]))
    assert run.returncode == 0, run.stdout
