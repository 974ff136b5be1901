"""Files: atomic writes, content digests and JSON text — the helpers every stage and the wiring share.

No reader ever sees half a file: everything is written to a temporary file in the same folder and renamed.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterable
from functools import lru_cache
from importlib import metadata
from pathlib import Path


def atomic_write(path: Path, write: Callable[[Path], object]) -> None:
    """Call `write(temporary)` on a temporary file beside `path`, then rename it over `path`."""
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    temporary = Path(name)
    try:
        write(temporary)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def write_text(path: Path, text: str) -> None:
    """Write UTF-8 text with `\\n` line ends, atomically."""
    atomic_write(path, lambda temporary: temporary.write_text(text, encoding="utf-8", newline="\n"))


def json_text(content: object) -> str:
    """Stable, readable JSON: UTF-8 characters kept, two-space indent, a final newline."""
    return json.dumps(content, ensure_ascii=False, indent=2) + "\n"


def file_sha256(path: Path) -> str:
    """sha256 of a file, read in blocks; read once per version of the file in a process (the same inode, size
    and modification time), since a run needs a PDF's digest at several steps."""
    stat = path.stat()
    return version_sha256(str(path.resolve()), stat.st_ino, stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=4096)
def version_sha256(path: str, inode: int, size: int, mtime_ns: int) -> str:
    """sha256 of one version of a file (the version is part of the cache key)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def files_digest(paths: Iterable[Path]) -> str:
    """One digest of files and folders (recursively), by relative name and content."""
    digest = hashlib.sha256()
    for root in paths:
        for path in sorted(
            p for p in ([root] if root.is_file() else root.rglob("*")) if p.is_file() and "__pycache__" not in p.parts
        ):
            digest.update(str(path.relative_to(root.parent)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def package_version(name: str) -> str | None:
    """The installed version of a distribution, None when it is not installed."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None
