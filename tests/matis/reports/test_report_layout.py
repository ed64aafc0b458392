"""The PDF layout of the status matrices: activity titles stay readable in Thai."""

from __future__ import annotations

import pytest
from django.utils import translation

from matis.plans.models import Plan
from matis.reports.builder import build_report
from matis.reports.render import _stylesheet, render_html

pytestmark = pytest.mark.django_db


def _walk(box):
    yield box
    for child in getattr(box, "children", ()):
        yield from _walk(child)


def matrix_cells(document, table_name: str):
    """(page size, column index, number of lines, text) of each body cell of the table."""
    from weasyprint.formatting_structure import boxes

    for page in document.pages:
        for box in _walk(page._page_box):
            element = getattr(box, "element", None)
            if not (isinstance(box, boxes.TableBox) and element is not None):
                continue
            if element.get("data-table") != table_name:
                continue
            for cell in _walk(box):
                if not isinstance(cell, boxes.TableCellBox) or cell.element.tag != "td":
                    continue
                lines = [b for b in _walk(cell) if isinstance(b, boxes.LineBox)]
                text = "".join(b.text for b in _walk(cell) if isinstance(b, boxes.TextBox))
                yield page.width > page.height, cell.grid_x, len(lines), text


@pytest.mark.parametrize("language", ["th", "my"])
def test_priority_activity_titles_take_at_most_three_lines(scenario, language):
    from weasyprint import HTML

    with translation.override(language):
        html = render_html(
            build_report(plan=Plan.objects.get(code="SPA3"), year=2013),
            language=language,
            for_web=False,
        )
    document = HTML(string=html).render(stylesheets=[_stylesheet()])
    cells = list(matrix_cells(document, "priority"))
    titles = [(landscape, n, text) for landscape, index, n, text in cells if index == 1]
    assert len(titles) == 9
    assert max(n for _l, n, _t in titles) <= 3, titles
    assert all(landscape for landscape, _n, _t in titles)
    statuses = [n for _landscape, index, n, _t in cells if index >= 2]
    assert statuses and max(statuses) <= 3
