"""What a build is made of, so that a build with nothing changed can do nothing.

A build's inputs are the content directory, the theme, the settings (the settings files
and every override), and the code that turns them into pages: the `bulletin` and `search`
packages and the versions of the tools they drive (Pelican, Pagefind, the Markdown and
word-cutting libraries). `input_fingerprint` hashes all of them, file by file, by content.

After a build, a manifest records that fingerprint together with every file the build
wrote (its size and modification time). The next build of the same target computes the
fingerprint again; if it is the same and every recorded file is still there, unchanged,
there is nothing to do, and no file is rewritten. The manifest also keeps each input file's
hash with its size, times and inode (`Stamps`, as Git's index does): a file whose stamp is
the one recorded is not read again (at 100,000 items, reading the 174 MB of content was a
third of a no-change build, more when the page cache had let it go). Pure: no Pelican
import.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from bulletin.content.content_files import Unreadable, open_regular

ROOT = Path(__file__).resolve().parents[2]  # the repository: bulletin/build/fingerprint.py
CODE_DIRS = (ROOT / "bulletin", ROOT / "search")
TOOLS = (
    "pelican", "markdown", "jinja2", "pagefind", "rjieba", "whoosh-reloaded", "opencc", "nh3",
    "numpy", "cbor2",
)  # fmt: skip
MANIFEST_VERSION = 1
# label/relative path → [size, mtime ns, ctime ns, inode, sha256 hex] of each input file
Stamps = dict[str, list]


def _files(directory: Path) -> Iterable[Path]:
    if not directory.is_dir():
        return []
    return sorted(
        p
        for p in directory.rglob("*")
        # every entry but folders: a link (even dangling), a FIFO is an input the checks judge
        if not p.is_dir() and "__pycache__" not in p.parts and not p.name.endswith((".pyc", "~"))
    )


def _hash_tree(digest, directory: Path, label: str, known: Stamps, seen: Stamps) -> None:
    for path in _files(directory):
        name = f"{label}/{path.relative_to(directory).as_posix()}"
        try:
            stat = path.stat()  # before the read: a file changed after it is read again next time
        except OSError:  # a dangling or looping link: its own stamp
            stat = path.lstat()
        stamp = [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino]
        recorded = known.get(name)
        sha = recorded[4] if recorded and recorded[:4] == stamp else _file_sha(path)
        seen[name] = [*stamp, sha]
        digest.update(f"{name}\0".encode())
        digest.update(bytes.fromhex(sha))


def _file_sha(path: Path) -> str:
    """A file's SHA-256, read in blocks and never waiting: a content path may be a FIFO or a
    link to one (the checks refuse it, with a message, once the fingerprint is taken)."""
    try:
        fd = open_regular(path.resolve())  # a link is followed: its target is the input
    except (Unreadable, OSError, RuntimeError):  # RuntimeError: a symlink loop
        return hashlib.sha256(b"not a regular file").hexdigest()
    try:
        with os.fdopen(fd, "rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return hashlib.sha256(b"unreadable").hexdigest()


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "-"


def input_fingerprint(
    content: Path,
    theme: Path,
    settings_files: Iterable[Path],
    settings: dict,
    known: Stamps | None = None,
    seen: Stamps | None = None,
) -> str:
    """A hash of everything the build reads: content, theme, settings, our code, tools.

    Files whose stamps are in `known` (an earlier build's) are taken as hashed then; every
    file's stamp goes into `seen`."""
    known = known or {}
    seen = {} if seen is None else seen
    digest = hashlib.sha256(f"manifest {MANIFEST_VERSION}\0".encode())
    _hash_tree(digest, content, "content", known, seen)
    _hash_tree(digest, theme, "theme", known, seen)
    for path in settings_files:
        digest.update(f"settings/{path.name}\0".encode())
        digest.update(path.read_bytes() if path.is_file() else b"-")
    digest.update(json.dumps(settings, sort_keys=True, default=repr).encode())
    for directory in CODE_DIRS:
        _hash_tree(digest, directory, directory.name, known, seen)
    for tool in TOOLS:
        digest.update(f"{tool}={_version(tool)}\0".encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class Manifest:
    fingerprint: str
    trees: dict[str, str]  # label → the build directory its target pointed to
    files: dict[str, list[int]]  # label/relative path → [size, mtime in ns]
    inputs: Stamps = field(default_factory=dict)  # the input files' stamps

    def to_json(self) -> str:
        data = {"version": MANIFEST_VERSION, "fingerprint": self.fingerprint,
                "trees": self.trees, "files": self.files, "inputs": self.inputs}  # fmt: skip
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def read(cls, path: Path) -> Manifest | None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("version") != MANIFEST_VERSION:
            return None
        return cls(data["fingerprint"], data["trees"], data["files"], data.get("inputs", {}))

    @classmethod
    def record(
        cls, fingerprint: str, targets: dict[str, Path], inputs: Stamps | None = None
    ) -> Manifest:
        """The manifest of the trees the `targets` (symlinks) point to now, and of the
        input files' stamps."""
        trees = {label: str(target.resolve()) for label, target in targets.items()}
        files: dict[str, list[int]] = {}
        for label, tree in trees.items():
            files.update({f"{label}/{k}": v for k, v in listing(Path(tree)).items()})
        return cls(fingerprint, trees, files, inputs or {})

    def intact(self, targets: dict[str, Path]) -> bool:
        """Whether every target still points to its recorded tree, holding exactly the
        recorded files, as they were."""
        if set(targets) != set(self.trees):
            return False
        for label, target in targets.items():
            if not target.is_symlink() or str(target.resolve()) != self.trees[label]:
                return False
        return Manifest.record(self.fingerprint, targets).files == self.files


def listing(tree: Path) -> dict[str, list[int]]:
    """Every file below `tree`: relative path → [size, mtime in ns].

    A walk of `os.scandir` entries with the relative paths built as it goes: at 100,000
    items the tree holds some 200,000 files in as many directories, and `os.walk` with
    `os.path.relpath` spent most of a no-change build's time normalising paths.
    """
    out: dict[str, list[int]] = {}
    pending = [("", os.fspath(tree))]
    while pending:
        prefix, directory = pending.pop()
        try:
            entries = os.scandir(directory)
        except OSError:  # as with os.walk: a tree that is not there (no search index) is empty
            continue
        with entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    pending.append((prefix + entry.name + os.sep, entry.path))
                elif not entry.is_dir():  # a link to a directory is not followed
                    try:
                        stat = entry.stat()
                    except OSError:  # a dangling or looping link (refused by the checks)
                        stat = entry.stat(follow_symlinks=False)
                    out[prefix + entry.name] = [stat.st_size, stat.st_mtime_ns]
    return out
