"""Hidden characters in untrusted text are shown, not obeyed, in the HTML pages."""

from __future__ import annotations

from markupsafe import Markup

from provenancekit.reports.text import reveal
from provenancekit.reports.triage import render_triage


def test_bidi_overrides_and_zero_width_characters_are_shown_as_code_points() -> None:
    assert reveal("photo\u202egpj.exe") == "photo⟨U+202E⟩gpj.exe"
    assert reveal("a\u200bb\u0007c\u2029") == "a⟨U+200B⟩b⟨U+0007⟩c⟨U+2029⟩"
    assert reveal("line one\nline two\ttab") == "line one\nline two\ttab"  # layout kept
    text = "café, Ελληνικά, 日本語, no\u00a0break"
    assert reveal(text) == text
    assert reveal(Markup("<b>\u202e</b>")) == Markup("<b>\u202e</b>")  # the page's own markup
    assert reveal(42) == 42


def test_triage_page_shows_a_spoofed_file_name_as_it_really_is() -> None:
    item = {"path": "evidence/photo\u202egpj.exe", "status": "ok", "findings": [],
            "checks": [], "metadata": {"summary": {"make": "Cam\u200bera"}},
            "triage": {"level": "none", "score": 0.0}}
    page = render_triage([item], summary={"analysed_total": 1, "errors": 0, "levels": {}})
    assert "\u202e" not in page and "\u200b" not in page
    assert "photo⟨U+202E⟩gpj.exe" in page and "Cam⟨U+200B⟩era" in page
