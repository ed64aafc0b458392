"""The publisher's pages: the release calendar, releasing through the browser, and reports."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from matis.access.models import AuditLog
from matis.publication.models import Release

PAGE = "/publishing/releases/"


@pytest.fixture
def public_settings(settings, tmp_path):
    settings.MATIS_PUBLIC_CACHE_SECONDS = 0
    settings.MATIS_PUBLIC_RATE = "100000/minute"
    settings.MEDIA_ROOT = tmp_path
    return settings


def _ready_report(year=2023, language="en"):
    from matis.plans.models import Plan
    from matis.reports.models import AnnualReport

    report = AnnualReport.objects.create(
        plan=Plan.objects.order_by("pk").first(),
        year=year,
        language=language,
        title=f"Annual report {year} {language}",
        published_at=timezone.now(),
    )
    report.pdf_file.save(
        f"r{year}{language}.pdf", ContentFile(b"%PDF-1.7 report " + str(year).encode())
    )
    report.html_file.save(
        f"r{year}{language}.html", ContentFile(f"<h1>Report {year}</h1>".encode())
    )
    return report


def test_a_publisher_releases_statistics_through_the_page(releases, user_client, public_settings):
    client = user_client(role="secretariat_analyst", country=None)
    page = client.get(PAGE)
    assert page.status_code == 200
    # version 3 needs a revision note: refused, nothing written
    refused = client.post(PAGE, {"release": "statistics", "stats-publish_on": ""})
    assert refused.status_code == 200 and Release.objects.count() == 2
    assert "revision_note" in refused.context["stats_form"].errors
    audits = AuditLog.objects.filter(object_type="publication.release").count()
    done = client.post(
        PAGE, {"release": "statistics", "stats-publish_on": "", "stats-revision_note": "Corrected"}
    )
    assert done.status_code == 302
    v3 = Release.objects.get(version=3)
    assert v3.released_by == client.user and v3.is_published and v3.revision_note == "Corrected"
    assert AuditLog.objects.filter(object_type="publication.release").count() == audits + 1


def test_a_thai_publisher_schedules_in_the_buddhist_era(releases, user_client, public_settings):
    client = user_client(role="secretariat_analyst", country=None)
    client.cookies["matis_language"] = "th"
    later = timezone.localdate() + timedelta(days=10)
    typed = f"{later.day:02d}/{later.month:02d}/{later.year + 543}"
    data = {"release": "statistics", "stats-publish_on": typed, "stats-revision_note": "แก้ไข"}
    assert client.post(PAGE, data).status_code == 302
    v3 = Release.objects.get(version=3)
    assert timezone.localtime(v3.publish_at).date() == later and not v3.is_published
    # the calendar shows it back in the Buddhist Era
    assert str(later.year + 543) in client.get(PAGE).content.decode()
    # a date in the past is refused, nothing written
    data["stats-publish_on"] = f"01/01/{later.year + 543 - 2}"
    assert client.post(PAGE, data).status_code == 200
    assert Release.objects.count() == 3


def test_the_calendar_shows_an_embargoed_release_that_the_public_site_does_not(
    releases, user_client, client, public_settings
):
    _, v2 = releases
    public = client.get("/public/statistics/tip-statistics/").content.decode()
    assert "2021 added" not in public
    assert client.get("/public/statistics/tip-statistics/v2/").status_code == 404
    publisher = user_client(role="secretariat_analyst", country=None)
    page = publisher.get(PAGE).content.decode()
    assert f'data-release="{v2.pk}" data-state="scheduled"' in page
    assert "2021 added" in page
    assert 'data-state="published"' in page


def test_without_the_permission_the_page_is_forbidden_and_not_in_the_menu(
    db, user_client, public_settings
):
    officer = user_client(role="statistics_officer", country="THA")
    assert officer.get(PAGE).status_code == 403
    assert officer.post(PAGE, {"release": "statistics"}).status_code == 403
    assert not Release.objects.exists()
    assert f'href="{PAGE}"' not in officer.get("/").content.decode()


def test_the_menu_offers_releases_to_a_publisher(db, user_client, public_settings):
    publisher = user_client(role="secretariat_analyst", country=None)
    home = publisher.get("/", follow=True).content.decode()
    assert f'href="{PAGE}"' in home


def test_a_released_report_is_listed_with_files_and_an_embargoed_one_is_not(
    db, make_user, client, public_settings
):
    from matis.publication.services import release_report

    publisher = make_user(role="secretariat_analyst", country=None)
    ready = _ready_report(2023)
    later = _ready_report(2024)
    released = release_report(actor=publisher, report=ready)
    embargoed = release_report(
        actor=publisher, report=later, publish_at=timezone.now() + timedelta(days=5)
    )
    assert AuditLog.objects.filter(object_type="publication.release").count() == 2
    page = client.get("/public/reports/").content.decode()
    assert ready.title in page and later.title not in page
    pdf = client.get(f"/public/reports/{released.pk}.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and b"2023" in pdf.content
    html = client.get(f"/public/reports/{released.pk}.html")
    assert html.status_code == 200 and b"Report 2023" in html.content
    assert client.get(f"/public/reports/{embargoed.pk}.pdf").status_code == 404


def test_a_publisher_releases_a_report_through_the_page(db, user_client, public_settings):
    report = _ready_report(2022)
    client = user_client(role="secretariat_analyst", country=None)
    response = client.post(
        PAGE, {"release": "report", "report-report": report.pk, "report-publish_on": ""}
    )
    assert response.status_code == 302
    release = Release.objects.get()
    assert release.report == report and release.kind == Release.Kind.REPORT
    assert report.title in client.get("/public/reports/").content.decode()


def test_public_pages_show_dates_in_the_readers_calendar(releases, client, public_settings):
    from matis.common.calendars import display_date

    v1, _ = releases
    local = timezone.localtime(v1.publish_at)
    iso = local.strftime("%Y-%m-%d")
    for url in ("/public/", "/public/statistics/tip-statistics/"):
        thai = client.get(f"{url}?lang=th").content.decode()
        assert str(local.year + 543) in thai and iso not in thai, url
        assert display_date(local, language="th") in thai, url
        english = client.get(f"{url}?lang=en").content.decode()
        assert display_date(local, language="en") in english and iso not in english, url
