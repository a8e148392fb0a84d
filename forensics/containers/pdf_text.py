"""Page text of a PDF, per page, with pypdf (pikepdf/qpdf has no text extraction).

The text is for the report (what the release says) and for the dates it states. pypdf
bounds what it inflates itself (``ZLIB_MAX_OUTPUT_LENGTH`` and friends, 75 MB a stream in
pypdf 7). If pypdf is not installed the text is simply absent (``{"error": ...}``).

Lab notes:

* pypdf logs every oddity it meets through the ``pypdf`` logger; those messages are not
  ours to print, so the logger is raised to ERROR while we read.
* Layout is pypdf's plain mode: reading order follows the content stream, which is what
  a copy-paste from a viewer gives too.
"""

from __future__ import annotations

import contextlib
import io
import logging
import re
import warnings
from collections.abc import Iterable, Iterator
from typing import Any

_DATE_TEXT = re.compile(
    r"\b(\d{1,2}[./-]\d{1,2}[./-](?:19|20)\d{2}|(?:19|20)\d{2}-\d{2}-\d{2}|"
    r"\d{1,2}\s+(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?\s+(?:19|20)\d{2}|"
    r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2},?\s+"
    r"(?:19|20)\d{2})\b", re.I)


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    log = logging.getLogger("pypdf")
    old = log.level
    log.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        log.setLevel(old)


def _reader(data: bytes) -> Any:
    from pypdf import PdfReader

    return PdfReader(io.BytesIO(data), strict=False)


def page_texts(data: bytes, max_pages: int, max_chars: int) -> dict[str, Any]:
    """``{"pages": [{page, chars, text, dates}], "pages_read", "extractor"}``: the text of
    the first ``max_pages`` pages (each clipped to ``max_chars``; ``chars`` is the full
    length) and the dates each states; ``{"error": ...}`` when pypdf cannot read it."""
    try:
        import pypdf
    except ImportError:
        return {"error": "pypdf is not installed: no page text"}
    out: list[dict[str, Any]] = []
    try:
        with _quiet():
            reader = _reader(data)
            for i, page in enumerate(reader.pages):
                if i >= max_pages:
                    break
                try:
                    text = page.extract_text() or ""
                except Exception as exc:  # noqa: BLE001 - hostile content streams
                    out.append({"page": i + 1, "error": f"{type(exc).__name__}: {exc}"[:200]})
                    continue
                text = text.replace("\x00", "")
                out.append({"page": i + 1, "chars": len(text), "text": text[:max_chars],
                            "dates": sorted(set(_DATE_TEXT.findall(text)))[:20]})
    except Exception as exc:  # noqa: BLE001 - pypdf raises many types on damaged files
        return {"error": f"pypdf cannot read the text: {type(exc).__name__}: {exc}"[:300],
                "pages": out}
    return {"extractor": f"pypdf {pypdf.__version__}", "pages_read": len(out), "pages": out}


def text_of_pages(data: bytes, pages: Iterable[int]) -> dict[int, str] | None:
    """Text of the given pages (1-based) of a PDF's bytes, or ``None`` when unreadable."""
    try:
        with _quiet():
            reader = _reader(data)
            n = len(reader.pages)
            out = {}
            for p in pages:
                if 1 <= p <= n:
                    try:
                        out[p] = reader.pages[p - 1].extract_text() or ""
                    except Exception:  # noqa: BLE001
                        out[p] = ""
            return out
    except Exception:  # noqa: BLE001
        return None
