"""The archive's cross-references: who cites whom (the model of the relations).

Every item, policy and speech body is read line by line for mentions (`citations`); the
result is plain dictionaries keyed by the documents' site-relative URLs:

- ``cites[key]``: the held documents a document cites (with the clause, where named);
- ``cited_by[key]``: who cites a document, newest first — its 被引用 list;
- ``missing[key]``: the documents it mentions that the archive does not hold;
- ``interpretations[key]``: the items and speeches an editor marked as 解读 of a policy.

A page's content depends on its own text and on these relations only, so ``dependents(key)``
says which pages must be rendered again when a document changes (for incremental builds).
Issue editor's notes are not read for mentions: issues have no citation lists of their own.

Built by `reference_build` (patched after an edit by `reference_patch`); what editors are
told about mentions and validity fields is `reference_problems`; the links of rendered HTML
are made in `bulletin.site.links`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from bulletin.content.digests import memo_by_digest
from bulletin.content.docnumbers import parse
from bulletin.content.model import Document, Item, Policy, Speech
from bulletin.content.render import render_markdown
from bulletin.relations.citations import Held, Mention, Resolver, spans, title_key


class Documents(Protocol):
    """What references are built from: the archive's documents (`Archive` is one)."""

    @property
    def items(self) -> list[Item]: ...
    @property
    def policies(self) -> list[Policy]: ...
    @property
    def speeches(self) -> list[Speech]: ...


STATUSES = ("现行有效", "已修改", "已废止", "已失效")
UNSTATED = "有效性未注明"
SITE = "{site}"  # the site's root in rendered links; templates replace it (see `site_links`)


@dataclass(frozen=True)
class Citation:
    """A document citing a held document (or a part of it)."""

    source: Document
    target: Document
    anchor: str | None = None
    clause: str | None = None


@dataclass(frozen=True)
class Backlink:
    """One entry of a 被引用 list: a citing document and the parts it cites."""

    document: Document
    clauses: tuple[tuple[str, str], ...] = ()  # (anchor, label), in the order cited


@dataclass(frozen=True)
class NotHeld:
    """A document mentioned but not held: by title, 文号 or both (《…》（温委发〔2012〕81号）)."""

    title: str | None = None
    number: str | None = None

    @property
    def text(self) -> str:
        parts = [f"《{self.title}》" if self.title else "", self.number or ""]
        return "".join(parts) if not all(parts) else f"{parts[0]}（{parts[1]}）"


@dataclass(frozen=True)
class _Found:
    document: Document
    line: int  # index of the line in the document's body
    mention: Mention


def newest_first(document: Document) -> tuple:
    date = document.sort_date
    return (date.first_day if date else dt.date.min, document.url)


@dataclass
class References:
    documents: dict[str, Document]
    resolver: Resolver
    cites: dict[str, list[Citation]] = field(default_factory=lambda: defaultdict(list))
    cited_by: dict[str, list[Citation]] = field(default_factory=lambda: defaultdict(list))
    missing: dict[str, list[tuple[int, Mention]]] = field(default_factory=lambda: defaultdict(list))
    interpretations: dict[str, list[Document]] = field(default_factory=lambda: defaultdict(list))
    interprets: dict[str, Document] = field(default_factory=dict)  # 解读 → its policy
    replaced_by: dict[str, Document] = field(default_factory=dict)  # policy → its successor
    found: list[_Found] = field(default_factory=list, repr=False)

    # --- for pages ------------------------------------------------------------------------

    def backlinks(self, key: str) -> list[Backlink]:
        """Who cites the document `key`, newest first; 解读 are listed apart."""
        interpreters = {d.url for d in self.interpretations.get(key, [])}
        by_source: dict[str, list[tuple[str, str]]] = {}
        sources: dict[str, Document] = {}
        for citation in self.cited_by.get(key, []):
            if citation.source.url in interpreters:
                continue
            clauses = by_source.setdefault(citation.source.url, [])
            sources[citation.source.url] = citation.source
            if citation.anchor and (citation.anchor, citation.clause) not in clauses:
                clauses.append((citation.anchor, citation.clause))
        ordered = sorted(sources.values(), key=newest_first, reverse=True)
        return [Backlink(d, tuple(by_source[d.url])) for d in ordered]

    def interpreted_by(self, key: str) -> list[Document]:
        return sorted(self.interpretations.get(key, []), key=newest_first, reverse=True)

    def clause_citers(self, key: str) -> dict[str, list[Document]]:
        """For each anchor of the document `key`: the documents citing that part."""
        result: dict[str, dict[str, Document]] = defaultdict(dict)
        for citation in self.cited_by.get(key, []):
            if citation.anchor:
                result[citation.anchor][citation.source.url] = citation.source
        return {
            anchor: sorted(by_url.values(), key=newest_first, reverse=True)
            for anchor, by_url in result.items()
        }

    def cited(self, key: str) -> list[Document]:
        """The held documents `key` cites, each once, in order of first mention."""
        out: dict[str, Document] = {}
        for citation in self.cites.get(key, []):
            out.setdefault(citation.target.url, citation.target)
        return list(out.values())

    def not_held(self, key: str) -> list[NotHeld]:
        """The documents `key` mentions that the archive does not hold, each once.

        A title followed by its 文号 in brackets is one document.
        """
        out: list[NotHeld] = []
        mentions = self.missing.get(key, [])
        index = 0
        while index < len(mentions):
            line, mention = mentions[index]
            following = mentions[index + 1][1] if index + 1 < len(mentions) else None
            same_line = index + 1 < len(mentions) and mentions[index + 1][0] == line
            if mention.kind == "number":
                entry = NotHeld(number=mention.name)
            elif same_line and following.kind == "number" and following.start - mention.end <= 2:
                entry = NotHeld(mention.name, following.name)
                index += 1
            else:
                entry = NotHeld(title=mention.name)
            if entry not in out:
                out.append(entry)
            index += 1
        return out

    def dependents(self, key: str) -> set[str]:
        """The pages to render again when the document `key` changes.

        Its own page; the pages it cites (their 被引用 lists show it); the pages citing it or
        marked as its 解读 (their links are resolved against its title and 文号).
        """
        keys = {key}
        keys |= {c.target.url for c in self.cites.get(key, [])}
        keys |= {c.source.url for c in self.cited_by.get(key, [])}
        keys |= {d.url for d in self.interpretations.get(key, [])}
        if key in self.interprets:
            keys.add(self.interprets[key].url)
        return keys

    def links(self, own: str) -> Callable[[str], list[tuple[int, int, str | None]]]:
        """For the renderer: a text → the spans to wrap, with the link (None: not held)."""

        def find(text: str) -> list[tuple[int, int, str | None]]:
            out: list[tuple[int, int, str | None]] = []
            for start, end, mention in spans(self.resolver.find(text, own)):
                href = None
                if mention.target is not None:
                    fragment = f"#{mention.anchor}" if mention.anchor else ""
                    href = f"{SITE}/{mention.target}{fragment}"
                out.append((start, end, href))
            return out

        return find


def held_of(document: Policy | Speech) -> Held:
    number = (
        parse(document.doc_number) if isinstance(document, Policy) and document.doc_number else None
    )
    return Held(document.url, document.title, number, _anchors(document.body))


@memo_by_digest(maxsize=4096)
def _anchors(body: str) -> frozenset[str]:
    """The anchors of a policy's or speech's parts (a preview asks again after every edit)."""
    return frozenset(e.anchor for e in render_markdown(body, structure=True).toc)


def resolve_name(resolver: Resolver, name: str) -> str | None:
    """The key of the held document a field names, by 文号 or by title (None: not held)."""
    number = parse(name, resolver.issuers)
    found = (
        resolver.by_number.get(number, []) if number else resolver.by_title.get(title_key(name), [])
    )
    return found[0].key if len(found) == 1 else None


def mentions_in(document: Document, resolver: Resolver, known: dict) -> list[tuple[int, Mention]]:
    """The mentions in a document's body, by line (`known`: by URL and body, as found)."""
    body = getattr(document, "body", "")
    key = (document.url, body)
    if key not in known:
        known[key] = [
            (index, mention)
            for index, line in enumerate(body.split("\n"))
            for mention in resolver.find(line, document.url)
        ]
    return known[key]


def add_mentions(refs: References, document: Document, mentions: list[tuple[int, Mention]]) -> None:
    """What a document's mentions and its 解读 field add to the references."""
    seen: set[tuple[str, str | None]] = set()
    for index, mention in mentions:
        refs.found.append(_Found(document, index, mention))
        if mention.status == "missing":
            refs.missing[document.url].append((index, mention))
        elif mention.target is not None and (mention.target, mention.anchor) not in seen:
            seen.add((mention.target, mention.anchor))
            target = refs.documents[mention.target]
            citation = Citation(document, target, mention.anchor, mention.clause)
            refs.cites[document.url].append(citation)
            refs.cited_by[target.url].append(citation)
    name = getattr(document, "interprets", None)
    key = resolve_name(refs.resolver, name) if name else None
    if key is not None and isinstance(refs.documents[key], Policy) and key != document.url:
        refs.interprets[document.url] = refs.documents[key]
        refs.interpretations[key].append(document)
