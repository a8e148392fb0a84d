"""The case file: validated with file:line, field and what is wrong; the template reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from provenancekit.forensics.case import CaseFileError, load_case, template_text, write_template

GOOD = """\
version: 1
title: t
claim:
  text: "Drones attacked the residence."
  author: Ministry
  date: 2025-12-30T09:00:00+03:00
  appearance:
    - url: https://example.org/a
asserts:
  event:
    start: 2025-12-29T21:00:00+03:00
    end: 2025-12-30T03:00:00+03:00
  place: {name: Residence, lat: 61.52, lon: 34.18, radius_km: 2}
  target: {name: Residence, lat: 61.52, lon: 34.18}
sites:
  - {name: Airfield, lat: 61.27, lon: 33.86}
evidence:
  - id: E1
    file: a.jpg
review:
  rating: false
  media: {E1: OriginalMediaContent}
"""


def _write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "a.jpg").write_bytes(b"\xff\xd8\xff\xd9")
    p = tmp_path / "case.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def _problems(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(CaseFileError) as info:
        load_case(_write(tmp_path, text))
    return info.value.problems or [str(info.value)]


def test_good_case_loads(tmp_path: Path) -> None:
    case = load_case(_write(tmp_path, GOOD))
    assert case.claim.author == "Ministry"
    assert case.window is not None and case.window_iso[0] == "2025-12-29T21:00:00+03:00"
    assert case.place and case.place.radius_km == 2.0
    assert case.target and case.target.radius_km is None
    assert [s.name for s in case.sites] == ["Airfield"]
    assert case.evidence[0].path == str((tmp_path / "a.jpg").resolve())
    assert case.review.rating == "false"  # a bare YAML `false` is the rating, not a boolean
    assert case.review.media == {"E1": "OriginalMediaContent"}
    assert len(case.sha256) == 64


@pytest.mark.parametrize(("edit", "expected"), [
    (("  text: \"Drones attacked the residence.\"\n", ""), ":3: claim.text: is required"),
    (("lat: 61.52, lon: 34.18, radius_km: 2", "lat: 161.5, lon: 34.18, radius_km: 2"),
     ":13: asserts.place.lat: 161.5 is out of range"),
    (("    end: 2025-12-30T03:00:00+03:00", "    end: 2025-12-29T20:00:00+03:00"),
     ":12: asserts.event.end: 2025-12-29T20:00:00+03:00 is not after the start"),
    (("    start: 2025-12-29T21:00:00+03:00", "    start: 2025-12-29T21:00:00"),
     ":11: asserts.event.start: 2025-12-29T21:00:00 needs a time and a UTC offset"),
    (("    file: a.jpg", "    file: missing.jpg"), ":19: evidence[0].file: missing.jpg: no such"),
    (("  author: Ministry", "  authr: Ministry"), "claim.authr: unknown field (did you mean "
                                                 "'author'?)"),
    (("  rating: false", "  rating: maybe"), ":21: review.rating: 'maybe' is not one of"),
    (("{E1: OriginalMediaContent}", "{E2: OriginalMediaContent}"),
     "review.media.E2: no evidence item has the id 'E2'"),
    (("title: t\n", "title: t\ntitle: u\n"), ":3: title: appears twice (first on line 2)"),
    (("  date: 2025-12-30T09:00:00+03:00", "  date: yesterday"),
     ":6: claim.date: 'yesterday' is not an ISO 8601 date"),
])
def test_problems_name_line_field_and_reason(tmp_path: Path, edit: tuple[str, str],
                                             expected: str) -> None:
    assert edit[0] in GOOD
    problems = _problems(tmp_path, GOOD.replace(edit[0], edit[1], 1))
    assert any(expected in p for p in problems), problems
    assert all(p.startswith(str(tmp_path / "case.yaml") + ":") for p in problems)


def test_every_problem_is_listed_at_once(tmp_path: Path) -> None:
    text = GOOD.replace("lat: 61.27", "lat: north").replace("  author: Ministry\n", "")
    problems = _problems(tmp_path, text)
    assert len(problems) == 2, problems
    assert any("sites[0].lat: must be a number" in p for p in problems)


def test_unreadable_inputs_are_clear(tmp_path: Path) -> None:
    with pytest.raises(CaseFileError, match="does not exist"):
        load_case(tmp_path / "nope.yaml")
    with pytest.raises(CaseFileError, match=r"case.yaml:2: not valid YAML"):
        load_case(_write(tmp_path, "a: [1\nb: 2\n"))
    with pytest.raises(CaseFileError, match="empty"):
        load_case(_write(tmp_path, "# nothing\n"))
    with pytest.raises(CaseFileError, match=r"\(top level\): must be a mapping"):
        load_case(_write(tmp_path, "- a\n- b\n"))
    # YAML that would build Python objects is refused by the safe loader
    with pytest.raises(CaseFileError, match="not valid YAML"):
        load_case(_write(tmp_path, "x: !!python/object/apply:os.system ['echo hi']\n"))


def test_template_is_refused_until_every_placeholder_is_filled(tmp_path: Path) -> None:
    """Issue 14, item 7: the template as written is refused, naming every example value
    left in it (the file's absence is one more problem, listed with them)."""
    from provenancekit.forensics.case.template import placeholders

    path = write_template(tmp_path / "c")
    assert path.read_text(encoding="utf-8") == template_text()
    (tmp_path / "c" / "evidence" / "photo1.jpg").write_bytes(b"x")
    with pytest.raises(CaseFileError) as info:
        load_case(path)
    problems = info.value.problems
    named = [p.split(": ", 2)[1] for p in problems]
    expected = [".".join(ph.path).replace(".*", "[0]") for ph in placeholders()]
    assert named == expected, named
    assert all("still holds the template's placeholder" in p for p in problems)
    assert "22 fields still hold the template's placeholders" in str(info.value)
    with pytest.raises(Exception, match="already exists"):
        write_template(tmp_path / "c")


def test_times_at_the_ends_of_the_calendar_are_not_times() -> None:
    """An EXIF date of 0001:01:01 (found by fuzzing) broke the case report with an
    OverflowError: such values are now unplaceable, like any unreadable time."""
    from provenancekit.forensics.tracks.times import parse_time

    assert parse_time("0001:01:01 00:00:00") is None
    assert parse_time("9999-12-31T23:59:59") is None
    assert parse_time("0001-01-01") is None
    ok = parse_time("2025:12:29 23:47:12")
    assert ok is not None and not ok.has_offset
    assert parse_time("2025-12-29T23:47:12+03:00").utc_iso() == "2025-12-29T20:47:12+00:00"
