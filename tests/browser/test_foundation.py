"""In a real Chromium: log in, switch to Thai, open an activity page."""

import pytest
from browserkit import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_login_switch_to_thai_and_open_activity(browser_page, live_server, make_user, tmp_path):
    from matis.plans.loader import load_registry

    load_registry()  # transactional tests start from an empty database
    user = make_user(role="task_force_officer", country="THA")
    page = browser_page
    login(page, live_server, user)
    page.goto(f"{live_server.url}/plan/")
    assert page.locator("tr[data-activity]").count() == 30
    assert page.locator("[data-priority]").count() == 9

    page.select_option("#language-select", "th")
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "th"
    assert "2554–2556" in page.locator("h1").inner_text()

    page.click("tr[data-activity='PRO1'] a")
    page.wait_for_load_state("networkidle")
    heading = page.locator("h1").inner_text()
    assert "PRO1" in heading
    assert any(0x0E00 <= ord(ch) < 0x0E80 for ch in heading), heading  # Thai title
    page.screenshot(path=str(tmp_path / "activity-th.png"), full_page=True)


def test_arrow_keys_on_the_language_select_do_not_switch_until_enter(
    browser_page, live_server, make_user
):
    user = make_user(role="task_force_officer", country="THA")
    page = browser_page
    login(page, live_server, user)
    page.goto(f"{live_server.url}/")
    assert page.locator("html").get_attribute("lang") == "en"
    page.focus("#language-select")
    page.keyboard.press("ArrowDown")
    page.wait_for_timeout(300)  # a submit would have started navigating by now
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("#language-select").input_value() != "en"
    assert page.locator(".lang-switch button[type=submit]").is_visible()
    chosen = page.locator("#language-select").input_value()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("html").get_attribute("lang") == chosen
