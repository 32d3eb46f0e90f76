"""The Markdown file format of the archive's content, read and written in one place.

A bulletin issue is one file::

    ---
    kind: bulletin
    slug: 2014-07-13
    number: null
    date: 2014-07-13
    ...
    ---

    ## 温商回乡踊跃提建议 书记市长当场抓落实

    ```item
    slug: wenshang-huixiang-tijianyi
    date: 2014-07-11
    unit: null
    counties: []
    topics: [温商回归]
    ```

    7月11日，市委书记陈一新……

    # 各地动态

    ## 瓯海区“三强化”力推温商回归
    ...

``# `` starts a section (such as 各地动态), ``## `` an item; the fenced ``item`` block right
under an item's heading holds its metadata, so the file still reads well in any Markdown
preview. Item titles are plain text; bodies are Markdown. Policies and speeches are front
matter plus a Markdown body whose ``##``/``###`` headings are the document's own sections.

`read_document` turns a file into model objects and a list of problems; `format_document`
writes model objects back, so that reading what was written gives the same objects.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from bulletin.content import safe_yaml
from bulletin.content.characters import LINE_BREAK_RE, refused_in
from bulletin.content.content_files import decode
from bulletin.content.dates import EARLIEST_YEAR, PartialDate
from bulletin.content.model import DateInfo, Document, Issue, Item, Policy, Speech
from bulletin.content.problems import Problem
from bulletin.content.yaml_errors import FULLWIDTH_BRACKETS_HINT

KINDS = ("bulletin", "policy", "speech")
# A line's indentation and list or quote markers (``- - 1. > ``): each is a level of
# Markdown's recursive block parser, which runs out of stack near 500 levels. No document
# nests more than 3; 100 columns allow 50 and stay far from the limit.
NESTING_RE = re.compile(r"(?:[ \t>]|[-*+](?=[ \t])|\d{1,9}[.)](?=[ \t]))*")
MAX_NESTING_COLUMNS = 100
# Markdown's inline patterns look for the end of a link or tag from every "[" or "<" of a
# paragraph: time grows with the square of their number (4,000 took 3 s; 100,000 hours).
# A document's paragraph holds a few; 200 stay below 10 ms.
MAX_BRACKETS_PER_PARAGRAPH = 200
BLANK_LINE_RE = re.compile(r"(?:\r\n|\r|\n)[ \t]*(?:\r\n|\r|\n)")
ITEM_FENCE = "```item"
FENCE_RE = re.compile(r"^(```|~~~)")
COMMENT_RE = re.compile(r"^<!--.*-->$")  # notes for editors; not shown on the site
SLUG_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")  # whole: re.fullmatch
# A slug is a folder of the site (bulletins/<issue>/<item>/): far below a file name's 255
# bytes, and the longest the importer writes is 48 (`slugs.pinyin_slug`) plus a suffix.
MAX_SLUG_LENGTH = 100
ONE_LINE_HINT = "去掉值里的换行（引号里的 \\n 也是换行），整段文字写在一行里"
SLUG_HINT = "只用小写字母、数字和连字符，例如 2014-07-13 或 wenshang-huigui"
# An open question the importer wrote where it was unsure: a YAML comment (``# 待定：…``) in
# the metadata, an HTML comment line (``<!-- 待定：… -->``) in a body. `invoke check` reports
# each as an error (bulletin/importing/open_questions.py) until the editor settles it: deletes it, or
# writes 已定 for 待定. Body comment lines of either kind are not part of the text.
QUESTION_RE = re.compile(r"(?:^|\s)(?:#|<!--)\s*待定\s*[:：]\s*(?P<text>.*?)\s*(?:-->)?\s*$")
QUESTION_LINE_RE = re.compile(r"^<!--\s*(?:待定|已定)\s*[:：].*-->$")


def question_comment(text: str) -> str:
    """An open question as a line of its own in a Markdown body."""
    return "<!-- 待定：" + " ".join(text.replace("--", "－－").split()) + " -->"


ISSUE_KEYS = {
    "kind", "draft", "slug", "number", "date", "date_inferred", "date_basis", "source", "masthead",
    "headlines", "editor_note", "distribution", "fragments",
}  # fmt: skip
# A policy's and a speech's fields beyond those every standalone document has, in the order
# they are written: a new field of a policy is added here (and to `Policy`), once.
POLICY_FIELDS = ("doc_number", "issuers", "recipients", "status")
SPEECH_FIELDS = ("subtitle", "speaker", "occasion", "attachment")
STANDALONE_KEYS = {
    "kind", "draft", "slug", "title", "date", "date_inferred", "date_basis", "source", "counties",
    "topics",
}  # fmt: skip
POLICY_KEYS = STANDALONE_KEYS | set(POLICY_FIELDS) | {"status_date", "replaced_by"}
SPEECH_KEYS = STANDALONE_KEYS | set(SPEECH_FIELDS) | {"interprets"}
ITEM_KEYS = {"slug", "date", "unit", "unit_absent", "counties", "topics", "interprets"}
TERM_KEYS = {"counties", "topics"}  # lists of taxonomy names, never holding a comma


# Names the site's own pages take inside a document's or a list's folder: a list's later
# pages are <list>/page/2/ …, so an issue named "page" would put its item "2" on the page
# of the list of issues (`bulletin.site.paging`).
RESERVED_SLUGS = frozenset({"page"})


def slug_problem(slug: str) -> str | None:
    """Why `slug` cannot name a page (in Chinese), or None: lower-case ASCII letters and
    digits in words joined by hyphens, at most MAX_SLUG_LENGTH characters, not reserved."""
    if not SLUG_RE.fullmatch(slug):
        return f"网址名“{slug}”不合规"
    if slug in RESERVED_SLUGS:
        return f"网址名“{slug}”留给网站列表的分页（如 bulletins/page/2/）使用，请换一个"
    if len(slug) > MAX_SLUG_LENGTH:
        return f"网址名太长（{len(slug)} 个字符，最多 {MAX_SLUG_LENGTH} 个）"
    return None


def _text_hint(key: str, value: object) -> str:
    """What to do about a field that should be text and is not."""
    if isinstance(value, bool):
        return f'文字本身就是 true、false、yes、no 这样的词时，用引号括起来，如 {key}: "no"'
    if isinstance(value, (list, dict)):
        return f"写成一行文字，不用方括号、花括号或缩进的子项，如 {key}: 文字"
    return f"写成一行文字，或留空（{key}: null）"


class _Reader:
    """Collects problems while reading one file."""

    def __init__(self, path: str):
        self.path = path
        self.problems: list[Problem] = []
        self.syntax: list[Problem] = []
        self.no_url = False  # a slug is missing or unusable: no page can be made

    def error(self, line: int, message: str, hint: str) -> None:
        self.problems.append(Problem(self.path, line, message, hint, "error"))

    def warning(self, line: int, message: str, hint: str) -> None:
        self.problems.append(Problem(self.path, line, message, hint, "warning"))

    def syntax_error(self, line: int, message: str, hint: str) -> None:
        """A mistake that makes a block unreadable: only such mistakes are then reported."""
        problem = Problem(self.path, line, message, hint, "error")
        self.problems.append(problem)
        self.syntax.append(problem)

    # --- YAML -----------------------------------------------------------------------------

    def load_mapping(
        self, text: str, first_line: int
    ) -> tuple[dict[str, Any], dict[str, int]] | None:
        """Parse a YAML mapping; return it with the file line of each top-level key.

        None when the YAML cannot be read at all: its mistakes are reported (in Chinese, each
        at its line; every independent one, `safe_yaml.independent`) and nothing else of the
        block is checked, so no false problem follows.
        """
        try:
            node, data = safe_yaml.load(text)
        except safe_yaml.YamlRefused as refused:
            for mistake in refused.mistakes:  # each independent mistake, at its own line
                self.syntax_error(first_line + mistake.line, mistake.message, mistake.hint)
            return None
        if data is None:
            return {}, {}
        if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
            self.syntax_error(
                first_line,
                "元数据应为“键: 值”形式的映射",
                "每行写成“键: 值”，例如 date: 2014-07-13",
            )
            return None
        lines: dict[str, int] = {}
        for key, _ in node.value:
            line = first_line + key.start_mark.line
            if str(key.value) in lines:
                self.error(
                    line,
                    f"字段“{key.value}”写了两次（另一处在第{lines[str(key.value)]}行）",
                    "删去其中一行",
                )
            lines.setdefault(str(key.value), line)
        return {str(k): v for k, v in data.items()}, lines

    def check_keys(self, data: dict, lines: dict[str, int], allowed: set[str], where: int) -> None:
        for key in data:
            if key not in allowed:
                self.error(
                    lines.get(key, where),
                    f"未知的字段“{key}”",
                    f"可用字段：{'、'.join(sorted(allowed))}；检查拼写",
                )

    # --- typed fields ---------------------------------------------------------------------

    def text(
        self, data: dict, lines: dict[str, int], key: str, where: int, lines_ok: bool = False
    ) -> str | None:
        """A field of one line of text (`lines_ok`: of several, as an editor's note)."""
        value = data.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            self.error(lines.get(key, where), f"字段“{key}”应为一行文字", _text_hint(key, value))
            return None
        if not lines_ok and LINE_BREAK_RE.search(value.strip()):
            self.error(lines.get(key, where), f"字段“{key}”应为一行文字，却有换行", ONE_LINE_HINT)
            return None
        return value.strip() or None

    def text_list(self, data: dict, lines: dict[str, int], key: str, where: int) -> list[str]:
        value = data.get(key)
        if value is None:
            return []
        line = lines.get(key, where)
        if isinstance(value, str):
            if value.strip()[:1] in "［【" and value.strip()[-1:] in "］】":
                self.error(line, "列表用了全角方括号", FULLWIDTH_BRACKETS_HINT)
                value = value.strip()[1:-1]  # read on as meant, so nothing else is reported
            value = [v for v in re.split(r"[,，、]\s*", value) if v.strip()]
        if not isinstance(value, list) or not all(
            isinstance(v, str) and not LINE_BREAK_RE.search(v.strip()) for v in value
        ):
            self.error(
                line,
                f"字段“{key}”应为文字的列表",
                f"写成 {key}: [甲, 乙]；某一项是 true、false、yes、no 这样的词时用引号括起来",
            )
            return []
        if key in TERM_KEYS and any("，" in v or "、" in v for v in value):
            self.error(
                line,
                f"字段“{key}”的列表里用了全角逗号“，”或顿号“、”",
                f"列表项之间用半角逗号加空格，如 {key}: [平阳县, 瑞安市]",
            )
            value = [v for text in value for v in re.split(r"[，、]\s*", text)]
        return [v.strip() for v in value if v.strip()]

    def date(self, data: dict, lines: dict[str, int], key: str, where: int) -> PartialDate | None:
        value = data.get(key)
        if value is None or value == "":
            return None
        try:
            if not isinstance(value, str):
                raise ValueError(value)
            date = PartialDate.parse(value)
            if date.year < EARLIEST_YEAR:
                raise ValueError(value)
            return date
        except ValueError:
            shown = f"“{value}”" if isinstance(value, str) else ""
            self.error(
                lines.get(key, where),
                f"日期{shown}无效",
                f"写成 YYYY-MM-DD（如 2014-07-13），不知道日则写 YYYY-MM；年份在 {EARLIEST_YEAR}"
                "年以后，日期须真实存在",
            )
            return None

    def slug(self, data: dict, lines: dict[str, int], where: int) -> str:
        value = data.get("slug")
        if value is None:
            self.no_url = True
            self.error(where, "缺少网址名（slug）", "加一行 slug: 小写拼音或数字，用连字符分隔")
            return ""
        if not isinstance(value, str):
            self.no_url = True
            self.error(lines.get("slug", where), "网址名（slug）应为一行文字", SLUG_HINT)
            return ""
        problem = slug_problem(value)
        if problem:
            self.no_url = True
            self.error(lines.get("slug", where), problem, SLUG_HINT)
        return value

    def heading(self, line: int, text: str) -> None:
        """An item's title or a section's name: no invisible character in it."""
        refused = refused_in(text, invisible_too=True, first_line=line)
        if refused:
            self.error(line, f"标题{refused[0].message}", refused[0].hint)

    def flag(self, data: dict, lines: dict[str, int], key: str) -> bool:
        value = data.get(key)
        if value is None or isinstance(value, bool):
            return bool(value)
        self.error(lines.get(key, 1), f"字段“{key}”只能写 true 或 false", f"写成 {key}: true")
        return False

    def require_date_key(self, data: dict, where: int, what: str) -> None:
        if "date" not in data:
            self.error(
                where,
                f"{what}缺少日期字段（date）",
                "写 date: YYYY-MM-DD；原文未注明日期时写 date: null（可另填 date_inferred）",
            )

    def date_info(self, data: dict, lines: dict[str, int], where: int) -> DateInfo:
        stated = self.date(data, lines, "date", where)
        inferred = self.date(data, lines, "date_inferred", where)
        basis = self.text(data, lines, "date_basis", where)
        if stated is not None and inferred is not None:
            self.error(
                lines.get("date_inferred", where),
                "同时填写了原文日期（date）和推断日期（date_inferred）",
                "原文写明日期时只填 date，删除 date_inferred",
            )
        if stated is not None:
            return DateInfo(stated, inferred=False, basis=basis)
        if inferred is not None:
            return DateInfo(inferred, inferred=True, basis=basis)
        written = any(data.get(key) not in (None, "") for key in ("date", "date_inferred"))
        return DateInfo(None, invalid=written)


# --- reading ---------------------------------------------------------------------------------


def split_front_matter(text: str) -> tuple[str | None, int, list[str], int]:
    """Return (front matter text, its first line, body lines, first body line number)."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return None, 1, lines, 1
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            return "\n".join(lines[1:index]), 2, lines[index + 1 :], index + 2
    return "\n".join(lines[1:]), 2, [], len(lines) + 1


DRAFT_RE = re.compile(r"^draft:\s*(?:true|True|TRUE|yes)\s*(?:#.*)?$")


def marked_draft(text: str) -> bool:
    """Whether a file's front matter says ``draft: true``, even where it cannot be read."""
    front, _, _, _ = split_front_matter(text.removeprefix("\ufeff"))
    return front is not None and any(DRAFT_RE.match(line) for line in front.splitlines())


def read_document(text: str, path: str) -> tuple[Document | None, list[Problem]]:
    """Read one content file. Returns the document (None if unusable) and its problems."""
    reader = _Reader(path)
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        reader.error(1, "文件是空的", "写上元数据和正文（见 docs/editing.md），或删除这个文件")
        return None, reader.problems
    refused = refused_in(text)
    if refused:  # the file's lines cannot even be counted as an editor sees them
        for found in refused:
            reader.error(found.line, found.message, found.hint)
        return None, reader.problems
    front, front_line, body_lines, body_line = split_front_matter(text)
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        width = len(NESTING_RE.match(line).group().expandtabs(4))  # type: ignore[union-attr]
        if width > MAX_NESTING_COLUMNS:
            reader.syntax_error(
                number,
                f"行首的缩进和列表、引用符号太多（{width} 列，最多 {MAX_NESTING_COLUMNS} 列）",
                "正文不要层层嵌套列表或引用：删去行首多余的空格和 - > 1. 之类的符号",
            )
            return None, reader.problems
    crowded = _crowded_paragraph("\n".join(body_lines))  # the body: Markdown
    if crowded is not None:
        line, count = crowded
        reader.syntax_error(
            body_line + line - 1,
            f"这一段的方括号“[”或尖括号“<”太多（{count} 个，最多 {MAX_BRACKETS_PER_PARAGRAPH} 个）",
            "照原文核对：成段的方括号多半是误粘贴；原文确有的，改用全角［］或〔〕，尖括号写成 &lt;",
        )
        return None, reader.problems
    if front is None:
        reader.error(1, "文件开头缺少元数据块", "第一行写 ---，接着写元数据，再以 --- 结束")
        return None, reader.problems
    loaded = reader.load_mapping(front, front_line)
    if loaded is None:
        if ITEM_FENCE in (line.strip() for line in body_lines):  # an issue's item blocks
            _read_items(reader, body_lines, body_line)  # may hold mistakes of their own
        return None, sorted(reader.syntax)
    data, lines = loaded
    kind = data.get("kind")
    if kind not in KINDS:
        reader.error(
            lines.get("kind", 1),
            f"文件类型（kind）“{kind}”无效" if kind else "缺少文件类型（kind）",
            "写 kind: bulletin（简报）、policy（政策文件）或 speech（讲话）",
        )
        return None, reader.problems
    if kind == "bulletin":
        document: Document = _read_issue(reader, data, lines, body_lines, body_line)
    else:
        cls = Policy if kind == "policy" else Speech
        document = _read_standalone(cls, reader, data, lines, body_lines)
    if reader.syntax:  # an unreadable block: report only what made it so
        return None, sorted(reader.syntax)
    if reader.no_url:  # no page can be made of it, not even a draft's in the preview
        return None, reader.problems
    document.field_lines = lines
    document.draft = reader.flag(data, lines, "draft")
    for item in getattr(document, "items", []):
        item.draft = document.draft
    return document, reader.problems


def read_file(path: Path, root: Path) -> tuple[Document | None, list[Problem]]:
    """Read a content file from disk; `root` is the content directory."""
    return read_raw(path.read_bytes(), path.relative_to(root).as_posix())


def read_raw(raw: bytes, rel: str) -> tuple[Document | None, list[Problem]]:
    """Read a content file's bytes; `rel` is its path in the content directory."""
    text, problems = decode(raw, rel)
    return (None, problems) if text is None else read_document(text, rel)


def _crowded_paragraph(text: str) -> tuple[int, int] | None:
    """The first line and bracket count of the first paragraph with more than
    MAX_BRACKETS_PER_PARAGRAPH of "[" or "<", if any (linear: most files have few)."""
    if text.count("[") + text.count("<") <= MAX_BRACKETS_PER_PARAGRAPH:
        return None
    bounds = [(m.start(), m.end()) for m in BLANK_LINE_RE.finditer(text)]
    start = 0
    for end, following in [*bounds, (len(text), len(text))]:
        block = text[start:end]
        count = max(block.count("["), block.count("<"))
        if count > MAX_BRACKETS_PER_PARAGRAPH:
            first = start + len(block) - len(block.lstrip())  # the paragraph's first line
            return len(LINE_BREAK_RE.findall(text, 0, first)) + 1, count
        start = following
    return None


def _body_text(lines: list[str]) -> str:
    lines = [line for line in lines if not QUESTION_LINE_RE.match(line.strip())]
    while lines and not lines[0].strip():
        lines = lines[1:]
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    return "\n".join(line.rstrip() for line in lines)


def _read_issue(reader: _Reader, data, lines, body_lines: list[str], body_line: int) -> Issue:
    reader.check_keys(data, lines, ISSUE_KEYS, 1)
    reader.require_date_key(data, 1, "简报")
    distribution = _distribution(reader, data, lines)
    issue = Issue(
        title="",
        slug=reader.slug(data, lines, 1),
        path=reader.path,
        date=reader.date_info(data, lines, 1),
        number=reader.text(data, lines, "number", 1),
        masthead=reader.text_list(data, lines, "masthead", 1),
        headlines=reader.text_list(data, lines, "headlines", 1),
        editor_note=reader.text(data, lines, "editor_note", 1, lines_ok=True),
        distribution=distribution,
        fragments=reader.text_list(data, lines, "fragments", 1),
        source=reader.text(data, lines, "source", 1),
    )
    issue.title = issue.display_title
    issue.items = _read_items(reader, body_lines, body_line)
    for item in issue.items:
        item.issue = issue
    return issue


def _distribution(reader: _Reader, data, lines) -> list[tuple[str, str]]:
    """The 报/送/发 lists of an issue: labels and texts as written."""
    value = data.get("distribution") or {}
    line = lines.get("distribution", 1)
    if not isinstance(value, dict):
        reader.error(line, "分送范围（distribution）应为映射", "写成 报: …、送: …、发: … 各占一行")
        return []
    if not all(
        isinstance(k, str) and not LINE_BREAK_RE.search(k) and isinstance(v, str | None)
        and not LINE_BREAK_RE.search((v or "").strip())
        for k, v in value.items()
    ):  # fmt: skip
        reader.error(
            line,
            "分送范围（distribution）的每一项应为“标签: 一行文字”",
            "写成 报: …、送: …、发: … 各占一行，文字里不用方括号、花括号或缩进的子项",
        )
        return []
    return [(k, v.strip()) for k, v in value.items() if v not in (None, "")]


def _read_items(reader: _Reader, body_lines: list[str], body_line: int) -> list[Item]:
    items: list[Item] = []
    section: str | None = None
    current: Item | None = None
    current_body: list[str] = []
    in_fence = False
    index = 0

    def finish() -> None:
        if current is not None:
            current.body = _body_text(current_body)

    while index < len(body_lines):
        line = body_lines[index]
        number = body_line + index
        if FENCE_RE.match(line.strip()):
            in_fence = not in_fence
        if not in_fence and line.startswith(("# ", "## ")):
            reader.heading(number, line)
        if not in_fence and line.startswith("# "):
            finish()
            current, current_body = None, []
            section = line[2:].strip() or None
        elif not in_fence and line.startswith("## "):
            finish()
            current_body = []
            current = Item(title=line[3:].strip(), slug="", path=reader.path, line=number)
            current.section = section
            current.number = len(items) + 1
            items.append(current)
            index = _read_item_meta(reader, current, body_lines, index + 1, body_line)
            continue
        elif current is not None:
            if not QUESTION_LINE_RE.match(line.strip()):
                current_body.append(line)
        elif line.strip() and not COMMENT_RE.match(line.strip()):
            reader.error(
                number,
                "第一个条目标题之前有正文",
                "每条新闻以“## 标题”开头；栏目名（如 各地动态）以“# ”开头",
            )
        index += 1
    finish()
    if in_fence:
        reader.syntax_error(body_line + len(body_lines) - 1, "代码块没有结束", "补上一行 ```")
    return items


def _read_item_meta(reader: _Reader, item: Item, lines: list[str], start: int, base: int) -> int:
    """Read the ```item block under an item heading; return the index after it."""
    index = start
    while index < len(lines) and not lines[index].strip():
        index += 1
    if index >= len(lines) or lines[index].strip() != ITEM_FENCE:
        reader.no_url = True  # no slug: the item would be written over its issue's page
        reader.error(
            item.line,
            f"条目“{item.title}”缺少元数据块",
            "在标题下一行写 ```item，再写 slug、date、unit、counties、topics，以 ``` 结束",
        )
        return start
    end = index + 1
    while end < len(lines) and lines[end].strip() != "```":
        end += 1
    if end >= len(lines):
        reader.syntax_error(base + index, "条目元数据块没有结束", "在元数据后补一行 ```")
        return end
    loaded = reader.load_mapping("\n".join(lines[index + 1 : end]), base + index + 1)
    if loaded is None:
        return end + 1
    data, keys = loaded
    item.field_lines = keys
    where = base + index
    reader.check_keys(data, keys, ITEM_KEYS, where)
    reader.require_date_key(data, where, f"条目“{item.title}”")
    item.slug = reader.slug(data, keys, where)
    item.date = DateInfo(reader.date(data, keys, "date", where))
    item.unit = reader.text(data, keys, "unit", where)
    item.unit_absent = reader.flag(data, keys, "unit_absent")
    if item.unit and item.unit_absent:
        reader.error(
            keys["unit_absent"],
            f"条目“{item.title}”填了报送单位“{item.unit}”，又写了 unit_absent: true（原文未署单位）",
            "照原文：原文有单位就删去 unit_absent 一行；原文没有就把 unit 改为 null",
        )
    item.counties = reader.text_list(data, keys, "counties", where)
    item.topics = reader.text_list(data, keys, "topics", where)
    item.interprets = reader.text(data, keys, "interprets", where)
    return end + 1


# Policies and speeches: their label, allowed keys, and fields beyond the common ones, in the
# order they are written (a field is text unless listed in LIST_FIELDS).
STANDALONE = {
    "policy": ("政策文件", POLICY_KEYS, POLICY_FIELDS),
    "speech": ("讲话", SPEECH_KEYS, SPEECH_FIELDS),
}
LIST_FIELDS = {"issuers"}


def _read_standalone(
    cls: type[Policy] | type[Speech], reader: _Reader, data, lines, body_lines: list[str]
) -> Policy | Speech:
    label, keys, fields = STANDALONE[cls.kind]
    reader.check_keys(data, lines, keys, 1)
    reader.require_date_key(data, 1, label)
    document = cls(
        title=reader.text(data, lines, "title", 1) or "",
        slug=reader.slug(data, lines, 1),
        path=reader.path,
        date=reader.date_info(data, lines, 1),
        counties=reader.text_list(data, lines, "counties", 1),
        topics=reader.text_list(data, lines, "topics", 1),
        body=_body_text(body_lines),
        source=reader.text(data, lines, "source", 1),
        **{
            key: (reader.text_list if key in LIST_FIELDS else reader.text)(data, lines, key, 1)
            for key in fields
        },
    )
    if not document.title and isinstance(data.get("title"), str | None):  # else: said above
        reader.error(1, f"{label}缺少标题（title）", f"加一行 title: {label}标题")
    _read_relations(reader, document, data, lines)
    return document


def _read_relations(reader: _Reader, document: Policy | Speech, data, lines) -> None:
    """Optional fields relating a document to others: validity, 解读 (see `references`)."""
    if isinstance(document, Policy):
        document.status_date = reader.date(data, lines, "status_date", 1)
        document.replaced_by = reader.text(data, lines, "replaced_by", 1)
    else:
        document.interprets = reader.text(data, lines, "interprets", 1)


# --- writing ---------------------------------------------------------------------------------


def _yaml_value(value: Any) -> str:
    """One YAML scalar or flow list, quoted only when YAML needs it."""
    if value is None:
        return "null"
    if isinstance(value, PartialDate):
        return value.iso
    # A list is dumped whole: a `[`, `]` or `,` inside an item must be quoted in a flow list.
    dumped = yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, width=10_000)
    return dumped.removesuffix("\n...\n").strip()


def _yaml_block(key: str, text: str) -> str:
    body = "\n".join(f"  {line}" if line else "" for line in text.splitlines())
    return f"{key}: |\n{body}"


def _date_lines(date: DateInfo) -> list[str]:
    if date.value is None:
        return ["date: null  # 原文未注明日期"]
    if date.inferred:
        lines = ["date: null  # 原文未注明日期", f"date_inferred: {date.value.iso}"]
    else:
        lines = [f"date: {date.value.iso}"]
    if date.basis:
        lines.append(f"date_basis: {_yaml_value(date.basis)}")
    return lines


def format_issue(issue: Issue, notes: dict[int, dict[str, str]] | None = None) -> str:
    """Write an issue as Markdown.

    `notes` maps an item number to {field: note}; each note becomes a YAML comment after the
    field (``counties: [平阳县]  # 建议：…``) for the editor to confirm and delete. Item 0 is
    the issue itself: a note on ``fragments/2`` follows the third fragment.
    """
    notes = notes or {}
    front = notes.get(0, {})
    out = [
        "---",
        "kind: bulletin",
        *(["draft: true"] if issue.draft else []),
        f"slug: {issue.slug}",
    ]
    number = _yaml_value(issue.number)
    out.append(f"number: {number}" + ("  # 原文未注明期号" if issue.number is None else ""))
    out += _date_lines(issue.date)
    out.append(f"source: {_yaml_value(issue.source)}")
    if issue.masthead:
        out.append("masthead:  # 刊头，原样保留")
        out += [f"  - {_yaml_value(m)}" for m in issue.masthead]
    if issue.headlines:
        out.append("headlines:")
        out += [f"  - {_yaml_value(h)}" for h in issue.headlines]
    if issue.editor_note:
        out.append(_yaml_block("editor_note", issue.editor_note))
    if issue.distribution:
        out.append("distribution:")
        out += [
            f"  {_yaml_value(label)}: {_yaml_value(text)}" for label, text in issue.distribution
        ]
    if issue.fragments:
        out.append("fragments:  # 原文中无法归入正文的零星文字，原样保留")
        out += [
            f"  - {_yaml_value(f)}"
            + (f"  # {front[key]}" if (key := f"fragments/{i}") in front else "")
            for i, f in enumerate(issue.fragments)
        ]
    out.append("---")
    section: str | None = None
    for item in issue.items:
        if item.section != section and item.section:
            out += ["", f"# {item.section}"]
        section = item.section
        item_notes = notes.get(item.number, {})
        fields = {
            "slug": item.slug or "null",
            "date": item.date.value.iso if item.date.value else "null",
            "unit": _yaml_value(item.unit),
            "counties": _yaml_value(item.counties),
            "topics": _yaml_value(item.topics),
        }
        if item.unit_absent:
            fields["unit_absent"] = "true  # 原文未署报送单位"
        if item.interprets:
            fields["interprets"] = _yaml_value(item.interprets)
        out += ["", f"## {item.title}", "", ITEM_FENCE]
        for key, value in fields.items():
            note = item_notes.get(key)
            out.append(f"{key}: {value}" + (f"  # {note}" if note else ""))
        out += ["```", "", item.body]
    return "\n".join(out) + "\n"


def format_standalone(document: Policy | Speech) -> str:
    """Write a policy or a speech: front matter, then its Markdown body."""
    _, _, fields = STANDALONE[document.kind]
    out = [
        "---",
        f"kind: {document.kind}",
        *(["draft: true"] if document.draft else []),
        f"slug: {document.slug}",
        f"title: {_yaml_value(document.title)}",
    ]
    for key in fields:
        value = getattr(document, key)
        note = "  # 效力状态未知" if key == "status" and not value else ""
        out.append(f"{key}: {_yaml_value(value)}{note}")
    for key in ("status_date", "replaced_by", "interprets"):  # written only when set
        if getattr(document, key, None):
            out.append(f"{key}: {_yaml_value(getattr(document, key))}")
    out += [
        *_date_lines(document.date),
        f"source: {_yaml_value(document.source)}",
        f"counties: {_yaml_value(document.counties)}",
        f"topics: {_yaml_value(document.topics)}",
        "---",
        "",
        document.body,
    ]
    return "\n".join(out) + "\n"


def format_document(document: Document, notes: dict[int, dict[str, str]] | None = None) -> str:
    if isinstance(document, Issue):
        return format_issue(document, notes)
    if isinstance(document, (Policy, Speech)):
        return format_standalone(document)
    raise TypeError(f"cannot format {type(document).__name__}")
