"""The archive's documents: bulletin issues and their items, policies and speeches.

Plain data. Reading them from files lives in `content_format`, making them from raw text in
`rawtext`, relating them to each other in `archive`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bulletin.content.dates import PartialDate

KIND_LABELS = {
    "bulletin": "简报",
    "item": "简报",
    "policy": "政策文件",
    "speech": "讲话",
}


@dataclass
class DateInfo:
    """A document's date: stated by the source, inferred (and how), or unknown."""

    value: PartialDate | None = None
    inferred: bool = False
    basis: str | None = None
    invalid: bool = False  # a date was written but is not a date (reported when read)

    @property
    def known(self) -> bool:
        return self.value is not None

    @property
    def display(self) -> str:
        if self.value is None:
            return "未注明"
        return self.value.zh + ("（推断）" if self.inferred else "")


@dataclass
class Document:
    """What every page-worthy document has."""

    title: str
    slug: str
    path: str  # source file, relative to the content directory
    line: int = 1  # where the document starts in `path`
    date: DateInfo = field(default_factory=DateInfo)
    counties: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    url: str = ""  # set by the archive from the URL settings
    # Set at build time: the rendered, sanitised body and its table of contents.
    html: str = field(default="", repr=False, compare=False)
    toc: tuple = field(default=(), repr=False, compare=False)
    related: list[Document] = field(default_factory=list, repr=False, compare=False)
    # Set by the archive: what a list shows under the title (`bulletin.content.list_meta`).
    list_meta: str = field(default="", repr=False, compare=False)
    # The file line of each metadata field, so a problem points at the field's own line.
    field_lines: dict[str, int] = field(default_factory=dict, repr=False, compare=False)
    draft: bool = False  # shown in the preview only, never built or published
    kind = "document"

    def line_of(self, key: str) -> int:
        """The line of the field `key` in the source file (the document's line if absent)."""
        return self.field_lines.get(key, self.line)

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def sort_date(self) -> PartialDate | None:
        return self.date.value


@dataclass
class Item(Document):
    """One news item of a bulletin issue."""

    body: str = ""  # Markdown
    unit: str | None = None  # the reporting-unit line as printed, e.g. （联络指导处）
    # The editor checked the source: it prints no unit for this item (``unit_absent: true``).
    # Shown as the page shows any item without a unit (原文未注明); `check` then asks no more.
    unit_absent: bool = False
    section: str | None = None  # e.g. 各地动态
    number: int = 0  # position in the issue, from 1
    issue: Issue | None = field(default=None, repr=False, compare=False)
    interprets: str | None = None  # the policy this item is a 解读 of (文号 or title)
    kind = "item"

    @property
    def units(self) -> list[str]:
        """The reporting units named by the unit line."""
        if not self.unit:
            return []
        inner = self.unit.strip().strip("（）()").strip()
        return [u.strip() for u in inner.replace("，", "、").replace(",", "、").split("、") if u]

    @property
    def sort_date(self) -> PartialDate | None:
        if self.date.value is not None:
            return self.date.value
        return self.issue.date.value if self.issue else None


@dataclass
class Issue(Document):
    """One issue of the bulletin: the unit an editor adds."""

    number: str | None = None
    masthead: list[str] = field(default_factory=list)  # name, 第N期, office and date, as printed
    headlines: list[str] = field(default_factory=list)
    editor_note: str | None = None  # Markdown
    distribution: list[tuple[str, str]] = field(default_factory=list)  # (报/送/发, text)
    fragments: list[str] = field(default_factory=list)  # leftover print debris kept as-is
    source: str | None = None  # raw text, relative to the content directory
    items: list[Item] = field(default_factory=list)
    kind = "bulletin"

    @property
    def number_display(self) -> str:
        if not self.number:
            return "期号未注明"
        return self.number if "期" in self.number else f"第{self.number}期"

    @property
    def display_title(self) -> str:
        parts = ["简报"]
        if self.number:
            parts.append(self.number_display)
        parts.append(self.date.display)
        return " ".join(parts)


@dataclass
class Policy(Document):
    """A policy document (政策文件) such as 温委发〔2014〕27号."""

    doc_number: str | None = None  # 文号
    issuers: list[str] = field(default_factory=list)  # 发文机关
    recipients: str | None = None  # 主送
    status: str | None = None  # 效力状态 (现行有效, 已修改, 已废止, 已失效), where known
    status_date: PartialDate | None = None  # since when
    replaced_by: str | None = None  # the document that replaced or amended it (文号 or title)
    body: str = ""
    source: str | None = None
    kind = "policy"


@dataclass
class Speech(Document):
    """A leader's speech."""

    subtitle: str | None = None  # ——陈一新同志在…上的讲话
    speaker: str | None = None
    occasion: str | None = None
    attachment: str | None = None  # e.g. 附件2：, as printed
    interprets: str | None = None  # the policy this speech is a 解读 of (文号 or title)
    body: str = ""
    source: str | None = None
    kind = "speech"
