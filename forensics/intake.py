"""Evidence intake: expand the inputs, read each file once (read-only), hash it, type it.

Nothing here writes anywhere. Every input path yields exactly one :class:`Input`, even when
it is missing or a directory cannot be listed, so no file can vanish from a result.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from .errors import IntakeError
from .model import EvidenceItem, ItemError
from .sniff import SNIFF_BYTES, extension_media_type, sniff_media_type

MAX_FILE_BYTES = 2 * 1024**3
"""Files above this size (bytes) are refused with ``too_large`` instead of read into memory."""


@dataclass(frozen=True)
class Input:
    """One path to analyse, or the reason it cannot be (``error``)."""

    path: str
    error: ItemError | None = None


def expand_paths(paths: Iterable[str | os.PathLike[str]], *,
                 duplicates: list[str] | None = None) -> Iterator[Input]:
    """Files given directly, and every file under given directories (sorted, recursive).

    Symbolic links to directories are not followed (no loops); unreadable directories and
    missing paths come out as inputs with an error. A path met twice (given twice, or both
    directly and inside a given folder) is yielded once and appended to ``duplicates``.
    """
    seen: set[str] = set()
    for raw in paths:
        path = os.fspath(raw)
        if os.path.isdir(path):
            yield from _walk(path, seen, duplicates)
        elif path in seen:
            if duplicates is not None:
                duplicates.append(path)
        else:
            seen.add(path)
            if not os.path.lexists(path):
                yield Input(path, ItemError("not_found", f"{path}: no such file"))
            else:
                yield Input(path)


def _walk(root: str, seen: set[str], duplicates: list[str] | None) -> Iterator[Input]:
    """Top-down walk with an explicit stack: a folder's files (sorted), then its subfolders
    (sorted). ``os.walk`` recurses once per level in Python 3.11, so a folder some 1,000
    levels deep (a 2 kB path) raised RecursionError and ended the whole scan."""
    stack = [root]
    while stack:
        dirpath = stack.pop()
        try:
            with os.scandir(dirpath) as it:
                entries = list(it)
        except OSError as err:
            where = err.filename or dirpath
            yield Input(os.fspath(where), ItemError(
                "unreadable_directory", f"{where}: cannot list directory ({err.strerror})"))
            continue
        dirs, links, files = [], [], []
        for entry in entries:
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if not is_dir:
                files.append(entry.name)
            elif entry.is_symlink():
                links.append(entry.name)
            else:
                dirs.append(entry.name)
        for name in sorted(links):
            link = os.path.join(dirpath, name)
            if link not in seen:
                seen.add(link)
                yield Input(link, ItemError(
                    "symlink_not_followed", f"{link}: a symbolic link to a folder is not "
                    "followed (this avoids loops); scan its target directly if needed"))
        for name in sorted(files):
            full = os.path.join(dirpath, name)
            if full not in seen:
                seen.add(full)
                yield Input(full)
            elif duplicates is not None:
                duplicates.append(full)
        stack.extend(os.path.join(dirpath, d) for d in sorted(dirs, reverse=True))


def read_evidence(path: str, *, max_bytes: int = MAX_FILE_BYTES) -> tuple[EvidenceItem, bytes]:
    """Read a file once, read-only, and return its item (SHA-256, size, sniffed type) and bytes.

    Raises :class:`IntakeError` with code ``not_found``, ``not_a_file``, ``unreadable``,
    ``empty_file`` or ``too_large``.
    """
    try:
        st = os.stat(path)
    except FileNotFoundError as exc:
        raise IntakeError(f"{path}: no such file", path=path, code="not_found") from exc
    except OSError as exc:
        raise IntakeError(f"{path}: cannot stat ({exc.strerror})", path=path) from exc
    if not stat.S_ISREG(st.st_mode):
        raise IntakeError(f"{path}: not a regular file", path=path, code="not_a_file")
    if st.st_size > max_bytes:
        raise IntakeError(f"{path}: {st.st_size} bytes is over the {max_bytes}-byte limit",
                          path=path, code="too_large")
    try:
        with open(path, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise IntakeError(f"{path}: cannot read ({exc.strerror})", path=path) from exc
    if not data:
        raise IntakeError(f"{path}: the file is empty (0 bytes)", path=path, code="empty_file")
    if len(data) > max_bytes:
        raise IntakeError(f"{path}: over the {max_bytes}-byte limit", path=path,
                          code="too_large")
    item = EvidenceItem(
        path=path,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        media_type=sniff_media_type(data[:SNIFF_BYTES]),
        extension_media_type=extension_media_type(path),
    )
    return item, data
