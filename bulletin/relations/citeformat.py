"""How to cite a document of the archive: GB/T 7714-2015 style, as readers copy it.

Electronic resources (文献类型标志 ``EB/OL``)::

    主要责任者. 题名：其他题名信息[EB/OL]. (发布日期)[引用日期]. 获取和访问路径.

- policy: 发文机关 (comma-separated). 标题：文号[EB/OL]. (成文日期)[引用日期]. URL.
- speech: 讲话人. 标题：副题[EB/OL]. (日期)[引用日期]. URL.
- item:   报送单位. 标题[EB/OL]. 简报, 印发日期(期号)[引用日期]. URL.

A date the source does not state but the archive infers is put in square brackets, as
GB/T 7714 does with inferred years (``([2014-05])``); an unknown date is left out. The date
accessed is a placeholder, ``[引用日期]``, for the reader to fill in. The URL is the public
site's (never a preview's localhost).

Pure: no Pelican.
"""

from __future__ import annotations

from bulletin.content.model import DateInfo, Document, Item, Policy, Speech

ACCESSED = "[引用日期]"


def _date(date: DateInfo) -> str:
    if date.value is None:
        return ""
    return f"[{date.value.iso}]" if date.inferred else date.value.iso


def gbt7714(document: Document, url: str) -> str:
    """The citation of `document`, published at `url`, in GB/T 7714-2015 style."""
    authors: list[str] = []
    title = document.title
    published = ""
    if isinstance(document, Policy):
        authors = list(document.issuers)
        if document.doc_number:
            title += f"：{document.doc_number}"
        date = _date(document.date)
        published = f"({date})" if date else ""
    elif isinstance(document, Speech):
        authors = [document.speaker] if document.speaker else []
        if document.subtitle:
            title += "：" + document.subtitle.lstrip("—－- ")
        date = _date(document.date)
        published = f"({date})" if date else ""
    elif isinstance(document, Item):
        authors = document.units
        issue = document.issue
        if issue is not None:
            published = "简报"
            date = _date(issue.date)
            if date:
                published += f", {date}"
            if issue.number:
                published += f"({issue.number_display})"
    head = f"{', '.join(authors)}. " if authors else ""
    source = f"{published}{ACCESSED}" if published else ACCESSED
    return f"{head}{title}[EB/OL]. {source}. {url}."
