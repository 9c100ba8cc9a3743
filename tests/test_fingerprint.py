"""Content digests: cached by path, size and mtime; any rewrite is hashed again."""

from __future__ import annotations

import hashlib
import os

from summarizer.engine import fingerprint


def test_a_file_is_hashed_once_while_unchanged(tmp_path, monkeypatch):
    monkeypatch.setenv(fingerprint.CACHE_ENV, str(tmp_path / "cache"))
    path = tmp_path / "weights.bin"
    path.write_bytes(b"one")
    assert fingerprint.file_sha256(path) == hashlib.sha256(b"one").hexdigest()
    reads = []
    real_open = type(path).open
    monkeypatch.setattr(type(path), "open", lambda self, *a, **k: reads.append(self) or real_open(self, *a, **k))
    assert fingerprint.file_sha256(path) == hashlib.sha256(b"one").hexdigest() and path not in reads


def test_a_rewritten_file_of_the_same_size_is_hashed_again(tmp_path, monkeypatch):
    monkeypatch.setenv(fingerprint.CACHE_ENV, str(tmp_path / "cache"))
    path = tmp_path / "weights.bin"
    path.write_bytes(b"one")
    first = fingerprint.file_sha256(path)
    stat = path.stat()
    path.write_bytes(b"two")  # same size
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1))
    assert fingerprint.file_sha256(path) == hashlib.sha256(b"two").hexdigest() != first


def test_a_damaged_digest_cache_is_only_a_cache(tmp_path, monkeypatch):
    monkeypatch.setenv(fingerprint.CACHE_ENV, str(tmp_path / "cache"))
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / fingerprint.DIGESTS_FILE).write_text("{not json", encoding="utf-8")
    path = tmp_path / "weights.bin"
    path.write_bytes(b"one")
    assert fingerprint.file_sha256(path) == hashlib.sha256(b"one").hexdigest()
    assert fingerprint.file_sha256(path) == hashlib.sha256(b"one").hexdigest()


def test_a_folder_digest_covers_model_files_only(tmp_path, monkeypatch):
    monkeypatch.setenv(fingerprint.CACHE_ENV, str(tmp_path / "cache"))
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "model.safetensors").write_bytes(b"weights")
    (folder / "config.json").write_text("{}", encoding="utf-8")
    before = fingerprint.folder_digest(folder)
    (folder / "README.md").write_text("notes", encoding="utf-8")
    (folder / "original").mkdir()
    (folder / "original" / "consolidated.pth").write_bytes(b"another copy")
    assert fingerprint.folder_digest(folder) == before
    (folder / "model.safetensors").write_bytes(b"other weights")
    assert fingerprint.folder_digest(folder) != before


def test_a_full_commit_hash_is_its_own_revision():
    commit = "0123456789abcdef0123456789abcdef01234567"
    assert fingerprint.hub_commit("org/name", commit, "'org/name'") == commit
