"""The results store: one SQLite file (WAL mode) written as each file finishes.

An interruption at any moment (Ctrl-C, ``kill -9`` of the main process, a power cut) loses at
most the files in flight: every finished item is committed on its own. ``--resume`` skips a
stored item when its path, size, modification time and the checks' versions are unchanged
(size and mtime stand in for re-hashing, as in ``make``/``rsync``; a changed file is re-read and
re-hashed, and a newer check version is re-run).
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .errors import ProvenanceError

SCHEMA_VERSION = 1


class StoreError(ProvenanceError):
    code = "results_store"


@dataclass(frozen=True)
class FileKey:
    """What decides whether a stored result is still valid for a path."""

    path: str
    size: int | None
    mtime_ns: int | None
    checks_key: str


def file_key(path: str, checks_key: str) -> FileKey:
    try:
        st = os.stat(path)
        return FileKey(path, st.st_size, st.st_mtime_ns, checks_key)
    except OSError:
        return FileKey(path, None, None, checks_key)


def db_path(path: str) -> str:
    """A path as a storable string: names that are not valid UTF-8 (surrogate-escaped by
    Python) are written with backslash escapes."""
    try:
        path.encode("utf-8")
        return path
    except UnicodeEncodeError:
        return os.fsencode(path).decode("utf-8", "backslashreplace")


class ResultStore:
    """SQLite results store. Use as a context manager; every ``put`` is its own transaction."""

    def __init__(self, path: str):
        self.path = path
        try:
            self.conn = sqlite3.connect(path, timeout=30, isolation_level=None)
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self._create()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{path}: not a usable results store ({exc})", path=path) from exc

    def _create(self) -> None:
        self.conn.executescript("""
            CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
            CREATE TABLE IF NOT EXISTS items (
                path TEXT PRIMARY KEY,
                size INTEGER, mtime_ns INTEGER, checks_key TEXT,
                sha256 TEXT, status TEXT, error_code TEXT,
                level TEXT, score REAL,
                finished_at REAL,
                item_json TEXT NOT NULL,
                thumb BLOB
            );
            CREATE INDEX IF NOT EXISTS items_level ON items(level, score);
            CREATE TABLE IF NOT EXISTS signatures (path TEXT PRIMARY KEY, sig BLOB NOT NULL);
        """)
        row = self.conn.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
        if row is None:
            self.conn.execute("INSERT INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
        elif row[0] != str(SCHEMA_VERSION):
            raise StoreError(f"{self.path}: results store schema {row[0]} is not "
                             f"{SCHEMA_VERSION}; use a new --results file", path=self.path)

    def __enter__(self) -> ResultStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.conn.close()

    def is_done(self, key: FileKey) -> bool:
        """True when a result for this exact file state and these check versions is stored."""
        if key.size is None:
            return False
        row = self.conn.execute(
            "SELECT 1 FROM items WHERE path=? AND size=? AND mtime_ns=? AND checks_key=?",
            (db_path(key.path), key.size, key.mtime_ns, key.checks_key)).fetchone()
        return row is not None

    def done_paths(self, checks_key: str) -> dict[str, tuple[int | None, int | None]]:
        """Every stored path for these checks, with the (size, mtime_ns) it was stored for."""
        rows = self.conn.execute("SELECT path, size, mtime_ns FROM items WHERE checks_key=?",
                                 (checks_key,))
        return {p: (s, m) for p, s, m in rows}  # keys as db_path() writes them

    def put(self, item: dict[str, Any], key: FileKey, thumb: bytes | None = None,
            signature: bytes | None = None) -> None:
        """Store one finished item (replacing an older result for the same path), with the
        image's matching signature when there is one (so a resumed run's release pass still
        compares new files with the ones stored before), in one transaction."""
        self.conn.execute("BEGIN")
        try:
            self._put(item, key, thumb, signature)
            self.conn.execute("COMMIT")
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise

    def _put(self, item: dict[str, Any], key: FileKey, thumb: bytes | None,
             signature: bytes | None) -> None:
        triage = item.get("triage") or {}
        err = item.get("error") or {}
        path = db_path(key.path)
        self.conn.execute(
            "INSERT OR REPLACE INTO items VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (path, key.size, key.mtime_ns, key.checks_key, item.get("sha256"),
             item.get("status"), err.get("code"), triage.get("level"), triage.get("score"),
             time.time(), json.dumps(item, ensure_ascii=True, allow_nan=False), thumb))
        if signature:
            self.conn.execute("INSERT OR REPLACE INTO signatures VALUES (?, ?)",
                              (path, signature))
        else:
            self.conn.execute("DELETE FROM signatures WHERE path=?", (path,))

    def put_unit(self, entries: list[tuple[dict[str, Any], FileKey, bytes | None,
                                           bytes | None]]) -> None:
        """Store a container and its children (``entries``, the container first) in one
        transaction, replacing every result stored before under the container's path
        (its children's paths are the container's with a ``#`` fragment)."""
        self.conn.execute("BEGIN")
        try:
            top = db_path(entries[0][1].path) + "#"
            for table in ("items", "signatures"):
                self.conn.execute(f"DELETE FROM {table} WHERE substr(path, 1, ?) = ?",  # noqa: S608
                                  (len(top), top))
            for item, key, thumb, signature in entries:
                self._put(item, key, thumb, signature)
            self.conn.execute("COMMIT")
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise

    def paths_under(self, path: str) -> list[str]:
        """The stored children of a container (paths ``path#...``), in the order stored."""
        top = db_path(path) + "#"
        rows = self.conn.execute("SELECT path FROM items WHERE substr(path, 1, ?) = ? "
                                 "ORDER BY rowid", (len(top), top))
        return [p for (p,) in rows]

    def signatures(self, paths: list[str]) -> Iterator[tuple[str, bytes]]:
        """(path, signature bytes) of the given input paths that have one, in their order."""
        for p in paths:
            row = self.conn.execute("SELECT sig FROM signatures WHERE path=?",
                                    (db_path(p),)).fetchone()
            if row is not None:
                yield p, bytes(row[0])

    def thumbnails(self) -> dict[str, bytes]:
        """Path -> thumbnail JPEG bytes for every item that has one."""
        rows = self.conn.execute("SELECT path, thumb FROM items WHERE thumb IS NOT NULL")
        return {p: bytes(t) for p, t in rows}  # keys as db_path() writes them

    def count(self) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM items").fetchone()[0])

    def items(self, paths: list[str] | None = None) -> Iterator[dict[str, Any]]:
        """Stored items, most suspicious first (or only ``paths``, in that order)."""
        if paths is None:
            rows = self.conn.execute(
                "SELECT item_json FROM items ORDER BY score DESC, path")
            for (text,) in rows:
                yield json.loads(text)
            return
        for p in paths:
            row = self.conn.execute("SELECT item_json FROM items WHERE path=?",
                                    (db_path(p),)).fetchone()
            if row is not None:
                yield json.loads(row[0])
