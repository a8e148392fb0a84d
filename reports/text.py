"""Untrusted text made visible: characters that do not print are shown as ``⟨U+XXXX⟩``.

A file name or caption can carry right-to-left overrides, zero-width characters or control
codes that make a page show something other than what the file says (``photo‮gpj.exe``
displays as ``photoexe.jpg``). The HTML pages pass every value through :func:`reveal`
(Jinja2 ``finalize``), after which autoescaping makes it safe markup.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from markupsafe import Markup

HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"})
"""Unicode categories shown as code points: controls, format characters (bidi overrides,
zero-width), private use, surrogates, unassigned, line and paragraph separators."""

KEPT = frozenset("\t\n\r")


def reveal(value: Any) -> Any:
    """``value`` with every hidden character replaced by ``⟨U+XXXX⟩``; non-strings and
    markup the templates built themselves pass unchanged."""
    if not isinstance(value, str) or isinstance(value, Markup):
        return value
    if value.isprintable():
        return value
    return "".join(ch if ch in KEPT or unicodedata.category(ch) not in HIDDEN_CATEGORIES
                   else f"⟨U+{ord(ch):04X}⟩" for ch in value)
