"""What a list shows under a document's title, as HTML made once per document.

Every list of documents (``doc_list`` in ``theme/templates/_partials/_doc_list.html``) shows
under each title the document's date, where it comes from and its reporting unit. At
10,000 items the pages hold about 100,000 such entries (every item page lists its related
items), and writing them in the template escaped every part of every entry again on each
page that lists it, the largest cost autoescaping added to a build. So the archive makes
this HTML once per document (`bulletin.relations.archive.Archive`) and the list prints it.

Every text in it is escaped here, as the template escapes it; the date is written in the
form of the template's ``doc_date`` (tests/test_list_meta.py holds the two to the same
bytes). It is made of the document's own file alone (its fields, an item's issue), so a
document read again is given it again and one that was not keeps it.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from bulletin.content.labels import date_label, printed_label, source_label
from bulletin.content.model import Document
from bulletin.content.trusted import trusted_html

UNKNOWN_DATE = "日期未注明"


def list_meta(document: Document) -> Markup:
    """The date, source and unit spans a list shows under `document`'s title."""
    date = document.date.value
    if date is None:
        shown = UNKNOWN_DATE
    else:
        bulletin = document.kind == "bulletin"  # an issue is dated by its printing
        label = printed_label(document) if bulletin else date_label(document.date)
        shown = f'<time datetime="{escape(date.iso)}">{escape(label)}</time>'
    html = f'<span class="date">{shown}</span>'
    source = source_label(document)
    if source:
        html += f'<span class="source">{escape(source)}</span>'
    unit = getattr(document, "unit", None)
    if unit:
        html += f'<span class="unit">{escape(unit)}</span>'
    return trusted_html(html)
