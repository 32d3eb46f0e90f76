"""Print a committed document again, laid out as editors receive it: the layout generator.

`printed(document)` lists what a document prints, in order, as (role, text) pairs; `Variant`
chooses, from a seed, how one copy of it is laid out: wrapped at some width or not, first
lines indented with full-width spaces or not, blank lines between paragraphs or not,
headlines and titles broken over lines, the 编者按 before or after the contents list, the
unit on a line of its own or after the last sentence, the print date before or after the
distribution block and with or without 印发, page breaks with page numbers and running
headers, CRLF, and one of the encodings editors' files come in. `text_bytes` writes that
copy as a text file; `docx_bytes` as a Word file (python-docx); `pdf_html` as the HTML that
Chromium prints to PDF.

A copy must stay readable by a careful person: the generator never breaks a line at a space
between Chinese words (the space would be lost in any text export) and breaks Latin words
only at spaces, as a typesetter does.
"""

from __future__ import annotations

import html
import io
import random
import re
import unicodedata
from dataclasses import dataclass

from bulletin.content.model import Document, Issue, Policy, Speech

CLOSING = set("，。、；：？！”’）》」』】…")
OPENING = set("“‘（《「『【")
ENCODINGS = ("utf-8", "utf-8-sig", "gb18030", "utf-16", "utf-16-le")
PAGE_NUMBERS = ("— {n} —", "- {n} -", "第 {n} 页", "第{n}页 共{m}页", "{n}", "{n}/{m}")
BULLETS = ("●", "● ", "•", "◆")
LATIN_ONLY = "·"  # a character the PDF's Chinese font (Adobe-GB1) lacks


def plain(markdown: str) -> list[str]:
    """A Markdown body's paragraphs as printed: escapes undone, headings as their text."""
    paragraphs = []
    for block in markdown.split("\n\n"):
        block = block.strip()
        if not block or block.startswith("<!--"):
            continue
        block = re.sub(r"^#{2,3} ", "", block)
        block = re.sub(r"\\(.)", r"\1", block).replace("&lt;", "<").replace("&amp;", "&")
        paragraphs.append(" ".join(block.split("\n")))
    return paragraphs


def printed(document: Document) -> list[tuple[str, str]]:
    """What a document prints, in print order: (role, text)."""
    if isinstance(document, Issue):
        return _printed_issue(document)
    if isinstance(document, Policy):
        out = [("doc-number", document.doc_number)] if document.doc_number else []
        if document.issuers:
            out.append(("issuers", "  ".join(document.issuers)))
        out += [("doc-title", document.title), ("recipients", f"{document.recipients}：")]
        return out + [("heading" if _heading(p) else "para", p) for p in plain(document.body)]
    if isinstance(document, Speech):
        out = [("attachment", document.attachment)] if document.attachment else []
        out += [("doc-title", part) for part in document.title.split(" ")]
        out += [("subtitle", document.subtitle), ("speech-date", f"（{document.date.value.zh}）")]
        return out + [("heading" if _heading(p) else "para", p) for p in plain(document.body)]
    raise TypeError(type(document).__name__)


def _heading(text: str) -> bool:
    return bool(
        re.match(r"^([一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）])", text)
    ) and (len(text) <= 31)


def _printed_issue(issue: Issue) -> list[tuple[str, str]]:
    out = [("masthead", line) for line in issue.masthead]
    out += [("headline", h) for h in issue.headlines]
    if issue.editor_note:
        out.append(("note-mark", "【编者按】"))
        out += [("note", p) for p in plain(issue.editor_note)]
    section = None
    for item in issue.items:
        if item.section and item.section != section:
            out.append(("section", item.section))
        section = item.section
        out.append(("title", item.title))
        out += [("para", p) for p in plain(item.body)]
        if item.unit:
            out.append(("unit", item.unit))
    out += [("label", f"{label}：{text}") for label, text in issue.distribution]
    if (
        issue.date.value
        and not issue.date.inferred
        and not any(issue.date.value.zh in line for line in issue.masthead)
    ):
        out.append(("print-date", issue.date.value.zh))
    out += [("fragment", f) for f in issue.fragments]
    return out


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _tokens(text: str) -> list[str]:
    """Unbreakable pieces: a Chinese character, a Latin word or number, a space between Latin
    words (a break there drops it), and a space beside Chinese kept with its neighbours."""
    pieces = re.findall(r"[A-Za-z0-9.%+\-/@&']+| +|.", text)
    tokens: list[str] = []
    glued = False
    for i, piece in enumerate(pieces):
        if piece.startswith(" "):
            before = pieces[i - 1] if i else ""
            after = pieces[i + 1] if i + 1 < len(pieces) else ""
            latin = before[-1:].isalnum() and after[:1].isalnum()
            if latin and before[-1].isascii() and after[0].isascii():
                tokens.append(" ")
                continue
            if tokens:
                tokens[-1] += piece
                glued = True
            continue
        if glued:
            tokens[-1] += piece
            glued = False
            continue
        tokens.append(piece)
    return tokens


def wrap(text: str, columns: int) -> list[str]:
    """Lines of at most `columns` display columns, broken as a typesetter breaks Chinese."""
    lines: list[str] = []
    line: list[str] = []
    for token in _tokens(text):
        if token == " ":
            if line:
                line.append(" ")
            continue
        if line and width("".join(line) + token) > columns:
            carry: list[str] = []
            if token[0] in CLOSING and len(line) > 1:  # no line starts with ，。
                carry.append(line.pop())
            while line and line[-1] == " ":
                line.pop()
            while len(line) > 1 and line[-1][-1:] in OPENING:  # no line ends with “（
                carry.insert(0, line.pop())
            lines.append("".join(line))
            line = carry
        line.append(token)
    if line:
        lines.append("".join(line).rstrip())
    return lines


def split_title(text: str, rng: random.Random, columns: int | None) -> list[str]:
    """A title broken by phrase onto two lines (never at a space); every line narrower than
    the body's width, as a typesetter sets a title of its own."""
    spaces = {i for i, ch in enumerate(text) if ch == " "}
    cuts = [
        i
        for i in range(3, len(text) - 2)
        if not ({i - 1, i} & spaces)
        and text[i] not in CLOSING
        and text[i - 1] not in OPENING
        and not (text[i - 1].isascii() and text[i].isascii())  # not inside 2014 or Renger
    ]
    limit = (columns - 4) if columns else 10**6
    good = [i for i in cuts if width(text[:i]) < limit and width(text[i:]) < limit]
    if not good:
        return wrap(text, max(limit - 2, 8)) if columns and width(text) >= limit else [text]
    cut = rng.choice(good)
    return [text[:cut], text[cut:]]


@dataclass
class Variant:
    """One random layout of a document, fixed by its seed."""

    seed: int

    def __post_init__(self) -> None:
        rng = random.Random(self.seed)
        self.rng = rng
        self.columns = None if rng.random() < 0.35 else rng.choice(range(36, 92, 2))
        self.indent = rng.choice(["", "　　", "    ", "　　"])
        self.blank = rng.random() < 0.45
        self.pages = rng.random() < 0.6
        if self.columns and not self.indent and (self.pages or not self.blank):
            # A wrapped text marks its paragraphs (by indentation where pages break: a blank
            # line there says nothing); one that does not leaves a person guessing too.
            self.indent = "　　"
        self.title_split = rng.random() < 0.5
        self.headline_wrap = rng.random() < 0.5
        self.bullet = rng.choice(BULLETS)
        self.note_first = rng.random() < 0.3
        self.note_inline = rng.random() < 0.4
        self.unit_inline = rng.random() < 0.3
        self.unit_pad = rng.choice([0, 4, 20, 32])
        self.date_before = rng.random() < 0.4
        self.block_first = rng.random() < 0.25
        self.date_suffix = rng.choice(["", "", "印发"])
        self.section_brackets = rng.random() < 0.3
        self.page_lines = rng.randint(18, 45)
        self.page_style = rng.choice(PAGE_NUMBERS)
        self.header = rng.choice([None, "经济合作交流简报", "内部资料 注意保存"])
        self.footer = rng.choice([None, None, "温州市经济合作交流办公室"])
        self.imprint_split = rng.choice([0, 1, 2])
        self.crlf = rng.random() < 0.3
        self.encoding = rng.choice(ENCODINGS)

    def __str__(self) -> str:
        return f"seed={self.seed}"

    # --- text ---------------------------------------------------------------------------------

    def lines(self, document: Document) -> list[str]:
        """The document laid out as lines of text, page furniture included."""
        rng = self.rng
        parts = self.ordered(printed(document))
        out: list[str] = []

        def block(lines: list[str], blank: bool | None = None) -> None:
            if (self.blank if blank is None else blank) and out and out[-1] != "":
                out.append("")
            out.extend(lines)

        roles = [role for role, _ in parts]
        for index, (role, text) in enumerate(parts):
            following = roles[index + 1] if index + 1 < len(roles) else None
            if role == "masthead":
                block(self.masthead_lines(text), blank=False)
            elif role == "headline":
                block(self.headline_lines(text), blank=rng.random() < 0.2)
            elif role == "note-mark":
                if self.note_inline and following == "note":
                    parts[index + 1] = ("note", text + parts[index + 1][1])
                    continue
                block([text])
            elif role == "doc-title":  # a line of a speech's title is a phrase of its own
                pad = " " * rng.choice([0, 0, 8, 16])
                too_wide = self.columns and width(pad + text) > self.columns
                block([pad + line for line in (wrap(text, self.columns) if too_wide else [text])])
            elif role == "title":
                pad = " " * rng.choice([0, 0, 8, 16])
                lines = split_title(text, rng, self.columns) if self.title_split else [text]
                if self.columns and width(text) >= self.columns - 4:
                    lines = split_title(text, rng, self.columns)
                if len(lines) > 1 and rng.random() < 0.3 and not self.columns:
                    lines = [lines[0], "", *lines[1:]]
                block([pad + line if line else "" for line in lines])
            elif role in ("para", "note"):
                if role == "para" and following == "unit" and self.unit_inline:
                    unit = parts[index + 1][1]
                    if text[-1:] in "。！？”）" and not text.endswith("”）"):
                        parts[index + 1] = ("unit-done", unit)
                        text = text + unit
                lines = wrap(text, self.columns) if self.columns else [text]
                lines[0] = self.indent + lines[0]
                block(lines)
            elif role == "unit":
                block([" " * self.unit_pad + text], blank=self.blank and rng.random() < 0.5)
            elif role == "unit-done":
                continue
            elif role == "label":
                lines = wrap(text, self.columns) if self.columns else [text]
                block(lines, blank=bool(out) and out[-1] != "" and roles[index - 1] != "label")
            elif role == "print-date":
                block([text + self.date_suffix], blank=True)
            elif role == "heading":
                block([self.indent + text])
            elif role == "section":
                block([f"【{text}】" if self.section_brackets else text], blank=True)
            else:
                block([text])
        return self.paged(out)

    def ordered(self, parts: list[tuple[str, str]]) -> list[tuple[str, str]]:
        """Move the 编者按 before the list, the print date before the block, as chosen."""
        parts = list(parts)
        if self.note_first and any(r == "headline" for r, _ in parts):
            note = [p for p in parts if p[0] in ("note-mark", "note")]
            if note:
                rest = [p for p in parts if p[0] not in ("note-mark", "note")]
                first = next(i for i, p in enumerate(rest) if p[0] == "headline")
                parts = rest[:first] + note + rest[first:]
        if self.block_first and any(r == "masthead" for r, _ in parts):  # 报/送/发 on page one
            block = [p for p in parts if p[0] == "label"]
            rest = [p for p in parts if p[0] != "label"]
            after = max(i for i, p in enumerate(rest) if p[0] == "masthead") + 1
            parts = rest[:after] + block + rest[after:]
        dates = [p for p in parts if p[0] == "print-date"]
        labels = [i for i, p in enumerate(parts) if p[0] == "label"]
        if dates and labels and self.date_before:
            parts = [p for p in parts if p[0] != "print-date"]
            parts.insert(labels[0], dates[0])
        return parts

    def masthead_lines(self, text: str) -> list[str]:
        found = re.match(r"^(?P<office>.+?)(?P<by>编)\s*(?P<date>\d{4}年\d{1,2}月\d{1,2}日)$", text)
        if not found or not self.imprint_split:
            return [" " * self.rng.choice([0, 12]) + text]
        if self.imprint_split == 1:
            return [found["office"] + found["by"], found["date"]]
        return [found["office"], found["by"], found["date"]]

    def headline_lines(self, text: str) -> list[str]:
        if self.headline_wrap and len(text) > 8 and self.rng.random() < 0.6:
            lines = split_title(text, self.rng, None)
            if len(lines) == 2:
                return [self.bullet + lines[0], self.rng.choice(["", "  "]) + lines[1]]
        return [self.bullet + text]

    def paged(self, lines: list[str]) -> list[str]:
        """Page breaks every so many lines: footer and page number at each page's foot, a
        running header at each page's head (not above the first page's masthead when it is
        the bulletin's name). A single page gets its number only: one header would be
        indistinguishable from a first line."""
        if not self.pages:
            return lines
        pages = [lines[i : i + self.page_lines] for i in range(0, len(lines), self.page_lines)]
        several = len(pages) > 1
        out: list[str] = []
        for n, page in enumerate(pages, start=1):
            if several and self.header and (n > 1 or "简报" not in self.header):
                out += [self.header, ""]
            out += page
            out += ["", *([self.footer] if self.footer and several else []), ""]
            out += [self.page_style.format(n=n, m=len(pages)), ""]
        return out

    def text_bytes(self, document: Document) -> bytes:
        newline = "\r\n" if self.crlf else "\n"
        text = newline.join(self.lines(document)) + newline
        return text.encode(self.encoding)

    # --- Word ---------------------------------------------------------------------------------

    def docx_bytes(self, document: Document) -> bytes:
        """The document as a Word file: a paragraph per printed block, titles bold (or a
        heading style), centred masthead, a manual line break now and then."""
        from docx import Document as Word
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Pt

        rng = self.rng
        word = Word()
        styled = rng.random() < 0.5
        for role, text in self.ordered(printed(document)):
            if role == "title" and styled:
                word.add_heading(text, level=2)
                continue
            paragraph = word.add_paragraph()
            if role in ("masthead", "title", "doc-title"):
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            if role in ("para", "note") and self.indent:
                paragraph.paragraph_format.first_line_indent = Pt(24)
            if role == "para" and len(text) > 30 and rng.random() < 0.15:
                cut = rng.randrange(10, len(text) - 10)
                while (
                    text[cut - 1] == " "
                    or text[cut] == " "
                    or text[cut] in CLOSING
                    or (text[cut - 1].isascii() and text[cut].isascii())
                ):
                    cut += 1
                first = paragraph.add_run(text[:cut])
                first.add_break()
                paragraph.add_run(text[cut:])
                continue
            shown = text
            if role == "headline":
                shown = self.bullet + text
            elif role == "print-date":
                shown = text + self.date_suffix
            run = paragraph.add_run(shown)
            if role in ("title", "masthead", "doc-title"):
                run.bold = True
        if self.header:
            word.sections[0].header.paragraphs[0].text = self.header
        out = io.BytesIO()
        word.save(out)
        return out.getvalue()

    # --- PDF ----------------------------------------------------------------------------------

    def pdf_bytes(self, document: Document) -> bytes:
        """The document printed to PDF by reportlab, in a Chinese font: wrapped by the page
        width, first lines indented, titles centred and larger, the items in two columns at
        times, a running header and the page number in the margins."""
        from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
        from reportlab.lib.pagesizes import A4, A5
        from reportlab.lib.styles import ParagraphStyle
        from reportlab.lib.units import mm
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.cidfonts import UnicodeCIDFont
        from reportlab.platypus import BaseDocTemplate, Frame, NextPageTemplate, PageTemplate
        from reportlab.platypus import Paragraph as Block

        rng = self.rng
        font = "STSong-Light"
        pdfmetrics.registerFont(UnicodeCIDFont(font))
        size = rng.choice([10.5, 12, 14])
        pagesize = rng.choice([A4, A5])
        align = rng.choice([TA_JUSTIFY, TA_LEFT])

        def style(name: str, **options) -> ParagraphStyle:
            base = {"fontName": font, "fontSize": size, "leading": size * 1.6, "wordWrap": "CJK"}
            return ParagraphStyle(name, **(base | options))

        styles = {
            "para": style("para", firstLineIndent=size * 2, alignment=align),
            "title": style("title", fontSize=size * 1.3, leading=size * 2, alignment=TA_CENTER),
            "masthead": style("masthead", fontSize=size * 1.3, alignment=TA_CENTER),
            "unit": style("unit", alignment=TA_RIGHT),
            "print-date": style("print-date", alignment=TA_RIGHT),
            "other": style("other", alignment=TA_LEFT),
        }
        styles["note"] = styles["heading"] = styles["para"]
        styles["doc-title"] = styles["title"]
        width, height = pagesize
        margin = 20 * mm

        def furniture(canvas, doc) -> None:
            canvas.saveState()
            canvas.setFont(font, 9)
            if self.header:
                canvas.drawCentredString(width / 2, height - margin / 2, self.header)
            canvas.drawCentredString(width / 2, margin / 2, f"— {doc.page} —")
            canvas.restoreState()

        text_width, text_height = width - 2 * margin, height - 2 * margin
        one = Frame(margin, margin, text_width, text_height, id="one")
        gap = 8 * mm
        half = (text_width - gap) / 2
        two = [
            Frame(margin, margin, half, text_height, id="left"),
            Frame(margin + half + gap, margin, half, text_height, id="right"),
        ]
        out = io.BytesIO()
        pdf = BaseDocTemplate(out, pagesize=pagesize, leftMargin=margin, rightMargin=margin)
        pdf.addPageTemplates(
            [
                PageTemplate("one", [one], onPage=furniture),
                PageTemplate("two", two, onPage=furniture),
            ]
        )
        columns = rng.random() < 0.3
        story: list = [NextPageTemplate("two")] if columns else []
        for role, text in self.ordered(printed(document)):
            bullet = self.bullet.replace("•", "●")  # no Latin font's • maps back to text
            shown = bullet + text if role == "headline" else text
            if role == "print-date":
                shown = text + self.date_suffix
            markup = html.escape(shown, quote=False)
            for char in LATIN_ONLY:  # not in the Chinese font: set in Helvetica, as Word would
                markup = markup.replace(char, f'<font name="Helvetica">{char}</font>')
            story.append(Block(markup, styles.get(role, styles["other"])))
        pdf.build(story)
        return out.getvalue()
