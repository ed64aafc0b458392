"""In a real Chromium: a case worker registers 60 people rescued together, row by row,
and pastes rows from a spreadsheet. Prints the median time per person."""

from __future__ import annotations

import statistics
import time

import pytest
from browserkit import login

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PEOPLE = 60


def _setup(make_agency, make_user):
    from matis.common.countries import sync_countries
    from matis.common.models import Country
    from matis.plans.loader import load_registry

    load_registry()  # transactional tests may start from an empty database
    sync_countries(Country)
    shelter = make_agency("THA", name="Provincial shelter (synthetic)")
    return make_user(role="case_worker", country="THA", agency=shelter)


def test_register_a_group_of_sixty(browser_page, live_server, make_agency, make_user):
    from matis.cases.models import Case, ConsentEvent
    from matis.intake.models import GroupRegistration

    worker = _setup(make_agency, make_user)
    page = browser_page
    login(page, live_server, worker)
    page.goto(f"{live_server.url}/intake/groups/new/")
    page.fill("input[name=place]", "Compound at the border (synthetic)")
    page.fill("input[name=operation]", "Operation Synthetic River")
    page.fill("input[name=rescuing_agency]", "Provincial police (synthetic)")

    per_person = []
    start_all = time.perf_counter()
    for i in range(PEOPLE):
        started = time.perf_counter()
        if page.locator(f"input[name=name-{i}]").count() == 0:
            page.click("button[data-add-rows]")
        page.fill(f"input[name=name-{i}]", f"Synthetic person {i}")
        page.select_option(f"select[name=sex-{i}]", "F" if i % 2 else "M")
        page.fill(f"input[name=age-{i}]", str(18 + i % 40))
        page.select_option(f"select[name=nationality-{i}]", "MMR" if i % 3 else "LAO")
        page.select_option(f"select[name=language-{i}]", "my" if i % 3 else "lo")
        page.check(f"input[name=consent-{i}]")
        per_person.append(time.perf_counter() - started)
    submitted = time.perf_counter()
    page.click("main button.primary")
    page.wait_for_load_state("networkidle")
    saved = time.perf_counter()

    group = GroupRegistration.objects.get()
    assert page.url.endswith(f"/intake/groups/{group.pk}/"), page.url
    assert group.members.count() == PEOPLE
    assert Case.objects.count() == PEOPLE
    assert ConsentEvent.objects.filter(purpose="services", given=True).count() == PEOPLE
    assert page.locator("table.group-list tbody tr").count() == PEOPLE

    median_entry = statistics.median(per_person)
    server_each = (saved - submitted) / PEOPLE
    total_each = (saved - start_all) / PEOPLE
    print(
        f"\n[group registration] {PEOPLE} people: median entry time per person "
        f"{median_entry * 1000:.0f} ms (automated typing), server save {server_each * 1000:.0f} ms "
        f"per person ({saved - submitted:.1f} s for the group), total {total_each * 1000:.0f} ms "
        "per person"
    )


def test_paste_rows_from_a_spreadsheet(browser_page, live_server, make_agency, make_user):
    worker = _setup(make_agency, make_user)
    page = browser_page
    login(page, live_server, worker)
    page.goto(f"{live_server.url}/intake/groups/new/")
    lines = "\n".join(
        f"Synthetic pasted {i}\tF\t{20 + i}\t\tKHM\tkm" for i in range(12)
    )  # 12 lines: two more than the 10 rows shown
    page.evaluate(
        """(text) => {
            const target = document.querySelector("input[name='name-0']");
            const data = new DataTransfer();
            data.setData("text", text);
            target.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true}));
        }""",
        lines,
    )
    assert page.locator("input[data-row-count]").input_value() == "12"
    assert page.locator("input[name=name-11]").input_value() == "Synthetic pasted 11"
    assert page.locator("select[name=nationality-11]").input_value() == "KHM"
    assert page.locator("select[name=language-3]").input_value() == "km"
    assert page.locator("input[name=age-2]").input_value() == "22"
