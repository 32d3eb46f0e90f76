"""YAML mistakes explained to editors: one Chinese message, at the line of the mistake.

PyYAML's messages (``could not find expected ':'``, ``mapping values are not allowed
here``…) are English and often name the line after the mistake. Editors working in a
Chinese input method make a few mistakes again and again — a full-width colon ``：`` or
comma ``，``, full-width brackets ``［］``/``【】``, a tab for indentation, a missing space
after the colon, an unclosed ``[`` or quote — so the lines up to where YAML noticed are first
searched for those, and only otherwise is PyYAML's own problem translated. No English from
PyYAML is ever passed on.

Pure: no Pelican, no files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml


@dataclass(frozen=True)
class YamlMistake:
    line: int  # 0-based, within the YAML text
    message: str
    hint: str
    # The mistake is on this very line (a slip recognised in it, or noticed there): without
    # the line, the rest of the text can be read on for mistakes of its own (`independent`).
    pinned: bool = True


KEY = r"(?:[A-Za-z_][A-Za-z0-9_]*|抄报|抄送|报|送|发)"  # field names; distribution labels
FULLWIDTH_COLON_RE = re.compile(rf"^\s*(?:-\s+)?{KEY}\s*：")
NO_SPACE_RE = re.compile(rf"^\s*(?:-\s+)?{KEY}:(?=[^\s])")
FULLWIDTH_BRACKET_RE = re.compile(r"[［］【】]")
FLOW_START_RE = re.compile(rf"^\s*(?:-\s+)?(?:{KEY}\s*:\s*)?(\[.*)$")

LIST_KEYS = {"counties", "topics", "issuers", "headlines"}
FULLWIDTH_BRACKETS_HINT = "列表要用半角方括号和半角逗号，如 counties: [平阳县, 瑞安市]"


def line_mistake(line: str) -> tuple[str, str] | None:
    """A mistake an editor commonly makes that this one line shows, as (message, hint)."""
    code = _without_comment(line)
    indent = code[: len(code) - len(code.lstrip(" \t"))]
    if "\t" in indent:
        return (
            "这一行用了制表符（Tab）缩进",
            "YAML 只能用空格缩进：把行首的 Tab 换成两个空格",
        )
    if FULLWIDTH_COLON_RE.match(code):
        key = code.split("：", 1)[0].strip().lstrip("- ").strip()
        return (
            f"字段“{key}”后面用了全角冒号“：”",
            f"改成半角冒号加一个空格，如 {key}: …（切换到英文输入法输入）",
        )
    if NO_SPACE_RE.match(code):
        key = code.split(":", 1)[0].strip().lstrip("- ").strip()
        return (f"字段“{key}”的冒号后面缺少空格", f"在冒号后加一个空格，如 {key}: …")
    key, _, value = code.partition(":") if ":" in code else ("", "", code)
    ends = value.strip()[:1] + value.strip()[-1:]
    if (
        "［" in ends
        or "］" in ends
        or (key.strip() in LIST_KEYS and FULLWIDTH_BRACKET_RE.search(ends))
    ):
        return ("列表用了全角方括号", FULLWIDTH_BRACKETS_HINT)
    flow = FLOW_START_RE.match(code)
    if flow and not _quoted(code):
        text = flow.group(1)
        if text.count("[") > text.count("]"):
            return ("方括号“[”没有配对的“]”", "在列表末尾补上半角的“]”，如 topics: [温商回归]")
        if text.count("]") > text.count("["):
            return ("方括号“]”没有配对的“[”", "在列表开头补上半角的“[”，如 topics: [温商回归]")
    for quote in ('"', "'"):
        stripped = value.strip()
        if stripped.startswith(quote) and (len(stripped) == 1 or not stripped.endswith(quote)):
            return (
                f"引号 {quote} 没有成对",
                f"在这一项的末尾补上 {quote}，或者去掉开头的 {quote}（中文内容一般不需要引号）",
            )
    return None


KEY_LINE_RE = re.compile(rf"^(\s*){KEY}\s*:(.*)$")
NO_COLON_RE = re.compile(rf"^(\s*){KEY}\s+[^\s:]")


def _content_lines(lines: list[str], numbers: range) -> list[int]:
    return [n for n in numbers if _without_comment(lines[n]).strip()]


def _layout_mistake(lines: list[str], number: int) -> tuple[str, str] | None:
    """A line indented unlike its neighbours, or a ``key value`` line without a colon."""
    code = _without_comment(lines[number])
    if not code.strip():
        return None
    indent = len(code) - len(code.lstrip(" "))
    before = _content_lines(lines, range(number - 1, -1, -1))[:1]
    after = _content_lines(lines, range(number + 1, len(lines)))[:1]
    previous = KEY_LINE_RE.match(_without_comment(lines[before[0]])) if before else None
    missing_colon = NO_COLON_RE.match(code) and ":" not in code and "：" not in code
    opens_block = previous is not None and not previous.group(2).strip()
    siblings = previous is not None and len(previous.group(1)) == indent
    if missing_colon and (indent == 0 or siblings or opens_block):
        key = code.split()[0]
        return (f"字段“{key}”后面缺少冒号", f"写成 {key}: 值（半角冒号，后面一个空格）")
    if not KEY_LINE_RE.match(code) or indent == 0:
        return None
    indented = ("这一行多缩进了（行首有多余的空格）", "字段名要与上下行对齐：删去行首多余的空格")
    if previous is not None:
        value = previous.group(2).strip()
        if value and value[0] not in "|>" and indent > len(previous.group(1)):
            return indented
    elif after:
        following = _without_comment(lines[after[0]])
        if KEY_LINE_RE.match(following) and len(following) - len(following.lstrip(" ")) < indent:
            return indented
    return None


def _without_comment(line: str) -> str:
    """The line without a trailing ``# comment`` (a ``#`` after a space, outside quotes)."""
    quote = None
    for index, char in enumerate(line):
        if quote:
            if char == quote:
                quote = None
        elif char in "\"'" and (index == 0 or line[index - 1] in " [,:"):
            quote = char
        elif char == "#" and (index == 0 or line[index - 1] in " \t"):
            return line[:index].rstrip()
    return line.rstrip()


def _quoted(code: str) -> bool:
    value = code.split(":", 1)[1].strip() if ":" in code else code.strip()
    return value[:1] in ("'", '"')


# PyYAML's problems (libyaml's and the pure-Python scanner's wording), in Chinese.
TRANSLATIONS: tuple[tuple[str, str, str], ...] = (
    (
        "could not find expected ':'",
        "这一行缺少冒号，或者冒号用了全角“：”",
        "每行写成“字段名: 值”，冒号是半角的，后面加一个空格",
    ),
    (
        "mapping values are not allowed",
        "这一行的冒号位置不对：可能是缩进多了，或者值里有“: ”",
        "字段名要顶格（与上下行对齐）；值里含有冒号时，把整个值用引号括起来",
    ),
    (
        "expected ',' or ']'",
        "方括号“[”没有配对的“]”",
        "在列表末尾补上半角的“]”，列表项之间用半角逗号",
    ),
    (
        "did not find expected ',' or ']'",
        "方括号“[”没有配对的“]”",
        "在列表末尾补上半角的“]”，列表项之间用半角逗号",
    ),
    (
        "found unexpected end of stream",
        "引号或括号没有成对",
        "检查这一行的引号、方括号是否成对",
    ),
    (
        "found unknown escape character",
        "双引号里的反斜杠“\\”用法不对",
        "去掉反斜杠，或者改用单引号",
    ),
    (
        "alphabetic or numeric character",
        "值以 * 或 & 开头，YAML 会当作特殊符号",
        "把这个值用引号括起来",
    ),
    (
        "cannot start any token",
        "这一行有 YAML 不允许放在开头的字符（如 Tab、@、`）",
        "把行首的 Tab 换成空格；值以 @ 或 ` 开头时，用引号括起来",
    ),
    (
        "did not find expected key",
        "这一行的缩进与上下行不一致",
        "同一层的字段要对齐（用空格，不用 Tab）；列表项以“- ”开头",
    ),
    (
        "expected <block end>",
        "这一行的缩进与上下行不一致",
        "同一层的字段要对齐（用空格，不用 Tab）",
    ),
    (
        "did not find expected '-' indicator",
        "列表的缩进不一致",
        "每个列表项以“- ”开头，并且彼此对齐",
    ),
    (
        "found undefined alias",
        "值以 * 开头，YAML 会当作特殊符号",
        "把这个值用引号括起来",
    ),
)

GENERIC = (
    "元数据的写法有误（YAML 格式）",
    "检查这一行：冒号是否半角并后跟空格，引号、方括号是否成对，缩进是否一致",
)


def explain(text: str, exc: yaml.YAMLError) -> YamlMistake:
    """The editor's mistake behind a YAML error in `text`: its line and a Chinese message."""
    lines = text.splitlines() or [""]
    problem_mark = getattr(exc, "problem_mark", None)
    context_mark = getattr(exc, "context_mark", None)
    noticed = problem_mark.line if problem_mark else len(lines) - 1
    noticed = min(noticed, len(lines) - 1)
    for number in range(0, noticed + 1):
        found = line_mistake(lines[number]) or _layout_mistake(lines, number)
        if found:
            return YamlMistake(number, *found)
    problem = str(getattr(exc, "problem", None) or "")
    message, hint = GENERIC
    for needle, chinese, what_to_do in TRANSLATIONS:
        if needle in problem:
            message, hint = chinese, what_to_do
            break
    # The context mark is where the broken construct starts (the editor's line); the
    # problem mark is where YAML noticed, often the line after.
    mark = context_mark or problem_mark
    line = mark.line if mark else 0
    line = min(line, len(lines) - 1)
    while line > 0 and not _without_comment(lines[line]).strip():
        line -= 1  # never a blank line or a comment
    # Pinned when YAML noticed it on this line, or the line is a key without its colon
    # (noticed on the next line: the simple key began here and ended there).
    pinned = (problem_mark is not None and problem_mark.line == line) or (
        context_mark is not None and context_mark.line == line and "expected ':'" in problem
    )
    return YamlMistake(line, message, hint, pinned)


def without_line(text: str, line: int) -> str:
    """`text` with the line `line` (0-based) and the lines that belong to it blanked: the
    line numbers stay the same.

    What is left of a block after a slip at `line`, to be read on for other mistakes. The
    lines that belong to it are those after it indented deeper than the level it was meant
    to stand at: its own (up to a Tab), or, when that is deeper than the line before it
    (``   date:`` indented too far), that line's. So the value of a field written
    ``distribution：`` goes with it, and no false mistake follows."""
    lines = text.splitlines()
    if not 0 <= line < len(lines):
        return text
    depth = len(lines[line]) - len(lines[line].lstrip(" "))  # spaces before any Tab
    before = _content_lines(lines, range(line - 1, -1, -1))[:1]
    if before:
        previous = _without_comment(lines[before[0]])
        opens = KEY_LINE_RE.match(previous) and not KEY_LINE_RE.match(previous).group(2).strip()
        if not (opens and depth > _indent(previous)):
            depth = min(depth, _indent(previous))
    end = line + 1
    while end < len(lines):
        code = _without_comment(lines[end])
        if code.strip() and (_indent(code) <= depth or "\t" in code[: _indent(code)]):
            break  # the next field, or a Tab-indented line: a slip of its own
        end += 1
    while end > line + 1 and not _without_comment(lines[end - 1]).strip():
        end -= 1  # blank lines before the next field are kept (they are nothing)
    return "\n".join([*lines[:line], *[""] * (end - line), *lines[end:]])


def _indent(line: str) -> int:
    expanded = line.expandtabs(8)
    return len(expanded) - len(expanded.lstrip(" "))
