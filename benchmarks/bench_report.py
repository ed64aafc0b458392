"""Benchmark: the full annual monitoring report as PDF, against a static document.

Builds the 2013 (final-year) regional report from the demo data set (6 countries
x 30 activities x 3 years, synthetic) - the queries, the figures, the HTML and
the WeasyPrint layout - and times it against WeasyPrint rendering a static HTML
document (headings, paragraphs and tables in the same language, same stylesheet)
with the same number of pages. Both are measured in this process, after one
warm-up render; the figure is the median of the repeats.

    .venv/bin/python benchmarks/bench_report.py [--repeats 3] [--language en|th]

Target: ratio <= 2.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time

HOME = tempfile.mkdtemp(prefix="matis-bench-report-")
os.environ.setdefault("MATIS_ENV", "test")
os.environ["MATIS_HOME"] = HOME
os.environ["MATIS_DATABASE_URL"] = f"sqlite:///{HOME}/bench.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "matis.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.utils import translation  # noqa: E402

from matis.access.demo import load_demo as load_access_demo  # noqa: E402
from matis.monitoring.demo import load_demo as load_monitoring_demo  # noqa: E402
from matis.plans.loader import load_registry  # noqa: E402
from matis.plans.models import Plan  # noqa: E402
from matis.reports.builder import build_report  # noqa: E402
from matis.reports.render import render_html, render_pdf  # noqa: E402

FILLER = {
    "en": (
        "The governments carried out the activities of the plan with the support of their "
        "partners, reported their progress every year and reviewed it together. "
    ),
    "th": ("รัฐบาลได้ดำเนินกิจกรรมตามแผนโดยได้รับการสนับสนุนจากหุ้นส่วน รายงานความก้าวหน้าทุกปี และทบทวนร่วมกัน "),
}


def full_report(plan: Plan, language: str) -> tuple[float, int]:
    started = time.perf_counter()
    with translation.override(language):
        content = build_report(plan=plan, year=2013)
        html = render_html(content, language=language, for_web=False)
    pdf = render_pdf(html)
    return time.perf_counter() - started, pdf.pages


def static_document(blocks: int, language: str) -> str:
    text = FILLER[language] * 4
    parts = []
    for n in range(blocks):
        rows = "".join(
            f"<tr><td>{n}.{r}</td><td>{FILLER[language][:60]}</td>"
            f"<td class='num'>{r * 1234:,}</td><td class='num'>{r * 7} %</td></tr>"
            for r in range(8)
        )
        parts.append(
            f"<h2>{n + 1}. {FILLER[language][:40]}</h2><p>{text}</p><p>{text}</p>"
            f"<table class='data'><thead><tr><th>#</th><th>Text</th><th>A</th>"
            f"<th>B</th></tr></thead><tbody>{rows}</tbody></table>"
        )
    return (
        f"<!DOCTYPE html><html lang='{language}'><body class='lang-{language}'>"
        f"{''.join(parts)}</body></html>"
    )


def static_with_pages(pages: int, language: str) -> str:
    """A static document with exactly ``pages`` pages (searching the number of blocks)."""
    low, high = 1, 4 * pages
    while low < high:
        middle = (low + high) // 2
        if render_pdf(static_document(middle, language)).pages < pages:
            low = middle + 1
        else:
            high = middle
    html = static_document(low, language)
    assert render_pdf(html).pages == pages, "no block count gives exactly that many pages"
    return html


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--language", default="en", choices=sorted(FILLER))
    args = parser.parse_args()

    call_command("migrate", interactive=False, verbosity=0)
    load_registry()
    load_access_demo()
    print(f"demo data: {load_monitoring_demo()}")
    plan = Plan.objects.get(code="SPA3")

    _warm, pages = full_report(plan, args.language)  # warm-up: fonts, templates
    static_html = static_with_pages(pages, args.language)

    report_times, static_times = [], []
    for _ in range(args.repeats):
        seconds, got = full_report(plan, args.language)
        assert got == pages
        report_times.append(seconds)
        started = time.perf_counter()
        render_pdf(static_html)
        static_times.append(time.perf_counter() - started)
    report = statistics.median(report_times)
    static = statistics.median(static_times)
    print(f"language: {args.language}; pages: {pages}; repeats: {args.repeats}")
    print(f"full annual report (queries + figures + HTML + PDF): {report:.2f} s")
    print(f"static document, same page count, same engine:       {static:.2f} s")
    print(f"ratio: {report / static:.2f} (target <= 2)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
