"""The KPI report's charts: SVG drawn on the server with pygal, byte for byte the same for
the same data.

pygal names each chart `chart-<random uuid>` and scopes its stylesheet to that id, and it
writes the date of rendering into a comment and its configuration into a `<script>`. Here
every chart gets a fixed id from its key, and a filter removes comments, scripts and the
tooltips' `<desc>` data before the SVG is written, so the same figures give the same bytes
(tested) and the SVG holds no script at all (`js=[]` only stops the external scripts).

How the page shows them, under the strict Content-Security-Policy
(`compliance.security`: `style-src 'self'`, `img-src 'self' data:`): each chart is an
`<img>` whose `src` is the SVG as a `data:` URL. An SVG loaded as an image is rendered on its
own, without scripts and without fetching anything, and its stylesheet (pygal's `<style>`,
scoped to the chart's id) applies inside the image only; inlining the SVG into the page
would put that stylesheet under the page's policy, which refuses it. The same bytes go into
the PDF (WeasyPrint renders `data:` images; nothing is fetched). Beside each image the page
shows a table with the same numbers, and the image's `alt` text says which table that is.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Sequence

import pygal
from pygal.style import Style

STYLE = Style(
    font_family='"DejaVu Sans", "Liberation Sans", Arial, sans-serif',
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1b1f24",
    foreground_strong="#1b1f24",
    foreground_subtle="#4f5964",
    opacity=".9",
    opacity_hover=".9",
    transition="0ms",
    colors=("#a4161a", "#d9480f", "#e6a700", "#1d4f91", "#8a949e", "#1e6b34", "#6f42c1"),
    title_font_size=18,
    legend_font_size=14,
    label_font_size=13,
    major_label_font_size=13,
    value_font_size=13,
    no_data_font_size=24,
)
# Colours by meaning, so that "in time" is always green and "late" always red.
GOOD, BAD, WARN, NEUTRAL, GREY = "#1e6b34", "#a4161a", "#e6a700", "#1d4f91", "#8a949e"


def _strip(root):
    """Remove what varies between renderings or could run: comments (pygal writes the date
    into one), scripts, and the tooltips' data (`desc`), which only pygal's script reads."""
    for parent in list(root.iter()):
        for child in list(parent):
            tag = child.tag if isinstance(child.tag, str) else ""
            if not tag or tag.rsplit("}", 1)[-1] in ("script", "desc"):
                parent.remove(child)
    return root


def _chart(kind, key: str, *, title: str, colors: Sequence[str] | None = None, **config):
    style = STYLE
    if colors:
        style = Style(**{**STYLE.to_dict(), "colors": tuple(colors)})
    chart = kind(
        js=[],
        css=["file://style.css", "file://graph.css"],
        disable_xml_declaration=True,
        style=style,
        width=800,
        height=400,
        explicit_size=True,  # width and height on the root: the image's intrinsic size
        title=title,
        legend_at_bottom=True,
        legend_at_bottom_columns=config.pop("legend_columns", 3),
        truncate_legend=-1,
        truncate_label=-1,
        **config,
    )
    chart.uuid = f"kpi-{key}"  # the id of the root and the scope of its stylesheet
    chart.add_xml_filter(_strip)
    return chart


def _whole_numbers(chart, largest: float) -> None:
    """Counts have whole-number axes: about five steps from 0 to at least the largest.
    A chart without series keeps pygal's "no data" text (it has no axes to label)."""
    if not chart.raw_series:
        return
    top = max(1, math.ceil(largest))
    step = max(1, math.ceil(top / 5))
    chart.y_labels = list(range(0, top + step, step))


def _render(chart) -> bytes:
    svg = chart.render(is_unicode=True)
    return svg.encode("utf-8")


def stacked_bars(
    key: str,
    *,
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[int]]],
    colors: Sequence[str] | None = None,
    horizontal: bool = False,
    no_data_text: str = "—",
) -> bytes:
    """A stacked bar chart: one bar per label, one colour per series."""
    kind = pygal.HorizontalStackedBar if horizontal else pygal.StackedBar
    chart = _chart(
        kind,
        key,
        title=title,
        colors=colors,
        x_label_rotation=0 if horizontal else (30 if len(labels) > 8 else 0),
        legend_columns=5,
        no_data_text=no_data_text,
        print_values=False,
    )
    if horizontal:  # pygal draws the first label at the bottom; read from the top instead
        labels = list(reversed(labels))
        series = [(name, list(reversed(values))) for name, values in series]
    chart.x_labels = list(labels)
    for name, values in series:
        chart.add(name, list(values))
    totals = [sum(column) for column in zip(*(values for _name, values in series), strict=True)]
    _whole_numbers(chart, max(totals, default=0))
    return _render(chart)


def bars(
    key: str,
    *,
    title: str,
    items: Sequence[tuple[str, float | int | None, str]],
    horizontal: bool = False,
    whole: bool = True,
    no_data_text: str = "—",
) -> bytes:
    """One bar per item (label, value, colour), each its own series so it keeps its colour
    and its name in the legend."""
    kind = pygal.HorizontalBar if horizontal else pygal.Bar
    chart = _chart(
        kind,
        key,
        title=title,
        colors=[color for _label, _value, color in items] or None,
        no_data_text=no_data_text,
        print_values=True,
        print_values_position="top",
    )
    for label, value, _color in items:
        chart.add(label, [value])
    if whole:
        _whole_numbers(chart, max((value or 0 for _label, value, _color in items), default=0))
    return _render(chart)


def data_url(svg: bytes) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")
