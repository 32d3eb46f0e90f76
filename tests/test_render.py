from bulletin.content.render import cn_number, render_markdown


def test_chinese_numbers():
    assert [cn_number(t) for t in ["一", "九", "十", "十二", "二十", "二十三"]] == [
        1,
        9,
        10,
        12,
        20,
        23,
    ]


def test_policy_structure_gets_stable_anchors_and_a_toc():
    text = "\n\n".join(
        [
            "前言。",
            "## 一、总体",
            "正文。",
            "## 二、举措",
            "### （一）规范商会。",
            "1．创建商会。内容。",
            "2．组建总会。内容。",
        ]
    )
    rendered = render_markdown(text, structure=True)
    assert 'id="section-1"' in rendered.html and 'id="section-2-1"' in rendered.html
    assert '<p class="clause" id="clause-2">' in rendered.html
    assert [(e.level, e.anchor, e.label) for e in rendered.toc] == [
        (1, "section-1", "一、总体"),
        (1, "section-2", "二、举措"),
        (2, "section-2-1", "（一）规范商会"),
        (3, "clause-1", "1．创建商会"),
        (3, "clause-2", "2．组建总会"),
    ]
    assert rendered.clause_count == 2


def test_html_in_markdown_is_sanitised():
    html = render_markdown(
        '正文<script>alert(1)</script><img src=x onerror="alert(1)"> [链接](javascript:alert(1))'
    ).html
    assert "<script" not in html and "onerror" not in html and "javascript:" not in html
