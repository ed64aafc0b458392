"""Benchmark: the annual monitoring report as PDF, building separated from layout.

Builds the 2013 (final-year) regional report from the demo data set (6 countries
x 30 activities x 3 years, synthetic) and times its three phases separately:

- ``build``: the queries and figures (``matis.reports.builder.build_report``);
- ``html``: the template (``render_html``);
- ``layout``: WeasyPrint laying out that HTML and writing the PDF (``render_pdf``).

The baseline is the same content laid out without MATIS: the HTML the report
produced, saved, and handed to WeasyPrint directly with the same stylesheet
(``weasyprint.HTML(string=...).render(stylesheets=[css]).write_pdf()``, the
stylesheet parsed once outside the timings, as MATIS keeps it parsed), which is
what someone holding the content would otherwise run. The ratio
(build + html + layout) / baseline therefore says what MATIS adds on top of
laying the document out; the phase shares say where the time goes (layout
dominates: the ratio is expected near 1, and a large build share would show a
slow query path). Both are measured in this process, after one warm-up; the
figures are medians of the repeats.

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
from matis.reports.render import render_html, render_pdf, stylesheet_path  # noqa: E402


def phases(plan: Plan, language: str) -> tuple[dict[str, float], str, int]:
    times = {}
    started = time.perf_counter()
    with translation.override(language):
        content = build_report(plan=plan, year=2013)
        times["build"] = time.perf_counter() - started
        started = time.perf_counter()
        html = render_html(content, language=language, for_web=False)
        times["html"] = time.perf_counter() - started
    started = time.perf_counter()
    pdf = render_pdf(html)
    times["layout"] = time.perf_counter() - started
    return times, html, pdf.pages


def baseline(html: str, css) -> tuple[float, int]:
    """The same content laid out by WeasyPrint alone (stylesheet parsed once, as MATIS does)."""
    from weasyprint import HTML

    started = time.perf_counter()
    document = HTML(string=html).render(stylesheets=[css])
    document.write_pdf()
    return time.perf_counter() - started, len(document.pages)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--language", default="en", choices=["en", "th", "km", "lo", "my", "vi"])
    args = parser.parse_args()

    call_command("migrate", interactive=False, verbosity=0)
    load_registry()
    load_access_demo()
    print(f"demo data: {load_monitoring_demo()}")
    plan = Plan.objects.get(code="SPA3")

    from weasyprint import CSS

    css = CSS(filename=str(stylesheet_path()))  # parsed once, outside the timings
    _warm, html, pages = phases(plan, args.language)  # warm-up: fonts, templates
    baseline(html, css)

    runs, base_times = [], []
    for _ in range(args.repeats):
        times, html, got = phases(plan, args.language)
        assert got == pages
        runs.append(times)
        seconds, base_pages = baseline(html, css)
        assert base_pages == pages, "the baseline laid out a different document"
        base_times.append(seconds)
    median = {k: statistics.median(r[k] for r in runs) for k in ("build", "html", "layout")}
    total = sum(median.values())
    base = statistics.median(base_times)
    print(f"language: {args.language}; pages: {pages}; repeats: {args.repeats}; threads: 1")
    for name, seconds in median.items():
        print(f"  {name:>6}: {seconds:6.2f} s  ({seconds / total:5.1%} of the report)")
    print(f"MATIS report (build + html + layout):                 {total:.2f} s")
    print(f"baseline: the same HTML laid out by WeasyPrint alone: {base:.2f} s")
    print(f"ratio: {total / base:.2f} (target <= 2)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
