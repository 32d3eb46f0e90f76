"""The importer on bulletins it has never seen: encodings, layouts and quirks of the family."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from bulletin.checks.checks import check_content
from bulletin.content.content_format import read_document
from bulletin.content.dates import PartialDate
from bulletin.content.model import Issue
from bulletin.importing.importer import ImportRefused, decode, import_file, summary

ROOT = Path(__file__).resolve().parent.parent
RAW = Path(__file__).resolve().parent / "fixtures" / "raw"


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """An empty content directory with the real taxonomies."""
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content" / "taxonomy", content / "taxonomy")
    return content


def imported(content: Path, name: str, **options) -> tuple[Issue, object]:
    outcome = import_file(RAW / name, content, **options)
    document, problems = read_document(outcome.path.read_text(encoding="utf-8"), "x.md")
    assert [p for p in problems if p.severity == "error"] == []
    return document, outcome


def test_encodings_are_recognised():
    assert decode("温州".encode("gb18030"))[1] == "GB18030"
    assert decode("温州".encode("gbk"))[1] == "GB18030"
    assert decode("温州".encode("utf-16"))[1] == "UTF-16"
    text = "温州市经合办\n2014年7月13日\n"
    assert decode(text.encode("utf-16-le")) == (text, "UTF-16-LE")
    assert decode(text.encode("utf-16-be")) == (text, "UTF-16-BE")
    assert decode(b"\xef\xbb\xbf" + "温州".encode())[0] == "温州"
    assert decode("温州".encode())[1] == "UTF-8"


def test_gbk_bulletin_with_masthead_sections_and_wrapped_distribution(content):
    issue, outcome = imported(content, "masthead_sections_gbk.txt")
    assert outcome.encoding == "GB18030"
    assert outcome.path == content / "bulletins" / "2014-09-05.md"
    assert issue.masthead == [
        "经济合作交流简报",
        "第12期",
        "温州市经济合作交流办公室编 2014年9月5日",
    ]
    assert (issue.number, issue.date.value, issue.date.inferred) == (
        "第12期",
        PartialDate(2014, 9, 5),
        False,
    )
    assert [(i.section, i.title, i.unit) for i in issue.items] == [
        ("工作动态", "苍南县组团赴上海开展招商推介活动", "（苍南县经合办、文成县协作办）"),
        ("工作动态", "市经合办召开山海协作工作推进会", "（区域发展处）"),
        ("县市动态", "乐清市举办温商回归项目签约会", "(乐清市招商局)"),
    ]
    assert issue.items[0].units == ["苍南县经合办", "文成县协作办"]
    assert [i.date.value.iso for i in issue.items] == ["2014-09-02", "2014-09-03", "2014-09-04"]
    assert issue.items[1].body.endswith("会议要求各地加快结对项目建设。")  # unit split off
    assert issue.distribution == [
        ("报", "省经合办，市委、市政府领导"),
        ("送", "市委办公室、市人大办公室、市政府办公室、市政协办公室"),
        ("发", "各县（市、区）经合办（招商局），市办各处"),
    ]
    assert [(d.number, d.text, d.why) for d in outcome.result.dropped] == [(16, "- 2 -", "页码")]
    assert issue.items[0].counties == ["苍南县", "文成县"]
    assert issue.items[2].counties == ["乐清市"] and "温商回归" in issue.items[2].topics
    # The raw source is kept, converted to UTF-8 so the archive can serve it.
    assert outcome.raw_path.read_text(encoding="utf-8").startswith("经济合作交流简报")


def test_utf16_bulletin_with_headlines_editor_note_and_half_width_punctuation(content):
    issue, outcome = imported(content, "headlines_note_utf16.txt")
    assert outcome.encoding == "UTF-16"
    assert issue.headlines == ["瑞安市签约三个温商回归项目", "泰顺县开展山海协作对接活动"]
    assert issue.editor_note == "为加快温商回归，现将各地做法编发如下。"
    assert [i.title for i in issue.items] == issue.headlines  # first title joined from 2 lines
    assert issue.items[0].body == "8月20日，瑞安市举行温商回归项目签约仪式，3个项目总投资15亿元."
    assert [d[0] for d in issue.distribution] == ["报", "送", "发"]
    assert issue.distribution[2] == ("发", "各县(市、区)经合办")
    assert issue.date.value == PartialDate(2014, 8, 25)
    assert (4, 5) in outcome.result.joins  # the title's two lines, listed in the report
    assert "4–5" in summary(outcome)


def test_hard_wrapped_pdf_export_is_joined_back_into_paragraphs(content):
    issue, outcome = imported(content, "hardwrapped_bom.txt", date=PartialDate(2014, 11, 10))
    assert outcome.encoding.startswith("UTF-8")
    assert [i.title for i in issue.items] == [
        "温州市组团参加第九届中国义乌国际森林产品博览会",
        "龙湾区赴江西开展招商考察活动",
    ]
    paragraphs = issue.items[0].body.split("\n\n")
    assert len(paragraphs) == 2
    assert paragraphs[0].startswith("11月1日至4日，温州市组团") and paragraphs[0].endswith(
        "三百余万元。"
    )
    assert issue.items[0].date.value == PartialDate(2014, 11, 1)
    assert issue.items[1].unit == "（龙湾区经合办）"
    assert [(d.number, d.text) for d in outcome.result.dropped] == [(11, "第 1 页")]
    # every join is reported: the title, two paragraphs, the last one over four lines
    assert outcome.result.joins == [(1, 2), (3, 6), (7, 9), (13, 16)]


def test_text_that_fits_nowhere_is_kept_and_reported(content):
    issue, outcome = imported(content, "unplaced_text.txt", date=PartialDate(2014, 6, 10))
    assert issue.fragments == ["本期信息由各县（市、区）报送，如有错漏请及时告知。"]
    [question] = outcome.result.questions  # where it belongs is for the editor to decide
    assert question.lines == ((4, "本期信息由各县（市、区）报送，如有错漏请及时告知。"),)
    assert question.where == ("issue", "fragments/0")
    assert "待定" in summary(outcome) and question.text in summary(outcome)


def shown_text(issue: Issue) -> str:
    """What the issue page shows, in page order, whitespace removed (Markdown unescaped)."""
    parts = [*issue.masthead, issue.date.display, *issue.headlines, issue.editor_note or ""]
    for item in issue.items:
        parts += [item.section or "", item.title, item.body, item.unit or ""]
    parts += [f"{label}：{text}" for label, text in issue.distribution]
    parts += issue.fragments
    return "".join("".join(parts).split()).replace("\\", "")


def test_every_line_of_the_source_survives_the_import(content):
    """Apart from whitespace and reported page debris, nothing is lost."""
    for name in sorted(p.name for p in RAW.glob("*.txt")):
        issue, outcome = imported(content, name, date=PartialDate(2014, 1, 1), force=True)
        text, _ = decode((RAW / name).read_bytes())
        shown = shown_text(issue)
        dropped = {d.text for d in outcome.result.dropped}
        for line in text.splitlines():
            core = "".join(line.split()).lstrip("●").replace("【编者按】", "").replace(":", "：")
            if core and line.strip() not in dropped:
                assert core in shown.replace(":", "："), (name, line)


def test_existing_files_are_not_overwritten_without_force(content):
    imported(content, "headlines_note_utf16.txt")
    with pytest.raises(ImportRefused, match="已存在"):
        import_file(RAW / "headlines_note_utf16.txt", content)
    outcome = import_file(RAW / "headlines_note_utf16.txt", content, force=True)
    assert outcome.path.exists()


def test_editor_supplied_number_and_month(content):
    issue, _ = imported(content, "unplaced_text.txt", date=PartialDate(2014, 6), number="第3期")
    assert issue.number == "第3期" and issue.title == "简报 第3期 2014年6月（推断）"
    assert issue.date.inferred and "编辑确认" in issue.date.basis
    assert issue.items[0].date.value == PartialDate(2014, 6, 3)


def test_open_questions_are_errors_until_an_editor_settles_them(content):
    """What the importer could not decide is written into the file; check reports each
    question (file, line, raw lines, what to decide) until it is edited or marked 已定."""
    outcome = import_file(RAW / "unplaced_text.txt", content, date=PartialDate(2014, 6, 10))
    path = outcome.path
    text = path.read_text(encoding="utf-8")
    questions = [p for p in check_content(content) if p.question]
    assert len(questions) == len(outcome.result.questions) == 1
    [problem] = questions
    assert problem.severity == "error" and problem.path == "bulletins/2014-06-10.md"
    assert "待定" in text.splitlines()[problem.line - 1]
    assert problem.question.raw == ("第4行：本期信息由各县（市、区）报送，如有错漏请及时告知。",)
    assert "属于哪一条" in problem.question.decide
    path.write_text(text.replace("待定", "已定"), encoding="utf-8")  # the editor confirms it
    assert [p for p in check_content(content) if p.question] == []
    path.write_text(text.replace("# 待定：", "# "), encoding="utf-8")  # or deletes the marker
    assert [p for p in check_content(content) if p.question] == []


def test_a_question_in_a_body_is_no_part_of_the_text(content):
    """A doubt about a paragraph is a comment line above it: reported, never published."""
    raw = content.parent / "wrapped.txt"
    # Wrapped at 12 characters; the first paragraph ends exactly at the width with 。, and
    # neither an indentation nor a blank line says whether the next line starts a paragraph.
    first = "本月初，甲县召开招商工作会议，部署全年任务，会议要求各地加快项目的建设。"
    second = "会议还听取了各乡镇的汇报，对下半年工作作了具体安排，进一步明确了责任分工。"
    assert len(first) % 12 == 0
    lines = ["甲县召开招商会议"]
    lines += [text[i : i + 12] for text in (first, second) for i in range(0, len(text), 12)]
    lines += ["（甲县招商局）"]
    raw.write_text("\n".join(lines) + "\n", encoding="utf-8")
    outcome = import_file(raw, content, date=PartialDate(2014, 6, 10))
    assert [q.where[0] for q in outcome.result.questions] == ["body"]
    issue, _ = read_document(outcome.path.read_text(encoding="utf-8"), "x.md")
    assert "待定" not in issue.items[0].body and "<!--" not in issue.items[0].body
    [problem] = [p for p in check_content(content) if p.question]
    assert "写满一行" in problem.question.decide


def _word(build) -> bytes:
    """A .docx written with python-docx by `build(document)`."""
    import io

    from docx import Document

    word = Document()
    build(word)
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()


def test_a_word_file_keeps_its_tables_text_boxes_and_names_its_page_header(content, tmp_path):
    def build(word):
        word.sections[0].header.paragraphs[0].text = "经济合作交流简报（内部资料）"
        word.add_paragraph("经济合作交流简报")
        word.add_paragraph("温州市经济合作交流办公室编 2014年9月5日")
        word.add_heading("三季度各县招商引资情况", level=2)
        word.add_paragraph("9月30日，市经合办汇总了三季度各县（市、区）招商引资到位资金，见下表。")
        table = word.add_table(rows=3, cols=2)
        for row, cells in zip(
            table.rows,
            [("县（市、区）", "到位资金"), ("瑞安市", "12.5亿元"), ("乐清市", "9.8亿元")],
            strict=True,
        ):
            for cell, text in zip(row.cells, cells, strict=True):
                cell.text = text
        word.add_paragraph("（区域发展处）")

    source = tmp_path / "jianbao.docx"
    source.write_bytes(_word(build))
    outcome = import_file(source, content)
    issue, _ = read_document(outcome.path.read_text(encoding="utf-8"), "x.md")
    [item] = issue.items
    assert item.title == "三季度各县招商引资情况" and item.unit == "（区域发展处）"
    assert item.body.split("\n\n")[1] == (
        "| 县（市、区） | 到位资金 |\n| --- | --- |\n| 瑞安市 | 12.5亿元 |\n| 乐清市 | 9.8亿元 |"
    )
    assert issue.masthead == ["经济合作交流简报", "温州市经济合作交流办公室编 2014年9月5日"]
    assert any("页眉“经济合作交流简报（内部资料）”" in note for note in outcome.result.attention)
    # The text that was read is kept, UTF-8, table rows with their cells apart.
    raw = outcome.raw_path.read_text(encoding="utf-8")
    assert outcome.raw_path.suffix == ".txt" and "瑞安市\t12.5亿元" in raw
    assert "Word" in summary(outcome)


TEXT_BOX = """<w:r xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"
  xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"
  xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"
  xmlns:v="urn:schemas-microsoft-com:vml"><mc:AlternateContent>
  <mc:Choice Requires="wps"><w:drawing><wps:txbx><w:txbxContent>{paragraphs}</w:txbxContent>
  </wps:txbx></w:drawing></mc:Choice>
  <mc:Fallback><w:pict><v:shape><v:textbox><w:txbxContent>{paragraphs}</w:txbxContent>
  </v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r>"""


def test_word_text_boxes_are_read_where_they_stand():
    """A masthead set in a text box (as offices often do) is text too, read once (Word keeps
    the box twice, for new and old readers)."""
    from docx.oxml import parse_xml

    from bulletin.importing.rawtext.word import read_docx

    def build(word):
        anchor = word.add_paragraph()
        lines = ("经济合作交流简报", "第12期")
        paragraphs = "".join(f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>" for text in lines)
        anchor._p.append(parse_xml(TEXT_BOX.format(paragraphs=paragraphs)))
        word.add_paragraph("苍南县组团赴上海开展招商推介活动")

    lines = [line for line in read_docx(_word(build)).text.splitlines() if line.strip()]
    assert lines == ["经济合作交流简报", "第12期", "苍南县组团赴上海开展招商推介活动"]


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, "另存为”Word 文档（.docx）"),
        ("broken.docx", b"PK\x03\x04" + b"\0" * 64, "无法读取这个 Word 文件"),
        ("scan.pdf", None, "没有文字层"),
        ("locked.pdf", b"%PDF-1.4\n%garbage", "无法打开这个 PDF"),
    ],
)
def test_files_that_cannot_be_read_are_refused_with_what_to_do(content, tmp_path, name, data, says):
    if data is None:  # a scan: a page with a picture and no text
        import io

        from reportlab.pdfgen.canvas import Canvas

        out = io.BytesIO()
        canvas = Canvas(out)
        canvas.rect(100, 100, 300, 500, fill=1)
        canvas.save()
        data = out.getvalue()
    source = tmp_path / name
    source.write_bytes(data)
    with pytest.raises(ImportRefused, match=says) as refused:
        import_file(source, content)
    assert str(source) in str(refused.value)
    assert not (content / "bulletins").exists() and not (content / "raw").exists()


def test_a_pdf_glyph_with_no_character_stops_the_import(content, tmp_path):
    """A glyph the PDF's font does not map to a character: never guessed, the lines named."""
    import io

    from reportlab.pdfgen.canvas import Canvas

    out = io.BytesIO()
    canvas = Canvas(out)
    canvas.setFont("Helvetica", 12)
    canvas.drawString(100, 700, "• Thomas lee Renger")  # WinAnsi's bullet: no Unicode back
    canvas.save()
    source = tmp_path / "bullet.pdf"
    source.write_bytes(out.getvalue())
    with pytest.raises(ImportRefused, match="第1页“"):
        import_file(source, content)


def test_tab_separated_rows_in_a_text_file_are_a_table(content):
    """Rows copied out of a Word table arrive tab-separated: kept as a Markdown table."""
    raw = content.parent / "table.txt"
    raw.write_text(
        "各县招商引资情况\n9月30日，市经合办汇总了到位资金，见下表。\n"
        "县（市、区）\t到位资金\n瑞安市\t12.5亿元\n（区域发展处）\n",
        encoding="utf-8",
    )
    outcome = import_file(raw, content, date=PartialDate(2014, 10, 8))
    issue, _ = read_document(outcome.path.read_text(encoding="utf-8"), "x.md")
    table = "| 县（市、区） | 到位资金 |\n| --- | --- |\n| 瑞安市 | 12.5亿元 |"
    assert issue.items[0].body.endswith(table) and issue.items[0].unit == "（区域发展处）"


ISSUE_27 = """●我市举行招商专员出征仪式
●瑞安市签约三个温商回归项目
●闽浙赣皖福州经济协作区第十七次市长
联席会议在我市召开
我市举行招商专员出征仪式
12月2日，市委市政府举行派驻异地温州商会招商专员出征仪式。
（联络指导处）
瑞安市签约三个温商回归项目
12月4日，瑞安市举行温商回归项目签约仪式，市长陈某出席签约仪式并
讲话。3个项目总投资15亿元。
（瑞安市经合办）
闽浙赣皖福州经济协作区第十七次市长
联席会议在我市召开
12月5日，闽浙赣皖福州经济协作区第十七次市长联席会议在我市召开。
（区域发展处）
报：省经合办
送：市委办公室
发：各县（市、区）经合办
2014年12月8日印发
"""


def test_the_bulletin_of_issue_27_imports_right(content):
    """GB18030; the third headline wrapped in the list and above its item; a sentence broken
    mid-line; the print date, with 印发, on its own line after the 发 line."""
    raw = content.parent / "issue27.txt"
    raw.write_bytes(ISSUE_27.encode("gb18030"))
    outcome = import_file(raw, content)
    issue, _ = read_document(outcome.path.read_text(encoding="utf-8"), "x.md")
    titles = ["我市举行招商专员出征仪式", "瑞安市签约三个温商回归项目"]
    titles.append("闽浙赣皖福州经济协作区第十七次市长联席会议在我市召开")
    assert issue.headlines == [item.title for item in issue.items] == titles
    assert issue.items[2].slug == "minzhe-ganwan-fuzhou-jingji-xiezuoqu-dishiqici"
    assert (
        issue.items[1].body
        == "12月4日，瑞安市举行温商回归项目签约仪式，市长陈某出席签约仪式并讲话。3个项目总投资15亿元。"
    )
    assert issue.distribution[-1] == ("发", "各县（市、区）经合办")
    assert issue.date.value == PartialDate(2014, 12, 8) and issue.fragments == []
    assert outcome.result.questions == [] and (9, 10) in outcome.result.joins
    assert [p for p in check_content(content) if p.severity == "error"] == []


def test_a_headline_with_no_title_stops_the_import_naming_both_lines(content):
    raw = content.parent / "mismatch.txt"
    raw.write_text(
        ISSUE_27.replace(
            "瑞安市签约三个温商回归项目\n12月4日", "瑞安市签约3个温商回归项目\n12月4日"
        ),
        encoding="utf-8",
    )
    with pytest.raises(ImportRefused) as refused:
        import_file(raw, content)
    message = str(refused.value)
    assert "本期要目第2条 第2行“●瑞安市签约三个温商回归项目”" in message
    assert "第8行“瑞安市签约3个温商回归项目”" in message
    assert not (content / "bulletins").exists()


def test_a_title_the_text_does_not_settle_is_asked_and_gets_no_url(content):
    """No contents list, and after an item without a unit a short line that may be a title
    or the first line of a paragraph: the importer asks, and writes no slug from it."""
    raw = content.parent / "unsure.txt"
    raw.write_text(
        "甲县召开招商工作会议\n6月3日，甲县召开招商工作会议，部署全年任务。\n"
        "乙县经验交流\n会议还请乙县介绍了经验，与会人员进行了讨论。\n（甲县招商局）\n",
        encoding="utf-8",
    )
    outcome = import_file(raw, content, date=PartialDate(2014, 6, 10))
    # An item without a slug makes the file unusable until settled (no page can be made of
    # it), so the file is read as text here.
    written = outcome.path.read_text(encoding="utf-8")
    assert re.findall(r"^## (.+)$", written, re.M) == ["甲县召开招商工作会议", "乙县经验交流"]
    second = written.split("## 乙县经验交流", 1)[1]
    assert re.search(r"^slug: null\b", second, re.M)  # never a slug from an unsure title
    [question] = outcome.result.questions
    assert question.where == ("item", 2, "slug") and question.lines[0] == (3, "乙县经验交流")
    found = [p for p in check_content(content) if p.severity == "error"]
    assert any(p.question and "乙县经验交流" in p.message for p in found)
    assert any("网址名" in p.message for p in found)


def test_a_numbered_contents_list_and_the_distribution_on_the_first_page(content):
    """A layout found while trying the importer as a new editor: the name and the issue
    number on one line, 报/送/发 under the masthead, a contents list numbered under 本期目录.
    (Before, the 发 line swallowed the rest of the issue without a question.)"""
    raw = content.parent / "numbered.txt"
    raw.write_text(
        "经济合作交流简报（2015年第3期）\n温州市经济合作交流办公室                    2015年3月16日\n"
        "报：省经合办\n送：市委办公室、市政府办公室\n发：各县（市、区）经合办\n"
        "本期目录\n1．洞头区召开海岛旅游招商推介会\n2．文成县与鹿城区签订山海协作协议\n"
        "洞头区召开海岛旅游招商推介会\n"
        "　　3月10日，洞头区在杭州召开海岛旅游招商推介会，推出重点项目12个，总投资8.6亿元。\n"
        "（洞头区经合办）\n文成县与鹿城区签订山海协作协议\n"
        "　　3月12日，文成县与鹿城区签订新一轮山海协作协议，鹿城区每年安排结对资金150万元。\n"
        "（文成县协作办）\n",
        encoding="utf-8",
    )
    outcome = import_file(raw, content)
    issue, _ = read_document(outcome.path.read_text(encoding="utf-8"), "x.md")
    assert issue.number == "2015年第3期" and issue.date.value == PartialDate(2015, 3, 16)
    assert (
        issue.headlines
        == [item.title for item in issue.items]
        == [
            "洞头区召开海岛旅游招商推介会",
            "文成县与鹿城区签订山海协作协议",
        ]
    )
    assert issue.distribution == [
        ("报", "省经合办"),
        ("送", "市委办公室、市政府办公室"),
        ("发", "各县（市、区）经合办"),
    ]
    assert [item.unit for item in issue.items] == ["（洞头区经合办）", "（文成县协作办）"]
    assert outcome.result.questions == [] and issue.fragments == []


def _zip_bomb() -> bytes:
    """A real Word file with one more part of 200 MB of zeros: about 200 KB on disk."""
    import io
    import zipfile

    out = io.BytesIO(_word(lambda word: word.add_paragraph("苍南县组团赴上海开展招商推介活动")))
    with (
        zipfile.ZipFile(out, "a", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open("word/media/image1.bin", "w", force_zip64=True) as part,
    ):
        for _ in range(200):
            part.write(b"\0" * (1024 * 1024))
    return out.getvalue()


def _long_pdf(pages: int) -> bytes:
    import io

    from reportlab.pdfgen.canvas import Canvas

    out = io.BytesIO()
    canvas = Canvas(out)
    for _ in range(pages):
        canvas.drawString(100, 700, "page")
        canvas.showPage()
    canvas.save()
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "make", "says"),
    [
        ("bomb.docx", _zip_bomb, "解压后有 200 MB"),
        ("long.pdf", lambda: _long_pdf(301), "有 301 页"),
        ("huge.txt", lambda: "温州".encode() * 400_000, "文件太大（超过 2 MB）"),
        ("huge.pdf", lambda: b"%PDF-1.4\n" + b"0" * (21 * 1024 * 1024), "文件太大（超过 20 MB）"),
    ],
)
def test_received_files_too_big_to_be_a_document_are_refused_before_they_are_read(
    content, tmp_path, name, make, says
):
    """A received file is read whole by python-docx or pdfplumber: one that unpacks to
    hundreds of megabytes, has hundreds of pages or is far bigger than any document is
    refused with what to do, nothing written, in well under the time reading would take."""
    import time
    import tracemalloc

    source = tmp_path / name
    source.write_bytes(make())
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(ImportRefused, match=says):
            import_file(source, content)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - started < 10
    assert peak < 60 * 1024 * 1024  # the file itself, not what it unpacks to
    assert not (content / "bulletins").exists() and not (content / "raw").exists()


def test_a_received_fifo_is_refused_without_waiting(content, tmp_path):
    import os

    fifo = tmp_path / "received.txt"
    os.mkfifo(fifo)
    with pytest.raises(ImportRefused, match="不是普通文件"):
        import_file(fifo, content)
