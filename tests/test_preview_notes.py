"""What the preview shows beside the site (bulletin/preview/preview_notes.py) and what its terminal
says (bulletin/preview/preview_log.py): pure, on the real content read once."""

from __future__ import annotations

import html.parser
import logging
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bulletin.checks.checks import read_archive
from bulletin.content.problems import OpenQuestion, Problem
from bulletin.preview.preview_log import editor_lines
from bulletin.preview.preview_notes import NoteMaker, Notes, Shown, with_panel
from bulletin.relations.archive import ArchiveMemory, ContentFile, read_files

ROOT = Path(__file__).resolve().parent.parent
CJK_RE = re.compile(r"[\u4e00-\u9fff]")
ISSUE = "bulletins/2014-07-13.md"


@pytest.fixture(scope="module")
def real():
    archive, problems = read_archive(ROOT / "content", drafts=True)
    files = {f.path: f for f in read_files(ROOT / "content")}
    return archive, problems, files


def maker() -> NoteMaker:
    return NoteMaker(ROOT / "theme", ROOT / "content")


class _Tags(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attributes: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attributes.update(name for name, _ in attrs)


def _tags(markup: str) -> _Tags:
    parser = _Tags()
    parser.feed(markup)
    return parser


PANEL_TAGS = {"aside", "h2", "h3", "p", "ol", "ul", "li", "span"}
PAGE_TAGS = PANEL_TAGS | {"html", "head", "meta", "title", "link", "body", "div", "main", "h1", "a"}
hostile = st.text(  # any text a UTF-8 file can hold (no lone surrogates), markup's first
    alphabet=st.sampled_from(list("<>&\"'/=`;:（）温州 \\scriptonerlagimg-"))
    | st.characters(blacklist_categories=("Cs",)),
    max_size=60,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(message=hostile, hint=hostile, decide=hostile, raw=hostile, line=st.integers(1, 10**6))
def test_whatever_content_says_is_shown_as_text_never_markup(
    real, message, hint, decide, raw, line
):
    """A problem's message and hint, a question's text and raw lines quote content: in a
    panel and in an error page they are text; the only tags are the templates' own."""
    archive, _, files = real
    question = OpenQuestion(decide, (raw,))
    problems = [
        Problem(ISSUE, line, message, hint, "warning"),
        Problem(ISSUE, line, message, hint, "warning", question),
    ]
    notes = maker().notes(problems, files, archive, archive)
    panel = notes.maker.panel(notes.panels["bulletins/2014-07-13/"])
    parsed = _tags(panel)
    assert parsed.tags <= PANEL_TAGS and parsed.attributes <= {
        "class",
        "role",
        "id",
        "aria-labelledby",
    }
    broken = maker().notes(
        [Problem(ISSUE, line, message, hint, "error", question)], files, archive, archive
    )
    page = broken.maker.error_page(broken.errors["bulletins/2014-07-13/"]).decode()
    parsed = _tags(page)
    assert parsed.tags <= PAGE_TAGS, parsed.tags
    assert parsed.attributes <= {"class", "role", "id", "aria-labelledby", "lang", "charset",
                                 "http-equiv", "content", "name", "rel", "href", "tabindex", "type"}  # fmt: skip


def test_a_committed_file_with_an_error_is_an_error_page_at_all_its_urls(real):
    """Its issue page and every item page: the file's errors, its path and lines; no other
    file's page; the guessed URL (its slug) too."""
    archive, _, files = real
    problem = Problem(ISSUE, 5, "日期“2014-07-32”无效", "写成 YYYY-MM-DD")
    notes = maker().notes([problem], files, archive, archive)
    mine = {d.url for d in archive.pages if d.path == ISSUE}
    assert len(mine) > 3 and set(notes.errors) == mine and notes.panels == {}
    page = notes.answer("bulletins/2014-07-13/", ROOT / "no-site")[1].decode()
    assert "content/bulletins/2014-07-13.md 有错误" in page
    assert "第 5 行" in page and "日期“2014-07-32”无效" in page and "写成 YYYY-MM-DD" in page
    assert notes.broken == {ISSUE: (f"content/{problem}",)}


def test_an_unreadable_file_is_shown_where_it_was_and_where_its_slug_or_name_points(real):
    archive, _, files = real
    raw = b"---\nkind: bulletin\ndraft: true\nslug: 2014-09-05\ndate\xef\xbc\x9a 2014-09-05\n---\n"
    problem = Problem(
        "bulletins/new.md", 5, "字段“date”后面用了全角冒号“：”", "改成半角冒号", "warning"
    )
    new = ContentFile("bulletins/new.md", raw, None, [problem])
    notes = maker().notes([problem], {**files, new.path: new}, archive, archive)
    assert set(notes.errors) == {"bulletins/2014-09-05/"}  # a draft: its problems are warnings
    nameless = ContentFile(
        "bulletins/new.md", raw.replace(b"slug: 2014-09-05", b"slug: X y"), None, [problem]
    )
    notes = maker().notes([problem], {**files, new.path: nameless}, archive, archive)
    assert set(notes.errors) == {"bulletins/new/"}  # no usable slug: the file's name
    # Gone from the archive now, it is still answered where the site showed it before.
    without = [d for d in archive.issues if d.path != ISSUE]
    from bulletin.relations.archive import build_archive

    now = build_archive([*without, *archive.policies, *archive.speeches], archive.taxonomies)
    broken = Problem(ISSUE, 3, "元数据的写法有误（YAML 格式）", "检查这一行")
    file = ContentFile(ISSUE, files[ISSUE].raw, None, [broken])
    notes = maker().notes([broken], {**files, ISSUE: file}, now, archive)
    assert set(notes.errors) == {d.url for d in archive.pages if d.path == ISSUE}


def test_an_error_page_never_covers_another_files_page(real):
    """A new file whose slug is an existing issue's: its error is said, not shown over it."""
    archive, _, files = real
    raw = b"---\nkind: bulletin\nslug: 2014-07-13\ndate: 2014-07-32\n---\n"
    problem = Problem("bulletins/copy.md", 4, "日期“2014-07-32”无效", "写成 YYYY-MM-DD")
    copy = ContentFile("bulletins/copy.md", raw, None, [problem])
    notes = maker().notes([problem], {**files, copy.path: copy}, archive, archive)
    assert "bulletins/2014-07-13/" not in notes.errors and set(notes.errors) == {"bulletins/copy/"}
    assert "bulletins/copy.md" in notes.broken


def test_an_items_page_shows_its_own_lines_and_the_issue_page_all(real):
    archive, _, files = real
    issue = next(i for i in archive.issues if i.path == ISSUE)
    first, second = issue.items[0], issue.items[1]
    problems = [
        Problem(ISSUE, 5, "甲问题", "甲", "warning"),  # the issue's own (front matter)
        Problem(ISSUE, first.line_of("counties"), "乙问题", "乙", "warning"),
        Problem(ISSUE, second.line_of("unit"), "丙问题", "丙", "warning"),
    ]
    notes = maker().notes(problems, files, archive, archive)
    panels = {url: notes.maker.panel(shown) for url, shown in notes.panels.items()}
    assert all(w in panels[issue.url] for w in ("甲问题", "乙问题", "丙问题"))
    assert "乙问题" in panels[first.url] and "丙问题" not in panels[first.url]
    assert "丙问题" in panels[second.url] and "甲问题" not in panels[second.url]
    assert notes.errors == {} and notes.broken == {}


def test_the_panel_opens_the_main_content_and_the_answer_reads_only_documents_pages(tmp_path):
    page = b'<html><head><title>t</title></head><body><main id="main" tabindex="-1"><h1>x</h1></main></body></html>'
    shown = with_panel(page, "<aside>P</aside>")
    assert shown.index(b"<aside>P</aside>") == shown.index(b"<h1>") - len(b"<aside>P</aside>")
    assert b'href="/_preview/preview.css"></head>' in shown
    site = tmp_path / "site"
    (site / "a").mkdir(parents=True)
    (site / "a" / "index.html").write_bytes(page)
    (tmp_path / "secret").write_text("x")
    made = maker()
    notes = Notes(
        errors={"b/": Shown("bulletins/b.md", (Problem("bulletins/b.md", 2, "甲", "乙"),))},
        panels={"a/": Shown("bulletins/a.md", (Problem("bulletins/a.md", 3, "丙", "丁"),))},
        maker=made,
    )
    shown = with_panel(page, made.panel(notes.panels["a/"]))
    assert notes.answer("a/", site)[1] == shown == notes.answer("a/index.html", site)[1]
    assert notes.answer("a", site)[1] == shown and b"<aside" in shown
    assert notes.answer("b/index.html", site) == (200, made.error_page(notes.errors["b/"]))
    for other in ("../secret", "a/../../secret", "c/", "theme/css/site.css", ""):
        assert notes.answer(other, site) is None


def test_the_real_content_needs_no_note(real):
    """After the committed content's warnings were settled: no panel, no error page."""
    archive, problems, files = real
    assert problems == []
    assert maker().notes(problems, files, archive, archive) == Notes()


# --- the terminal -------------------------------------------------------------------------------


def _record(name: str, level: int, message: str, *args, exc=None) -> logging.LogRecord:
    info = (type(exc), exc, None) if exc else None
    return logging.LogRecord(name, level, __file__, 1, message, args, info)


def test_the_servers_chatter_is_dropped_and_its_faults_are_one_chinese_line():
    dropped = [
        _record("livereload", logging.INFO, "Serving on http://127.0.0.1:8000"),
        _record("livereload", logging.INFO, "Browser Connected: %s", "http://x/"),
        _record("livereload", logging.INFO, "Running task: %s (delay: %s)", "rebuild", 0.5),
        _record("tornado.access", logging.INFO, "%d %s %.2fms", 200, "GET / (127.0.0.1)", 1.0),
        _record("tornado.access", logging.WARNING, "%d %s %.2fms", 404, "GET /x (127.0.0.1)", 1.0),
        _record("tornado.general", logging.WARNING, "Malformed HTTP message"),
        _record("bulletin.preview.preview", logging.INFO, "nothing"),
    ]
    assert [editor_lines(r) for r in dropped] == [[]] * len(dropped)
    said = [
        _record("tornado.access", logging.ERROR, "%d %s %.2fms", 500, "GET /x (127.0.0.1)", 1.0),
        _record("tornado.application", logging.ERROR, "Uncaught exception", exc=KeyError("k")),
        _record("livereload", logging.ERROR, "Error sending message"),
        _record("pelican.generators", logging.WARNING, "Unable to read `x`\nskipping"),
        _record(
            "bulletin.preview.preview",
            logging.ERROR,
            "预览的后台更新失败",
            exc=OSError("disk\nfull"),
        ),
    ]
    for record in said:
        lines = editor_lines(record)
        assert lines, record
        for line in lines:
            assert CJK_RE.search(line) and "\n" not in line and "Traceback" not in line, line
    assert len(editor_lines(said[3])) == 2  # one line per line of the message


def test_a_copy_of_the_content_with_a_draft_gets_its_panel_from_check(tmp_path):
    """Through `read_archive` as the preview calls it: a draft with an unknown county and
    an open question gets a panel listing both, with the question apart."""
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    text = (content / ISSUE).read_text(encoding="utf-8")
    draft = text.replace("kind: bulletin\n", "kind: bulletin\ndraft: true\n", 1)
    draft = draft.replace("slug: 2014-07-13", "slug: 2014-09-05").replace(
        "date: 2014-07-13", "date: 2014-09-05"
    )
    draft = draft.replace("counties: []", "counties: [平杨县]", 1)
    draft = draft.replace(
        "\n7月11日", "\n<!-- 待定：是否另起一段？｜原文 第9行：7月11日 -->\n7月11日", 1
    )
    (content / "bulletins" / "2014-09-05.md").write_text(draft, encoding="utf-8")
    cache = ArchiveMemory()
    archive, problems = read_archive(content, drafts=True, cache=cache)
    files = {f.path: f for f in cache.files.values()}
    notes = NoteMaker(ROOT / "theme", content).notes(problems, files, archive, None)
    panel = notes.maker.panel(notes.panels["bulletins/2014-09-05/"])
    assert (
        "导入时待定的问题（1）" in panel
        and "是否另起一段？" in panel
        and "原文 第9行：7月11日" in panel
    )
    assert "未知的区县“平杨县”" in panel and "平阳县" in panel
    assert notes.errors == {} and notes.broken == {}
    assert not any(u.startswith("bulletins/2014-07-13/") for u in notes.panels)
