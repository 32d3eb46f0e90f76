"""Counties and topics: one taxonomy mechanism, data in ``content/taxonomy/*.yaml``.

Each term has a canonical name, an ASCII slug, aliases (平阳 → 平阳县) and, for topics, a
description and the keywords that suggest it. Suggestions are made at import time and
written into the content file for the editor to confirm; the build never guesses.
"""

from __future__ import annotations

import difflib
import os
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

from bulletin.content import safe_yaml
from bulletin.content.content_files import read_text
from bulletin.content.content_format import SLUG_HINT, slug_problem
from bulletin.content.problems import ContentError, Problem

TERM_KEYS = {"name", "slug", "group", "aliases", "description", "keywords", "note", "county"}


@dataclass(frozen=True)
class Term:
    name: str
    slug: str
    group: str | None = None  # counties: 市辖区 / 县 / 县级市 / 功能区
    aliases: tuple[str, ...] = ()
    description: str | None = None
    keywords: tuple[str, ...] = ()
    note: str | None = None
    county: str | None = None  # towns: the county the town belongs to (its canonical name)

    @property
    def spellings(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    @property
    def town_kind(self) -> str:
        """镇, 乡 or 街道: what a town of the gazetteer is, by its name."""
        return "街道" if self.name.endswith("街道") else "乡" if self.name.endswith("乡") else "镇"


@dataclass
class Taxonomy:
    """An ordered set of terms with lookup by name, alias and slug."""

    key: str  # "counties" or "topics": the document field that holds the terms
    label: str  # 区县 / 主题
    terms: list[Term] = field(default_factory=list)
    # Counties: the towns (镇、乡、街道) within them, from taxonomy/towns.yaml: not terms of
    # their own, only known, so that a town written as a county is named as such.
    towns: Taxonomy | None = None

    def __post_init__(self) -> None:
        self._by_spelling = {s: t for t in self.terms for s in t.spellings}
        self._by_slug = {t.slug: t for t in self.terms}
        spellings = sorted(self._by_spelling, key=len, reverse=True)
        self._mention_re = (
            re.compile("|".join(re.escape(s) for s in spellings)) if spellings else None
        )

    def __iter__(self):
        return iter(self.terms)

    def __len__(self) -> int:
        return len(self.terms)

    def resolve(self, name: str) -> Term | None:
        """The term a name or alias stands for."""
        return self._by_spelling.get(name.strip())

    def by_name(self, name: str) -> Term | None:
        """The term whose canonical name is `name` (not an alias)."""
        term = self._by_spelling.get(name)
        return term if term is not None and term.name == name else None

    def by_slug(self, slug: str) -> Term | None:
        return self._by_slug.get(slug)

    def town(self, name: str) -> Term | None:
        """The town (of `towns`) a name or alias stands for: 龙港 → 龙港镇 (of 苍南县)."""
        return self.towns.resolve(name) if self.towns is not None else None

    def did_you_mean(self, name: str, n: int = 3) -> list[str]:
        """Canonical names close to an unknown name (平杨县 → 平阳县)."""
        matches = difflib.get_close_matches(name, list(self._by_spelling), n=n * 2, cutoff=0.5)
        names: list[str] = []
        for match in matches:
            canonical = self._by_spelling[match].name
            if canonical not in names:
                names.append(canonical)
        return names[:n]

    def mentions(self, text: str) -> Counter[str]:
        """How often each term is named (by name or alias) in `text`."""
        counts: Counter[str] = Counter()
        if self._mention_re is None:
            return counts
        for match in self._mention_re.finditer(text):
            counts[self._by_spelling[match.group(0)].name] += 1
        return counts

    def keyword_hits(self, text: str) -> Counter[str]:
        """How often each term's keywords occur in `text`."""
        counts: Counter[str] = Counter()
        for term in self.terms:
            hits = sum(text.count(k) for k in term.keywords)
            if hits:
                counts[term.name] = hits
        return counts


def suggest_counties(
    counties: Taxonomy, title: str, body: str, unit: str | None
) -> list[tuple[str, str]]:
    """Counties an item is about: named in its title or unit, or at least twice in its body.

    Returns (name, reason) pairs in taxonomy order.
    """
    head = counties.mentions(title + " " + (unit or ""))
    text = counties.mentions(body)
    chosen: list[tuple[str, str]] = []
    for term in counties:
        if head[term.name]:
            where = "标题" if counties.mentions(title)[term.name] else "报送单位"
            chosen.append((term.name, f"{where}提到“{term.name}”"))
        elif text[term.name] >= 2:
            chosen.append((term.name, f"正文提到{text[term.name]}次"))
    return chosen


def suggest_topics(
    topics: Taxonomy, title: str, body: str, limit: int = 3
) -> list[tuple[str, str]]:
    """Topics whose keywords weigh most in an item (title counts triple); at most `limit`."""
    score: Counter[str] = Counter()
    for name, hits in topics.keyword_hits(title).items():
        score[name] += 3 * hits
    for name, hits in topics.keyword_hits(body).items():
        score[name] += hits
    order = {t.name: i for i, t in enumerate(topics)}
    ranked = sorted((n for n, s in score.items() if s >= 2), key=lambda n: (-score[n], order[n]))
    return [(name, f"关键词得分{score[name]}") for name in ranked[:limit]]


def load_taxonomy(
    path: Path,
    key: str,
    label: str,
    rel: str | None = None,
    within: Taxonomy | None = None,
    memory: dict | None = None,
) -> Taxonomy:
    """Load and validate a taxonomy YAML file; raise ContentError naming file and line.

    `within`: the taxonomy whose terms this one's lie in (the towns' counties): each term
    must name one of them as its ``county``, and no spelling may be one of theirs.
    `memory`: each file's last text and what it gave, kept by a preview session between its
    readings (the same text is not validated again); a build passes none."""
    rel = rel or path.as_posix()
    problems: list[Problem] = []

    def error(line: int, message: str, hint: str) -> None:
        problems.append(Problem(rel, line, message, hint))

    if not os.path.lexists(path):
        raise ContentError(
            [Problem(rel, 1, f"缺少{label}表 {rel}", f"从版本库恢复 {rel}：没有它无法检查和构建")]
        )
    text, unreadable = read_text(path, rel)
    if text is None:
        raise ContentError(unreadable)
    cached = (str(path), key, label, rel, tuple(within.terms) if within is not None else None)
    known = memory.get(cached) if memory is not None else None
    if known is not None and known[0] == text:
        return known[1]  # a preview reads the taxonomies again after every edit
    try:
        node, data = safe_yaml.load(text)
    except safe_yaml.YamlRefused as refused:
        raise ContentError(
            [Problem(rel, m.line + 1, m.message, m.hint) for m in refused.mistakes]
        ) from None
    if not isinstance(data, list) or not isinstance(node, yaml.SequenceNode):
        raise ContentError([Problem(rel, 1, "分类文件应为条目列表", "每个条目以“- name: …”开头")])

    terms: list[Term] = []
    seen: dict[str, int] = {}
    for entry, entry_node in zip(data, node.value, strict=True):
        line = entry_node.start_mark.line + 1
        if not isinstance(entry, dict) or not isinstance(entry_node, yaml.MappingNode):
            error(line, "条目应为映射", "写成 - name: …，下一行 slug: …")
            continue
        lines = {str(k.value): k.start_mark.line + 1 for k, _ in entry_node.value}
        unknown = set(map(str, entry)) - TERM_KEYS
        if unknown:
            error(line, f"未知字段：{'、'.join(sorted(unknown))}", "检查拼写")
        wrong = [
            k for k, v in entry.items()
            if k in TERM_KEYS and not _shaped(v, list if k in LIST_KEYS else str)
        ]  # fmt: skip
        for field_key in wrong:
            shape = "文字的列表，如 [甲, 乙]" if field_key in LIST_KEYS else "一行文字"
            error(lines.get(field_key, line), f"字段“{field_key}”应为{shape}", TERM_SHAPE_HINT)
        if wrong:
            continue
        name = (entry.get("name") or "").strip()
        slug = (entry.get("slug") or "").strip()
        if not name:
            error(line, "缺少名称（name）", "加一行 name: 规范名称")
            continue
        problem = slug_problem(slug)
        if problem:
            error(lines.get("slug", line), f"“{name}”的{problem}", SLUG_HINT)
        aliases = tuple(a.strip() for a in entry.get("aliases") or [])
        for spelling in (name, *aliases):
            if spelling in seen:
                error(
                    line,
                    f"名称或别名“{spelling}”重复（第{seen[spelling]}行已有）",
                    "每个名称只能属于一个条目",
                )
            seen[spelling] = line
        if slug in seen:
            error(line, f"网址名“{slug}”重复", "换一个网址名")
        seen[slug] = line
        county = entry.get("county")
        if within is None and county is not None:
            error(lines["county"], "只有镇、乡、街道才写所属区县（county）", "删去这一行")
        elif within is not None:
            where = f"{within.label}的规范名称（见 taxonomy/{within.key}.yaml）"
            if within.by_name(county or "") is None:
                shown = f"“{county}”不是" if county else "缺少所属区县（county）：应为"
                error(
                    lines.get("county", line),
                    f"“{name}”的所属区县{shown}{where}",
                    f"写 county: {where}",
                )
            for spelling in (name, *aliases):
                if within.resolve(spelling) is not None:
                    error(
                        line,
                        f"“{spelling}”已是{within.label}的名称或别名",
                        f"{label}不能与{within.label}同名",
                    )
        terms.append(
            Term(
                name=name,
                slug=slug,
                group=entry.get("group"),
                aliases=aliases,
                description=entry.get("description"),
                keywords=tuple(entry.get("keywords") or []),
                note=entry.get("note"),
                county=county,
            )
        )
    if problems:
        raise ContentError(problems)
    taxonomy = Taxonomy(key=key, label=label, terms=terms)
    if memory is not None:
        memory[cached] = (text, taxonomy)
    return taxonomy


LIST_KEYS = {"aliases", "keywords"}
TERM_SHAPE_HINT = "别名和关键词写成 [甲, 乙]，其余字段写一行文字；是 yes、no 之类的词时用引号括起来"


def _shaped(value: object, shape: type) -> bool:
    """Null, text, or (for a list field) a list of texts: nothing else is a term's field."""
    if value is None:
        return True
    if shape is list:
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    return isinstance(value, str)


def load_taxonomies(content: Path, memory: dict | None = None) -> dict[str, Taxonomy]:
    """The counties (with the towns within them, if taxonomy/towns.yaml is there) and topics
    taxonomies of a content directory (`memory`: see `load_taxonomy`)."""
    base = content / "taxonomy"
    counties = load_taxonomy(
        base / "counties.yaml", "counties", "区县", "taxonomy/counties.yaml", memory=memory
    )
    if os.path.lexists(base / "towns.yaml"):
        towns = load_taxonomy(
            base / "towns.yaml", "towns", "镇乡街道", "taxonomy/towns.yaml", counties, memory
        )
        counties = replace(counties, towns=towns)
    return {
        "counties": counties,
        "topics": load_taxonomy(
            base / "topics.yaml", "topics", "主题", "taxonomy/topics.yaml", memory=memory
        ),
    }
