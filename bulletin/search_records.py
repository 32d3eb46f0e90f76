"""The thin adapter between the archive and the search package: documents → SearchDocs."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from html.parser import HTMLParser
from pathlib import Path

from bulletin.archive import Archive
from bulletin.model import Document, Item, Policy, Speech
from bulletin.references import UNSTATED
from search.documents import SearchDoc
from search.pagefind_bundle import write_bundle
from search.related import related
from search.whoosh_index import analyse, build_index

logger = logging.getLogger(__name__)

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
    parser.feed(html)
    parser.close()
    parser.flush()
    return "\n\n".join(parser.blocks)


def search_doc(archive: Archive, document: Document) -> SearchDoc:
    date = document.sort_date
    text = html_to_text(document.html)
    context = ""
    if isinstance(document, Item):
        if document.unit:
            text = f"{text}\n\n{document.unit}"
        context = document.issue.title if document.issue else ""
    elif isinstance(document, Policy):
        context = document.doc_number or ""
        text = "\n\n".join(
            p for p in [context, "　".join(document.issuers), document.recipients or "", text] if p
        )
    elif isinstance(document, Speech):
        context = document.occasion or ""
        text = "\n\n".join(p for p in [document.subtitle or "", text] if p)
    if isinstance(document, Item) and not document.date.known and document.issue:
        date_display = f"日期未注明（{document.issue.date.display}简报）"
    else:
        date_display = document.date.display if document.date.known else "日期未注明"
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
        extra={"status": document.status or UNSTATED} if isinstance(document, Policy) else {},
    )


def search_docs(archive: Archive) -> list[SearchDoc]:
    """Every item, policy and speech, newest first."""
    return [search_doc(archive, document) for document in archive.documents]


class SearchIndexes:
    """The build's search work: related items, the Pagefind bundle and the Whoosh index."""

    def __init__(self, archive: Archive, settings: dict):
        self.archive = archive
        self.settings = settings
        self.docs = search_docs(archive)
        self.analysed = analyse(self.docs)

    def relate(self) -> None:
        """Attach up to five related documents to every item (before pages are written)."""
        by_url = {d.url: d for d in self.archive.documents}
        for url, urls in related(self.docs, self.analysed).items():
            document = by_url[url]
            if isinstance(document, Item):
                document.related = [by_url[u] for u in urls]

    def write(self, site: Path) -> None:
        """Write the Pagefind bundle into the site and the Whoosh index where configured."""
        if not self.settings.get("SEARCH_INDEXES", True):
            return  # benchmarks measure the pages alone
        work = Path(tempfile.mkdtemp(prefix="pagefind-docs-"))
        try:
            stats = write_bundle(self.docs, site, work / "docs")
        finally:
            shutil.rmtree(work, ignore_errors=True)
        logger.info(
            "Pagefind: %d records in %.1f s, peak memory %.0f MB, bundle %.1f MB",
            stats.records, stats.seconds, stats.peak_rss_mb, stats.bytes / 1e6,
        )  # fmt: skip
        whoosh = self.settings.get("SEARCH_WHOOSH_PATH")
        if whoosh:
            procs = int(self.settings.get("SEARCH_WHOOSH_PROCS") or os.cpu_count() or 1)
            if len(self.docs) < 2000:  # below this, starting processes costs more than it saves
                procs = 1
            build_index(self.docs, Path(whoosh), self.analysed, procs=procs)
