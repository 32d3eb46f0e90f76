"""Bad input is a message, never a crash (issue 25): each case of the issue, on a copy of the
real content, gets `check`'s ``path:line: 错误：…`` in Chinese with what to do, at the line
of the mistake. The random search for cases not listed here is tests/test_fuzz_content.py."""

from __future__ import annotations

import os
import random
import shutil
import threading
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest

from bulletin.build.sitebuild import BuildFailed, build_site
from bulletin.checks.checks import check_content
from bulletin.content import safe_yaml
from bulletin.content.content_format import read_document
from bulletin.content.problems import errors
from bulletin.content.render import render_markdown
from sitecheck import CONTENT, ROOT

POLICY = "policies/wenweifa-2014-27.md"
SPEECH = "speeches/2014-05-29-chen-yixin.md"
ISSUE = "bulletins/2014-07-13.md"


def _edit(rel: str, old: str, new: str) -> Callable[[Path], None]:
    def edit(content: Path) -> None:
        path = content / rel
        text = path.read_text(encoding="utf-8")
        assert old in text, old
        path.write_bytes(text.replace(old, new, 1).encode("utf-8", "surrogatepass"))

    return edit


def _line(rel: str, old: str) -> int:
    """The line of the real file where `old` starts."""
    text = (CONTENT / rel).read_text(encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


BILLION_LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{k}: &{k} [{', '.join([f'*{p}'] * 9)}]\n"
    for p, k in zip("abcdefghi", "bcdefghij", strict=True)
)

# case: (damage, file, line, what the message says)
CASES: dict[str, tuple[Callable[[Path], None], str, int, str]] = {
    "date 99999999": (
        _edit(POLICY, "date_inferred: 2014-05", "date_inferred: 99999999"),
        POLICY, _line(POLICY, "date_inferred:"), "日期“99999999”无效",
    ),
    "year 0": (
        _edit(POLICY, "date_inferred: 2014-05", "date_inferred: 0000-05"),
        POLICY, _line(POLICY, "date_inferred:"), "日期“0000-05”无效",
    ),
    "month 13": (
        _edit(SPEECH, "date: 2014-05-29", "date: 2014-13-29"),
        SPEECH, _line(SPEECH, "date: 2014"), "日期“2014-13-29”无效",
    ),
    "year 1": (
        _edit(SPEECH, "date: 2014-05-29", "date: 0001-05-29"),
        SPEECH, _line(SPEECH, "date: 2014"), "日期“0001-05-29”无效",
    ),
    "a date that is a float": (
        _edit(SPEECH, "date: 2014-05-29", "date: 2014.5"), SPEECH, _line(SPEECH, "date: 2014"), "日期“2014.5”无效",
    ),
    "a date that is .inf": (
        _edit(SPEECH, "date: 2014-05-29", "date: .inf"), SPEECH, _line(SPEECH, "date: 2014"), "日期“.inf”无效",
    ),
    "a date that is a huge integer": (
        _edit(SPEECH, "date: 2014-05-29", "date: " + "9" * 40),
        SPEECH, _line(SPEECH, "date: 2014"), "无效",
    ),
    "a date that is a boolean": (
        _edit(SPEECH, "date: 2014-05-29", "date: true"), SPEECH, _line(SPEECH, "date: 2014"), "日期无效",
    ),
    "number: {a: [1]}": (
        _edit(ISSUE, "number: null", "number: {a: [1]}"),
        ISSUE, _line(ISSUE, "number:"), "字段“number”应为一行文字",
    ),
    "a boolean as a title": (
        _edit(POLICY, "title: 关于进一步加强温商回归工作的若干意见", "title: no"),
        POLICY, _line(POLICY, "title:"), "字段“title”应为一行文字",
    ),
    "a list as a 文号": (
        _edit(POLICY, "doc_number: 温委发〔2014〕27号", "doc_number: [温委发, 2014]"),
        POLICY, _line(POLICY, "doc_number:"), "字段“doc_number”应为一行文字",
    ),
    "a mapping as counties": (
        _edit(POLICY, "counties: []", "counties: {a: 1}"),
        POLICY, _line(POLICY, "counties:"), "字段“counties”应为文字的列表",
    ),
    "a list in a list": (
        _edit(POLICY, "issuers: [中共温州市委, 温州市人民政府]", "issuers: [[中共温州市委]]"),
        POLICY, _line(POLICY, "issuers:"), "字段“issuers”应为文字的列表",
    ),
    "a line break in a one-line field": (
        _edit(SPEECH, "speaker: 陈一新", 'speaker: "陈一新\\n同志"'),
        SPEECH, _line(SPEECH, "speaker:"), "却有换行",
    ),
    "a slug longer than a file name may be": (
        _edit(POLICY, "slug: wenweifa-2014-27", "slug: " + "-".join(["wenweifa"] * 30)),
        POLICY, _line(POLICY, "slug:"), "网址名太长",
    ),
    "a zero-width space in a slug": (
        _edit(POLICY, "slug: wenweifa-2014-27", "slug: wenweifa-2014\u200b-27"),
        POLICY, _line(POLICY, "slug:"), "零宽空格 U+200B",
    ),
    "a zero-width space in a county": (
        _edit(ISSUE, "counties: [", "counties: [平阳\u200b县, "),
        ISSUE, _line(ISSUE, "counties: ["), "零宽空格 U+200B",
    ),
    "a direction override in an item title": (
        _edit(ISSUE, "## 温商回乡", "## \u202e温商回乡"),
        ISSUE, _line(ISSUE, "## 温商回乡"), "文字方向控制符 U+202E",
    ),
    "a direction override in a body (Trojan Source)": (
        _edit(POLICY, "力争今后三年实现温商回归投资3000亿元", "力争今后三年实现温商回归投资\u202e0003\u202c亿元"),
        POLICY, _line(POLICY, "力争今后三年实现温商回归投资3000亿元"), "文字方向控制符 U+202E",
    ),
    "an event handler in an item's metadata is said to be in metadata": (
        _edit(ISSUE, "unit_absent: true", "interprets: <b onclick=x()>\nunit_absent: true"),
        ISSUE, _line(ISSUE, "unit_absent: true"), "元数据含有 onclick 之类的事件属性",
    ),
    "an issue named page, whose items would take the list's later pages": (
        _edit(ISSUE, "slug: 2014-07-13", "slug: page"),
        ISSUE, _line(ISSUE, "slug: 2014-07-13"), "网址名“page”留给网站列表的分页",
    ),
    "a direction isolate in a body": (
        _edit(ISSUE, "7月11日，", "7月11日，\u2067"),
        ISSUE, _line(ISSUE, "7月11日，"), "文字方向控制符 U+2067",
    ),
    "a C0 control character in a body": (
        _edit(ISSUE, "7月11日，", "7月11日，\x1b[2J"),
        ISSUE, _line(ISSUE, "7月11日，"), "控制字符 U+001B",
    ),
    "a C1 control character in a body": (
        _edit(ISSUE, "7月11日，", "7月11日，\x85"),
        ISSUE, _line(ISSUE, "7月11日，"), "控制字符 U+0085",
    ),
    "a NUL in a policy": (
        _edit(POLICY, "为全面贯彻", "为全面\x00贯彻"),
        POLICY, _line(POLICY, "为全面贯彻"), "空字符（NUL） U+0000",
    ),
    "a control character written as a YAML escape": (
        _edit(POLICY, "title: 关于进一步加强温商回归工作的若干意见", 'title: "\\x07关于进一步加强温商回归工作的若干意见"'),
        POLICY, _line(POLICY, "title:"), "控制字符 U+0007",
    ),
    "a lone surrogate written as a YAML escape": (
        _edit(POLICY, "recipients: ", 'recipients: "\\ud800" #'),
        POLICY, _line(POLICY, "recipients:"), "元数据",
    ),
    "a line separator U+2028": (
        _edit(SPEECH, "title: ", "title: \u2028"), SPEECH, _line(SPEECH, "title:"), "行分隔符 U+2028",
    ),
    "a BOM in the middle": (
        _edit(ISSUE, "7月11日，", "7月11日，\ufeff"),
        ISSUE, _line(ISSUE, "7月11日，"), "字节顺序标记（BOM） U+FEFF",
    ),
    "YAML anchors and aliases": (
        _edit(POLICY, "kind: policy\n", "kind: policy\n" + BILLION_LAUGHS),
        POLICY, _line(POLICY, "kind:") + 1, "锚点或引用",
    ),
    "an alias in an item block": (
        _edit(ISSUE, "topics: [", "topics: *a #"),
        ISSUE, _line(ISSUE, "topics: ["), "锚点或引用",
    ),
    "a YAML tag": (
        _edit(POLICY, "status: null", "status: !!python/object/apply:os.system [id]"),
        POLICY, _line(POLICY, "status:"), "类型标记",
    ),
    "nesting deeper than any file": (
        _edit(POLICY, "counties: []", "counties: [[[[[[平阳县]]]]]]"),
        POLICY, _line(POLICY, "counties:"), "嵌套超过",
    ),
    "100,000 nested brackets (libyaml's composer crashed the interpreter)": (
        _edit(POLICY, "counties: []", "counties: " + "[" * 100_000 + "]" * 100_000),
        POLICY, _line(POLICY, "counties:"), "嵌套超过",
    ),
    "100,000 opening brackets in a body (Markdown's link pattern took hours)": (
        _edit(POLICY, "为全面贯彻", "[" * 100_000 + "为全面贯彻"),
        POLICY, _line(POLICY, "为全面贯彻"), "方括号“[”或尖括号“<”太多",
    ),
    "Markdown nested 300 lists deep": (
        _edit(POLICY, "为全面贯彻", "- " * 300 + "为全面贯彻"),
        POLICY, _line(POLICY, "为全面贯彻"), "行首的缩进和列表、引用符号太多",
    ),
    "two policies with one 文号": (
        lambda c: (c / "policies" / "x-copy.md").write_text(
            (c / POLICY).read_text(encoding="utf-8")
            .replace("slug: wenweifa-2014-27", "slug: copy")
            .replace("doc_number: 温委发〔2014〕27号", "doc_number: 温委发[2014]第27号")
            .replace("title: 关于", "title: 又一份关于"),
            encoding="utf-8",
        ),
        "policies/x-copy.md", _line(POLICY, "doc_number:"), "是同一个文号",
    ),
    "an empty file": (
        lambda c: (c / "bulletins" / "empty.md").write_bytes(b""), "bulletins/empty.md", 1, "文件是空的",
    ),
    "a huge file": (
        lambda c: (c / "speeches" / "huge.md").write_bytes(b"---\nkind: speech\n---\n" + b"x" * 3_000_000),
        "speeches/huge.md", 1, "文件太大",
    ),
    "a dangling symlink": (
        lambda c: (c / "bulletins" / "x.md").symlink_to("not-there.md"),
        "bulletins/x.md", 1, "符号链接（指向不存在的文件）",
    ),
    "a symlink loop": (
        lambda c: (c / "bulletins" / "x.md").symlink_to("x.md"), "bulletins/x.md", 1, "链接成环",
    ),
    "a symlink out of the content": (
        lambda c: (c / "policies" / "passwd.md").symlink_to("/etc/passwd"),
        "policies/passwd.md", 1, "这是一个符号链接",
    ),
    "a folder named x.md": (
        lambda c: (c / "speeches" / "x.md").mkdir(), "speeches/x.md", 1, "这是一个目录",
    ),
    "a FIFO named x.md": (
        lambda c: os.mkfifo(c / "bulletins" / "x.md"), "bulletins/x.md", 1, "命名管道（FIFO）",
    ),
    "a content folder that is a link": (
        lambda c: ((c / "speeches").rename(c / "elsewhere"), (c / "speeches").symlink_to(c / "elsewhere")),
        "speeches", 1, "符号链接",
    ),
    "a file name that is not UTF-8": (
        lambda c: (c / "bulletins" / os.fsdecode(b"\xff\n.md")).write_text("x"),
        "bulletins/\\xff\\n.md", 1, "文件名里有无法显示的字符",
    ),
    "an alias in a taxonomy": (
        _edit("taxonomy/counties.yaml", "- name: 鹿城区", "- name: &x 鹿城区"),
        "taxonomy/counties.yaml", _line("taxonomy/counties.yaml", "- name: 鹿城区"), "锚点或引用",
    ),
    "a number as a taxonomy's aliases": (
        _edit("taxonomy/counties.yaml", "aliases: [鹿城]", "aliases: 5"),
        "taxonomy/counties.yaml", _line("taxonomy/counties.yaml", "aliases: [鹿城]"), "应为文字的列表",
    ),
    "a taxonomy that is a folder": (
        lambda c: ((c / "taxonomy" / "topics.yaml").unlink(), (c / "taxonomy" / "topics.yaml").mkdir()),
        "taxonomy/topics.yaml", 1, "这是一个目录",
    ),
    "raw_moved.yaml not UTF-8": (
        lambda c: (c / "raw_moved.yaml").write_bytes(b"a: \xff\n"), "raw_moved.yaml", 1, "不是 UTF-8",
    ),
    "a name too long for the system in raw_moved.yaml": (
        lambda c: (c / "raw_moved.yaml").write_text(f"old.txt: {'x' * 300}.txt\n"),
        "raw_moved.yaml", 1, "文件名太长",
    ),
}  # fmt: skip


def _checked(content: Path, seconds: float = 20) -> list:
    """`check_content` in a thread: a test of a FIFO must not wait forever if it blocks."""
    result: list = []
    thread = threading.Thread(target=lambda: result.append(check_content(content)), daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        for fifo in content.rglob("*.md"):
            if fifo.is_fifo():
                with open(fifo, "wb"):  # let the blocked reader go
                    pass
        pytest.fail(f"check_content still running after {seconds} s")
    return result[0]


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_bad_input_is_a_chinese_message_at_its_line(tmp_path, case):
    damage, rel, line, says = CASES[case]
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    damage(content)
    found = [str(p) for p in errors(_checked(content))]
    expected = f"{rel}:{line}: 错误："
    matching = [f for f in found if f.startswith(expected) and says in f]
    assert matching, found
    _, hint = matching[0][len(expected) :].split(" — ", 1)
    assert hint and "\n" not in matching[0]


def test_a_billion_laughs_is_refused_in_milliseconds_and_kilobytes():
    text = BILLION_LAUGHS * 3
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(safe_yaml.YamlRefused) as refused:
        safe_yaml.load(text)
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert refused.value.mistake.line == 0 and "锚点" in refused.value.mistake.message
    assert seconds < 0.05 and peak < 256 * 1024, (seconds, peak)


YAML_TOKENS = ["a: ", "b:", "- ", "? ", "[", "]", "{", "}", ", ", ": ", "\n", "\n  ", "\n    ",
               "x", "标题", "'q'", '"d"', '"\\u200b"', '"\\x01"', "&a ", "*a", "!!str ", "!t ",
               "# c", "---\n", "...", "\t", "\u200b", "%YAML 1.1\n", "|\n  ", ">-\n  ", "1.10"]  # fmt: skip


def _screened_then_built(text: str) -> tuple:
    """What reading `text` gave when every text was screened first."""
    try:
        try:
            safe_yaml._screen(text)
            node, data = safe_yaml._built(text)
        except safe_yaml.yaml.YAMLError as exc:
            raise safe_yaml.YamlRefused(safe_yaml.explain(text, exc)) from None
    except safe_yaml.YamlRefused as refused:
        return ("refused", refused.mistake)
    return ("read", repr(node), data)


def test_reading_yaml_without_the_screen_says_what_the_screen_would():
    """The texts `_load` composes at once, unscreened, come out as screened ones do: read
    alike, or refused at the same line with the same words (nesting, marks, escapes, slips)."""
    rng = random.Random(25)
    texts = ["- " * n + "x" for n in (4, 5, 6, 40)] + ["[" * n + "]" * n for n in (5, 6, 9)]
    texts += ["a:\n  b:\n    c:\n      d:\n        e:\n          f: 1", "a: [[[[[1]]]]]"]
    texts += [
        "".join(rng.choice(YAML_TOKENS) for _ in range(rng.randint(1, 30))) for _ in range(3000)
    ]
    for text in texts:
        try:
            node, data = safe_yaml._load(text)
            got: tuple = ("read", repr(node), data)
        except safe_yaml.YamlRefused as refused:
            got = ("refused", refused.mistake)
        assert got == _screened_then_built(text), text


def test_values_are_the_text_as_written():
    """Only null and the booleans are typed: a number, a date or .inf stays as typed."""
    _, data = safe_yaml.load(
        "a: 1.10\nb: 0x1F\nc: 2014-05\nd: .inf\ne: 1_000\nf: null\ng: true\nh: '5'\ni: =\nj: <<"
    )
    assert data == {
        "a": "1.10", "b": "0x1F", "c": "2014-05", "d": ".inf", "e": "1_000",
        "f": None, "g": True, "h": "5", "i": "=", "j": "<<",
    }  # fmt: skip
    text = (CONTENT / ISSUE).read_text(encoding="utf-8").replace("number: null", "number: 12")
    document, _ = read_document(text, ISSUE)
    assert document is not None and document.number == "12"


def test_headings_numbered_unlike_a_document_are_text_not_a_crash():
    """一二三、 or （十十） is no Chinese numeral: the heading gets no numbered anchor (it
    raised KeyError while `check` read the policy's anchors)."""
    body = "## 一二三、总则\n\n### （十十）分则\n\n## 二十三、附则\n\n### （十一）施行"
    toc = [entry.anchor for entry in render_markdown(body, structure=True).toc]
    assert toc == ["section-1", "section-23", "section-23-11"]


def test_a_raw_source_unlike_its_bom_is_not_read_for_dates(tmp_path):
    """A raw source starting with a UTF-8 BOM and holding bytes that are not UTF-8: the date
    checks cannot read it and say nothing of it (it raised UnicodeDecodeError)."""
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    raw = content / "raw" / "2014-07-13-jianbao.txt"
    raw.write_bytes(b"\xef\xbb\xbf" + raw.read_bytes()[:99] + b"\xff")
    assert errors(_checked(content)) == []


def _build(content: Path, site: Path, drafts: bool = False):
    overrides = {"SEARCH_INDEXES": False, "SEARCH_WHOOSH_PATH": "", "BULLETIN_DRAFTS": drafts}
    return build_site(str(ROOT / "pelicanconf.py"), site, overrides, content=content)


def test_a_link_added_after_a_build_is_not_skipped_as_nothing_changed(tmp_path):
    """The build's fingerprint lists links and FIFOs too: a dangling link added after a build
    is refused by the next build (it was skipped as 'nothing changed', check failing)."""
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    _build(content, tmp_path / "output")
    (content / "bulletins" / "x.md").symlink_to("not-there.md")
    with pytest.raises(BuildFailed) as refused:
        _build(content, tmp_path / "output")
    assert any("bulletins/x.md:1: 错误：这是一个符号链接" in m for m in refused.value.messages)


def test_drafts_that_cannot_have_a_page_of_their_own_are_left_out_of_the_preview(tmp_path):
    """A draft item without its metadata block (no slug: its page was its issue's) and a
    draft with another document's URL: warnings, and the preview's build (drafts in) makes
    every other page. Both made Pelican refuse to write a page twice."""
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    issue = content / ISSUE
    text = issue.read_text(encoding="utf-8").replace("---\n", "---\ndraft: true\n", 1)
    issue.write_text(text.replace("```item\nslug: pingyang", "```i tem\nslug: pingyang"))
    speech = (content / SPEECH).read_text(encoding="utf-8")
    (content / "speeches" / "again.md").write_text(
        speech.replace("kind: speech", "kind: speech\ndraft: true")
    )
    problems = check_content(content)
    assert not errors(problems)
    said = [str(p) for p in problems]
    assert any(s.startswith("speeches/again.md:4: 警告：（草稿）网址 /speeches/") for s in said), (
        said
    )
    assert any(s.startswith(f"{ISSUE}:") and "缺少元数据块" in s for s in said), said
    site = _build(content, tmp_path / "output", drafts=True).path
    assert (site / "speeches" / "2014-05-29-chen-yixin" / "index.html").is_file()
    assert not (site / "bulletins" / "2014-07-13" / "index.html").exists()  # the draft issue


def test_emphasis_nested_thousands_deep_in_a_text_with_mentions_builds(tmp_path):
    """A run of 20,000 ``*`` nests elements thousands deep; the walk that links mentions
    recursed and the build failed with an English RecursionError naming no file."""
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    policy = content / POLICY
    run = "*" * 20000 + "见温委发〔2014〕27号" + "*" * 20000
    policy.write_text(policy.read_text(encoding="utf-8") + f"\n\n{run}\n", encoding="utf-8")
    assert errors(_checked(content)) == []
    _build(content, tmp_path / "output")
    page = (tmp_path / "output" / "policies" / "wenweifa-2014-27" / "index.html").read_text(
        encoding="utf-8"
    )
    assert page.count("温委发〔2014〕27号") > 1 and page.count("<strong>") > 1000


def test_a_text_that_cannot_be_rendered_is_an_error_naming_its_file(tmp_path, monkeypatch):
    """Whatever fault of ours a text finds while it is rendered, the build fails with the
    file and line in Chinese, never an English message alone."""
    from bulletin.site import generator

    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)

    def broken(text, structure=False, links=None):
        if "赶超发展" in text:
            raise RecursionError("maximum recursion depth exceeded")
        return render_markdown(text, structure, links)

    monkeypatch.setattr(generator, "render_markdown", broken)
    with pytest.raises(BuildFailed) as failed:
        _build(content, tmp_path / "output")
    said = "\n".join(failed.value.messages)
    assert f"{POLICY}:1: 错误：正文无法转换成网页（RecursionError）" in said


def test_two_pages_at_one_url_stop_the_build_naming_the_document(tmp_path, monkeypatch):
    """If a slug check ever lets one through, a document's page and a list's later page at
    the same URL stop the build with the document's file and line in Chinese (Pelican
    refused to write a file twice, in English, naming no file)."""
    from bulletin.content import content_format

    monkeypatch.setattr(content_format, "RESERVED_SLUGS", frozenset())
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    _edit(ISSUE, "slug: 2014-07-13", "slug: page")(content)
    _edit(ISSUE, "slug: wenshang-huixiang-yongyue-ti-jianyi-shuji", "slug: '2'")(content)
    overrides = {"SEARCH_INDEXES": False, "SEARCH_WHOOSH_PATH": "", "BULLETIN_PER_PAGE": 1}
    with pytest.raises(BuildFailed) as failed:
        build_site(str(ROOT / "pelicanconf.py"), tmp_path / "site", overrides, content=content)
    said = "\n".join(failed.value.messages)
    assert f"{ISSUE}:" in said and "网址 bulletins/page/2/ 同时是" in said
    assert "FileOverwrite" not in said
