"""The one YAML loader of the archive: front matter, item blocks, taxonomies, raw_moved.yaml.

Every YAML text the archive reads may come from a hostile pull request, and editors need
only plain mappings, lists and text. So before anything is constructed, the parser's event
stream (libyaml, in C) is screened, and the text is refused, with a Chinese message at the
line, when it holds

- an anchor (``&a``) or an alias (``*a``): a dozen lines of aliases expand to gigabytes
  (the "billion laughs"); the first anchor stops the reading, in microseconds;
- an explicit tag (``!!python/object``, ``!!binary``, ``!!set``, ``!custom``);
- nesting deeper than `MAX_DEPTH` (no file of the archive goes beyond 3: the taxonomies'
  list of terms with lists of aliases);
- a character that `bulletin.content.characters` refuses, in the text or in a value (a
  double-quoted ``"\\x01"`` or ``"\\u200b"`` writes one).

Most texts (an item's few fields) can hold none of the first three: they have no ``&``, ``*``,
``!`` or backslash and no refused character at all. Such a text, when it cannot nest deeper
than composing safely goes (`SAFE_NESTING`), is composed at once and its depth measured on
the nodes; if it is refused or fails in any way, it is screened and read as every other text
is, so that what is said of it is the same (`_load`): at 10,000 items reading YAML took 0.45 s,
now 0.33 s.

What is left is constructed with no implicit types but null and the booleans: a number, a
date, ``.inf`` or ``0x1F`` stays the text the editor wrote (``title: 1.10`` is "1.10",
never 1.1; ``number: 0x1F`` is "0x1F", never 31), and dates are checked as text by
`bulletin.content.dates.PartialDate`. A syntax error is explained by `bulletin.content.yaml_errors`.

Pure: no files.
"""

from __future__ import annotations

import contextlib
import re

import yaml

from bulletin.content.characters import ANY_REFUSED_RE, refused_in
from bulletin.content.yaml_errors import YamlMistake, explain, without_line

MAX_DEPTH = 5
# What an anchor, an alias, a tag or an escape (which may write any character) starts with.
MARKS_RE = re.compile(r"[&*!\\]")
# Every collection opens at one of these characters, so a text with few of them cannot nest
# deeply; libyaml's composer recurses once a level, safely this deep.
NESTING_CHARACTERS = "[{-?:"
SAFE_NESTING = 1000
KEPT_TYPES = {"tag:yaml.org,2002:null", "tag:yaml.org,2002:bool"}

ANCHOR_HINT = (
    "编辑元数据不需要 & 和 * 引用：把要重复的内容直接写出来；值本身以 & 或 * 开头时用引号括起来"
)
TAG_HINT = "删去以 ! 开头的类型标记；值本身以 ! 开头时用引号括起来"
DEPTH_HINT = "元数据只用“键: 值”和列表 [甲, 乙]，不要层层嵌套"


MAX_MISTAKES = 20  # of one YAML text, reported in one run; more are found after fixing these


class YamlRefused(Exception):
    """A YAML text the archive does not read; `mistake` says where and why, in Chinese, and
    `mistakes` every independent mistake found (`load`), the first being `mistake`."""

    def __init__(self, mistake: YamlMistake, mistakes: tuple[YamlMistake, ...] = ()):
        self.mistake = mistake
        self.mistakes = mistakes or (mistake,)
        super().__init__(f"{mistake.line + 1}: {mistake.message}")


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml when available
    """PyYAML's safe loader resolving only null and booleans: everything else is text."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag in KEPT_TYPES]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _screen(text: str) -> None:
    """Refuse what the archive never reads, before anything is built from it.

    libyaml's parser is iterative: it reads any nesting without recursion, whereas composing
    100,000 nested ``[`` crashes the interpreter (libyaml's composer recurses in C)."""
    characters = refused_in(text)
    if characters:
        first = characters[0]
        raise YamlRefused(YamlMistake(first.line - 1, first.message, first.hint))
    depth = 0
    parser = _Loader(text)
    try:
        while parser.check_event():
            event = parser.get_event()
            kind = type(event)
            if kind is yaml.ScalarEvent:
                if event.anchor or event.tag:
                    _refuse_marked(event)
                if ANY_REFUSED_RE.search(event.value):
                    inside = refused_in(event.value, invisible_too=True)[0]
                    raise YamlRefused(
                        YamlMistake(
                            event.start_mark.line,
                            f"值里有看不见的字符：{inside.name}",
                            inside.hint,
                        )
                    )
            elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                if event.anchor or event.tag:
                    _refuse_marked(event)
                depth += 1
                if depth > MAX_DEPTH:
                    line = event.start_mark.line
                    raise YamlRefused(
                        YamlMistake(line, f"元数据嵌套超过 {MAX_DEPTH} 层", DEPTH_HINT)
                    )
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                depth -= 1
            elif kind is yaml.AliasEvent:
                _refuse_marked(event)
    finally:
        parser.dispose()


def _refuse_marked(event: yaml.Event) -> None:
    """An anchor, an alias or a tag: refused at its line."""
    line = event.start_mark.line
    if isinstance(event, yaml.AliasEvent) or event.anchor:  # type: ignore[attr-defined]
        raise YamlRefused(
            YamlMistake(line, "元数据里用了 YAML 的锚点或引用（& 或 *）", ANCHOR_HINT)
        )
    tag = event.tag  # type: ignore[attr-defined]
    raise YamlRefused(YamlMistake(line, f"元数据里用了 YAML 类型标记“{tag}”", TAG_HINT))


def load(text: str) -> tuple[yaml.Node | None, object]:
    """Parse a YAML text once it passed the screening: its node tree (for line numbers) and
    its data. Raise `YamlRefused` with the editor's mistakes, at their lines of `text`: the
    first, and each later one that does not follow from it (`independent`)."""
    try:
        return _load(text)
    except YamlRefused as refused:
        raise YamlRefused(refused.mistake, independent(text, refused.mistake)) from None


def _load(text: str) -> tuple[yaml.Node | None, object]:
    try:
        if _unmarked(text):
            with contextlib.suppress(yaml.YAMLError):
                node, data = _built(text)
                if _depth(node) <= MAX_DEPTH:
                    return node, data
        _screen(text)
        return _built(text)
    except yaml.YAMLError as exc:
        raise YamlRefused(explain(text, exc)) from None


def _unmarked(text: str) -> bool:
    """Whether the screen can refuse `text` for its depth alone, and composing it is safe."""
    return (
        MARKS_RE.search(text) is None
        and ANY_REFUSED_RE.search(text) is None
        and sum(map(text.count, NESTING_CHARACTERS)) <= SAFE_NESTING
    )


def _built(text: str) -> tuple[yaml.Node | None, object]:
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        return node, loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()


def _depth(node: yaml.Node | None) -> int:
    """How deep collections nest in the tree of `node` (a mapping of lists: 2)."""
    deepest = 0
    stack = [(node, 1)] if node is not None else []
    while stack:
        node, depth = stack.pop()
        if isinstance(node, yaml.MappingNode):
            children = [child for pair in node.value for child in pair]
        elif isinstance(node, yaml.SequenceNode):
            children = node.value
        else:
            continue
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in children)
    return deepest


def independent(text: str, first: YamlMistake) -> tuple[YamlMistake, ...]:
    """`first` and the mistakes of the rest of `text`: while a mistake is on a line of its
    own (`YamlMistake.pinned`), that line (with what belongs to it) is set aside and the text
    read again, so three slips in three fields are three messages in one run. A mistake
    YAML noticed away from its cause ends the search: what follows might be its echo."""
    found = [first]
    while found[-1].pinned and len(found) < MAX_MISTAKES:
        text = without_line(text, found[-1].line)
        try:
            _load(text)
        except YamlRefused as refused:
            if refused.mistake.line in {m.line for m in found}:
                break  # nothing new: the same line again
            found.append(refused.mistake)
            continue
        break
    return tuple(sorted(found, key=lambda m: m.line))
