"""Small JPEG thumbnails for triage pages (decoded with JPEG draft: cheap on big files)."""

from __future__ import annotations

import io

from PIL import Image

from .sniff import IMAGE_TYPES


def thumbnail_jpeg(data: bytes, media_type: str | None, *, max_side: int = 112) -> bytes | None:
    """A JPEG of at most ``max_side`` pixels (longest side), or ``None`` if it cannot be made.

    The picture is shown as stored (no Orientation applied), like the analysis sees it.
    """
    if media_type not in IMAGE_TYPES:
        return None
    try:
        with Image.open(io.BytesIO(data)) as im:
            if im.format == "JPEG":
                im.draft("RGB", (max_side, max_side))
            im.seek(0)
            im.thumbnail((max_side, max_side))
            rgb = im.convert("RGB")
            out = io.BytesIO()
            rgb.save(out, "JPEG", quality=70)
            return out.getvalue()
    except Exception:  # noqa: BLE001 - a thumbnail is a convenience, never a failure
        return None
