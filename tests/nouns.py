"""Every proper noun of the archive, found automatically: what search must never miss.

People, places, organisations and other proper names by part-of-speech tag (rjieba, the
jieba dictionary: nr, ns, nt, nz), every county and topic name and alias, and every 文号.
"""

from __future__ import annotations

import re
from functools import lru_cache

import rjieba

from bulletin.content.model import Item
from bulletin.relations.archive import Archive
from search.analysis.tokens import normalize

PROPER_TAGS = {"nr", "nrfg", "nrt", "ns", "nt", "nz"}
DOC_NUMBER_RE = re.compile(r"[\u4e00-\u9fff]{1,10}〔\d{4}〕\d+号")


def texts(archive: Archive) -> list[tuple[str, str]]:
    """(url, title + body as written) of every searchable document."""
    out = []
    for document in archive.documents:
        body = getattr(document, "body", "")
        extra = document.unit or "" if isinstance(document, Item) else ""
        out.append((document.url, f"{document.title}\n{body}\n{extra}"))
    return out


@lru_cache(maxsize=4)
def _tag(text: str) -> tuple[tuple[str, str], ...]:
    return tuple(rjieba.tag(text))


def proper_nouns(archive: Archive) -> list[str]:
    nouns: set[str] = set()
    for _, text in texts(archive):
        for word, tag in _tag(text):
            if tag in PROPER_TAGS and len(word.strip()) >= 2:
                nouns.add(word.strip())
        nouns.update(DOC_NUMBER_RE.findall(text))
    for taxonomy in archive.taxonomies.values():
        for term in taxonomy:
            nouns.update(term.spellings)
    return sorted(nouns)


def compact(text: str) -> str:
    """Normalised, without spaces and punctuation: how a match is recognised."""
    return "".join(ch for ch in normalize(text) if ch.isalnum())


def documents_containing(archive: Archive, noun: str) -> tuple[set[str], set[str]]:
    """URLs of documents whose text contains `noun`, and of those whose title does."""
    key = compact(noun)
    anywhere = {url for url, text in texts(archive) if key in compact(text)}
    in_title = {d.url for d in archive.documents if key in compact(d.title)}
    return anywhere, in_title
