"""ASCII URL slugs from Chinese titles, names and document numbers (pinyin by word)."""

from __future__ import annotations

import re
from collections.abc import Iterable

import rjieba
from pypinyin import lazy_pinyin

ASCII_RUN_RE = re.compile(r"[A-Za-z0-9]+")
HAN_RE = re.compile(r"[\u4e00-\u9fff]")
DOC_NUMBER_RE = re.compile(r"^(?P<prefix>.+?)[〔\[［(（](?P<year>\d{4})[〕\]］)）](?P<seq>\d+)号$")


def _word_slug(word: str) -> str:
    if HAN_RE.search(word):
        return "".join(p for p in lazy_pinyin(word) if p.isascii() and p.isalnum()).lower()
    return "-".join(m.group(0).lower() for m in ASCII_RUN_RE.finditer(word))


def pinyin_slug(text: str, max_words: int = 6, max_length: int = 48) -> str:
    """``市人大副主任孟建新走访济南`` → ``shirenda-fu-zhuren-meng-jianxin-zoufang``."""
    words: list[str] = []
    for word in rjieba.cut(text):
        slug = _word_slug(word)
        if not slug:
            continue
        if words and len("-".join([*words, slug])) > max_length:
            break
        words.append(slug)
        if len(words) >= max_words:
            break
    return "-".join(words) or "item"


def doc_number_slug(doc_number: str) -> str:
    """``温委发〔2014〕27号`` → ``wenweifa-2014-27``."""
    match = DOC_NUMBER_RE.match(doc_number.strip())
    if not match:
        return pinyin_slug(doc_number)
    prefix = "".join(_word_slug(ch) for ch in match.group("prefix"))
    return f"{prefix}-{match.group('year')}-{int(match.group('seq'))}"


def unique_slug(slug: str, taken: Iterable[str]) -> str:
    """`slug`, or `slug-2`, `slug-3` … if already taken."""
    taken = set(taken)
    if slug not in taken:
        return slug
    n = 2
    while f"{slug}-{n}" in taken:
        n += 1
    return f"{slug}-{n}"
