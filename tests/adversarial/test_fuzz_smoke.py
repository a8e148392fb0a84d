"""A short run of the coverage-guided fuzz harness (``python -m benchmarks.fuzz``) in CI.

Every target is fuzzed for a few seconds from the generated seeds: each must execute inputs,
and none may turn up a finding (an exception other than its documented error type). The
long runs are done by hand: ``python -m benchmarks.fuzz --seconds 300``.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import fuzz

ROOT = Path(__file__).resolve().parents[2]
SECONDS_PER_TARGET = 3


@pytest.mark.skipif(importlib.util.find_spec("atheris") is None,
                    reason="atheris is not installed (Linux x86-64, CPython 3.11-3.13)")
def test_every_target_runs_and_finds_nothing(tmp_path: Path) -> None:
    out = tmp_path / "findings"
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.fuzz", "--seconds", str(SECONDS_PER_TARGET),
         "--target", "all", "--jobs", "2", "--no-shared-corpus", "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=240, check=False)
    report = proc.stdout + proc.stderr
    results = {m["target"]: m for m in re.finditer(
        r"^RESULT target=(?P<target>\w+) seconds=(?P<seconds>[\d.]+) "
        r"executions=(?P<execs>\d+) .*?seeds=(?P<seeds>\d+) .*?findings=(?P<findings>\d+)$",
        report, re.M)}
    assert set(results) == set(fuzz.TARGETS), report[-3000:]
    for target, m in results.items():
        # at least the seed corpus went through the target, and mutations after it
        assert int(m["execs"]) > int(m["seeds"]), (target, report[-3000:])
        assert int(m["findings"]) == 0, (target, report[-3000:])
    assert proc.returncode == 0, report[-3000:]
    assert not list(out.rglob("finding-*")), report[-3000:]
    assert re.search(r"^TOTAL executions=\d+ findings=0$", report, re.M)


def test_without_atheris_it_says_so_and_exits_2(monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "atheris" else real(name, *a))
    assert fuzz.main(["--seconds", "1", "--target", "jpeg"]) == 2
    assert "'atheris' package is not installed" in capsys.readouterr().err


def test_an_unexpected_exception_is_a_finding_and_a_documented_one_is_not() -> None:
    from provenancekit.forensics.tracks import TrackError

    def target(data: bytes) -> None:
        if data == b"documented":
            raise TrackError("x: not a track")
        if data == b"bug":
            {}["missing"]  # noqa: B018 - the bug under test

    spec = fuzz.Target(target, ("provenancekit.forensics.tracks.parse.TrackError",))
    expected = (TrackError,)
    assert fuzz._run_one(spec, expected, b"fine") is None
    assert fuzz._run_one(spec, expected, b"documented") is None
    exc = fuzz._run_one(spec, expected, b"bug")
    assert isinstance(exc, KeyError)
    assert fuzz._signature(exc).startswith("KeyError@test_fuzz_smoke.py:target:")
    assert fuzz.owned_elsewhere(exc) is None


def test_replay_runs_saved_inputs_through_a_target(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """``--replay`` (no atheris needed) reruns saved inputs through a target."""
    import io

    from PIL import Image

    saved = tmp_path / "input.jpg"
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 20, 30)).save(buf, "JPEG")
    saved.write_bytes(buf.getvalue()[:200])  # cut inside the scan: a truncated JPEG
    assert fuzz.main(["--target", "metadata", "--replay", str(saved)]) == 0
    assert capsys.readouterr().out.startswith(f"ok    {saved} (200 bytes")


def test_dictionary_file_escapes_bytes(tmp_path: Path) -> None:
    path = tmp_path / "t.dict"
    fuzz.write_dictionary(path, (b"\xff\xd8", b'say "hi"\\', b"plain"))
    assert path.read_text().splitlines() == ['"\\xff\\xd8"', '"say \\x22hi\\x22\\x5c"', '"plain"']
