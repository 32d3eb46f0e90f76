"""Small SVG charts drawn at build time: documents per county or topic, and per year.

Pure functions, no Pelican: they take labelled counts and return a `Chart` whose `svg` is
inline SVG markup, ready to be placed in a page. No JavaScript and no chart library.

- Deterministic: the same counts give byte-identical markup (fixed number formatting, no
  random ids), so two builds of the site are identical.
- Accessible: the SVG is one image (`role="img"`) named by its `<title>` and described by
  its `<desc>`; the template puts the same numbers beside it as a table, for screen readers
  and for anyone who prefers to read figures.
- Worth drawing: a chart with fewer than two bars that have a value (every document of a
  county from the same year) says nothing a sentence cannot, in a screen's height; pages say
  it in words instead (`Chart.drawn`, `Chart.counted`).
- Scalable: sized by its viewBox only, so it shrinks to a phone's width; the viewBox is
  about a phone's width so that its text stays readable there. Colours and fonts come from
  the site's stylesheet through class names (no inline styles: the pages run under a
  Content-Security-Policy that allows only our own stylesheets).
"""

from __future__ import annotations

import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from bulletin.content.trusted import trusted_html

WIDTH = 320  # viewBox units; about the CSS width of a phone's text column
FONT_SIZE = 14
ROW_HEIGHT = 30  # one bar of a bar chart, with its gap
BAR_THICKNESS = 18
COLUMN_CHART_HEIGHT = 180
MIN_BARS = 2  # bars with a value a chart needs to be worth drawing


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    url: str | None = None  # where the reader can see what is counted (for the table)


@dataclass(frozen=True)
class Chart:
    """An SVG chart and the numbers it draws (for the table beside it)."""

    chart_id: str
    title: str
    bars: tuple[Bar, ...]
    svg: Markup

    @property
    def total(self) -> int:
        return sum(bar.value for bar in self.bars)

    @property
    def counted(self) -> tuple[Bar, ...]:
        """The bars that have a value (the others are only labels along an axis)."""
        return tuple(bar for bar in self.bars if bar.value)

    @property
    def drawn(self) -> bool:
        """Whether the chart is worth drawing: two bars or more have a value."""
        return len(self.counted) >= MIN_BARS


def _num(value: float) -> str:
    """A coordinate with at most one decimal, always written the same way."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def text_width(text: str, font_size: float = FONT_SIZE) -> float:
    """Estimated width of `text`: CJK and other wide characters 1em, the rest 0.6em."""
    wide = sum(1 for ch in text if unicodedata.east_asian_width(ch) in "WF")
    return (wide + 0.6 * (len(text) - wide)) * font_size


def _svg(chart_id: str, title: str, description: str, width: float, height: float, kind: str):
    svg = ET.Element(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "class": f"chart-svg chart-{kind}",
            "viewBox": f"0 0 {_num(width)} {_num(height)}",
            "role": "img",
            "aria-labelledby": f"{chart_id}-title",
            "aria-describedby": f"{chart_id}-desc",
            "font-size": str(FONT_SIZE),
        },
    )
    ET.SubElement(svg, "title", {"id": f"{chart_id}-title"}).text = title
    ET.SubElement(svg, "desc", {"id": f"{chart_id}-desc"}).text = description
    return svg


def _text(parent: ET.Element, x: float, y: float, text: str, cls: str, anchor: str) -> None:
    attributes = {"x": _num(x), "y": _num(y), "class": cls}
    if anchor != "start":
        attributes["text-anchor"] = anchor
    ET.SubElement(parent, "text", attributes).text = text


def _markup(svg: ET.Element) -> Markup:
    """The chart as markup for a page: ElementTree escapes every label and attribute."""
    return trusted_html(ET.tostring(svg, encoding="unicode", short_empty_elements=True))


def describe(bars: Sequence[Bar], unit: str) -> str:
    """The chart's numbers in one sentence: 鹿城区 3 篇，瓯海区 2 篇…"""
    if not bars:
        return "暂无数据。"
    return "，".join(f"{bar.label} {bar.value} {unit}" for bar in bars) + "。"


def bar_chart(
    bars: Sequence[Bar], *, chart_id: str, title: str, unit: str, width: float = WIDTH
) -> Chart:
    """Horizontal bars, one row per label, in the order given, each with its number."""
    bars = tuple(bars)
    label_width = max((text_width(bar.label) for bar in bars), default=0) + 8
    largest = max((bar.value for bar in bars), default=0)
    value_width = text_width(str(largest)) + 6
    # Long labels widen the picture rather than squeezing the bars to nothing.
    width = max(width, label_width + value_width + 120)
    plot = width - label_width - value_width
    height = max(len(bars), 1) * ROW_HEIGHT + 4
    svg = _svg(chart_id, title, describe(bars, unit), width, height, "bars")
    x, y = _num(label_width), _num(height)
    ET.SubElement(svg, "line", {"class": "chart-axis", "x1": x, "y1": "0", "x2": x, "y2": y})
    for index, bar in enumerate(bars):
        top = index * ROW_HEIGHT + 2
        middle = top + ROW_HEIGHT / 2
        baseline = middle + FONT_SIZE * 0.35
        _text(svg, label_width - 6, baseline, bar.label, "chart-label", "end")
        length = plot * bar.value / largest if largest else 0
        if length:
            _bar(svg, label_width, middle - BAR_THICKNESS / 2, length, BAR_THICKNESS)
        _text(svg, label_width + length + 4, baseline, str(bar.value), "chart-value", "start")
    return Chart(chart_id, title, bars, _markup(svg))


def _bar(svg: ET.Element, x: float, y: float, width: float, height: float) -> None:
    attributes = {"x": _num(x), "y": _num(y), "width": _num(width), "height": _num(height)}
    ET.SubElement(svg, "rect", {"class": "chart-bar", **attributes})


def column_chart(
    bars: Sequence[Bar],
    *,
    chart_id: str,
    title: str,
    unit: str,
    width: float = WIDTH,
    height: float = COLUMN_CHART_HEIGHT,
) -> Chart:
    """Vertical columns in the order given (years, oldest first), numbers above them."""
    bars = tuple(bars)
    count = max(len(bars), 1)
    largest = max((bar.value for bar in bars), default=0)
    top, bottom, side = FONT_SIZE + 10, FONT_SIZE + 12, 8
    plot = height - top - bottom
    slot = (width - 2 * side) / count
    thickness = min(slot * 0.6, 48)
    # Label every n-th column when the labels would otherwise run into each other.
    widest = max((text_width(bar.label) for bar in bars), default=0) + 6
    every = max(1, -(-int(widest) // max(int(slot), 1)))
    svg = _svg(chart_id, title, describe(bars, unit), width, height, "columns")
    axis = height - bottom
    x1, x2, y = _num(side), _num(width - side), _num(axis)
    ET.SubElement(svg, "line", {"class": "chart-axis", "x1": x1, "y1": y, "x2": x2, "y2": y})
    # Numbers above the columns while they fit; the table beside the chart always has them.
    numbers = slot >= text_width(str(largest)) + 2
    for index, bar in enumerate(bars):
        centre = side + slot * (index + 0.5)
        length = plot * bar.value / largest if largest else 0
        if length:
            _bar(svg, centre - thickness / 2, axis - length, thickness, length)
        if numbers:
            _text(svg, centre, axis - length - 5, str(bar.value), "chart-value", "middle")
        if (count - 1 - index) % every == 0:  # evenly spaced, always the latest
            _text(svg, centre, height - 6, bar.label, "chart-label", "middle")
    return Chart(chart_id, title, bars, _markup(svg))
