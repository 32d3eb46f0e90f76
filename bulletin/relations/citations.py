"""Mentions of documents in a text: finding them, resolving them against the archive.

A text mentions a document by its title in 《…》 or by its 文号 (see `docnumbers`), and
sometimes names a part of it right after: 《…》第五条, 温委发〔2014〕27号（三）. Each mention
resolves to one of:

- **held**: exactly one document of the archive has that title or 文号; the mention
  becomes a link to it (to the clause when one is named and the document has that anchor);
- **missing**: no document of the archive matches. Titles are only treated as documents
  when they end like one (…意见, …办法, …通知, see `GENRES`), so 《温州两家人》 (a TV
  series) or 《每日汇报》 (a publication) are left alone; every 文号 is a document. A missing
  mention is marked on the page as a citation of a document the archive does not hold,
  and never linked. A title one character away from a held title is also missing, with a
  did-you-mean for `invoke check`: it is never linked on a guess;
- **ambiguous**: two or more held documents match. Not linked; `invoke check` reports it as
  an error, naming both. A 文号 right after the title (《…》（温委发〔2014〕27号）) settles it.

A document never cites itself. Pure: no Pelican, no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from bulletin.content.docnumbers import DocNumber, NumberMatch, find_numbers

TITLE_RE = re.compile(r"《([^《》\n]{2,120})》")
# What the title of an official document ends with (the 公文 kinds and rule-making kinds).
GENRES = (
    "意见", "办法", "通知", "决定", "规定", "条例", "细则", "规划", "方案", "纲要", "决议",
    "通告", "公告", "通报", "批复", "报告", "纪要", "协议", "计划", "规则", "章程", "守则",
    "措施", "政策", "指引", "指南", "函",
)  # fmt: skip
CN_NUMERAL = "〇零一二三四五六七八九十百"
CLAUSE_AFTER_RE = re.compile(
    rf"[ \u3000]*(?:文件)?(?:的)?(?:第(?P<clause>[{CN_NUMERAL}0-9０-９]{{1,4}})条"
    rf"|[（(](?P<sub>[一二三四五六七八九十]{{1,3}})[)）])"
)
CN_VALUES = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0}
QUOTES = str.maketrans({"“": '"', "”": '"', "「": '"', "」": '"', "‘": "'", "’": "'"})
SPACES_RE = re.compile(r"\s+")

Status = Literal["held", "missing", "ambiguous"]


def cn_to_int(text: str) -> int | None:
    """五 → 5, 十二 → 12, 二十 → 20, 一百零三 → 103, 5 → 5; None if it is not a number."""
    text = unicodedata.normalize("NFKC", text)
    if text.isdigit():
        return int(text)
    total, current = 0, 0
    for char in text:
        if char in CN_VALUES:
            current = CN_VALUES[char]
        elif char == "十":
            total += (current or 1) * 10
            current = 0
        elif char == "百":
            total += (current or 1) * 100
            current = 0
        else:
            return None
    return total + current


def int_to_cn(value: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 23 → 二十三 (1–99: the numbers of a document's parts)."""
    digits = "零一二三四五六七八九"
    tens, units = divmod(value, 10)
    if not tens:
        return digits[units]
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[units] if units else "")


def title_key(title: str) -> str:
    """A title as compared: width-folded, quotes unified, no spaces, no 《》."""
    text = unicodedata.normalize("NFKC", title).translate(QUOTES)
    return SPACES_RE.sub("", text).strip("《》<>")


def looks_like_document(title: str) -> bool:
    return title_key(title).endswith(GENRES)


def clause_label(anchor: str) -> str:
    """The reader's name of an anchor: clause-5 → 第5条, section-2-3 → 二、（三）."""
    parts = anchor.split("-")
    if parts[0] == "clause":
        return f"第{parts[1]}条"
    numbers = [int(p) for p in parts[1:]]
    label = f"{int_to_cn(numbers[0])}、"
    if len(numbers) > 1:
        label += f"（{int_to_cn(numbers[1])}）"
    return label


@dataclass(frozen=True)
class Held:
    """A document of the archive, as mentions see it."""

    key: str  # the document's site-relative URL: unique, stable
    title: str
    number: DocNumber | None = None
    anchors: frozenset[str] = frozenset()  # its clause and section anchors


@dataclass(frozen=True)
class Mention:
    """One mention of a document in a text."""

    start: int
    end: int  # the span in the text, a named clause (第五条) included
    kind: Literal["title", "number"]
    text: str  # the span as written
    name: str  # what it names: the title without 《》, or the canonical 文号
    target: str | None = None  # the held document's key
    anchor: str | None = None  # e.g. clause-5, when the text names a part the target has
    candidates: tuple[str, ...] = ()  # ambiguous: the keys of every match
    suggestion: str | None = None  # a held title one character away
    problem: str | None = None  # why a 文号 cannot exist

    @property
    def status(self) -> Status:
        if self.target is not None:
            return "held"
        return "ambiguous" if self.candidates else "missing"

    @property
    def clause(self) -> str | None:
        return clause_label(self.anchor) if self.anchor else None


def _deletions(key: str) -> set[str]:
    return {key[:i] + key[i + 1 :] for i in range(len(key))}


@dataclass
class Resolver:
    """Finds and resolves mentions against the held documents."""

    held: list[Held]
    by_title: dict[str, list[Held]] = field(init=False)
    by_number: dict[DocNumber, list[Held]] = field(init=False)
    issuers: frozenset[str] = field(init=False)
    _near: dict[str, set[str]] = field(init=False)  # one deletion → titles (near misses)
    # `near_miss`'s answers: an archive mentions the same few titles it lacks many times over
    # (28 titles in 4,370 mentions at 10,000 items).
    _misses: dict[str, str | None] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.by_title = defaultdict(list)
        self.by_number = defaultdict(list)
        self._near = defaultdict(set)
        self._misses = {}
        for document in self.held:
            key = title_key(document.title)
            self.by_title[key].append(document)
            self._near[key].add(key)
            for deleted in _deletions(key):
                self._near[deleted].add(key)
            if document.number is not None:
                self.by_number[document.number].append(document)
        self.issuers = frozenset(d.number.issuer for d in self.held if d.number)

    def near_miss(self, key: str) -> str | None:
        """A held title one edit (change, insertion, deletion) away from `key`."""
        if key not in self._misses:
            self._misses[key] = self._nearest(key)
        return self._misses[key]

    def _nearest(self, key: str) -> str | None:
        found: set[str] = set(self._near.get(key, ()))
        for deleted in _deletions(key):
            found |= self._near.get(deleted, set())
            if deleted in self.by_title:
                found.add(deleted)
        found.discard(key)
        return min(found, default=None)

    def find(self, text: str, own: str | None = None) -> list[Mention]:
        """Every mention in `text`, in order; `own` is the key of the text's document."""
        if "《" not in text and "号" not in text:
            return []  # the common case, fast
        mentions: list[Mention] = []
        titles = [m for m in TITLE_RE.finditer(text)]
        for match in titles:
            mention = self._title(text, match)
            if mention is not None:
                mentions.append(mention)
        inside = [(m.start(), m.end()) for m in titles]
        for match in find_numbers(text, self.issuers):
            if any(a <= match.start < b for a, b in inside):
                continue
            mentions.append(self._number(text, match))
        mentions.sort(key=lambda m: m.start)
        mentions = _settle_by_number(mentions)
        return [m for m in mentions if own is None or m.target != own]

    def _title(self, text: str, match: re.Match) -> Mention | None:
        name = match.group(1)
        key = title_key(name)
        found = self.by_title.get(key, [])
        base = {"start": match.start(), "kind": "title", "name": name}
        if len(found) == 1:
            return self._held(text, match.end(), found[0], base)
        if len(found) > 1:
            keys = tuple(d.key for d in found)
            return Mention(end=match.end(), text=match.group(0), candidates=keys, **base)
        suggestion = self.near_miss(key)
        if suggestion is None and not looks_like_document(name):
            return None
        hint = self.by_title[suggestion][0].title if suggestion else None
        return Mention(end=match.end(), text=match.group(0), suggestion=hint, **base)

    def _number(self, text: str, match: NumberMatch) -> Mention:
        number = match.number
        found = self.by_number.get(number, []) if match.problem is None else []
        base = {"start": match.start, "kind": "number", "name": str(number)}
        if len(found) == 1:
            return self._held(text, match.end, found[0], base)
        return Mention(
            end=match.end,
            text=match.text(text),
            candidates=tuple(d.key for d in found) if len(found) > 1 else (),
            problem=match.problem,
            **base,
        )

    def _held(self, text: str, end: int, document: Held, base: dict) -> Mention:
        anchor = None
        after = CLAUSE_AFTER_RE.match(text, end)
        if after is not None:
            anchor = _anchor(after, document.anchors)
            if anchor is not None:
                end = after.end()
        return Mention(
            end=end, text=text[base["start"] : end], target=document.key, anchor=anchor, **base
        )


def _anchor(match: re.Match, anchors: frozenset[str]) -> str | None:
    """The anchor a clause reference (第五条, （三）) names in a document, if it has one."""
    if match.group("clause"):
        value = cn_to_int(match.group("clause"))
        anchor = f"clause-{value}"
        return anchor if anchor in anchors else None
    value = cn_to_int(match.group("sub"))
    subsections = [a for a in anchors if a.startswith("section-") and a.endswith(f"-{value}")]
    subsections = [a for a in subsections if a.count("-") == 2]
    return subsections[0] if len(subsections) == 1 else None


def _settle_by_number(mentions: list[Mention]) -> list[Mention]:
    """An ambiguous title followed by a held 文号 among its candidates means that document."""
    settled = list(mentions)
    for index, mention in enumerate(mentions[:-1]):
        following = mentions[index + 1]
        if (
            mention.kind == "title"
            and mention.status == "ambiguous"
            and following.kind == "number"
            and following.target in mention.candidates
            and following.start - mention.end <= 2
        ):
            settled[index] = Mention(
                mention.start, mention.end, "title", mention.text, mention.name, following.target
            )
    return settled


def spans(mentions: Iterable[Mention]) -> list[tuple[int, int, Mention]]:
    """The mentions to mark in a text: held and missing ones, never overlapping."""
    out: list[tuple[int, int, Mention]] = []
    last = 0
    for mention in sorted(mentions, key=lambda m: m.start):
        if mention.status == "ambiguous" or mention.start < last:
            continue
        out.append((mention.start, mention.end, mention))
        last = mention.end
    return out
