"""Importing each raw seed again gives what is committed (apart from editors' review)."""

from pathlib import Path

import pytest

from bulletin.content.content_format import read_document, read_file
from bulletin.content.dates import PartialDate
from bulletin.importing.importer import import_file

CONTENT = Path(__file__).resolve().parent.parent / "content"

# Seed → (committed file, what the editor passed to invoke import)
SEEDS = {
    "2014-01-jianbao.txt": ("bulletins/2014-01.md", {}),
    "2014-10-jianbao.txt": ("bulletins/2014-10.md", {"date": PartialDate(2014, 10)}),
    "2014-07-13-jianbao.txt": ("bulletins/2014-07-13.md", {}),
    "2014-05-29-chen-yixin-jianghua.txt": ("speeches/2014-05-29-chen-yixin.md", {}),
    "wenweifa-2014-27-zhengce.txt": (
        "policies/wenweifa-2014-27.md",
        {"date": PartialDate(2014, 5)},
    ),
}
# Fields an editor sets or corrects after import; the importer only suggests them.
REVIEWED = {"counties", "topics", "unit_absent", "html", "toc", "url"}
# Where each field is written in the file, not what it says.
LAYOUT = {"field_lines"}


def _facts(document) -> dict:
    facts = {
        k: v
        for k, v in vars(document).items()
        if k not in REVIEWED | LAYOUT | {"items", "date", "path"}
    }
    facts["date"] = (document.date.value, document.date.inferred)
    if hasattr(document, "items"):
        facts["items"] = [
            {
                k: v
                for k, v in vars(i).items()
                if k not in REVIEWED | LAYOUT | {"issue", "line", "path"}
            }
            for i in document.items
        ]
    return facts


@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_reimporting_a_seed_reproduces_the_committed_file(seed, tmp_path):
    committed_path, options = SEEDS[seed]
    content = tmp_path / "content"
    (content / "taxonomy").mkdir(parents=True)
    for name in ("counties.yaml", "topics.yaml"):
        (content / "taxonomy" / name).write_bytes((CONTENT / "taxonomy" / name).read_bytes())
    outcome = import_file(CONTENT / "raw" / seed, content, **options)
    assert outcome.path.relative_to(content).as_posix() == committed_path
    imported, problems = read_document(outcome.path.read_text(encoding="utf-8"), committed_path)
    assert [p for p in problems if p.severity == "error"] == []
    committed, _ = read_file(CONTENT / committed_path, CONTENT)
    assert _facts(imported) == _facts(committed)
    assert outcome.raw_path.name == seed  # the importer names a raw source <slug>-<kind>.txt
    assert outcome.raw_path.read_bytes() == (CONTENT / "raw" / seed).read_bytes()
