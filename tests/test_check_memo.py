"""The preview's checks, which keep what they found in each unchanged file, against a fresh
check of the same content in a new process, after random edits and mistakes.

The edits are an editor's (`tests.edits`) and an editor's slips, each made at a random
place taken from the content: a county or topic misspelt, a taxonomy term renamed, script
or template text left in a body, a raw source changed or deleted, a date in the future, a
headline repeated. Whatever the preview keeps must never hide a problem, nor report one
that is gone.
"""

from __future__ import annotations

import json
import random
import re
import shutil
import subprocess
import sys
from dataclasses import astuple
from pathlib import Path

import pytest

from bulletin.checks.checks import read_archive
from bulletin.importing.scaffold import PLACEHOLDER
from bulletin.relations.archive import ArchiveMemory
from tests.edits import ITEM_BLOCK, _issues, edit

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"

FRESH = """
import json, sys
from dataclasses import astuple
from pathlib import Path
from bulletin.checks.checks import read_archive
print(json.dumps([astuple(p) for p in read_archive(Path(sys.argv[1]), drafts=True)[1]]))
"""


def _fresh(content: Path) -> list[list]:
    run = subprocess.run(
        [sys.executable, "-c", FRESH, str(content)],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(run.stdout)


def _kept(content: Path, cache: dict) -> list[list]:
    problems = read_archive(content, drafts=True, cache=cache)[1]
    return json.loads(json.dumps([astuple(p) for p in problems]))


def _text_run(rng: random.Random, path: Path) -> str:
    runs = re.findall(r"[\u4e00-\u9fff]{2,}", path.read_text(encoding="utf-8"))
    return rng.choice(runs)


def misspell_term(rng: random.Random, content: Path) -> str:
    """One county or topic of an item, one character changed (平阳县 → 平X县)."""
    path = rng.choice(_issues(content))
    text = path.read_text(encoding="utf-8")
    lines = [
        m
        for block in ITEM_BLOCK.finditer(text)
        for m in re.finditer(r"^(?:counties|topics): \[(.+)\]$", block.group(1), re.M)
    ]
    if not lines:
        return "no item has terms"
    line = rng.choice(lines)
    term = rng.choice(line.group(1).split(", "))
    at = rng.randrange(len(term))
    wrong = term[:at] + rng.choice(_text_run(rng, path)) + term[at + 1 :]
    start = text.index(line.group(0))
    new = line.group(0).replace(term, wrong, 1)
    path.write_text(text[:start] + new + text[start + len(line.group(0)) :], encoding="utf-8")
    return f"{path.name}: {term} → {wrong}"


def rename_taxonomy_term(rng: random.Random, content: Path) -> str:
    """A county's or topic's canonical name changed in the taxonomy file."""
    path = content / "taxonomy" / rng.choice(["counties.yaml", "topics.yaml"])
    text = path.read_text(encoding="utf-8")
    names = re.findall(r"^- name: (.+)$", text, re.M)
    name = rng.choice(names)
    path.write_text(text.replace(f"- name: {name}\n", f"- name: {name}新\n", 1), encoding="utf-8")
    return f"{path.name}: {name} renamed"


def leave_markup(rng: random.Random, content: Path) -> str:
    """Script, an event handler or the template's placeholder left in a body line."""
    path = rng.choice([*_issues(content), *(content / "policies").glob("*.md")])
    lines = path.read_text(encoding="utf-8").split("\n")
    body = [i for i, line in enumerate(lines) if re.match(r"[\u4e00-\u9fff]", line)]
    at = rng.choice(body)
    slip = rng.choice(["<script>alert(1)</script>", '<a onclick="x()">', PLACEHOLDER])
    lines[at] += slip
    path.write_text("\n".join(lines), encoding="utf-8")
    return f"{path.name}:{at + 1}: {slip}"


def change_source(rng: random.Random, content: Path) -> str:
    """A raw source's printed date changed, or the source deleted."""
    sources = sorted((content / "raw").glob("*.txt"))
    if not sources:
        return "no raw source left"
    path = rng.choice(sources)
    if rng.random() < 0.3:
        path.unlink()
        return f"{path.name} deleted"
    text = path.read_text(encoding="utf-8")
    dates = list(re.finditer(r"(20\d\d)年", text))
    if not dates:
        return f"{path.name} has no year"
    found = rng.choice(dates)
    year = str(int(found.group(1)) + rng.choice([-1, 1]))
    path.write_text(text[: found.start(1)] + year + text[found.end(1) :], encoding="utf-8")
    return f"{path.name}: {found.group(1)} → {year}"


def future_date(rng: random.Random, content: Path) -> str:
    """An issue dated in the future: its year's last two digits swapped (2014 → 2041)."""
    path = rng.choice(_issues(content))
    text = path.read_text(encoding="utf-8")
    new = re.sub(r"^date: 20(\d)(\d)", r"date: 20\2\1", text, count=1, flags=re.M)
    path.write_text(new, encoding="utf-8")
    return f"{path.name} dated in the future"


def repeat_headline(rng: random.Random, content: Path) -> str:
    """An item's heading replaced by another item's of the same issue."""
    path = rng.choice(_issues(content))
    text = path.read_text(encoding="utf-8")
    headings = re.findall(r"^## (.+)$", text, re.M)
    if len(headings) < 2:
        return f"{path.name} has one item"
    first, second = rng.sample(headings, 2)
    path.write_text(text.replace(f"## {second}\n", f"## {first}\n", 1), encoding="utf-8")
    return f"{path.name}: {second} → {first}"


SLIPS = [misspell_term, rename_taxonomy_term, leave_markup, change_source, future_date,
         repeat_headline]  # fmt: skip


@pytest.mark.parametrize("seed", [11, 29])
def test_checks_kept_per_file_agree_with_a_fresh_check_after_random_edits_and_slips(tmp_path, seed):
    rng = random.Random(seed)
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    cache = ArchiveMemory()
    assert _kept(content, cache) == _fresh(content)
    done = []
    for _ in range(6):
        for _ in range(2):
            slip = rng.random() < 0.6
            done.append(rng.choice(SLIPS)(rng, content) if slip else edit(rng, content))
        kept, fresh = _kept(content, cache), _fresh(content)
        assert kept == fresh, done
    assert any(p[4] == "error" for p in fresh), done  # the slips were seen at all (p[4]: severity)
