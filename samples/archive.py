"""The sample known-imagery archive: what a newsroom's index holds before the release.

One earlier publication, the 2019 regional-news photo of the scene ``recycled_2019.jpg``
shows, written by :func:`build_archive` and indexed by :mod:`samples.demo`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import cv2

from .camera import jpeg_bytes
from .case import file_rng, recycled_scene


@dataclass(frozen=True)
class ArchiveImage:
    """An earlier publication for the sample known-imagery index."""

    path: Path
    url: str
    first_seen: str
    caption: str
    credit: str
    source_of: str
    """The evidence file whose picture this is."""


def build_archive(out_dir: str | os.PathLike[str], *, seed: int = 7) -> tuple[ArchiveImage, ...]:
    """Write ``out_dir/archive/``: the pictures a newsroom's known-imagery index would hold.

    One is the 2019 regional-news publication of the scene in ``recycled_2019.jpg``
    (resized to 1024 px, cropped by 4 % on each side, re-encoded at quality 82, no EXIF),
    first seen 2019-02-15, the day after its EXIF date.
    """
    archive = Path(out_dir) / "archive"
    archive.mkdir(parents=True, exist_ok=True)
    rgb = recycled_scene(file_rng(seed, 4))  # the picture of sample 4
    h, w = rgb.shape[:2]
    crop = rgb[int(h * 0.04):int(h * 0.96), int(w * 0.04):int(w * 0.96)]
    small = cv2.resize(crop, (1024, round(1024 * crop.shape[0] / crop.shape[1])),
                       interpolation=cv2.INTER_AREA)
    path = archive / "2019-02-15_regional-news_drone-crash.jpg"
    path.write_bytes(jpeg_bytes(small, quality=82))
    return (ArchiveImage(
        path=path, url="https://regional-news.example/2019/02/15/drone-crash-near-lake",
        first_seen="2019-02-15", caption="Wreckage of a reconnaissance drone that crashed "
        "near the lake during an exercise, February 2019 (invented sample).",
        credit="Regional News (invented)", source_of="recycled_2019.jpg"),)
