"""A synthetic archive of N items made from the seeds' text, for benchmarks.

Issues of 20 items each, dated across 2005–2024; every item takes a real title and real
paragraphs from the committed content (re-combined), so vocabulary, names and lengths are
those of the archive. Deterministic for a given size and seed.

Documents citing documents: one policy per 50 items (200 at 10,000), each with numbered
clauses, citing one to three earlier policies by title or by 文号 in the usual spellings,
often with a clause (第三条, （二）), plus a document the archive does not hold; one item in
ten cites a policy the same ways.
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
from pathlib import Path

from bulletin.content.content_format import format_issue, format_standalone
from bulletin.content.dates import PartialDate
from bulletin.content.model import DateInfo, Issue, Item, Policy
from bulletin.relations.archive import read_content
from bulletin.relations.citations import int_to_cn

ROOT = Path(__file__).resolve().parent.parent
ITEMS_PER_ISSUE = 20
ITEMS_PER_POLICY = 50
AREAS = ["进一步加强", "加快推进", "全面深化", "大力发展", "切实做好", "积极推进", "规范提升",
         "创新完善", "着力优化", "扎实推进", "深入实施", "统筹推进"]  # fmt: skip
SUBJECTS = ["温商回归", "招商引资", "时尚产业", "异地温州商会建设", "重点项目服务", "总部经济",
            "民营经济", "开放型经济", "区域合作", "人才引进", "投资环境", "功能区建设",
            "现代服务业", "对口支援", "产业集聚区", "楼宇经济"]  # fmt: skip
GENRES = ["若干意见", "实施意见", "实施办法", "通知", "工作方案"]
BRACKETS = ["〔{}〕", "[{}]", "（{}）", "〔{}〕", "〔{}〕"]


def _number(year: int, serial: int, rng: random.Random) -> str:
    """A 文号 in one of its usual spellings."""
    bracket = rng.choice(BRACKETS).format(year)
    return f"温政发{bracket}{rng.choice(['', '', '第'])}{serial}号"


def _citation(policy: Policy, year: int, serial: int, rng: random.Random) -> str:
    """A sentence citing `policy`: by title or 文号, sometimes naming a clause."""
    name = f"《{policy.title}》" if rng.random() < 0.5 else _number(year, serial, rng)
    part = rng.choice(["", f"第{int_to_cn(rng.randint(1, 8))}条", "（二）"])
    return f"根据{name}{part}的要求，"


def make_policies(
    dest: Path, count: int, paragraphs: list[str], rng: random.Random, taken: set[str]
) -> list:
    """`count` policies, dated 2005–2024, each citing earlier ones; return (policy, year, n).
    None is titled as one of `taken` (the real policies, copied in beside them)."""
    (dest / "policies").mkdir(parents=True, exist_ok=True)
    pool = [f"关于{a}{s}工作的{g}" for a in AREAS for s in SUBJECTS for g in GENRES]
    titles = [t for t in rng.sample(pool, min(count, len(pool))) if t not in taken]
    # A bigger archive (over 40,000 items) repeats titles as later revisions.
    titles += [f"{pool[k % len(pool)]}（{k // len(pool) + 1}）" for k in range(count - len(titles))]
    made: list[tuple[Policy, int, int]] = []
    for n in range(count):
        year = 2005 + n * 20 // max(count, 1)
        serial = n + 1
        body = ["## 一、总体要求", "", rng.choice(paragraphs), "", "## 二、主要措施", ""]
        body += ["### （一）加强组织。", "", "### （二）完善服务。", ""]
        for clause in range(1, 9):
            text = rng.choice(paragraphs)
            if made and rng.random() < 0.3:
                text = _citation(*rng.choice(made), rng) + text
            body += [f"{clause}．{text}", ""]
        if rng.random() < 0.5:
            body += [
                f"《关于做好{rng.choice(SUBJECTS)}工作的通知》（温政办〔{year - 1}〕{serial}号）同时参照执行。"
            ]
        policy = Policy(
            title=titles[n],
            slug=f"wenzhengfa-{year}-{serial}",
            path="",
            date=DateInfo(PartialDate(year, 1 + n % 12, 1)),
            doc_number=f"温政发〔{year}〕{serial}号",
            issuers=["温州市人民政府"],
            topics=[],
            body="\n".join(body).strip(),
        )
        (dest / "policies" / f"{policy.slug}.md").write_text(
            format_standalone(policy), encoding="utf-8"
        )
        made.append((policy, year, serial))
    return made


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
    real_titles = {d.title for d in documents if isinstance(d, Policy)}
    policies = make_policies(dest, items // ITEMS_PER_POLICY, paragraphs, rng, real_titles)
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
            if policies and rng.random() < 0.1:
                body[0] = _citation(*rng.choice(policies), rng) + body[0]
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
    from bulletin.content.content_format import read_document

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
    from bulletin.content.content_format import read_document

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
