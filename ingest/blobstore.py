"""Content-addressed store of original bytes: the one copy nothing may lose."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import BinaryIO

from ingest.errors import BlobNotFoundError, FileTooLargeError, IngestError

_SHA = re.compile(r"^[0-9a-f]{64}$")
_CHUNK = 1024 * 1024


class BlobStore:
    """Files live at ROOT/ab/cd/<sha256>; writes go to ROOT/tmp then are renamed into place, so a
    reader never sees half a file and a crash leaves at most a stray temp file."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        self._tmp = self.root / "tmp"
        self._tmp.mkdir(parents=True, exist_ok=True)

    def path(self, sha: str) -> Path:
        if not _SHA.match(sha):
            raise IngestError(f"Empreinte de fichier invalide : « {sha[:80]} ».")
        return self.root / sha[:2] / sha[2:4] / sha

    def exists(self, sha: str) -> bool:
        return self.path(sha).is_file()

    def get(self, sha: str) -> bytes:
        target = self.path(sha)
        try:
            return target.read_bytes()
        except FileNotFoundError as exc:
            raise BlobNotFoundError(sha) from exc

    def put(self, data: bytes) -> str:
        sha = hashlib.sha256(data).hexdigest()
        if not self.exists(sha):
            fd, tmp_name = tempfile.mkstemp(dir=self._tmp, prefix="put-")
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            self._commit(Path(tmp_name), sha)
        return sha

    def put_stream(self, fileobj: BinaryIO, max_bytes: int) -> tuple[str, int]:
        """Stream into the store; above `max_bytes` nothing is kept and FileTooLargeError is raised."""
        digest = hashlib.sha256()
        size = 0
        fd, tmp_name = tempfile.mkstemp(dir=self._tmp, prefix="stream-")
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as handle:
                while chunk := fileobj.read(_CHUNK):
                    size += len(chunk)
                    if size > max_bytes:
                        raise FileTooLargeError(None, max_bytes)
                    digest.update(chunk)
                    handle.write(chunk)
                handle.flush()
                os.fsync(handle.fileno())
            sha = digest.hexdigest()
            if self.exists(sha):
                tmp.unlink()
            else:
                self._commit(tmp, sha)
            return sha, size
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def _commit(self, tmp: Path, sha: str) -> None:
        target = self.path(sha)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(tmp, 0o444)  # originals are evidence: read-only once stored
        os.replace(tmp, target)  # atomic on one filesystem; same bytes if two writers race
