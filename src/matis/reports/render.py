"""Rendering the annual report: HTML from the template, PDF with WeasyPrint."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from django.template.loader import render_to_string
from django.utils import translation

from matis.reports.builder import AnnualReportContent


def stylesheet_path() -> Path:
    return Path(str(resources.files("matis.reports") / "static" / "reports" / "annual.css"))


# Thai and Lao vowels and marks, each on its own (see the template for why).
TEXT_LAYER_PRIMER = " ".join(
    [chr(c) for c in (0x0E32, 0x0E4D, 0x0E31, *range(0x0E34, 0x0E3B), *range(0x0E47, 0x0E4F))]
    + [chr(c) for c in (0x0EB2, 0x0ECD, 0x0EB1, *range(0x0EB4, 0x0EBD), *range(0x0EC8, 0x0ECE))]
)


def render_html(report: AnnualReportContent, *, language: str, for_web: bool) -> str:
    """The report as a standalone HTML document; ``for_web`` links the stylesheet."""
    with translation.override(language):
        return render_to_string(
            "reports/annual_report.html",
            {
                "report": report,
                "language": language,
                "for_web": for_web,
                "text_layer_primer": TEXT_LAYER_PRIMER,
            },
        )


@dataclass
class PdfResult:
    data: bytes
    pages: int


@lru_cache(maxsize=1)
def _stylesheet():
    from weasyprint import CSS

    return CSS(filename=str(stylesheet_path()))


def render_pdf(html: str) -> PdfResult:
    """Lay out ``html`` (rendered with ``for_web=False``) and write the PDF."""
    from weasyprint import HTML

    document = HTML(string=html).render(stylesheets=[_stylesheet()])
    return PdfResult(data=document.write_pdf(), pages=len(document.pages))
