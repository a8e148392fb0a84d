"""Video containers (issue 15, video half): metadata, findings, keyframes, telemetry, bad input.

Real inputs: the videos of ``../shared/corpus/video`` (SOURCES.md there says what each shows;
the figures asserted below are ExifTool's, quoted there) and clips these tests build with
PyAV (:mod:`provenancekit.samples.video_clips`).
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import numpy as np
import pytest

from provenancekit.forensics.containers.base import DEFAULT_LIMITS, Budget
from provenancekit.forensics.containers.video import VideoExtractor
from provenancekit.forensics.containers.video_boxes import BoxReadError, read_boxes
from provenancekit.forensics.containers.video_findings import (
    compare_clocks,
    file_name_time,
    video_findings,
)
from provenancekit.forensics.containers.video_keyframes import (
    Candidate,
    plan_keyframes,
    render_keyframes,
    select_keyframes,
)
from provenancekit.forensics.containers.video_meta import iso6709, read_video_metadata
from provenancekit.forensics.containers.video_params import VideoParams
from provenancekit.forensics.context import AnalysisContext
from provenancekit.forensics.model import EvidenceItem
from provenancekit.forensics.sniff import sniff_media_type
from provenancekit.forensics.tracks import parse_track
from provenancekit.samples.video_clips import shot_picture, write_clip

VIDEO = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "video"
needs_corpus = pytest.mark.skipif(not VIDEO.is_dir(),
                                  reason="../shared/corpus/video is not beside the project")
MEI = VIDEO / "metadata-extractor-images"
KARMA = VIDEO / "gpmf-parser" / "karma.mp4"

CORPUS_TYPES = {".mkv": "video/x-matroska", ".avi": "video/x-msvideo", ".mts": "video/mp2t",
                ".mov": "video/quicktime"}


def _type(path: Path) -> str:
    mt = sniff_media_type(path.read_bytes()[:4096])
    if mt == "application/octet-stream":  # typed by the scanner's sniffer where it knows them
        mt = CORPUS_TYPES.get(path.suffix.lower(), mt)
    return mt


def _meta(path: Path):
    return read_video_metadata(path, path=str(path), media_type=_type(path))


def _extract(data: bytes, path: str, media_type: str = "video/mp4",
             params: VideoParams | None = None):
    item = EvidenceItem(path=path, sha256=hashlib.sha256(data).hexdigest(), size=len(data),
                        media_type=media_type)
    ctx = AnalysisContext(item, data)
    ex = VideoExtractor(params).extract(ctx, Budget(DEFAULT_LIMITS).container())
    return ctx, ex, list(ex.children)


def _corpus_videos() -> list[Path]:
    return sorted(p for p in VIDEO.rglob("*") if p.is_file() and "_meta" not in p.parts)


# ------------------------------------------------------------------------------ metadata


@needs_corpus
def test_iphone_keys_location_date_rotation() -> None:
    md = _meta(MEI / "mov" / "with-gps.mov")
    s = md.summary
    assert (s["make"], s["model"], s["software"]) == ("Apple", "iPhone 6", "12.3")
    assert s["gps"] == {"lat": 32.0929, "lon": 34.862, "alt": 28.516}
    assert s["datetime_original"] == "2019-07-24T11:25:40+03:00"
    assert s["datetime_original_source"] == "QuickTime:Keys:com.apple.quicktime.creationdate"
    assert (s["width"], s["height"], s["codec"]) == (568, 320, "h264")
    assert s["orientation"] == 6  # display matrix (0 1 -1 0): turned 90 degrees clockwise
    assert abs(s["duration_s"] - 4.0) < 0.01
    qt = md.groups["QuickTime"]
    assert qt["layout"] == ["ftyp", "wide", "mdat", "moov"]
    assert qt["mvhd"]["creation_time"] == "2019-07-24T08:25:57"  # ExifTool CreateDate (UTC)
    assert [t["sample_entry"] for t in qt["tracks"]].count("mebx") == 2


@needs_corpus
def test_mp4_user_data_location_and_dated_offset() -> None:
    md = _meta(MEI / "mp4" / "Issue 515 (java).mp4")
    assert md.summary["gps"] == {"lat": 52.3693, "lon": 6.6761, "alt": 10.535}
    assert md.summary["datetime_original"] == "2020-11-20T15:04:02+01:00"
    loci = md.groups["QuickTime"]["udta"]["loci"]
    assert (loci["lat"], loci["lon"]) == (52.36929, 6.67609)  # ExifTool's figures
    flir = _meta(MEI / "mp4" / "FLIR Thermal.mp4")
    assert flir.summary["gps"]["lat"] == 34.0754 and flir.summary["gps"]["lon"] == -118.2543
    assert flir.summary["datetime_original"] == "2021-05-16T19:27:55+00:00"


@needs_corpus
def test_gopro_and_camera_stubs() -> None:
    gp = _meta(KARMA)
    assert gp.summary["make"] == "GoPro" and gp.summary["software"] == "HD5.02.02.00.00"
    assert gp.summary["datetime_original"] == "2017-04-17T19:27:57"
    assert (gp.summary["width"], gp.summary["height"]) == (854, 480)
    assert "gpmd" in [t["sample_entry"] for t in gp.groups["QuickTime"]["tracks"]]
    pentax = _meta(VIDEO / "exiftool" / "QuickTime.mov")
    assert pentax.summary["make"] == "PENTAX DIGITAL CAMERA"
    assert pentax.summary["datetime_original"] == "2005-08-11T14:03:54"
    assert pentax.summary["duration_s"] == 4.967  # declared (ExifTool 4.97 s)
    sony = _meta(MEI / "mts" / "Sony ILCE-7M3 (A7M3).mts")
    assert (sony.summary["width"], sony.summary["height"]) == (1920, 1080)
    assert sony.groups["Format"]["format"] == "mpegts" and not sony.problems


def test_iso6709_forms() -> None:
    assert iso6709("+32.0929+034.8620+028.516/") == {"lat": 32.0929, "lon": 34.862,
                                                     "alt": 28.516}
    dm = iso6709("+4012.5-07400.5/")
    assert dm["lat"] == pytest.approx(40.20833, abs=1e-4)
    assert dm["lon"] == pytest.approx(-74.00833, abs=1e-4)
    assert iso6709("not a place") is None


def test_generated_clip_tags_rotation_and_encoder() -> None:
    data = write_clip(shots=(1.0, 1.0), audio_seconds=2.0, rotation=90,
                      tags={"location": "+48.8583+002.2945/", "make": "Example"})
    md = read_video_metadata(data, path="clip.mp4", media_type="video/mp4")
    assert not md.problems and md.decodable
    assert md.summary["gps"] == {"lat": 48.8583, "lon": 2.2945, "alt": None}
    # PyAV's set_display_rotation(90) is counter-clockwise: 270 clockwise, EXIF 8
    assert md.summary["orientation"] == 8
    assert md.groups["Streams"]["0"]["encoder_banner"]["library"] == "x264"
    codes = {f.code: f for f in video_findings(md, "clip.mp4")}
    assert "video.reencoded" in codes
    libs = codes["video.reencoded"].evidence["libraries"]
    assert "x264 encoder" in libs and "FFmpeg (libavformat muxer)" in libs


# ------------------------------------------------------------------------------ findings


@needs_corpus
def test_no_false_alarm_above_info_on_camera_originals() -> None:
    """Camera and phone files of the corpus raise nothing above info; the two files edited
    after recording are named (ExifTool's stub, the iMovie/Adobe Bridge clip)."""
    raised = {}
    for path in _corpus_videos():
        md = _meta(path)
        raised[path.name] = {f.code for f in video_findings(md, str(path))
                             if f.severity != "info"}
    assert raised.pop("uuid540.mp4") == {"video.editor_software"}
    assert raised.pop("QuickTime.mov") == {"video.modified_after_recording",
                                           "video.duration_mismatch"}
    assert all(not codes for codes in raised.values()), raised
    assert len(raised) == 8


def test_editor_dates_file_name_and_clock_offset() -> None:
    data = write_clip(shots=(1.0,), tags={"creation_time": "2024-03-01T09:00:00Z"},
                      stream_tags={"handler_name": "CapCut Video Handler"})
    md = read_video_metadata(data, path="x.mp4", media_type="video/mp4")
    name_later = "VID_20240305_120000.mp4"
    codes = {f.code: f for f in video_findings(md, name_later)}
    assert codes["video.editor_software"].severity == "medium"
    assert "CapCut" in codes["video.editor_software"].message
    assert codes["video.date_inconsistent"].evidence["b"]["field"] == "File:name"
    offset = {f.code: f for f in video_findings(md, "VID_20240301_120000.mp4")}
    assert offset["video.clock_offset"].evidence["offset"] == "-03:00"  # mvhd minus name
    assert "video.date_inconsistent" not in offset


def test_durations_disagree_when_sound_is_longer() -> None:
    data = write_clip(shots=(1.0, 1.0), audio_seconds=6.0)
    md = read_video_metadata(data, path="x.mp4", media_type="video/mp4")
    found = [f for f in video_findings(md, "x.mp4") if f.code == "video.duration_mismatch"]
    assert found and found[0].evidence["audio_s"] > found[0].evidence["video_s"] + 3


def test_file_name_times_and_clock_comparison() -> None:
    assert file_name_time("a/VID_20200101_123456.mp4") == ("2020-01-01T12:34:56", False)
    assert file_name_time("DJI_20220807134040_0001.MP4") == ("2022-08-07T13:40:40", False)
    assert file_name_time("PXL_20230101_101010123.mp4") == ("2023-01-01T10:10:10+00:00", True)
    assert file_name_time("GOPR0001.MP4") is None
    assert compare_clocks("2020-01-01T10:00:00", "2020-01-01T10:01:00",
                          tolerance_s=120)["relation"] == "agree"
    r = compare_clocks("2020-01-01T13:00:05", "2020-01-01T10:00:00+00:00", tolerance_s=120)
    assert (r["relation"], r["offset"]) == ("offset", "+03:00")
    assert compare_clocks("2020-01-01T10:00:00", "2020-01-03T10:47:00",
                          tolerance_s=120)["relation"] == "disagree"


# ------------------------------------------------------------------------------ keyframes


def test_keyframes_at_every_cut_of_a_four_shot_clip() -> None:
    shots = (2.0, 3.0, 1.5, 2.5)
    data = write_clip(shots=shots, options={"g": "250"})
    p = VideoParams()
    md = read_video_metadata(data, path="x.mp4", media_type="video/mp4")
    plan = plan_keyframes(data, stream_index=md.video_stream, params=p,
                          duration_s=md.summary["duration_s"])
    cuts = np.cumsum((0.0,) + shots[:-1])
    chosen = [plan.candidates[i].time_s for i, _ in plan.chosen]
    assert len(chosen) == 4
    assert all(abs(a - b) <= 0.08 for a, b in zip(chosen, cuts, strict=True)), chosen
    assert [r for _, r in plan.chosen] == ["first", "shot_change", "shot_change",
                                           "shot_change"]
    frames = list(render_keyframes(data, plan, p))
    assert [f.coded_keyframe for f in frames] == [True] * 4
    from PIL import Image

    for f, seed in zip(frames, range(4), strict=True):
        im = np.asarray(Image.open(io.BytesIO(f.png)).convert("RGB")).astype(int)
        want = shot_picture(seed, 320 + int(12 * 3.0) + 2, 242)[1:241, :320].astype(int)
        assert im.shape == (240, 320, 3)
        assert np.abs(im - want).mean() < 6  # the decoded frame is that shot's picture


def test_selection_caps_and_spreads() -> None:
    cands = [Candidate(time_s=float(t), pts=t, coded_keyframe=True, pict_type="I",
                       score=None if t == 0 else (0.9 if t % 2 else 0.05)) for t in range(60)]
    p = VideoParams(max_keyframes=6, max_gap_s=10.0)
    chosen = select_keyframes(cands, duration_s=60.0, params=p)
    times = [cands[i].time_s for i, _ in chosen]
    assert len(chosen) == 6 and times[0] == 0.0
    assert max(b - a for a, b in zip(times, times[1:], strict=False)) <= 15.0  # spread
    single = [Candidate(float(t), t, True, "I", None if t == 0 else 0.01) for t in range(0, 60, 2)]
    filled = select_keyframes(single, duration_s=60.0, params=VideoParams(max_gap_s=10.0))
    assert {r for _, r in filled} == {"first", "coverage"}
    gaps = np.diff([single[i].time_s for i, _ in filled] + [60.0])
    assert gaps.max() <= 10.0


def test_single_intra_frame_clip_is_sampled_within_budget() -> None:
    data = write_clip(shots=(3.0, 3.0), options={"g": "1000", "sc_threshold": "0"})
    p = VideoParams(max_gap_s=2.0)
    md = read_video_metadata(data, path="x.mp4", media_type="video/mp4")
    plan = plan_keyframes(data, stream_index=md.video_stream, params=p, duration_s=6.0)
    assert plan.mode == "sampled"
    kinds = [plan.candidates[i].coded_keyframe for i, _ in plan.chosen]
    assert kinds[0] is True and not all(kinds)
    assert any(abs(plan.candidates[i].time_s - 3.0) < 0.3 for i, r in plan.chosen
               if r == "shot_change")
    tight = plan_keyframes(data, stream_index=md.video_stream,
                           params=VideoParams(decode_budget_s=0.0), duration_s=6.0)
    assert tight.budget_reached and "decode budget" in tight.problems[0]


def test_extractor_children_paths_and_details() -> None:
    data = write_clip(shots=(1.0, 1.0, 1.0))
    ctx, ex, kids = _extract(data, "release/clip.mp4")
    assert not ctx.problems
    assert [k.relation for k in kids] == ["keyframe"] * 3
    assert [k.fragment() for k in kids] == ["t=0", "t=1", "t=2"]
    d = kids[1].details
    assert d["stream"] == 0 and d["coded_keyframe"] is True and d["pts"] > 0
    assert kids[1].data.startswith(b"\x89PNG")
    assert ex.metadata["Keyframes"]["shot_changes"] == 2
    assert {"summary", "Format", "Streams", "QuickTime"} <= set(ex.metadata)


# ------------------------------------------------------------------------------ telemetry


@needs_corpus
def test_gopro_karma_gpmf_track_child() -> None:
    data = KARMA.read_bytes()
    ctx, ex, kids = _extract(data, str(KARMA))
    tel = ex.metadata["Telemetry"]["3"]
    assert tel["kind"] == "gpmf" and tel["packets"] == 13
    track = [k for k in kids if k.relation == "track"]
    assert len(track) == 1 and track[0].fragment() == "track=3"
    parsed = parse_track("karma.gpx", track[0].data)
    lats = [round(p.lat, 7) for p in parsed.points]
    # ExifTool -ee: first block ends at 33.1253807,-117.3310746 at 19:27:58.28 (UTC)
    i = lats.index(33.1253807)
    assert round(parsed.points[i].lon, 7) == -117.3310746
    assert parsed.points[i].time.startswith("2017-04-17T19:27:58.28")
    assert 33.1259641 in lats
    assert not [f for f in ex.findings if f.code == "video.telemetry_clock"]


def test_dji_subtitle_track_becomes_srt_track() -> None:
    """A DJI-style clip: the flight telemetry as a subtitle track inside the video (DJI writes
    mov_text in its MP4s; PyAV cannot encode mov_text, so the cues go into Matroska as SubRip,
    read by the same path)."""
    import av

    srt = ("1\n00:00:00,000 --> 00:00:01,000\nF/2.8, SS 500, ISO 100, EV 0, GPS (2.2342, "
           "41.4247, 18), D 10.5m, H 20.0m, HOME(2.2340, 41.4240) 2022.08.07 13:40:40\n\n"
           "2\n00:00:01,000 --> 00:00:02,000\nF/2.8, SS 500, ISO 100, EV 0, GPS (2.2343, "
           "41.4248, 18), D 11.0m, H 20.5m, HOME(2.2340, 41.4240) 2022.08.07 13:40:41\n")
    buf = io.BytesIO()
    with av.open(io.BytesIO(srt.encode()), format="srt") as subs, \
            av.open(io.BytesIO(write_clip(shots=(2.0,)))) as src, \
            av.open(buf, "w", format="matroska") as dst:
        vin, sin = src.streams.video[0], subs.streams[0]
        vout, sout = dst.add_stream_from_template(vin), dst.add_stream_from_template(sin)
        for stream_in, stream_out, container in ((vin, vout, src), (sin, sout, subs)):
            for packet in container.demux(stream_in):
                if packet.dts is not None:
                    packet.stream = stream_out
                    dst.mux(packet)
    ctx, ex, kids = _extract(buf.getvalue(), "DJI_20220807134040_0001.mkv", "video/x-matroska")
    track = [k for k in kids if k.relation == "track"]
    assert len(track) == 1 and track[0].name.endswith(".srt")
    parsed = parse_track("x.srt", track[0].data)
    assert parsed.format == "dji_srt" and len(parsed.points) == 2
    assert (parsed.points[0].lat, parsed.points[0].lon) == (41.4247, 2.2342)
    assert parsed.points[1].time == "2022-08-07T13:40:41"
    assert ex.metadata["Telemetry"]["1"]["kind"] == "dji_subtitles"
    assert not [f for f in ex.findings if f.code == "video.telemetry_clock"]
    _, ex2, _ = _extract(buf.getvalue(), "DJI_20230101120000_0001.mkv", "video/x-matroska")
    assert [f for f in ex2.findings if f.code == "video.telemetry_clock"]


# ------------------------------------------------------------------------------ bad input


@needs_corpus
def test_truncated_mp4_without_moov_is_a_clear_error() -> None:
    data = KARMA.read_bytes()
    for cut in (data[:200_000], data[:-20_000]):  # moov at the end: both lose it
        ctx, ex, kids = _extract(cut, "cut.mp4")
        assert ctx.problems and ctx.problems[0].code == "truncated"
        assert "cut.mp4" in ctx.problems[0].message
        assert "no moov" in ctx.problems[0].message and "cut short" in ctx.problems[0].message
        assert kids == [] and ex.metadata["QuickTime"]["ftyp"]["major_brand"] == "mp41"


@needs_corpus
def test_matroska_stub_and_no_video_stream() -> None:
    ctx, ex, kids = _extract((VIDEO / "exiftool" / "Matroska.mkv").read_bytes(), "stub.mkv",
                             "video/x-matroska")
    assert ctx.problems[0].code == "truncated" and "stub.mkv" in ctx.problems[0].message
    import av

    buf = io.BytesIO()
    with av.open(buf, "w", format="mp4") as c:
        a = c.add_stream("aac", rate=48000)
        a.layout = "mono"
        frame = av.AudioFrame.from_ndarray(np.zeros((1, 1024), np.float32), format="flt",
                                           layout="mono")
        frame.sample_rate, frame.pts = 48000, 0
        for packet in list(a.encode(frame)) + list(a.encode()):
            c.mux(packet)
    ctx, ex, kids = _extract(buf.getvalue(), "sound.mp4")
    assert [p.code for p in ctx.problems] == ["no_video_stream"]
    assert "sound.mp4" in ctx.problems[0].message and "audio" in ctx.problems[0].message
    assert ex.metadata["Streams"]["0"]["codec"] == "aac" and kids == []


def test_unsupported_codec_keeps_metadata() -> None:
    data = bytearray(write_clip(shots=(1.0,), tags={"make": "Example"}))
    at = bytes(data).find(b"avc1", bytes(data).find(b"stsd"))  # the sample entry
    data[at:at + 4] = b"zzzz"
    ctx, ex, kids = _extract(bytes(data), "odd.mp4")
    codes = [p.code for p in ctx.problems]
    assert codes == ["unsupported_codec"] or codes == ["no_video_stream"], codes
    assert "odd.mp4" in ctx.problems[0].message and "metadata was read" in \
        ctx.problems[0].message
    assert ex.metadata["QuickTime"]["tracks"][0]["sample_entry"] == "zzzz"
    assert kids == []


def test_box_walker_refuses_non_video_and_never_trusts_lengths() -> None:
    with pytest.raises(BoxReadError):
        read_boxes(io.BytesIO(b"This is a text file, not a movie" * 10), 330)
    data = bytearray(write_clip(shots=(0.5,)))
    at = bytes(data).find(b"trak") - 4
    data[at:at + 4] = (0xFFFFFF00).to_bytes(4, "big")  # a trak claiming 4 GiB
    boxes = read_boxes(io.BytesIO(bytes(data)), len(data))
    assert any("more than its parent holds" in p for p in boxes["problems"])
    ctx, ex, kids = _extract(bytes(data), "bad.mp4")  # never a traceback
    assert isinstance(ex.metadata["summary"], dict)
