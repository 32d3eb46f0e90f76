"""Text is text: one place marks HTML safe, autoescaping cannot be switched off, tables of
contents read as their headings, the importer's Markdown shows a raw text as written, the
content writer quotes what YAML needs, and the CSV opens safely. (The injection corpus, built
and opened in Chromium: test_injection.py.)"""

from __future__ import annotations

import ast
import random
import re
import shutil
from pathlib import Path

import lxml.html
import pytest
from markupsafe import Markup
from test_import_seeds import SEEDS

from bulletin.build.sitebuild import BuildFailed, render_site
from bulletin.content.content_format import format_document, read_document
from bulletin.content.render import render_markdown
from bulletin.importing.importer import import_file
from bulletin.importing.rawtext import DEBRIS_RE, HEADLINE_RE
from bulletin.importing.rawtext.lines import md_paragraph
from bulletin.relations.opendata import FORMULA_STARTS, csv_cell, from_csv_cell
from bulletin.site.links import site_links
from injection import corpus_documents
from sitecheck import CONTENT, ROOT, main_text, squash

# The modules allowed to call `trusted_html`: each marks HTML it made itself.
PRODUCERS = {
    "bulletin/content/render.py",
    "bulletin/content/list_meta.py",
    "bulletin/site/links.py",
    "bulletin/site/charts.py",
}
TEMPLATE_MARKS_SAFE = re.compile(r"\|\s*safe\b|autoescape\s+(false|False|0)|\{%-?\s*autoescape")
# Script that would parse record text as HTML in the browser.
JS_HTML_SINKS = re.compile(r"\.innerHTML|\.outerHTML|insertAdjacentHTML|document\.write|\.srcdoc")


def _text(html: str) -> str:
    """What a reader sees of a piece of HTML."""
    return lxml.html.fragment_fromstring(str(html), create_parent="div").text_content()


# --- one place marks HTML safe; autoescaping stays on ------------------------------------------


def test_only_bulletin_trusted_marks_html_safe_and_only_our_producers_call_it():
    problems = []
    code = [*ROOT.glob("bulletin/**/*.py"), *ROOT.glob("search/**/*.py"), ROOT / "tasks.py"]
    code += [ROOT / "pelicanconf.py", ROOT / "publishconf.py"]
    for path in code:
        name = path.relative_to(ROOT).as_posix()
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            called = None
            if isinstance(node, ast.Call):
                called = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if called == "Markup" and name != "bulletin/content/trusted.py":
                problems.append(f"{name}:{node.lineno}: Markup(…)")
            if called == "trusted_html" and name not in PRODUCERS:
                problems.append(f"{name}:{node.lineno}: trusted_html(…) outside the producers")
            if isinstance(node, ast.FunctionDef) and node.name == "__html__":
                problems.append(f"{name}:{node.lineno}: __html__ marks its objects safe")
    for template in (ROOT / "theme" / "templates").rglob("*.html"):
        for number, line in enumerate(template.read_text("utf-8").splitlines(), start=1):
            if TEMPLATE_MARKS_SAFE.search(line):
                problems.append(f"{template.relative_to(ROOT)}:{number}: {line.strip()}")
    for script in (ROOT / "theme" / "static" / "js").glob("*.js"):
        for number, line in enumerate(script.read_text("utf-8").splitlines(), start=1):
            if JS_HTML_SINKS.search(line):
                problems.append(f"{script.relative_to(ROOT)}:{number}: {line.strip()}")
    assert problems == []
    # …and every producer does call it (a producer returning str would be escaped: caught by
    # the tests of the real site, which compare pages' text).
    for producer in PRODUCERS:
        assert "trusted_html(" in (ROOT / producer).read_text("utf-8"), producer


def test_a_build_that_switches_autoescaping_off_is_refused(tmp_path: Path):
    with pytest.raises(BuildFailed) as caught:
        render_site(
            str(ROOT / "pelicanconf.py"),
            tmp_path / "output",
            {"JINJA_ENVIRONMENT": {"autoescape": False}, "SEARCH_INDEXES": False},
        )
    assert "autoescape 不能关闭" in "\n".join(caught.value.messages)
    assert not (tmp_path / "output" / "index.html").exists()


def test_site_links_never_lets_text_through_as_markup():
    rendered = render_markdown("[链接]({site}/policies/x/)").html
    assert site_links(rendered, "..") == Markup(
        '<p><a href="../policies/x/" rel="noopener noreferrer">链接</a></p>'
    )
    assert site_links('<a href="{site}/x">', "..") == "&lt;a href=&#34;{site}/x&#34;&gt;"


# --- tables of contents -------------------------------------------------------------------------

HEADINGS = [
    "## 一、总体 <b>目标</b> &amp; 要求",
    "## 二、<script>alert(1)</script>举措 <!-- 注 -->",
    "## <b>三、</b>加粗的编号",
    "### （一）小节&lt;一&gt; \\*星\\* `码`",
    "1．<i>条款</i> &copy; \\[注\\]。后文",
    "2．第二条 <img src=x onerror=alert(1)> a&#60;b",
]


def test_toc_labels_are_the_words_of_their_headings_never_placeholders():
    rendered = render_markdown("\n\n".join(HEADINGS), structure=True)
    page = lxml.html.fragment_fromstring(str(rendered.html), create_parent="div")
    assert [e.anchor for e in rendered.toc] == [
        "section-1", "section-2", "section-3", "section-3-1", "clause-1", "clause-2",
    ]  # fmt: skip
    for entry in rendered.toc:
        shown = page.get_element_by_id(entry.anchor).text_content().strip()
        expected = shown if entry.level == 1 else re.split("[。；]", shown)[0]
        assert entry.label == expected
        assert not re.search("[\x02\x03]|wzxhzdk", entry.label)
    assert [e.label for e in rendered.toc][3:5] == ["（一）小节<一> *星* 码", "1．条款 © [注]"]


@pytest.mark.parametrize(
    "path", ["policies/wenweifa-2014-27.md", "speeches/2014-05-29-chen-yixin.md"]
)
def test_the_real_documents_toc_labels_read_as_their_headings(path: str):
    document, _ = read_document((CONTENT / path).read_text("utf-8"), path)
    rendered = render_markdown(document.body, structure=True)
    page = lxml.html.fragment_fromstring(str(rendered.html), create_parent="div")
    assert rendered.toc
    for entry in rendered.toc:
        shown = page.get_element_by_id(entry.anchor).text_content().strip()
        assert entry.label == shown or shown.startswith(entry.label.removesuffix("…"))


# --- the importer's Markdown --------------------------------------------------------------------

TOKENS = [*"<>&;#*_`[]()!\\-+=.|~:{}\"' 19aZ中文", "&lt;", "&amp;", "&#60;", "&#x3c;", "&#1",
          "&copy;", "&nbsp", "<b>", "</b>", "<!--", "-->", "1. ", "2) ", "- ", "+ ", "# ", "> ",
          "---", "***", "___", "http://x.y/", "<http://x>", "[a](b)", "![i](s)", "`c`",
          "[1]: /u", "<a href=x>", "**b**", "<br>", "<![CDATA[", "]]>", "（一）", "一、", "1．"]  # fmt: skip


def _plain_texts(count: int, seed: int) -> list[str]:
    """Plain text full of what Markdown and HTML give meaning to (seeded: the same every run)."""
    rng = random.Random(seed)
    texts = []
    while len(texts) < count:
        text = " ".join("".join(rng.choice(TOKENS) for _ in range(rng.randint(1, 8))).split())
        if text:
            texts.append(text)
    return texts


def test_md_paragraph_makes_markdown_show_plain_text_as_written():
    wrong = []
    for text in _plain_texts(3000, seed=25):
        shown = _text(render_markdown(md_paragraph(text)).html)
        if shown != text:
            wrong.append((text, md_paragraph(text), shown))
        heading = "一、" + text
        rendered = render_markdown("## " + md_paragraph(heading), structure=True)
        if (_text(rendered.html), rendered.toc[0].label) != (heading, heading):
            wrong.append((heading, rendered.html, rendered.toc))
    assert wrong == []


MARKUP_IN_RAW = ["<省级>", "a<b", "R&D", "&lt;", "&#60;", "&amp;", "<b>粗</b>", "*星*", "_下_",
                 "[方](括)", "`码`", "\\反", "<!--注-->", "]]>", "{{ 1 }}", "{% if x %}", "|表|",
                 "<i", "&", "\\*", "<a href=x>链</a>", "&#x3C;b&#x3E;"]  # fmt: skip


def test_an_imported_raw_text_reaches_the_reader_as_written(tmp_path: Path):
    """Every seed, with characters Markdown and HTML give meaning to put into its lines,
    imported and built: each line is on its page as the raw text has it."""
    content = tmp_path / "content"
    (content / "taxonomy").mkdir(parents=True)
    for name in ("counties.yaml", "topics.yaml"):
        shutil.copy(CONTENT / "taxonomy" / name, content / "taxonomy" / name)
    expected: dict[Path, list[str]] = {}
    count = 0
    for seed, (_, options) in sorted(SEEDS.items()):
        lines = []
        raw_lines = (CONTENT / "raw" / seed).read_text("utf-8").splitlines()
        # A headline and its item's title must stay alike: the importer reads one against the
        # other. Neither gets markup put in (a wrapped title's parts are in its headline).
        headlines = [m["text"] for m in map(HEADLINE_RE.match, map(squash, raw_lines)) if m]
        for line in raw_lines:
            if (
                len(line.strip()) >= 15
                and not HEADLINE_RE.match(squash(line))
                and not any(squash(line) in headline for headline in headlines)
            ):
                line = line[:6] + MARKUP_IN_RAW[count % len(MARKUP_IN_RAW)] + line[6:]
                count += 1
            lines.append(line)
        raw = tmp_path / seed
        raw.write_text("\n".join(lines) + "\n", "utf-8")
        imported = import_file(raw, content, **options).path
        # The importer's questions are settled as an editor would where its reading is right.
        text = imported.read_text("utf-8")
        imported.write_text(
            text.replace("# 待定：", "# 已定：").replace("<!-- 待定：", "<!-- 已定：")
        )
        expected[imported] = lines
    site = tmp_path / "site"
    render_site(str(ROOT / "pelicanconf.py"), site, {"PATH": str(content), "SEARCH_INDEXES": False})
    missing = []
    for path, lines in expected.items():
        text = squash(main_text(site / path.relative_to(content).with_suffix("") / "index.html"))
        for line in map(squash, lines):
            shown = not line or DEBRIS_RE.match(line) or HEADLINE_RE.match(line) or line in text
            if not shown:
                missing.append(line[:60])
    assert count > 100 and missing == []


def test_the_content_writer_reads_back_every_hostile_value_as_written():
    for document in corpus_documents():
        written = format_document(document)
        read, problems = read_document(written, "x.md")
        assert [p for p in problems if p.severity == "error"] == [], document.slug
        title = () if document.kind == "bulletin" else ("title",)  # an issue's is made
        for key in (*title, "doc_number", "issuers", "recipients", "replaced_by", "subtitle",
                    "speaker", "occasion", "attachment", "number", "masthead", "headlines",
                    "distribution", "fragments", "counties", "topics"):  # fmt: skip
            assert getattr(read, key, None) == getattr(document, key, None), key
        assert read.date == document.date
        for got, item in zip(
            getattr(read, "items", []), getattr(document, "items", []), strict=True
        ):
            assert (got.title, got.unit, got.section) == (item.title, item.unit, item.section)


# --- the CSV --------------------------------------------------------------------------------------


def test_csv_cells_never_begin_like_a_formula_and_read_back_exactly():
    texts = [*(start + "1+1" for start in FORMULA_STARTS), "'=1", "''", "'", "普通", "", "a=1"]
    texts += _plain_texts(500, seed=7)
    for text in texts:
        cell = csv_cell(text)
        assert not cell.startswith(FORMULA_STARTS), cell
        assert from_csv_cell(cell) == text
        assert cell == text or cell == "'" + text
    assert (
        csv_cell('=HYPERLINK("https://evil.example/")') == '\'=HYPERLINK("https://evil.example/")'
    )
