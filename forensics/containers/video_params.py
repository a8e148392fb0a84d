"""The video extractor's parameters: the ONE place they live (recorded in its check result)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class VideoParams:
    max_keyframes: int = 24
    """Keyframe children per video at most (shot changes first, spread over the duration)."""
    decode_budget_s: float = 30.0
    """Wall-clock seconds the keyframe search may spend decoding one video; what lies past
    that point is not searched, and the container says so."""
    analysis_width: int = 64
    """Width in pixels of the grey frames compared for content change (height follows the
    aspect ratio)."""
    shot_threshold: float = 0.30
    """Content change between consecutive candidate frames (0..1: half the L1 distance of
    their 32-bin grey histograms, or their mean absolute difference / 64, whichever is larger)
    from which a frame starts a new shot."""
    max_gap_s: float = 10.0
    """A keyframe is added in the middle of any stretch longer than this without one (a
    single long shot still gets pictures along it), as the cap allows."""
    min_coded_keyframes: int = 2
    """Fewer coded keyframes than this (one intra frame, then only predicted frames) and the
    frames are sampled from a full decode instead."""
    png_compression: int = 1
    """zlib level of the keyframe PNGs (lossless at any level; 1 is fast)."""
    duration_tolerance_s: float = 1.0
    """Video and audio tracks may differ by this much (or 2 % of the duration) before their
    durations are said to disagree."""
    clock_tolerance_s: float = 120.0
    """Two clocks of one recording (container, keys, file name, telemetry) that differ by
    no more than this (plus the duration) agree."""
    modified_after_s: float = 300.0
    """A container modification time later than the creation time plus the duration plus
    this says the file was written again after recording."""
