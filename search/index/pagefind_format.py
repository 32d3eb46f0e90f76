"""Pagefind's data files (gzip'd CBOR after a signature), read and written by content, and
the version of Pagefind whose format they are.

Pagefind names its index, filter and metadata files by a hash of their content; files
written here are named the same way (sha256), so identical content gives identical names.
The format is Pagefind 1.5.2's (`PAGEFIND_VERSION`): the search page reads it, and the
tests hold it to what that Pagefind writes and reads, so the build refuses to run beside
another Pagefind (`check_pagefind`).
"""

from __future__ import annotations

import gzip
import hashlib
import json
from importlib import metadata
from pathlib import Path

import cbor2

# The Pagefind whose files this writes (and whose script and WebAssembly the bundle ships):
# the one pinned in pyproject.toml (tests/test_pagefind_version.py holds the two together).
PAGEFIND_VERSION = "1.5.2"
LANGUAGE = "zh-cn"  # the documents' language, as Pagefind names its index files
SIGNATURE = b"pagefind_dcd"
# zlib's default: level 9 takes ten times as long for files 2 % smaller.
COMPRESS_LEVEL = 6


def read_cbor(path: Path):
    raw = gzip.decompress(path.read_bytes())
    assert raw.startswith(SIGNATURE), path
    return cbor2.loads(raw[len(SIGNATURE) :])


def read_meta(bundle: Path) -> list:
    """The metadata of a bundle of one language (as the archive's are): Pagefind's version,
    its pages [id, word count], word chunks, filters and sort orders."""
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    (info,) = entry["languages"].values()
    return read_cbor(bundle / f"pagefind.{info['hash']}.pf_meta")


def write_cbor(directory: Path, prefix: str, suffix: str, value, digits: int) -> str:
    """Write `value` as a Pagefind data file named by the hash of its content; return the
    name's stem (``<prefix>_<hash>``)."""
    return write_data(directory, prefix, suffix, cbor2.dumps(value, canonical=True), digits)


def compress(cbor: bytes) -> bytes:
    """A Pagefind data file's bytes: its CBOR after the signature, gzip'd."""
    return gzip.compress(SIGNATURE + cbor, COMPRESS_LEVEL, mtime=0)


def write_data(
    directory: Path,
    prefix: str,
    suffix: str,
    cbor: bytes,
    digits: int,
    data: bytes | None = None,
) -> str:
    """Write the Pagefind data file of the CBOR `cbor` (`data`: already `compress`ed) named
    by the hash of its content; return the name's stem (``<prefix>_<hash>``). A longer hash
    is taken if a different file has the short one."""
    full = hashlib.sha256(SIGNATURE + cbor).hexdigest()
    data = compress(cbor) if data is None else data
    while True:
        digest = f"{prefix}_{full[:digits]}"
        path = directory / f"{digest}{suffix}"
        if not path.exists() or path.read_bytes() == data or digits >= len(full):
            path.write_bytes(data)
            return digest
        digits += 1


class PagefindVersionError(RuntimeError):
    """The installed Pagefind is not the one whose format the index is written in."""


def installed_pagefind() -> str:
    """The version of the installed Pagefind (its Python package), or "未安装"."""
    try:
        return metadata.version("pagefind")
    except metadata.PackageNotFoundError:
        return "未安装"


def check_pagefind(installed: str | None = None) -> None:
    """Raise PagefindVersionError unless the installed Pagefind (or `installed`) is
    PAGEFIND_VERSION: the index would be written in one version's format and read by
    another's script."""
    installed = installed_pagefind() if installed is None else installed
    if installed != PAGEFIND_VERSION:
        raise PagefindVersionError(
            f"搜索索引按 Pagefind {PAGEFIND_VERSION} 的格式写成，但安装的 Pagefind 是 {installed}："
            f"请按 pyproject.toml 重新安装依赖（pip install -e . 或 make build），"
            f"使 Pagefind 为 {PAGEFIND_VERSION} 后再构建。"
        )
