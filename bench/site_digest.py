"""The SHA-256 of every file of two built sites: the real content's and a synthetic corpus's.

    python -m bench.site_digest OUT.txt [--items 2000]

Build the sites before and after a change that must not change them (moving modules,
speeding up a template) and compare the two lists: ``cmp before.txt after.txt``. A line is
``<site> <file> <sha256>``; the corpus is `bench.corpus.make_corpus` with its fixed seed.
"""

from __future__ import annotations

import argparse
import hashlib
import tempfile
from pathlib import Path

from bench.corpus import make_corpus
from bulletin.build.sitebuild import build_site

ROOT = Path(__file__).resolve().parent.parent


def digests(items: int) -> list[str]:
    lines = []
    with tempfile.TemporaryDirectory() as work:
        work_dir = Path(work)
        corpus = make_corpus(work_dir / "corpus", items=items)
        for name, content in (("real", ROOT / "content"), ("bench", corpus)):
            site = work_dir / f"site-{name}"
            build_site(str(ROOT / "pelicanconf.py"), site, content=content)
            for path in sorted(p for p in site.rglob("*") if p.is_file()):
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                lines.append(f"{name} {path.relative_to(site).as_posix()} {digest}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--items", type=int, default=2000)
    args = parser.parse_args()
    lines = digests(args.items)
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines)} files → {args.out}")


if __name__ == "__main__":
    main()
