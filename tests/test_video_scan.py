"""A video through the whole scan (issue 15): the container item, its telemetry and keyframe
children right after it, every child scanned like a file, the contract kept.

The video extractor is put in the registry for these tests (``forensics.containers
.EXTRACTORS``) so they do not depend on the order the registry lists its formats in.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import assert_valid_scan

from provenancekit.forensics import containers
from provenancekit.forensics.containers.video import VideoExtractor
from provenancekit.forensics.scan import scan
from provenancekit.samples.video_clips import write_clip

VIDEO = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "video"


@pytest.fixture(autouse=True)
def _video_registered(monkeypatch: pytest.MonkeyPatch) -> None:
    if not any(e.name == "video" for e in containers.EXTRACTORS):
        monkeypatch.setattr(containers, "EXTRACTORS",
                            containers.EXTRACTORS + (VideoExtractor(),))


def test_clip_scanned_with_keyframe_children(tmp_path: Path) -> None:
    clip = tmp_path / "VID_20240301_120000.mp4"
    clip.write_bytes(write_clip(shots=(1.0, 1.6, 1.0), tags={
        "creation_time": "2024-03-01T09:00:00Z"}))
    doc = scan([str(clip)])
    assert_valid_scan(doc)
    items = doc["items"]
    video, kids = items[0], items[1:]
    assert video["media_type"] == "video/mp4" and video["status"] == "ok"
    assert video["metadata"]["summary"]["codec"] == "h264"
    assert video["children"] == [k["sha256"] for k in kids] and len(kids) == 3
    assert [k["path"].split("#")[1] for k in kids] == ["t=0", "t=1", "t=2.6"]
    assert all(k["relation"] == "keyframe" and k["media_type"] == "image/png" for k in kids)
    assert kids[1]["metadata"]["Container"]["coded_keyframe"] is True
    codes = {f["code"] for f in video["findings"]}
    assert {"video.reencoded", "video.clock_offset"} <= codes
    check = next(c for c in video["checks"] if c["name"] == "video")
    assert check["params"]["max_keyframes"] == 24


@pytest.mark.skipif(not VIDEO.is_dir(), reason="../shared/corpus/video is not beside the project")
def test_gopro_scan_has_track_child_and_truncated_copy_errors(tmp_path: Path) -> None:
    karma = VIDEO / "gpmf-parser" / "karma.mp4"
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(karma.read_bytes()[:300_000])
    doc = scan([str(karma), str(cut)])
    assert_valid_scan(doc)
    items = doc["items"]
    track = next(i for i in items if i.get("relation") == "track")
    assert track["path"].endswith("karma.mp4#track=3")
    assert track["media_type"] == "application/gpx+xml"
    assert any(c["name"] == "track" and c["status"] != "error" for c in track["checks"])
    bad = next(i for i in items if i["path"] == str(cut))
    assert bad["status"] == "error" and bad["error"]["code"] == "truncated"
    assert str(cut) in bad["error"]["message"]
