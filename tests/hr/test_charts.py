"""Every chart on the HR pages (issue 24, decision 0044): its figures are in a table beside
it, and no series is told apart by colour alone. Read from the pages as HR gets them: the
compliance dashboard's charts over time and the forecast's bars."""

from __future__ import annotations

import re

import pytest

from tests.hr.test_forecast import FORECAST, forecast_client, forecast_world  # noqa: F401

pytestmark = pytest.mark.django_db

CHART = re.compile(r'<svg[^>]*class="[a-z]+-chart"[^>]*>.*?</svg>', re.S)
FIGURE = re.compile(r'<figure class="hr-chart">.*?</figure>', re.S)
MARK = re.compile(r"<(\w+)([^>]*\bdata-series=\"(\w+)\"[^>]*)>(?:([^<]*)</\1>)?")
COLOUR = re.compile(r'\s(?:fill|stroke)="#[0-9a-f]{6}"')


def shape(tag: str, attributes: str) -> str:
    """What tells a mark apart once its colours are taken away."""
    return tag + COLOUR.sub(
        "", re.sub(r'\s(?:x|y|x1|x2|y1|y2|cx|cy|d|width|data-series)="[^"]*"', "", attributes)
    )


def check_charts(html: str) -> int:
    charts = CHART.findall(html)
    figures = FIGURE.findall(html)
    in_figures = [chart for figure in figures for chart in CHART.findall(figure)]
    assert len(in_figures) == len(charts), "a chart outside a <figure> with its table"
    for figure in figures:
        (chart,) = CHART.findall(figure)
        assert 'role="img"' in chart and "<title>" in chart
        table = figure.split("</svg>", 1)[1]
        assert "<table" in table, "a chart without its figures as a table"
        series: dict[str, set[str]] = {}
        labelled: set[str] = set()
        for tag, attributes, name, text in MARK.findall(chart):
            if tag == "text":
                labelled.add(name)
                # Every share written on the chart is in its table.
                for share in re.findall(r"(\d+) %", text):
                    assert f"{share} %" in table, (share, table)
            else:
                series.setdefault(name, set()).add(shape(tag, attributes))
        assert len(series) >= 2
        # Each series is labelled in words, and has a shape no other series has.
        assert set(series) <= labelled, (series, labelled)
        for name, shapes in series.items():
            for other, other_shapes in series.items():
                if other != name:
                    assert not shapes & other_shapes, (name, other, shapes)
    return len(figures)


def test_the_compliance_dashboards_charts_have_tables_and_shapes_not_only_colours(
    client, hr_a, world, frozen
):
    client.force_login(hr_a)
    html = client.get("/admin/hr/compliance/", {"unit": world.units.f1.pk}).content.decode()
    assert check_charts(html) == 2


def test_the_forecasts_charts_have_tables_and_shapes_not_only_colours(forecast_client):  # noqa: F811
    html = forecast_client.get(FORECAST).content.decode()
    assert check_charts(html) == 1
    assert "randig stapel" in html  # the caption says which shape is which


def test_a_chart_that_told_its_series_apart_by_colour_only_is_caught():
    alike = (
        '<figure class="hr-chart"><svg role="img" class="x-chart"><title>t</title>'
        '<rect data-series="now" x="1" fill="#0b5394"/><text data-series="now">50 %</text>'
        '<rect data-series="projected" x="1" fill="#a40e26"/>'
        '<text data-series="projected">60 %</text></svg>'
        "<table><td>50 %</td><td>60 %</td></table></figure>"
    )
    with pytest.raises(AssertionError):
        check_charts(alike)
    with pytest.raises(AssertionError):
        check_charts(alike.replace("<table><td>50 %</td><td>60 %</td></table>", ""))
