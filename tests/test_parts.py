"""A site built in two parts, as two CI runners would, and put together equals one build.

See docs/scaling.md: each part writes its share of the pages and of the search shards;
`merge_site` unites them and merges the search shards, as the publish job does.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bulletin.build.sitebuild import render_site
from bulletin.site.parts import PartsConflict, merge_site, owns, parse_part
from sitecheck import CONTENT, ROOT


def tree(path: Path) -> dict[str, bytes]:
    return {p.relative_to(path).as_posix(): p.read_bytes() for p in path.rglob("*") if p.is_file()}


def build(out: Path, **overrides) -> Path:
    settings = {"PATH": str(CONTENT), "SEARCH_WHOOSH_PATH": "", "SEARCH_SHARD_SIZE": 10,
                "SEARCH_SHARD_CACHE": "", **overrides}  # fmt: skip
    render_site(str(ROOT / "pelicanconf.py"), out, settings)
    return out


def test_pages_are_shared_out_by_their_url():
    urls = [f"bulletins/2014-07-13/item-{i}/" for i in range(200)]
    shares = [[u for u in urls if owns(u, (k, 3))] for k in range(3)]
    assert sorted(u for share in shares for u in share) == sorted(urls)
    assert all(40 < len(share) < 90 for share in shares)
    assert all(owns(u, None) for u in urls)
    assert parse_part("1/2") == (1, 2) and parse_part(None) is None
    with pytest.raises(ValueError):
        parse_part("2/2")


def test_two_parts_put_together_are_the_single_build(tmp_path: Path):
    single = tree(build(tmp_path / "single"))
    parts = [build(tmp_path / f"part-{k}", BULLETIN_PART=(k, 2)) for k in range(2)]
    html = [{p for p in tree(part) if p.endswith(".html")} for part in parts]
    assert html[0] and html[1] and not html[0] & html[1]  # each wrote its own share
    unmerged = sorted(p.name for p in (parts[1] / "pagefind-parts").iterdir() if p.is_dir())
    assert unmerged == ["00001", "00001.records"]  # its shard and the shard's result records
    assert not (parts[1] / "sitemap.xml").exists()  # the whole site's files: part 0
    merge_site(parts, tmp_path / "merged")
    merged = tree(tmp_path / "merged")
    assert merged.keys() == single.keys()
    assert [p for p in single if merged[p] != single[p]] == []


def test_parts_that_disagree_are_refused(tmp_path: Path):
    for k, text in enumerate(("a", "b")):
        (tmp_path / f"p{k}" / "pagefind-parts" / "00000").mkdir(parents=True)
        (tmp_path / f"p{k}" / "robots.txt").write_text(text)
    with pytest.raises(PartsConflict):
        merge_site([tmp_path / "p0", tmp_path / "p1"], tmp_path / "out")


def test_build_part_and_publish_parts_on_the_command_line(tmp_path: Path):
    """The runners' command (invoke build-part) and the publish job's (invoke publish
    --parts): the published tree equals an ordinary publish's."""
    import subprocess
    import sys

    def invoke(*args: str) -> None:
        run = subprocess.run([sys.executable, "-m", "invoke", *args], cwd=ROOT,
                             capture_output=True, text=True)  # fmt: skip
        assert run.returncode == 0, run.stdout + run.stderr

    url = "http://127.0.0.1:1234"
    for k in range(2):
        invoke("build-part", "--part", f"{k}/2", "--output", str(tmp_path / "parts" / str(k)),
               "--siteurl", url)  # fmt: skip
    invoke("publish", "--parts", str(tmp_path / "parts"), "--target", str(tmp_path / "a"),
           "--siteurl", url)  # fmt: skip
    invoke("publish", "--target", str(tmp_path / "b"), "--siteurl", url)
    a, b = tree((tmp_path / "a").resolve()), tree((tmp_path / "b").resolve())
    assert a.keys() == b.keys()
    assert [p for p in a if a[p] != b[p]] == []
