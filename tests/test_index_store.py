"""The SQLite store and the index API: idempotent, transactional, clear about bad input."""

from __future__ import annotations

import io
import json
import os
import sqlite3
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from test_index_hashing import scene

from provenancekit.forensics.index import (
    KnownIndexError,
    SQLiteStore,
    default_index_path,
    load_index,
    open_index,
    scan_index_path,
)
from provenancekit.forensics.index.known import decode_working
from provenancekit.forensics.index.signature import Signature, signature_from_rgb
from provenancekit.forensics.index.store import IndexRecord


def write_jpeg(path: Path, rgb: np.ndarray, quality: int = 90) -> Path:
    Image.fromarray(rgb).save(path, "JPEG", quality=quality)
    return path


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    d = tmp_path / "archive"
    d.mkdir()
    write_jpeg(d / "a.jpg", scene(11))
    write_jpeg(d / "b.jpg", scene(12))
    good = (d / "a.jpg").read_bytes()
    (d / "truncated.jpg").write_bytes(good[: len(good) // 3])
    (d / "empty.jpg").write_bytes(b"")
    (d / "notes.txt").write_text("not an image", encoding="utf-8")
    return d


def test_add_folder_skips_bad_files_and_is_idempotent(tmp_path: Path, folder: Path) -> None:
    path = tmp_path / "known.sqlite"
    with open_index(path) as idx:
        results = {Path(r.path).name: r for r in idx.add_paths([folder])}
        assert results["a.jpg"].status == "added" and results["b.jpg"].status == "added"
        assert results["truncated.jpg"].status == "skipped"
        assert results["truncated.jpg"].code == "truncated"
        assert results["empty.jpg"].code == "empty_file"
        assert results["notes.txt"].code == "unsupported_format"
        for r in results.values():
            if r.status == "skipped":
                assert r.path in r.message
        again = idx.add_image(folder / "a.jpg", url="https://example.org/a",
                              first_seen="2019-02-14")
        assert again.status == "exists" and again.id == results["a.jpg"].id
        assert idx.stats()["images"] == 2
        rec = idx.store.get(results["a.jpg"].sha256)
        assert rec.url == "https://example.org/a" and rec.first_seen == "2019-02-14"
        idx.add_image(folder / "a.jpg", url="https://other.example/")  # never overwrites
        assert idx.store.get(results["a.jpg"].sha256).url == "https://example.org/a"


def test_add_is_transactional(tmp_path: Path) -> None:
    path = tmp_path / "known.sqlite"
    with open_index(path) as idx:
        idx.add_image(write_jpeg(tmp_path / "one.jpg", scene(13)))
        before = idx.stats()["images"]
        item, ctx, rgb = decode_working(write_jpeg(tmp_path / "two.jpg", scene(14)))
        from provenancekit.forensics.index.hashing import global_hashes
        from provenancekit.forensics.index.store import IndexRecord

        h = global_hashes(rgb)
        record = IndexRecord(sha256=item.sha256, phash=h.phash, dhash=h.dhash, pdq=h.pdq,
                             pdq_quality=h.pdq_quality, width=10, height=10)

        def words_then_crash():
            yield 1
            yield 2
            raise KeyboardInterrupt  # an interrupted add, after the image row was written

        with pytest.raises(KeyboardInterrupt):
            idx.store.add(record, b"\x00" * 6, words_then_crash())
        assert idx.store.get(item.sha256) is None
        assert idx.stats()["images"] == before
        assert idx.add_image(tmp_path / "two.jpg").status == "added"


def test_bad_index_files_give_clear_errors(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.sqlite"
    garbage.write_bytes(b"this is not a database" * 100)
    with pytest.raises(KnownIndexError) as err:
        open_index(garbage)
    assert err.value.code == "corrupt_index" and str(garbage) in err.value.message

    other = tmp_path / "other.sqlite"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    with pytest.raises(KnownIndexError) as err:
        open_index(other)
    assert err.value.code == "not_an_index"

    with pytest.raises(KnownIndexError) as err:
        open_index(tmp_path / "missing.sqlite", create=False)
    assert err.value.code == "index_not_found"
    with pytest.raises(KnownIndexError) as err:
        load_index(tmp_path / "missing.sqlite")
    assert err.value.code == "index_not_found"


def test_incompatible_hash_versions_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "known.sqlite"
    open_index(path).close()
    con = sqlite3.connect(path)
    versions = json.loads(con.execute(
        "SELECT value FROM meta WHERE key = 'hash_versions'").fetchone()[0])
    versions["pdqhash"] = "9.9.0"
    con.execute("UPDATE meta SET value = ? WHERE key = 'hash_versions'", (json.dumps(versions),))
    con.commit()
    con.close()
    with pytest.raises(KnownIndexError) as err:
        open_index(path)
    assert err.value.code == "incompatible_index" and "pdqhash" in err.value.message


def test_source_csv_and_first_seen_validation(tmp_path: Path, folder: Path) -> None:
    csv_path = tmp_path / "archive.csv"
    csv_path.write_text("path,url,first_seen,caption,credit\n"
                        "archive/a.jpg,https://example.org/a,2019-02-14,\"Strike, 2019\",AP\n"
                        "archive/b.jpg,https://example.org/b,yesterday,,\n"
                        "archive/missing.jpg,https://example.org/m,2019,,\n", encoding="utf-8")
    with open_index(tmp_path / "known.sqlite") as idx:
        results = {Path(r.path).name: r for r in idx.add_paths([], source_csv=csv_path)}
        assert results["a.jpg"].status == "added"
        rec = idx.store.get(results["a.jpg"].sha256)
        assert (rec.caption, rec.credit, rec.first_seen) == ("Strike, 2019", "AP", "2019-02-14")
        assert results["b.jpg"].code == "bad_first_seen"
        assert results["missing.jpg"].code == "not_found"


def test_index_path_resolution(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("PROVENANCE_INDEX", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_index_path() == str(tmp_path / "xdg" / "provenance" / "index.sqlite")
    assert scan_index_path(None) is None  # a scan never picks the per-user file by itself
    monkeypatch.setenv("PROVENANCE_INDEX", str(tmp_path / "env.sqlite"))
    assert default_index_path() == str(tmp_path / "env.sqlite")
    assert scan_index_path(None) == str(tmp_path / "env.sqlite")
    assert scan_index_path("given.sqlite") == "given.sqlite"


def test_store_roundtrip_and_bytes_input(tmp_path: Path) -> None:
    rgb = scene(15)
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, "PNG")
    with open_index(tmp_path / "k.sqlite") as idx:
        r = idx.add_image(buf.getvalue(), name="upload.png", first_seen="2020-05")
        assert r.status == "added"
        store: SQLiteStore = idx.store  # type: ignore[assignment]
        rec = store.get(r.sha256)
        assert rec.source_path is None and rec.media_type == "image/png"
        assert (rec.width, rec.height) == (480, 360)
        arrays = store.hash_arrays()
        assert arrays.pdq.shape == (1, 4) and int(arrays.phash[0]) == rec.phash
        assert os.path.getsize(tmp_path / "k.sqlite") > 0


def test_signature_bytes_roundtrip() -> None:
    sig = signature_from_rgb(scene(16), sha256="ab" * 32)
    back = Signature.from_bytes(sig.to_bytes())
    assert back.hashes == sig.hashes and back.sha256 == sig.sha256
    assert np.array_equal(back.mirrored_features.descriptors, sig.mirrored_features.descriptors)
    with pytest.raises(ValueError):
        Signature.from_bytes(sig.to_bytes()[:-5])


def _record(i: int) -> IndexRecord:
    return IndexRecord(sha256=f"{i:064x}", phash=i, dhash=i, pdq=bytes(32), pdq_quality=100,
                       width=8, height=8)


def test_posting_lists_vote_like_a_brute_force_count(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A common word's list grows as full open rows are sealed into larger rows; the vote
    counts exactly what a per-image set intersection counts, ranked by votes."""
    from provenancekit.forensics.index import store as store_mod

    monkeypatch.setattr(store_mod, "POSTING_CHUNK", 4)
    monkeypatch.setattr(store_mod, "POSTING_SEALED", 16)
    rng = np.random.default_rng(5)
    n_images = 16 * 2 + 8 + 3  # two full sealed rows, one half full, 3 in the open row
    common = 7
    store = SQLiteStore(tmp_path / "p.sqlite", create=True, hash_versions={})
    sets: dict[int, set[int]] = {}
    for i in range(n_images):
        words = {common} | {int(w) for w in rng.integers(100, 400, 12)}
        status, image_id = store.add(_record(i), None, sorted(words))
        assert status == "added"
        sets[image_id] = words
    rows = store._conn.execute("SELECT chunk, ids FROM postings WHERE word = ? "
                               "ORDER BY chunk", (common,)).fetchall()
    assert [(c, len(b) // 4) for c, b in rows] == [(0, 3), (1, 16), (2, 16), (3, 8)]
    listed = np.concatenate([np.frombuffer(b, "<u4") for _, b in rows[1:] + rows[:1]])
    assert listed.tolist() == sorted(sets)  # every image once, in order
    for trial in range(20):
        query = {int(w) for w in rng.integers(90, 410, 30)} | ({common} if trial % 2 else set())
        expected = sorted(((i, len(query & s)) for i, s in sets.items()
                           if len(query & s) >= 3), key=lambda t: (-t[1], t[0]))
        assert store.vote(sorted(query), limit=10, min_votes=3) == expected[:10]
        assert store.vote(sorted(query), limit=10_000, min_votes=3) == expected
    store.close()


def test_posting_lists_survive_an_interrupted_add(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "p.sqlite", create=True, hash_versions={})
    store.add(_record(1), None, [5, 6, 7])

    def words_then_crash():
        yield 5
        yield 9
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        store.add(_record(2), None, words_then_crash())
    assert store.vote([5, 6, 7, 9], limit=5, min_votes=1) == [(1, 3)]
    assert store.get(_record(2).sha256) is None
    store.close()


def test_an_index_of_the_previous_schema_is_refused_with_advice(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    open_index(path).close()
    con = sqlite3.connect(path)
    con.execute("UPDATE meta SET value = '1' WHERE key = 'schema'")
    con.commit()
    con.close()
    with pytest.raises(KnownIndexError) as err:
        open_index(path)
    assert err.value.code == "incompatible_index" and "rebuild" in err.value.message
