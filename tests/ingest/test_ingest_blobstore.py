import hashlib
import io
from pathlib import Path

import pytest

from ingest.blobstore import BlobStore
from ingest.errors import BlobNotFoundError, FileTooLargeError, IngestError


def test_same_bytes_give_the_same_sha_and_one_file(tmp_path: Path) -> None:
    store = BlobStore(tmp_path)
    data = b"Mise en demeure du 3 mars"
    first, second = store.put(data), store.put(data)
    assert first == second == hashlib.sha256(data).hexdigest()
    assert store.get(first) == data
    assert store.exists(first)
    stored = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert stored == [store.path(first)]


def test_put_stream_matches_put(tmp_path: Path) -> None:
    store = BlobStore(tmp_path)
    data = b"x" * 3_000_000
    sha, size = store.put_stream(io.BytesIO(data), max_bytes=10_000_000)
    assert (sha, size) == (store.put(data), len(data))


def test_put_stream_refuses_oversize_and_leaves_nothing(tmp_path: Path) -> None:
    store = BlobStore(tmp_path)
    with pytest.raises(FileTooLargeError) as caught:
        store.put_stream(io.BytesIO(b"y" * 5000), max_bytes=4096)
    assert "trop volumineux" in caught.value.message
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_missing_and_malformed_keys(tmp_path: Path) -> None:
    store = BlobStore(tmp_path)
    with pytest.raises(BlobNotFoundError):
        store.get("0" * 64)
    with pytest.raises(IngestError):
        store.path("../../etc/passwd")
