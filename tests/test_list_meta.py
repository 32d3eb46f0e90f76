"""What a list shows under a title, made once per document in Python, is what the template
wrote for it: the date in ``doc_date``'s form, then the source and the unit, every text
escaped (hostile fields of the injection corpus, the real content, dates and units absent)."""

from __future__ import annotations

import copy

from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup

from bulletin.content.dates import PartialDate
from bulletin.content.labels import date_label, issue_label, printed_label, source_label
from bulletin.content.list_meta import list_meta
from bulletin.content.model import DateInfo, Document, Issue, Item, Policy, Speech
from bulletin.relations.archive import Archive, read_content
from injection import corpus_documents
from sitecheck import CONTENT, ROOT

# The form the list wrote before (theme/templates/_partials/_doc_list.html), with the theme's
# own `doc_date` and Pelican's Jinja settings.
AS_THE_TEMPLATE_WROTE_IT = """\
{%- from "_partials/_doc_list.html" import doc_date with context -%}
<span class="date">{{ doc_date(document) }}</span>
{%- set source = source_label(document) %}
{%- if source %}<span class="source">{{ source }}</span>{% endif %}
{%- if document.unit %}<span class="unit">{{ document.unit }}</span>{% endif %}"""


def _template():
    env = Environment(
        loader=FileSystemLoader(ROOT / "theme" / "templates"),
        autoescape=True, trim_blocks=True, lstrip_blocks=True,
    )  # fmt: skip
    for helper in (date_label, printed_label, issue_label, source_label):
        env.globals[helper.__name__] = helper
    return env.from_string(AS_THE_TEMPLATE_WROTE_IT)


def _odd_documents() -> list[Document]:
    """Dates unknown and inferred, an issue without a number, units empty and hostile."""
    inferred = DateInfo(PartialDate(2014, 1), inferred=True)
    items = [
        Item(title="甲", slug="a", path="x.md", number=1),
        Item(title="乙", slug="b", path="x.md", number=2, date=inferred, unit=""),
        Item(title="丙", slug="c", path="x.md", number=3, unit="（<b>\"联络\"</b> & '处'）"),
    ]
    return [
        Issue(title="简报", slug="2014-01", path="x.md", date=inferred, items=items),
        Issue(title="简报", slug="2014-02", path="y.md", number="第3期<i>", items=[
            Item(title="丁", slug="d", path="y.md", number=1, date=DateInfo(PartialDate(2014, 2, 3))),
        ]),
        Policy(title="政", slug="p", path="p.md", doc_number='温<script>"发"'),
        Speech(title="讲", slug="s", path="s.md", date=DateInfo(PartialDate(2014))),
    ]  # fmt: skip


def test_list_meta_is_what_the_template_wrote_for_every_document():
    documents, _ = read_content(CONTENT)
    documents += copy.deepcopy(corpus_documents()) + _odd_documents()
    archive = Archive(
        issues=[d for d in documents if isinstance(d, Issue)],
        policies=[d for d in documents if isinstance(d, Policy)],
        speeches=[d for d in documents if isinstance(d, Speech)],
    )
    template = _template()
    pages = archive.pages
    assert len(pages) > 70
    for document in pages:
        assert isinstance(document.list_meta, Markup)
        assert document.list_meta == list_meta(document)
        assert document.list_meta == template.render(document=document), document.url
