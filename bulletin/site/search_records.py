"""What the search package indexes of each document: its `SearchDoc` (title, text, the
facets a result shows), made from the archive. The indexes themselves are written in worker
processes by `bulletin.site.search_indexes`."""

from __future__ import annotations

from html.parser import HTMLParser

from bulletin.content.labels import date_label, source_label
from bulletin.content.model import Document, Item, Policy, Speech
from bulletin.relations.archive import Archive
from bulletin.relations.references import UNSTATED
from search.analysis.documents import SearchDoc

BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "blockquote", "pre", "dd", "dt"}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.current: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in BLOCKS:
            self.flush()

    def handle_endtag(self, tag):
        if tag in BLOCKS:
            self.flush()

    def handle_data(self, data):
        self.current.append(data)

    def flush(self) -> None:
        text = " ".join("".join(self.current).split())
        if text:
            self.blocks.append(text)
        self.current = []


def html_to_text(html: str) -> str:
    """Rendered HTML as plain text, one paragraph per block, separated by blank lines."""
    parser = _Text()
    parser.feed(str(html))  # as a plain str: the parser's slicing of `Markup` is slower
    parser.close()
    parser.flush()
    return "\n\n".join(parser.blocks)


def search_extra(document: Document) -> dict[str, str]:
    """What the search indexes need beyond the record: an item's unit (for suggestions), a
    policy's validity (a filter)."""
    if isinstance(document, Item):
        return {"unit": document.unit} if document.unit else {}
    if isinstance(document, Policy):
        return {"status": document.status or UNSTATED}
    return {}


def search_doc(archive: Archive, document: Document, texts: dict | None = None) -> SearchDoc:
    """The search record of `document`. `texts` (a preview's): rendered HTML → its text,
    known from the last build; the text of HTML not in it is added."""
    date = document.sort_date
    if texts is None:
        text = html_to_text(document.html)
    elif (text := texts.get(document.html)) is None:
        text = texts[document.html] = html_to_text(document.html)
    context = ""
    if isinstance(document, Item):
        if document.unit:
            text = f"{text}\n\n{document.unit}"
        context = source_label(document)
    elif isinstance(document, Policy):
        context = document.doc_number or ""
        text = "\n\n".join(
            p for p in [context, "　".join(document.issuers), document.recipients or "", text] if p
        )
    elif isinstance(document, Speech):
        context = document.occasion or ""
        text = "\n\n".join(p for p in [document.subtitle or "", text] if p)
    date_display = date_label(document.date)
    return SearchDoc(
        url=document.url,
        kind=document.kind,
        title=document.title,
        text=text,
        date=date.iso if date else "",
        date_display=date_display,
        counties=tuple(t.name for t in archive.terms_of(document, "counties")),
        topics=tuple(t.name for t in archive.terms_of(document, "topics")),
        context=context,
        extra=search_extra(document),
        filed_year=str(archive.year_of(document) or ""),
    )


def search_docs(archive: Archive, texts: dict | None = None) -> list[SearchDoc]:
    """Every item, policy and speech, newest first (`texts`: see `search_doc`)."""
    return [search_doc(archive, document, texts) for document in archive.documents]
