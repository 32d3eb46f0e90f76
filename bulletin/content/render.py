"""Markdown → safe HTML, with stable anchors on a document's own structure.

Policies and speeches number their parts: sections 一、二、三, subsections （一）（二）, clauses
1．2．… Each gets an id (``section-2``, ``section-2-1``, ``clause-5``) that never changes when
the text around it does, so readers can cite 第5条 with a deep link, plus a table of contents.
All HTML is passed through an allow-list sanitiser: no script, no event handlers, no
``javascript:`` URLs, whatever the Markdown contains.
"""

from __future__ import annotations

import functools
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, replace
from html import unescape as unescape_entities

import lxml.html
import markdown
import nh3
from markdown.extensions import Extension
from markdown.extensions.toc import render_inner_html, strip_tags
from markdown.treeprocessors import Treeprocessor
from markdown.util import STX
from markupsafe import Markup

from bulletin.content.trusted import trusted_html

CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
# A Chinese numeral from 一 to 九十九 (一二、 or 十十、 is not a number: no anchor, no crash).
CN_NUMERAL = "(?:[一二三四五六七八九]?十[一二三四五六七八九]?|[一二三四五六七八九])"
SECTION_RE = re.compile(rf"^({CN_NUMERAL})、")
SUBSECTION_RE = re.compile(rf"^[（(]({CN_NUMERAL})[)）]")
CLAUSE_RE = re.compile(r"^(\d{1,3})[．.]")

ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "u", "s", "sub",
    "sup", "blockquote", "ul", "ol", "li", "a", "code", "pre", "table", "thead", "tbody",
    "tfoot", "tr", "th", "td", "caption", "img", "span", "abbr", "dl", "dt", "dd",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "*": {"id", "class", "title", "lang"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "th": {"scope", "colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto"}
# A text → the spans to wrap: (start, end, link). A link of None marks a mention of a document
# the archive does not hold. See `bulletin.relations.references`.
Links = Callable[[str], list[tuple[int, int, str | None]]]
NO_LINKS_IN = {"a", "code", "pre"}


def cn_number(text: str) -> int:
    """一 → 1, 十 → 10, 十二 → 12, 二十 → 20, 二十三 → 23."""
    if "十" not in text:
        return CN_DIGITS[text]
    tens, _, units = text.partition("十")
    return (CN_DIGITS[tens] if tens else 1) * 10 + (CN_DIGITS[units] if units else 0)


@dataclass(frozen=True)
class TocEntry:
    level: int  # 1 section, 2 subsection, 3 clause
    anchor: str
    label: str


@dataclass(frozen=True)
class Rendered:
    html: Markup  # sanitised: the only HTML from content that a page writes unescaped
    toc: tuple[TocEntry, ...] = ()

    @property
    def clause_count(self) -> int:
        return sum(1 for e in self.toc if e.anchor.startswith("clause-"))


def _text(element: ET.Element, md: markdown.Markdown) -> str:
    """An element's text while Markdown works on it, for recognising its number. Raw HTML,
    entities and escaped characters are placeholders there still: those are put back."""
    text = "".join(element.itertext())
    if STX in text:
        text = unescape_entities(strip_tags(render_inner_html(element, md)))
    return text.strip()


def _label(text: str, limit: int = 30) -> str:
    """A TOC label: the heading, or a clause's first sentence (its own title)."""
    first = re.split(r"[。；]", text, maxsplit=1)[0]
    return first if len(first) <= limit else first[:limit] + "…"


class _StructureAnchors(Treeprocessor):
    def __init__(self, md: markdown.Markdown, toc: list[TocEntry]):
        super().__init__(md)
        self.toc = toc

    def run(self, root: ET.Element) -> None:
        self.toc.clear()
        section = 0
        subsection = 0
        seen: set[str] = set()
        for element in list(root):
            text = _text(element, self.md)
            anchor: str | None = None
            level = 0
            if element.tag == "h2":
                match = SECTION_RE.match(text)
                section = cn_number(match.group(1)) if match else section + 1
                subsection = 0
                anchor, level = f"section-{section}", 1
            elif element.tag in ("h3", "p") and (match := SUBSECTION_RE.match(text)):
                subsection = cn_number(match.group(1))
                anchor, level = f"section-{section}-{subsection}", 2
            elif element.tag == "p" and (match := CLAUSE_RE.match(text)):
                anchor, level = f"clause-{int(match.group(1))}", 3
                element.set("class", "clause")
            if anchor is None or anchor in seen:
                continue
            seen.add(anchor)
            element.set("id", anchor)
            self.toc.append(TocEntry(level, anchor, ""))  # labelled from the sanitised HTML


def _labelled(html: str, toc: list[TocEntry]) -> tuple[TocEntry, ...]:
    """The entries with their labels: the words a reader sees in each heading or clause of the
    sanitised HTML (a heading's whole text, a clause's first sentence), never Markdown's
    placeholders for raw HTML or escaped characters."""
    if not toc:
        return ()
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    texts = {element.get("id"): element.text_content().strip() for element in root.xpath("*[@id]")}
    return tuple(
        replace(entry, label=text if entry.level == 1 else _label(text))
        for entry in toc
        for text in [texts.get(entry.anchor, "")]
    )


class DocumentStructure(Extension):
    """Anchors and a table of contents for numbered sections, subsections and clauses."""

    def __init__(self, **kwargs):
        self.toc: list[TocEntry] = []
        super().__init__(**kwargs)

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.treeprocessors.register(_StructureAnchors(md, self.toc), "structure_anchors", 5)


class _MentionLinks(Treeprocessor):
    """Wrap mentions of documents in links, leaving every character of the text as it was."""

    def __init__(self, md: markdown.Markdown, links: Links):
        super().__init__(md)
        self.links = links

    def run(self, root: ET.Element) -> None:
        """Every text of the tree, in document order: an element's text, then each child's
        subtree and the child's tail. Walked with a stack of its own, not by recursion: a
        text may nest elements thousands deep (a run of 20,000 ``*``)."""
        stack: list[tuple[ET.Element, ET.Element | None]] = [(root, None)]
        while stack:
            element, parent = stack.pop()
            if parent is not None:  # the tail of `element`, a child of `parent`
                self._tail(parent, element)
                continue
            if element.tag in NO_LINKS_IN:
                continue
            children = list(element)
            if element.text:
                element.text, wrapped = self._split(element.text)
                for index, node in enumerate(wrapped):
                    element.insert(index, node)
            for child in reversed(children):
                stack.append((child, element))  # its tail, after
                stack.append((child, None))  # its subtree, first

    def _tail(self, parent: ET.Element, child: ET.Element) -> None:
        if child.tail:
            child.tail, wrapped = self._split(child.tail)
            position = list(parent).index(child) + 1
            for offset, node in enumerate(wrapped):
                parent.insert(position + offset, node)

    def _split(self, text: str) -> tuple[str, list[ET.Element]]:
        """The text before the first mention, and one element per mention (its tail after)."""
        found = self.links(text)
        if not found:
            return text, []
        nodes: list[ET.Element] = []
        for number, (start, end, href) in enumerate(found):
            if href is None:
                node = ET.Element("span", {"class": "mention mention-missing"})
            else:
                node = ET.Element("a", {"class": "mention", "href": href})
            node.text = text[start:end]
            following = found[number + 1][0] if number + 1 < len(found) else len(text)
            node.tail = text[end:following]
            nodes.append(node)
        return text[: found[0][0]], nodes


def sanitise(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    )


class _Renderer:
    """One Markdown instance per configuration, reset between documents.

    Building a `markdown.Markdown` (its extensions, processors and patterns) costs more than
    converting a short document; `reset()` clears everything a conversion leaves behind, so
    a reused instance writes what a new one would, byte for byte.
    """

    def __init__(self, structure: bool, links: bool):
        extensions: list[Extension | str] = ["tables", "sane_lists"]
        self.anchors = DocumentStructure() if structure else None
        if self.anchors is not None:
            extensions.append(self.anchors)
        self.md = markdown.Markdown(extensions=extensions, output_format="html")
        self.mentions: _MentionLinks | None = None
        if links:
            self.mentions = _MentionLinks(self.md, lambda text: [])
            self.md.treeprocessors.register(self.mentions, "mention_links", 4)

    def render(self, text: str, links: Links | None) -> Rendered:
        if self.mentions is not None and links is not None:
            self.mentions.links = links
        if self.anchors is not None:
            self.anchors.toc.clear()  # an empty text is never processed: no stale entries
        try:
            html = self.md.reset().convert(text)
        finally:
            if self.mentions is not None:
                self.mentions.links = lambda text: []  # hold no document's references
        html = sanitise(html)
        toc = _labelled(html, self.anchors.toc) if self.anchors else ()
        return Rendered(trusted_html(html), toc)


@functools.cache
def _renderer(structure: bool, linking: bool) -> _Renderer:
    """One converter of each kind a process, reused: building Python-Markdown's takes longer
    than converting a text. It keeps nothing of a text once that is rendered (`reset`, no
    document's references held), so which text it rendered before never shows."""
    return _Renderer(structure, linking)


def render_markdown(text: str, structure: bool = False, links: Links | None = None) -> Rendered:
    """Render Markdown to sanitised HTML; with `structure`, add anchors and a TOC; with
    `links`, wrap the mentions of documents it finds in each text in links."""
    return _renderer(structure, links is not None).render(text, links)
