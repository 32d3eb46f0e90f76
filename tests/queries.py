"""Queries generated from the content, as readers type them: not a hand-written list.

For every document, with a fixed random seed so that a failure reproduces:

- `traditional`: its title in traditional script, as OpenCC writes it for the mainland,
  Taiwan and Hong Kong (s2t, s2tw, s2hk, whole phrases, not character by character);
- `words`: two or three words of its body (cut by rjieba), in shuffled order, with spaces;
- `gap`: a phrase of its text with a bracketed part or a 、-separated part left out
  (会长（秘书长）培训班 → 会长培训班);
- `homophone`: a name, place or unit of it with one character replaced by another
  character that reads the same (pypinyin, toneless), which the archive does not contain;
- `docnumber`: each 文号 it contains, in the spellings people use ([2014], （2014）,
  full-width digits, spaces, 第27号).

Each query carries the document it must find (for `homophone`: the name it must offer).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

import opencc
import rjieba
from nouns import compact, proper_nouns, texts
from pypinyin import Style, pinyin

from bulletin.relations.archive import Archive
from search.index.lexicon import gb2312

CLASSES = ("traditional", "words", "gap", "homophone", "docnumber")
DOC_NUMBER_RE = re.compile(r"([\u4e00-\u9fff]{1,10})〔(\d{4})〕(\d+)号")
BRACKETED_RE = re.compile(r"([\u4e00-\u9fff]{2,4})[（(]([^（）()]{1,8})[）)]([\u4e00-\u9fff]{2,4})")
LISTED_RE = re.compile(r"([\u4e00-\u9fff]{2,4})、([\u4e00-\u9fff]{1,6})、?([\u4e00-\u9fff]{2,4})")


@dataclass(frozen=True)
class Query:
    kind: str
    text: str
    url: str  # the document it must find
    expect: str = ""  # for homophone: the name to offer


def _homophones() -> dict[str, list[str]]:
    by_sound: dict[str, list[str]] = {}
    for ch in gb2312(common_only=True):
        for reading in pinyin(ch, style=Style.NORMAL, heteronym=True)[0]:
            by_sound.setdefault(reading, []).append(ch)
    return by_sound


def generate(archive: Archive, per_doc: int = 1, seed: int = 20261201) -> list[Query]:
    rng = random.Random(seed)
    converters = [opencc.OpenCC(c) for c in ("s2t", "s2tw", "s2hk")]
    corpus = {url: text for url, text in texts(archive)}
    everything = compact("\n".join(corpus.values()))
    by_sound = _homophones()
    nouns = [n for n in proper_nouns(archive) if len(compact(n)) >= 3]
    out: list[Query] = []
    for document in archive.documents:
        url, text = document.url, corpus[document.url]
        for converter in converters:
            converted = converter.convert(document.title)
            out.append(Query("traditional", converted, url))
        words = sorted(
            {
                w
                for w in rjieba.cut(text)
                if len(w) >= 2 and all("\u4e00" <= c <= "\u9fff" for c in w)
            }
        )
        for _ in range(per_doc):
            if len(words) >= 3:
                chosen = rng.sample(words, rng.choice([2, 3]))
                out.append(Query("words", " ".join(chosen), url))
        phrases = [m.group(1) + m.group(3) for m in BRACKETED_RE.finditer(text)]
        phrases += [m.group(1) + m.group(3) for m in LISTED_RE.finditer(text)]
        phrases = [p for p in phrases if compact(p) not in everything]  # a real gap
        for phrase in rng.sample(phrases, min(per_doc, len(phrases))):
            out.append(Query("gap", phrase, url))
        mine = [n for n in nouns if compact(n) in compact(text)]
        for noun in rng.sample(mine, min(per_doc, len(mine))):
            variant = _with_homophone(noun, by_sound, everything, rng)
            if variant:
                out.append(Query("homophone", variant, url, expect=noun))
        for number in sorted({m.group(0) for m in DOC_NUMBER_RE.finditer(text)}):
            out += [Query("docnumber", v, url) for v in spellings(number)]
    return out


def _with_homophone(noun: str, by_sound, everything: str, rng: random.Random) -> str:
    places = list(range(len(noun)))
    rng.shuffle(places)
    for at in places:
        readings = pinyin(noun[at], style=Style.NORMAL, heteronym=False)[0]
        others = [c for c in by_sound.get(readings[0], []) if c != noun[at]]
        rng.shuffle(others)
        for other in others:
            variant = noun[:at] + other + noun[at + 1 :]
            if compact(variant) not in everything:
                return variant
    return ""


def spellings(number: str) -> list[str]:
    """温委发〔2014〕27号 as people write it."""
    match = DOC_NUMBER_RE.fullmatch(number)
    assert match, number
    issuer, year, n = match.groups()
    wide = str.maketrans("0123456789", "０１２３４５６７８９")
    return [
        f"{issuer}[{year}]{n}号",
        f"{issuer}（{year}）{n}号",
        f"{issuer}({year}){n}号",
        f"{issuer}〔{year}〕{n}号".translate(wide),
        f"{issuer}〔{year}〕第{n}号",
        f"{issuer}〔{year}〕{n}号",
        f"{issuer} 〔{year}〕 {n} 号",
    ]
