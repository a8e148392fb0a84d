"""Known imagery: a perceptual-hash index that finds recycled, resized, cropped, flipped copies.

* :mod:`.hashing` - pHash, dHash (imagehash) and PDQ (pdqhash): one function per algorithm.
* :mod:`.features` - ORB local features, their LSH words and RANSAC verification.
* :mod:`.store` - the :class:`IndexStore` interface and the default :class:`SQLiteStore`.
* :mod:`.matcher` - the in-memory multi-index-hashing matcher, loaded once per process.
* :mod:`.match` - the decision rules (:class:`MatchParams`) and :func:`predates`.
* :mod:`.known` - :func:`open_index` / :func:`load_index` and :class:`KnownImageIndex`.
* :mod:`.release` - duplicates inside one release (one batched comparison per image).
"""

from .known import (
    ENV_VAR,
    AddResult,
    KnownImageIndex,
    Match,
    QueryResult,
    default_index_path,
    load_index,
    open_index,
    read_source_csv,
    resolve_index_path,
    scan_index_path,
)
from .match import MatchParams, predates
from .store import IndexRecord, IndexStore, KnownIndexError, SQLiteStore

__all__ = [
    "ENV_VAR", "AddResult", "KnownIndexError", "IndexRecord", "IndexStore", "KnownImageIndex",
    "Match", "MatchParams", "QueryResult", "SQLiteStore", "default_index_path", "load_index",
    "open_index", "predates", "read_source_csv", "resolve_index_path", "scan_index_path",
]
