"""A synthetic archive of N items made from the seeds' text, for benchmarks.

Issues of 20 items each, dated across 2005–2024; every item takes a real title and real
paragraphs from the committed content (re-combined), so vocabulary, names and lengths are
those of the archive. Deterministic for a given size and seed.
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
from pathlib import Path

from bulletin.archive import read_content
from bulletin.content_format import format_issue
from bulletin.dates import PartialDate
from bulletin.model import DateInfo, Issue, Item

ROOT = Path(__file__).resolve().parent.parent
ITEMS_PER_ISSUE = 20


def make_corpus(dest: Path, items: int = 10_000, seed: int = 2014) -> Path:
    """Write a content directory with `items` items to `dest`; return it."""
    documents, _ = read_content(ROOT / "content")
    real = [i for d in documents if isinstance(d, Issue) for i in d.items]
    paragraphs = [p for i in real for p in i.body.split("\n\n")]
    rng = random.Random(seed)
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(ROOT / "content" / "taxonomy", dest / "taxonomy")
    (dest / "bulletins").mkdir(parents=True)
    start = dt.date(2005, 1, 5)
    issues = (items + ITEMS_PER_ISSUE - 1) // ITEMS_PER_ISSUE
    made = 0
    for n in range(issues):
        day = start + dt.timedelta(days=n * 7300 // max(issues, 1))
        date = PartialDate(day.year, day.month, day.day)
        issue = Issue(title="", slug=date.iso, path="", date=DateInfo(date), number=f"第{n + 1}期")
        issue.distribution = [("报", "省经合办"), ("发", "各县（市、区）经合办")]
        for k in range(min(ITEMS_PER_ISSUE, items - made)):
            model = rng.choice(real)
            body = [model.body.split("\n\n")[0], *rng.sample(paragraphs, rng.randint(1, 4))]
            item_day = day - dt.timedelta(days=rng.randint(0, 20))
            item = Item(
                title=f"{model.title}（{n + 1}-{k + 1}）",
                slug=f"item-{k + 1}",
                path="",
                number=k + 1,
                date=DateInfo(PartialDate(item_day.year, item_day.month, item_day.day)),
                unit=model.unit,
                counties=list(model.counties),
                topics=list(model.topics),
                section=model.section,
                body="\n\n".join(body),
            )
            issue.items.append(item)
            made += 1
        (dest / "bulletins" / f"{date.iso}.md").write_text(format_issue(issue), encoding="utf-8")
    return dest


def edited_issue(path: Path) -> tuple[str, str, str]:
    """The text of issue file `path` with its first item's title changed.

    Returns (new text, the item's site-relative URL, the marker now in its title)."""
    from bulletin.content_format import read_document

    text = path.read_text(encoding="utf-8")
    marker = f"（修订{int(path.stat().st_mtime_ns) % 100000}）"
    lines = text.split("\n")
    for index, line in enumerate(lines):
        if line.startswith("## "):
            lines[index] = line + marker
            break
    issue, _ = read_document(text, path.name)
    assert isinstance(issue, Issue) and issue.items
    return "\n".join(lines), f"bulletins/{issue.slug}/{issue.items[0].slug}/", marker


def next_issue(content: Path) -> tuple[Path, str, str, str]:
    """A new issue dated a week after the newest one, with the newest one's items.

    Returns (its path, its text, its site-relative URL, a title it shows)."""
    from bulletin.content_format import read_document

    newest = sorted((content / "bulletins").glob("*.md"))[-1]
    issue, _ = read_document(newest.read_text(encoding="utf-8"), newest.name)
    assert isinstance(issue, Issue) and issue.date.value is not None
    day = issue.date.value.first_day + dt.timedelta(days=7)
    date = PartialDate(day.year, day.month, day.day)
    issue.slug, issue.date, issue.number = date.iso, DateInfo(date), "第9999期"
    for item in issue.items:
        item.title = f"{item.title}（新一期）"
    path = content / "bulletins" / f"{date.iso}.md"
    return path, format_issue(issue), f"bulletins/{date.iso}/", issue.items[0].title
