"""Where the known imagery lives: a store interface and its SQLite implementation.

:class:`IndexStore` is the whole contract the matcher and the index need. The default
:class:`SQLiteStore` is one file, no server. When a newsroom's archive outgrows a file, a
``PostgresStore`` implements the same methods on a shared server (the tables map one to one:
``images`` with ``BIGINT`` pHash/dHash and ``BYTEA`` PDQ, ``features`` as ``BYTEA``,
``postings`` as ``(word BIGINT, chunk INT, n INT, ids BYTEA)`` with a unique B-tree on
``(word, chunk)``; ``add`` is one transaction, ``hash_arrays`` one ``COPY``/cursor read);
every process still loads the global hashes into its own in-memory matcher once, so the
server only serves inserts, provenance records, features of a few candidates and the posting
lists of one query's words (counted by :func:`count_votes` in the client). Nothing outside
this module knows which store is in use.

Local-feature words (:func:`forensics.index.features.words`) are stored as posting lists: per
word, rows of up to :data:`POSTING_CHUNK` image ids packed as little-endian ``uint32``. A vote
reads one row per word (more for common words) and counts with one ``bincount``, so its cost
follows the number of postings read, not the number of SQL rows.

Every ``add`` is one transaction: an interrupted add leaves the store as it was before that
image. Adding an image whose SHA-256 is already present changes nothing except filling
provenance fields that were empty.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from typing import Any

import numpy as np

from ..errors import ProvenanceError

SCHEMA_VERSION = "2"
POSTING_CHUNK = 64
"""Ids in a word's open posting row (``chunk = 0``), which takes the appends: adding an image
rewrites at most 256 bytes per word however long the list has grown."""
POSTING_SEALED = 1024
"""Ids in a sealed row: a full open row is appended to the word's last sealed row until that
holds this many, so a common word's list is a few large rows (one query reads ~1,000 rows at
10^6 images instead of ~10,000)."""
PROVENANCE_FIELDS = ("url", "first_seen", "caption", "credit")


class KnownIndexError(ProvenanceError):
    """The known-imagery index cannot be used (corrupt, missing, incompatible)."""

    code = "index_error"


@dataclass(frozen=True)
class IndexRecord:
    """One known image: its identity, hashes, size and where/when it was first seen."""

    sha256: str
    phash: int
    dhash: int
    pdq: bytes
    pdq_quality: int
    width: int
    height: int
    media_type: str | None = None
    source_path: str | None = None
    url: str | None = None
    first_seen: str | None = None
    caption: str | None = None
    credit: str | None = None
    added_at: str | None = None
    id: int | None = None

    def provenance(self) -> dict[str, Any]:
        """The fields a finding quotes (no hashes)."""
        return {"sha256": self.sha256, "url": self.url, "first_seen": self.first_seen,
                "caption": self.caption, "credit": self.credit,
                "source_path": self.source_path, "width": self.width, "height": self.height,
                "added_at": self.added_at}

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["pdq"] = self.pdq.hex()
        d["phash"] = f"{self.phash:016x}"
        d["dhash"] = f"{self.dhash:016x}"
        return d


@dataclass(frozen=True)
class HashArrays:
    """All global hashes of a store, as arrays (row ``i`` is image ``ids[i]``)."""

    ids: np.ndarray
    """int64 store ids."""
    phash: np.ndarray
    """uint64."""
    dhash: np.ndarray
    """uint64."""
    pdq: np.ndarray
    """``(n, 4)`` uint64, most significant word first."""
    pdq_quality: np.ndarray
    """uint8."""
    n_main: int | None = None
    """Rows ``[0, n_main)`` are each image's own hashes, sorted by id; rows after them are
    alternates (ids repeated). ``None``: every row is an image's own."""


class IndexStore(ABC):
    """The persistence contract of a known-imagery index."""

    @abstractmethod
    def meta(self) -> dict[str, str]:
        """Key/value facts: schema version, hash versions (JSON), creation time."""

    @abstractmethod
    def add(self, record: IndexRecord, features: bytes | None, words: Iterable[int],
            alternates: Sequence[tuple[int, int, bytes, int]] = ()) -> tuple[str, int]:
        """Add one image atomically. Returns ``("added"|"exists", id)``.

        ``alternates`` are extra (pHash, dHash, PDQ, quality) of the same image, e.g. of the
        picture inside a uniform margin; the matcher searches them as the same image."""

    @abstractmethod
    def get(self, sha256: str) -> IndexRecord | None:
        """The record with this SHA-256, if any."""

    @abstractmethod
    def records(self, ids: Iterable[int]) -> dict[int, IndexRecord]:
        """Records by store id."""

    @abstractmethod
    def hash_arrays(self) -> HashArrays:
        """Every global hash for the in-memory matcher: each image's own, sorted by id, then
        the alternates (see :attr:`HashArrays.n_main`)."""

    @abstractmethod
    def features(self, ids: Iterable[int]) -> dict[int, bytes]:
        """Packed local features by store id (ids without features are left out)."""

    @abstractmethod
    def vote(self, words: Sequence[int], *, limit: int, min_votes: int) -> list[tuple[int, int]]:
        """Store ids sharing at least ``min_votes`` of ``words``, most votes first."""

    @abstractmethod
    def stats(self) -> dict[str, Any]:
        """Counts and facts for ``index stats``."""

    @abstractmethod
    def close(self) -> None:
        """Release the connection."""


def _s64(v: int) -> int:
    return v - (1 << 64) if v >= (1 << 63) else v


def _u64(v: int) -> int:
    return v + (1 << 64) if v < 0 else v


_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS images (
    id INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL UNIQUE,
    media_type TEXT,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    phash INTEGER NOT NULL,
    dhash INTEGER NOT NULL,
    pdq BLOB NOT NULL,
    pdq_quality INTEGER NOT NULL,
    source_path TEXT,
    url TEXT,
    first_seen TEXT,
    caption TEXT,
    credit TEXT,
    added_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS features (
    image_id INTEGER PRIMARY KEY REFERENCES images(id),
    data BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS alt_hashes (
    image_id INTEGER NOT NULL REFERENCES images(id),
    phash INTEGER NOT NULL,
    dhash INTEGER NOT NULL,
    pdq BLOB NOT NULL,
    pdq_quality INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS postings (
    word INTEGER NOT NULL,
    chunk INTEGER NOT NULL,
    ids BLOB NOT NULL,
    PRIMARY KEY (word, chunk)
) WITHOUT ROWID;
"""

_COLUMNS = ("id", "sha256", "media_type", "width", "height", "phash", "dhash", "pdq",
            "pdq_quality", "source_path", "url", "first_seen", "caption", "credit", "added_at")


def _record(row: Sequence[Any]) -> IndexRecord:
    d = dict(zip(_COLUMNS, row, strict=True))
    return IndexRecord(sha256=d["sha256"], phash=_u64(d["phash"]), dhash=_u64(d["dhash"]),
                       pdq=bytes(d["pdq"]), pdq_quality=int(d["pdq_quality"]),
                       width=int(d["width"]), height=int(d["height"]),
                       media_type=d["media_type"], source_path=d["source_path"], url=d["url"],
                       first_seen=d["first_seen"], caption=d["caption"], credit=d["credit"],
                       added_at=d["added_at"], id=int(d["id"]))


class SQLiteStore(IndexStore):
    """The default store: one SQLite file.

    ``create=True`` makes the file (and its folder) when missing and writes the meta rows
    ``hash_versions`` must then be given; ``readonly=True`` opens it read-only.
    Raises :class:`KnownIndexError` with code ``index_not_found``, ``corrupt_index`` or
    ``not_an_index``.
    """

    def __init__(self, path: str | os.PathLike[str], *, create: bool = False,
                 readonly: bool = False, hash_versions: dict[str, str] | None = None):
        self.path = os.fspath(path)
        self._lock = threading.RLock()
        exists = os.path.exists(self.path)
        if not exists and not create:
            raise KnownIndexError(f"{self.path}: no known-imagery index here (build one with "
                              "'provenance index add')", path=self.path, code="index_not_found")
        if os.path.isdir(self.path):
            raise KnownIndexError(f"{self.path}: is a folder, not an index file", path=self.path,
                              code="not_an_index")
        if not exists:
            parent = os.path.dirname(os.path.abspath(self.path))
            os.makedirs(parent, exist_ok=True)
        try:
            if readonly:
                uri = "file:" + _uri_path(self.path) + "?mode=ro"
                self._conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
            else:
                self._conn = sqlite3.connect(self.path, check_same_thread=False)
            self._conn.execute("PRAGMA foreign_keys = ON")
            tables = {r[0] for r in self._conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
        except sqlite3.DatabaseError as exc:
            raise KnownIndexError(f"{self.path}: the index file is corrupt or not SQLite ({exc})",
                              path=self.path, code="corrupt_index") from exc
        if not tables:
            if readonly or not create:
                raise KnownIndexError(f"{self.path}: an empty file, not a known-imagery index",
                                  path=self.path, code="not_an_index")
            self._initialise(hash_versions or {})
        elif not {"meta", "images", "features", "alt_hashes"} <= tables or not (
                {"postings", "words"} & tables):
            raise KnownIndexError(f"{self.path}: a SQLite file but not a provenance known-imagery "
                              "index (tables missing)", path=self.path, code="not_an_index")
        try:
            self._meta = dict(self._conn.execute("SELECT key, value FROM meta"))
            self._conn.execute("SELECT count(*) FROM images").fetchone()
        except sqlite3.DatabaseError as exc:
            raise KnownIndexError(f"{self.path}: the index file is corrupt ({exc})",
                              path=self.path, code="corrupt_index") from exc
        if self._meta.get("schema") != SCHEMA_VERSION:
            raise KnownIndexError(f"{self.path}: index schema {self._meta.get('schema')!r} is not "
                              f"the supported {SCHEMA_VERSION!r}; rebuild it with this "
                              "installation ('provenance index add' into a new file)",
                              path=self.path, code="incompatible_index")

    def _initialise(self, hash_versions: dict[str, str]) -> None:
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        with self._conn:
            self._conn.executescript("BEGIN;" + _SCHEMA + "COMMIT;")
        with self._conn:
            self._conn.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", [
                ("schema", SCHEMA_VERSION), ("created_at", now),
                ("hash_versions", json.dumps(hash_versions, sort_keys=True))])

    def _guard(self, what: str) -> Any:
        return _Guard(self.path, what)

    def meta(self) -> dict[str, str]:
        return dict(self._meta)

    def add(self, record: IndexRecord, features: bytes | None, words: Iterable[int],
            alternates: Sequence[tuple[int, int, bytes, int]] = ()) -> tuple[str, int]:
        with self._lock, self._guard("adding to"):
            conn = self._conn
            with conn:  # one transaction: all of this image or nothing
                row = conn.execute("SELECT id FROM images WHERE sha256 = ?",
                                   (record.sha256,)).fetchone()
                if row is not None:
                    fill = {f: getattr(record, f) for f in PROVENANCE_FIELDS
                            if getattr(record, f) not in (None, "")}
                    for field, value in fill.items():
                        conn.execute(f"UPDATE images SET {field} = ? WHERE id = ? AND "  # noqa: S608
                                     f"({field} IS NULL OR {field} = '')", (value, row[0]))
                    return "exists", int(row[0])
                cur = conn.execute(
                    "INSERT INTO images (sha256, media_type, width, height, phash, dhash, pdq, "
                    "pdq_quality, source_path, url, first_seen, caption, credit, added_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (record.sha256, record.media_type, record.width, record.height,
                     _s64(record.phash), _s64(record.dhash), record.pdq, record.pdq_quality,
                     record.source_path, record.url, record.first_seen, record.caption,
                     record.credit, record.added_at
                     or datetime.now(timezone.utc).isoformat(timespec="seconds")))
                new_id = int(cur.lastrowid)
                if features is not None:
                    conn.execute("INSERT INTO features VALUES (?, ?)", (new_id, features))
                conn.executemany("INSERT INTO alt_hashes VALUES (?, ?, ?, ?, ?)",
                                 [(new_id, _s64(a), _s64(b), c, q) for a, b, c, q in alternates])
                _append_postings(conn, new_id, words)
            return "added", new_id

    def get(self, sha256: str) -> IndexRecord | None:
        with self._lock, self._guard("reading"):
            row = self._conn.execute(f"SELECT {', '.join(_COLUMNS)} FROM images "  # noqa: S608
                                     "WHERE sha256 = ?", (sha256,)).fetchone()
        return _record(row) if row else None

    def records(self, ids: Iterable[int]) -> dict[int, IndexRecord]:
        ids = sorted({int(i) for i in ids})
        out: dict[int, IndexRecord] = {}
        with self._lock, self._guard("reading"):
            for start in range(0, len(ids), 500):
                chunk = ids[start:start + 500]
                q = (f"SELECT {', '.join(_COLUMNS)} FROM images WHERE id IN "  # noqa: S608
                     f"({','.join('?' * len(chunk))})")
                for row in self._conn.execute(q, chunk):
                    rec = _record(row)
                    out[rec.id] = rec  # type: ignore[index]
        return out

    def hash_arrays(self) -> HashArrays:
        with self._lock, self._guard("loading"):
            main = self._read_hashes("SELECT id, phash, dhash, pdq, pdq_quality FROM images "
                                     "ORDER BY id")
            alt = self._read_hashes("SELECT image_id, phash, dhash, pdq, pdq_quality FROM "
                                    "alt_hashes ORDER BY image_id")
        n_main = len(main[0])
        ids, ph, dh, pdq, qual = (np.concatenate([a, b]) for a, b in zip(main, alt,
                                                                          strict=True))
        return HashArrays(ids, ph, dh, pdq.view(">u8").astype(np.uint64), qual, n_main)

    def _read_hashes(self, query: str) -> tuple[np.ndarray, ...]:
        ids, ph, dh, pdq, qual = [], [], [], [], []
        cur = self._conn.execute(query)
        while True:
            rows = cur.fetchmany(10000)
            if not rows:
                break
            ids.append(np.array([r[0] for r in rows], np.int64))
            ph.append(np.array([r[1] for r in rows], np.int64).view(np.uint64))
            dh.append(np.array([r[2] for r in rows], np.int64).view(np.uint64))
            pdq.append(np.frombuffer(b"".join(bytes(r[3]) for r in rows),
                                     np.uint8).reshape(len(rows), 32))
            qual.append(np.array([min(255, max(0, r[4])) for r in rows], np.uint8))
        if not ids:
            return (np.zeros(0, np.int64), np.zeros(0, np.uint64), np.zeros(0, np.uint64),
                    np.zeros((0, 32), np.uint8), np.zeros(0, np.uint8))
        return (np.concatenate(ids), np.concatenate(ph), np.concatenate(dh),
                np.concatenate(pdq), np.concatenate(qual))

    def features(self, ids: Iterable[int]) -> dict[int, bytes]:
        ids = sorted({int(i) for i in ids})
        if not ids:
            return {}
        with self._lock, self._guard("reading"):
            q = (f"SELECT image_id, data FROM features WHERE image_id IN "  # noqa: S608
                 f"({','.join('?' * len(ids))})")
            return {int(r[0]): bytes(r[1]) for r in self._conn.execute(q, ids)}

    def vote(self, words: Sequence[int], *, limit: int, min_votes: int) -> list[tuple[int, int]]:
        words = sorted({int(w) for w in words})
        if not words:
            return []
        with self._lock, self._guard("reading"):
            blobs = []
            for start in range(0, len(words), 900):
                chunk = words[start:start + 900]
                q = (f"SELECT ids FROM postings WHERE word IN "  # noqa: S608
                     f"({','.join('?' * len(chunk))})")
                blobs += [r[0] for r in self._conn.execute(q, chunk)]
        return count_votes(blobs, limit=limit, min_votes=min_votes)

    def stats(self) -> dict[str, Any]:
        with self._lock, self._guard("reading"):
            c = self._conn
            n = c.execute("SELECT count(*) FROM images").fetchone()[0]
            nf = c.execute("SELECT count(*) FROM features").fetchone()[0]
            low = c.execute("SELECT count(*) FROM images WHERE pdq_quality < 50").fetchone()[0]
            alt = c.execute("SELECT count(*) FROM alt_hashes").fetchone()[0]
            dated = c.execute("SELECT count(*), min(first_seen), max(first_seen) FROM images "
                              "WHERE first_seen IS NOT NULL AND first_seen != ''").fetchone()
            with_url = c.execute("SELECT count(*) FROM images WHERE url IS NOT NULL "
                                 "AND url != ''").fetchone()[0]
        return {"path": self.path, "store": "sqlite", "images": n, "with_features": nf,
                "low_quality_pdq": low, "with_margin_hashes": alt, "with_url": with_url,
                "with_first_seen": dated[0],
                "first_seen_range": [dated[1], dated[2]] if dated[0] else None,
                "file_bytes": os.path.getsize(self.path) if os.path.exists(self.path) else None,
                "schema": self._meta.get("schema"), "created_at": self._meta.get("created_at"),
                "hash_versions": json.loads(self._meta.get("hash_versions", "{}"))}

    def close(self) -> None:
        with self._lock:
            self._conn.close()


def _append_postings(conn: sqlite3.Connection, image_id: int, words: Iterable[int]) -> None:
    """Append ``image_id`` to the posting list of each word (inside the caller's transaction).

    Ids are added in increasing order (new images get the largest id), so each list stays
    sorted. A word's list is its open row (``chunk = 0``, 1 to :data:`POSTING_CHUNK` ids) after
    sealed rows (``chunk`` 1, 2, ...) of up to :data:`POSTING_SEALED` ids: when the open row is
    full, its ids move to the last sealed row (or a new one) and a new open row starts.
    """
    word_list = sorted({int(w) for w in words})
    me = np.array([image_id], "<u4").tobytes()
    for start in range(0, len(word_list), 900):
        part = word_list[start:start + 900]
        q = (f"SELECT word, ids FROM postings WHERE chunk = 0 AND word IN "  # noqa: S608
             f"({','.join('?' * len(part))})")
        open_rows = {int(w): bytes(ids) for w, ids in conn.execute(q, part)}
        updates, inserts = [], []
        for w in part:
            ids = open_rows.get(w)
            if ids is None:
                inserts.append((w, me))
            elif len(ids) < 4 * POSTING_CHUNK:
                updates.append((ids + me, w))
            else:
                _seal(conn, w, ids)
                updates.append((me, w))
        conn.executemany("UPDATE postings SET ids = ? WHERE word = ? AND chunk = 0", updates)
        conn.executemany("INSERT INTO postings (word, chunk, ids) VALUES (?, 0, ?)", inserts)


def _seal(conn: sqlite3.Connection, word: int, ids: bytes) -> None:
    """Move a full open row's ids to the word's last sealed row, or a new sealed row."""
    last = conn.execute("SELECT chunk, ids FROM postings WHERE word = ? AND chunk > 0 "
                        "ORDER BY chunk DESC LIMIT 1", (word,)).fetchone()
    if last is not None and len(last[1]) + len(ids) <= 4 * POSTING_SEALED:
        conn.execute("UPDATE postings SET ids = ? WHERE word = ? AND chunk = ?",
                     (bytes(last[1]) + ids, word, last[0]))
    else:
        conn.execute("INSERT INTO postings (word, chunk, ids) VALUES (?, ?, ?)",
                     (word, (last[0] if last else 0) + 1, ids))


def count_votes(blobs: Iterable[bytes], *, limit: int, min_votes: int) -> list[tuple[int, int]]:
    """Ids appearing in at least ``min_votes`` of the posting lists ``blobs`` (little-endian
    uint32 arrays, an id at most once per list), most votes first (then lowest id), at most
    ``limit`` of them. One counting pass in NumPy, whatever the number of lists."""
    ids = np.frombuffer(b"".join(blobs), "<u4")
    if not len(ids) or limit <= 0:
        return []
    top = int(ids.max())
    if top < 16 * len(ids) + (1 << 20):
        counts = np.bincount(ids, minlength=top + 1)
        hit = np.flatnonzero(counts >= max(1, min_votes))
        n = counts[hit]
    else:  # a few ids spread over a huge range: sort instead of a huge count array
        hit, n = np.unique(ids, return_counts=True)
        keep = n >= max(1, min_votes)
        hit, n = hit[keep], n[keep]
    if len(hit) > limit:  # keep every id tied with the limit-th count, then sort
        kth = -np.partition(-n, limit - 1)[limit - 1]
        keep = n >= kth
        hit, n = hit[keep], n[keep]
    order = np.lexsort((hit, -n))[:limit]
    return [(int(hit[i]), int(n[i])) for i in order]


class _Guard:
    """Turns SQLite failures during use into :class:`KnownIndexError` naming the file."""

    def __init__(self, path: str, what: str):
        self.path, self.what = path, what

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> bool:
        if isinstance(exc, sqlite3.DatabaseError):
            code = "index_read_only" if "readonly" in str(exc) else "corrupt_index"
            raise KnownIndexError(f"{self.path}: error while {self.what} the index: {exc}",
                              path=self.path, code=code) from exc
        return False


def _uri_path(path: str) -> str:
    from urllib.parse import quote

    return quote(os.path.abspath(path))
