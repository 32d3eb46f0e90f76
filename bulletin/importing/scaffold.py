"""`invoke new`: an empty bulletin issue for an editor to fill in, explained in Chinese."""

from __future__ import annotations

from bulletin.content.dates import PartialDate

PLACEHOLDER = "（待填写）"

TEMPLATE = """---
# 一期简报一个文件。“#”后面的是说明，可以保留也可以删除。
kind: bulletin
slug: {slug}  # 网址名，本期网址为 /bulletins/{slug}/；发布后不要再改
number: {number}  # 期号，如 第12期；原文未注明则写 null
date: {date}  # 印发日期 YYYY-MM-DD；原文未注明则写 null，另填 date_inferred 和 date_basis
source: null  # 原始文本文件，如 raw/{slug}.txt（放在 content/raw/ 下）；没有则写 null
headlines: []  # 原文开头的 ● 要目，逐条照录，如 [第一条标题, 第二条标题]；没有则留 []
editor_note: null  # 【编者按】的正文，照录；没有则写 null
distribution:  # 文末分送范围，照录原文；没有的一项删去
  报: {placeholder}
  送: {placeholder}
  发: {placeholder}
---

<!-- 每条信息以“## 标题”开头，标题下一行是 ```item 元数据块，再空一行写正文。 -->
<!-- 栏目（如 各地动态）单独一行，以“# 栏目名”开头，其后的条目都属于该栏目。 -->
<!-- 正文照录原文，每段之间空一行；写完后运行 invoke check 检查。 -->

## {placeholder}第一条的标题

```item
slug: diyitiao  # 本条网址名：小写拼音，用连字符分隔，如 pingyang-xiaoweiyuan
date: null  # 活动日期 YYYY-MM-DD（正文开头的“9月2日”）；原文没有则写 null
unit: null  # 报送单位，照原文带括号写，如 （联络指导处）；原文没有则写 null
counties: []  # 涉及的区县，如 [平阳县, 瑞安市]，名称见 content/taxonomy/counties.yaml
topics: []  # 主题，如 [温商回归]，见 content/taxonomy/topics.yaml
```

{placeholder}第一条的正文。
"""


def new_issue(date: PartialDate, number: str | None = None) -> str:
    """The text of an empty issue dated `date` (a full date: the print date)."""
    return TEMPLATE.format(
        slug=date.iso,
        number=number or "null",
        date=date.iso,
        placeholder=PLACEHOLDER,
    )
