"""Library errors: each carries a stable ``code`` and names the file it concerns.

The CLI turns these into one-line messages at a single boundary; the scanner turns them into
an item's ``error`` field so that no input ever disappears from a result.
"""

from __future__ import annotations


class ProvenanceError(Exception):
    """Base class: ``code`` is stable and machine-readable, ``str(err)`` is for people."""

    code = "error"

    def __init__(self, message: str, *, path: str | None = None, code: str | None = None):
        super().__init__(message)
        self.path = path
        if code is not None:
            self.code = code

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else self.code


class IntakeError(ProvenanceError):
    """The file could not be read or typed (missing, unreadable, empty...)."""

    code = "unreadable"


class UnsupportedFormat(ProvenanceError):
    code = "unsupported_format"


class DecodeError(ProvenanceError):
    """The bytes claim an image format but do not decode (truncated, corrupt, bomb)."""

    code = "corrupt_image"


class UsageError(ProvenanceError):
    code = "usage"
