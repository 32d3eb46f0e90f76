"""Reading and writing Pagefind's data files (gzip'd CBOR after a signature), by content.

Pagefind names its index, filter and metadata files by a hash of their content; files
written here are named the same way (sha256), so identical content gives identical names.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
from pathlib import Path

import cbor2

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


def link_or_copy(source: str | Path, target: str | Path) -> None:
    """Put `source` at `target` as a hard link (the files of a bundle are never changed in
    place once written), or as a copy across file systems. Copying the 10,000 fragments of
    the search shards took 15 s of a 10,000-item build; linking them, well under a second."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)
