"""The archive's cross-references: who cites whom, built once per build from the texts.

Every item, policy and speech body is read line by line for mentions (`citations`); the
result is plain dictionaries keyed by the documents' site-relative URLs:

- ``cites[key]``: the held documents a document cites (with the clause, where named);
- ``cited_by[key]``: who cites a document, newest first — its 被引用 list;
- ``missing[key]``: the documents it mentions that the archive does not hold;
- ``interpretations[key]``: the items and speeches an editor marked as 解读 of a policy.

A page's content depends on its own text and on these relations only, so ``dependents(key)``
says which pages must be rendered again when a document changes (for incremental builds).
Issue editor's notes are not read for mentions: issues have no citation lists of their own.

Also the policy's validity fields (`STATUSES`) are checked here, with the problems
`invoke check` reports (ambiguous mentions, near-miss titles, impossible 文号).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from markupsafe import Markup, escape

from bulletin.content.digests import memo_by_digest
from bulletin.content.docnumbers import parse
from bulletin.content.model import Document, Item, Policy, Speech
from bulletin.content.problems import Problem
from bulletin.content.render import render_markdown
from bulletin.content.trusted import trusted_html
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


def _newest_first(document: Document) -> tuple:
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
        ordered = sorted(sources.values(), key=_newest_first, reverse=True)
        return [Backlink(d, tuple(by_source[d.url])) for d in ordered]

    def interpreted_by(self, key: str) -> list[Document]:
        return sorted(self.interpretations.get(key, []), key=_newest_first, reverse=True)

    def clause_citers(self, key: str) -> dict[str, list[Document]]:
        """For each anchor of the document `key`: the documents citing that part."""
        result: dict[str, dict[str, Document]] = defaultdict(dict)
        for citation in self.cited_by.get(key, []):
            if citation.anchor:
                result[citation.anchor][citation.source.url] = citation.source
        return {
            anchor: sorted(by_url.values(), key=_newest_first, reverse=True)
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

    # --- for editors ----------------------------------------------------------------------

    def problems(self, content: Path | None = None) -> list[Problem]:
        """What `invoke check` reports about mentions and validity, with file lines."""
        problems: list[Problem] = []
        starts = _BodyStarts(content)
        for found in self.found:
            mention, document = found.mention, found.document
            if not (mention.candidates or mention.suggestion or mention.problem):
                continue  # nothing to say: most mentions
            line = starts.line(document, found.line)
            if mention.status == "ambiguous":
                names = "、".join(f"{self.documents[k].title}（/{k}）" for k in mention.candidates)
                problems.append(
                    Problem(
                        document.path,
                        line,
                        f"“{mention.text}”同时对应本库的 {len(mention.candidates)} 份文件：{names}",
                        "在提及处的原文中找出所指文件；改正其中一份文件的标题或文号，使之可以区分",
                    )
                )
            elif mention.suggestion:
                problems.append(
                    Problem(
                        document.path,
                        line,
                        f"“{mention.text}”与本库文件《{mention.suggestion}》只差一个字，未加链接",
                        f"是不是《{mention.suggestion}》？核对原文：原文如此则保留，页面标为本库未收录",
                        "warning",
                    )
                )
            elif mention.problem:
                problems.append(
                    Problem(
                        document.path,
                        line,
                        f"文号“{mention.text}”不可能存在（{mention.problem}）",
                        "核对原文；原文如此则保留，页面标为本库未收录",
                        "warning",
                    )
                )
        for document in self.documents.values():
            if isinstance(document, Policy) or getattr(document, "interprets", None):
                problems += _field_problems(self, document)
        return problems


def _field_problems(refs: References, document: Document) -> list[Problem]:
    problems = []
    if isinstance(document, Policy):
        if document.status is not None and document.status not in STATUSES:
            problems.append(
                Problem(
                    document.path,
                    1,
                    f"效力状态（status）“{document.status}”无法识别",
                    f"写 {'、'.join(STATUSES)} 之一；原文未说明时写 null",
                )
            )
        if (document.status_date or document.replaced_by) and not document.status:
            problems.append(
                Problem(
                    document.path,
                    1,
                    "填写了 status_date 或 replaced_by，却没有效力状态（status）",
                    f"补上 status（{'、'.join(STATUSES)}）",
                )
            )
    interprets = getattr(document, "interprets", None)
    if interprets and document.url not in refs.interprets:
        problems.append(
            Problem(
                document.path,
                document.line,
                f"解读对象（interprets）“{interprets}”不是本库的政策文件",
                "写本库所收政策文件的文号或完整标题",
            )
        )
    return problems


class _BodyStarts:
    """The file line where a document's body starts (for problems' line numbers)."""

    def __init__(self, content: Path | None):
        self.content = content
        self.files: dict[str, list[str]] = {}
        self.stats: dict[str, tuple[int, int] | None] = {}  # path → size, mtime

    def line(self, document: Document, index: int) -> int:
        body = getattr(document, "body", "")
        if self.content is None or not body:
            return document.line
        path = os.path.join(self.content, document.path)
        if path not in self.stats:
            try:
                stat = os.stat(path)
                self.stats[path] = (stat.st_size, stat.st_mtime_ns)
            except OSError:
                self.stats[path] = None
        stat = self.stats[path]
        if stat is None:
            return document.line
        first = body.split("\n", 1)[0]
        key = (path, *stat, document.line, first)
        if key not in _STARTS:
            _STARTS[key] = self._start(document, Path(path), first)
        start = _STARTS[key]
        return document.line if start is None else start + index

    def _start(self, document: Document, path: Path, first: str) -> int | None:
        lines = self.files.get(document.path)
        if lines is None:
            lines = self.files[document.path] = path.read_text(encoding="utf-8").splitlines()
        for number in range(document.line - 1, len(lines)):
            if lines[number].rstrip() == first:
                return number + 1
        return None


# Where bodies start, by file state: a preview asks again after every edit, mostly of files
# that did not change. A few numbers per document (a save adds one entry per changed one).
_STARTS: dict[tuple, int | None] = {}


def _held(document: Policy | Speech) -> Held:
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


# The mentions found in each text (URL, body) while the held documents stay the same: a
# preview reads the archive again after every edit, mostly the same texts.
_FOUND: tuple[tuple[Held, ...], dict] = ((), {})
# The resolver of the held documents, while they stay the same (it indexes every title).
_RESOLVER: tuple[tuple[Held, ...], Resolver] = ((), Resolver([]))


# The last references built: the next archive, if it differs from the last in a few items
# only (a preview's update after an edit), gets them patched rather than built again.
_LAST: References | None = None
PATCH_LIMIT = 1000  # changed documents, above which the references are built again


def build_references(archive: Documents) -> References:
    """Read every item, policy and speech for mentions; relate them."""
    global _RESOLVER, _LAST
    held_documents: list[Policy | Speech] = [*archive.policies, *archive.speeches]
    held = tuple(_held(d) for d in held_documents)
    if _RESOLVER[0] != held:
        _RESOLVER = (held, Resolver(list(held)))
    resolver = _RESOLVER[1]
    documents: dict[str, Document] = {d.url: d for d in (*archive.items, *held_documents)}
    refs = _patched(_LAST, documents, resolver, held) if _LAST is not None else None
    if refs is None:
        refs = _built(documents, resolver, held)
    _LAST = refs
    return refs


def _mentions(document: Document, resolver: Resolver, known: dict) -> list[tuple[int, Mention]]:
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


def _add(refs: References, document: Document, mentions: list[tuple[int, Mention]]) -> None:
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


def _built(documents: dict[str, Document], resolver: Resolver, held: tuple) -> References:
    global _FOUND
    refs = References(documents, resolver)
    known = _FOUND[1] if _FOUND[0] == held else {}
    found: dict[tuple[str, str], list[tuple[int, Mention]]] = {}
    for document in documents.values():
        mentions = _mentions(document, resolver, known)
        found[(document.url, getattr(document, "body", ""))] = mentions
        _add(refs, document, mentions)
    _FOUND = (held, found)  # only what this archive holds
    for document in documents.values():
        if isinstance(document, Policy) and document.replaced_by:
            key = resolve_name(resolver, document.replaced_by)
            if key is not None:
                refs.replaced_by[document.url] = documents[key]
    for citations in refs.cited_by.values():
        citations.sort(key=lambda c: _newest_first(c.source), reverse=True)
    return refs


def _patched(
    previous: References, documents: dict[str, Document], resolver: Resolver, held: tuple
) -> References | None:
    """`previous` with what the documents that are not the same objects as there (changed,
    added, removed) gave taken out and what they give now put in: the references
    `_built` would build, without reading every document again. None when the held
    documents changed (every mention may resolve otherwise), or a held document is among
    them (citations point to it), or too many changed."""
    before = previous.documents
    if previous.resolver is not resolver:
        return None
    stale = {url for url, document in documents.items() if before.get(url) is not document}
    stale |= before.keys() - documents.keys()
    if len(stale) > PATCH_LIMIT:
        return None
    for url in stale:
        for document in (documents.get(url), before.get(url)):
            if isinstance(document, (Policy, Speech)):
                return None
    refs = References(documents, resolver)
    refs.cites = defaultdict(list, {k: v for k, v in previous.cites.items() if k not in stale})
    refs.missing = defaultdict(list, {k: v for k, v in previous.missing.items() if k not in stale})
    refs.found = [f for f in previous.found if f.document.url not in stale]
    refs.replaced_by = dict(previous.replaced_by)  # policies' only: none of them changed
    refs.interprets = {k: v for k, v in previous.interprets.items() if k not in stale}
    known = _FOUND[1] if _FOUND[0] == held else {}
    for url in stale:  # what `_FOUND` keeps: only what this archive holds
        if (old := before.get(url)) is not None:
            known.pop((url, getattr(old, "body", "")), None)
    fresh = [d for url, d in documents.items() if url in stale]
    mentions = {d.url: _mentions(d, resolver, known) for d in fresh}
    # Lists that change are copied: the others are shared with `previous`, never changed.
    cited = {c.target.url for url in stale for c in previous.cites.get(url, [])}
    cited |= {m.target for ms in mentions.values() for _, m in ms if m.target is not None}
    refs.cited_by = defaultdict(list, previous.cited_by)
    for key in cited:
        refs.cited_by[key] = [c for c in refs.cited_by[key] if c.source.url not in stale]
    interpreted = {d.url for url in stale if (d := previous.interprets.get(url)) is not None}
    interpreted |= {
        key
        for d in fresh
        if (name := getattr(d, "interprets", None)) and (key := resolve_name(resolver, name))
    }
    refs.interpretations = defaultdict(list, previous.interpretations)
    for key in interpreted:
        refs.interpretations[key] = [d for d in refs.interpretations[key] if d.url not in stale]
    for document in fresh:
        _add(refs, document, mentions[document.url])
    for key in cited:
        refs.cited_by[key].sort(key=lambda c: _newest_first(c.source), reverse=True)
    if interpreted:
        order = {url: n for n, url in enumerate(documents)}
        for key in interpreted:
            refs.interpretations[key].sort(key=lambda d: order[d.url])
    for mapping in (refs.cited_by, refs.interpretations):
        for key in [k for k in cited | interpreted if k in mapping and not mapping[k]]:
            del mapping[key]  # as `_built` leaves them: no empty lists
    return refs


def site_links(html: Markup | str, site: str) -> Markup:
    """Rendered HTML with its document links made to start at `site` (the page's SITEURL).

    A value that is not the build's own HTML (`Markup`) is text: it is escaped first, so
    that this filter never lets text through as markup."""
    return trusted_html(str(escape(html)).replace(f'href="{SITE}/', f'href="{site}/'))


PART_CITERS_SHOWN = 5  # citing documents named after a cited part; the rest are counted


def annotate_parts(html: Markup, citers: dict[str, list[Document]], everyone: str) -> Markup:
    """After each cited part (clause, section) of rendered HTML, say who cites it, with links
    to the newest few and, when there are more, to `everyone` (where all are listed).

    The note is a paragraph of its own after the part: the part's own text is untouched.
    Its titles and addresses are escaped here; `html` is the build's own (`Markup`).
    """
    html = str(escape(html))
    for anchor, documents in sorted(citers.items()):
        pattern = re.compile(rf'<(p|h2|h3)\b[^>]*\sid="{re.escape(anchor)}"[^>]*>.*?</\1>', re.S)
        match = pattern.search(html)
        if match is None:
            continue
        links = "、".join(
            f'<a href="{SITE}/{escape(d.url)}">{escape(d.title)}</a>'
            for d in documents[:PART_CITERS_SHOWN]
        )
        if len(documents) > PART_CITERS_SHOWN:
            links += f'等（<a href="{escape(everyone)}">全部被引用</a>）'
        note = (
            f'<p class="part-cited" id="{anchor}-cited">'
            f"{'本条' if anchor.startswith('clause-') else '本部分'}被 {len(documents)} 篇文件引用：{links}</p>"
        )
        html = html[: match.end()] + note + html[match.end() :]
    return trusted_html(html)
