"""Numbers and charts as the reader sees them: no float noise, no raw decimals, no empty axes."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from matis.common.tables import format_cell


def test_a_float_share_shows_as_typed_not_with_binary_noise():
    assert format_cell(57.1, "number") == "57.1"
    assert format_cell(100 * 0.571, "number") == "57.1"  # 57.099999999999994 -> 4 places at most
    assert format_cell(Decimal("57.1000"), "number") == "57.1"


def test_amounts_are_grouped_without_trailing_zeros():
    html = Template("{{ a|mnumber }} / {{ b|mnumber }} / {{ c|mnumber }}").render(
        Context({"a": Decimal("11634984.00"), "b": Decimal("11634900.00"), "c": None})
    )
    assert html == "11,634,984 / 11,634,900 / —"


def test_a_chart_without_data_says_so():
    from matis.common.charts import bar_chart

    empty = bar_chart("t", [], encoding={"x": {"field": "a", "type": "quantitative"}})
    full = bar_chart("t", [{"a": 1}], encoding={"x": {"field": "a", "type": "quantitative"}})
    template = Template('{% include "includes/chart.html" with chart_id="c" spec=spec %}')
    with translation.override("en"):
        assert "No data to chart" in template.render(Context({"spec": empty}))
        assert "vega-spec" not in template.render(Context({"spec": empty}))
        rendered = template.render(Context({"spec": full}))
    assert "vega-spec" in rendered and "No data to chart" not in rendered


@pytest.mark.django_db
def test_justice_measures_without_compensation_draw_no_empty_chart(user_client):
    client = user_client(role="justice_officer", country="THA")
    response = client.get("/justice/measures/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-chart-empty="chart-compensation"' in page
    assert "0.000000" not in page
