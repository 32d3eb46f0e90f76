"""Random edits an editor makes to a content directory, for the preview's equivalence tests.

Each `edit` changes the content the way a person would, and keeps it valid (a build
succeeds): retitle or rewrite an item, move it to other counties or topics, redate it
within its issue, add an issue (a copy of one, under a new date), rename an issue's file,
delete an issue, edit a policy's or speech's text (including a mention of another policy by
its 文号, which makes a citation), retitle a policy. What the archive's text says is not
our concern here: these are test fixtures, never published.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Callable
from pathlib import Path

from bulletin.content.taxonomy import load_taxonomies

ITEM_BLOCK = re.compile(r"```item\n(.*?)```", re.S)
HEADING = re.compile(r"^## (.+)$", re.M)


def _issues(content: Path) -> list[Path]:
    return sorted((content / "bulletins").glob("*.md"))


def _held(content: Path) -> list[Path]:
    return sorted([*(content / "policies").glob("*.md"), *(content / "speeches").glob("*.md")])


def _words(rng: random.Random, content: Path) -> str:
    """A few words taken from the content itself."""
    text = rng.choice(_issues(content)).read_text(encoding="utf-8")
    runs = re.findall(r"[\u4e00-\u9fff]{4,12}", text)
    return rng.choice(runs) if runs else "补充说明"


def _item_meta(
    rng: random.Random, content: Path, has: str = ""
) -> tuple[Path, str, re.Match] | None:
    """A random issue file, its text and one of its item blocks (one with a line starting
    `has`, if given); None if it has none."""
    path = rng.choice(_issues(content))
    text = path.read_text(encoding="utf-8")
    blocks = [b for b in ITEM_BLOCK.finditer(text) if re.search(f"^{has}", b.group(1), re.M)]
    return (path, text, rng.choice(blocks)) if blocks else None


def _splice(path: Path, text: str, span: tuple[int, int], new: str) -> None:
    """Write `text` with `span` replaced by `new` to `path`."""
    path.write_text(text[: span[0]] + new + text[span[1] :], encoding="utf-8")


def _set(meta: str, key: str, value: str) -> str:
    """Item metadata with the field `key` set to `value`."""
    return re.sub(rf"^{key}: .*$", f"{key}: {value}", meta, count=1, flags=re.M)


def retitle_item(rng: random.Random, content: Path) -> str:
    path = rng.choice(_issues(content))
    text = path.read_text(encoding="utf-8")
    headings = list(HEADING.finditer(text))
    if not headings:
        return "no item"
    heading = rng.choice(headings)
    _splice(path, text, heading.span(), f"## {heading.group(1)}{_words(rng, content)}")
    return f"retitle an item of {path.name}"


def rewrite_item(rng: random.Random, content: Path) -> str:
    if (found := _item_meta(rng, content)) is None:
        return "no item"
    path, text, block = found
    sentence = f"\n\n{_words(rng, content)}，{_words(rng, content)}。"
    _splice(path, text, (block.end(), block.end()), sentence)
    return f"add a paragraph to an item of {path.name}"


def retag_item(rng: random.Random, content: Path) -> str:
    if (found := _item_meta(rng, content)) is None:
        return "no item"
    path, text, block = found
    key = rng.choice(["counties", "topics"])
    names = [term.name for term in load_taxonomies(content)[key]]
    chosen = rng.sample(names, k=min(len(names), rng.randint(0, 2)))
    _splice(path, text, block.span(1), _set(block.group(1), key, f"[{', '.join(chosen)}]"))
    return f"move an item of {path.name} to {key} {chosen}"


def redate_item(rng: random.Random, content: Path) -> str:
    if (found := _item_meta(rng, content, has="date: ")) is None:
        return "no dated item"
    path, text, block = found
    issue_date = re.search(r"^date: (\d{4}-\d{2}-\d{2})$", text, re.M)
    if issue_date is None:
        return "no issue date"
    printed = dt.date.fromisoformat(issue_date.group(1))
    new = printed - dt.timedelta(days=rng.randint(0, 20))
    _splice(path, text, block.span(1), _set(block.group(1), "date", new.isoformat()))
    return f"redate an item of {path.name} to {new}"


def add_issue(rng: random.Random, content: Path) -> str:
    """A copy of an issue, printed on a later day no issue has (its raw source left out)."""
    source = rng.choice(_issues(content))
    text = source.read_text(encoding="utf-8")
    taken = {p.stem for p in _issues(content)}
    dates = [
        dt.date.fromisoformat(d) for d in re.findall(r"^date: (\d{4}-\d{2}-\d{2})", text, re.M)
    ]
    if not dates:
        return "no dated issue"
    latest = max(dates)
    day = latest + dt.timedelta(days=rng.randint(0, max(0, (dt.date.today() - latest).days)))
    while day.isoformat() in taken:
        day -= dt.timedelta(days=1)
    if day < latest:
        return "no free day"
    text = re.sub(r"^slug: .*$", f"slug: {day.isoformat()}", text, count=1, flags=re.M)
    text = re.sub(r"^date: .*$", f"date: {day.isoformat()}", text, count=1, flags=re.M)
    text = re.sub(r"^source: .*$", "source: null", text, count=1, flags=re.M)
    text = re.sub(r"^number: .*$", "number: null", text, count=1, flags=re.M)
    (content / "bulletins" / f"{day.isoformat()}.md").write_text(text, encoding="utf-8")
    return f"add issue {day} (a copy of {source.name})"


def rename_issue(rng: random.Random, content: Path) -> str:
    path = rng.choice(_issues(content))
    target = path.with_name(f"{path.stem}-renamed.md")
    if target.exists() or "renamed" in path.stem:
        return "already renamed"
    path.rename(target)
    return f"rename {path.name} → {target.name}"


def delete_issue(rng: random.Random, content: Path) -> str:
    issues = _issues(content)
    if len(issues) < 3:
        return "too few issues to delete one"
    path = rng.choice(issues)
    path.unlink()
    return f"delete {path.name}"


def edit_held(rng: random.Random, content: Path) -> str:
    held = _held(content)
    if not held:
        return "no policy"
    path = rng.choice(held)
    text = path.read_text(encoding="utf-8")
    numbers = [
        n
        for p in held
        for n in re.findall(r"^doc_number: (.+)$", p.read_text(encoding="utf-8"), re.M)
        if p != path
    ]
    mention = f"（{rng.choice(numbers)}）" if numbers and rng.random() < 0.6 else ""
    sentence = f"\n\n{_words(rng, content)}{mention}。\n"
    path.write_text(text.rstrip("\n") + sentence, encoding="utf-8")
    return f"add a paragraph{' citing ' + mention if mention else ''} to {path.name}"


def retitle_held(rng: random.Random, content: Path) -> str:
    held = _held(content)
    if not held:
        return "no policy"
    path = rng.choice(held)
    text = path.read_text(encoding="utf-8")
    title = re.search(r"^title: (.+)$", text, re.M)
    if title is None:
        return "no title"
    _splice(path, text, title.span(), f"title: {title.group(1)}（{_words(rng, content)}）")
    return f"retitle {path.name}"


def toggle_draft(rng: random.Random, content: Path) -> str:
    """Mark an issue as a draft (the preview shows it, marked 草稿), or unmark one."""
    path = rng.choice(_issues(content))
    text = path.read_text(encoding="utf-8")
    if "\ndraft: true\n" in text:
        path.write_text(text.replace("\ndraft: true\n", "\n", 1), encoding="utf-8")
        return f"{path.name} is no longer a draft"
    path.write_text(text.replace("---\n", "---\ndraft: true\n", 1), encoding="utf-8")
    return f"{path.name} becomes a draft"


EDITS: list[Callable[[random.Random, Path], str]] = [
    retitle_item, rewrite_item, retag_item, redate_item, add_issue, rename_issue,
    delete_issue, edit_held, retitle_held, toggle_draft,
]  # fmt: skip


def edit(rng: random.Random, content: Path) -> str:
    """Make one random edit; say what it was."""
    return rng.choice(EDITS)(rng, content)
