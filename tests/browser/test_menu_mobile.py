"""At 390 px the main menu collapses behind a button (aria-expanded), opened by click or
Enter, closed by Escape; on a wide screen the whole menu shows and the button does not."""

import pytest
from browserkit import login

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _nav_height(page) -> float:
    return page.locator("nav.main-nav").bounding_box()["height"]


def test_the_menu_collapses_on_a_phone_and_opens_by_click_and_keyboard(
    browser_page, live_server, make_user
):
    from matis.plans.loader import load_registry

    load_registry()  # transactional tests start from an empty database
    # the secretariat has one of the longest menus
    user = make_user(role="secretariat_analyst", country=None)
    page = browser_page
    page.set_viewport_size(PHONE)
    login(page, live_server, user)
    page.goto(f"{live_server.url}/")
    button = page.locator("nav.main-nav .nav-toggle")
    links = page.locator("#main-menu a")
    assert links.count() >= 8

    # collapsed: one row, under 15 % of the screen height
    assert button.is_visible()
    assert button.get_attribute("aria-expanded") == "false"
    assert not links.first.is_visible()
    collapsed = _nav_height(page)
    assert collapsed < 0.15 * PHONE["height"], collapsed

    # a click opens it: every link can be reached
    button.click()
    assert button.get_attribute("aria-expanded") == "true"
    assert all(links.nth(i).is_visible() for i in range(links.count()))
    opened = _nav_height(page)
    assert opened > 3 * collapsed
    print(f"menu at 390x844: collapsed {collapsed:.0f} px, open {opened:.0f} px")
    button.click()
    assert button.get_attribute("aria-expanded") == "false"
    assert not links.first.is_visible()

    # from the keyboard: Tab to the button, Enter opens, Tab reaches the first link,
    # Escape closes and gives the focus back to the button
    button.focus()
    page.keyboard.press("Enter")
    assert button.get_attribute("aria-expanded") == "true"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('#main-menu') !== null")
    page.keyboard.press("Escape")
    assert button.get_attribute("aria-expanded") == "false"
    assert page.evaluate("document.activeElement.classList.contains('nav-toggle')")
    page.keyboard.press(" ")
    assert button.get_attribute("aria-expanded") == "true"

    # a link of the open menu leads to its page, where the menu starts collapsed again
    with page.expect_navigation():
        links.first.click()
    assert page.locator("nav.main-nav .nav-toggle").get_attribute("aria-expanded") == "false"


def test_on_a_wide_screen_the_whole_menu_shows_without_the_button(
    browser_page, live_server, make_user
):
    user = make_user(role="case_worker", country="THA")
    page = browser_page
    login(page, live_server, user)
    page.goto(f"{live_server.url}/")
    assert not page.locator("nav.main-nav .nav-toggle").is_visible()
    links = page.locator("#main-menu a")
    assert all(links.nth(i).is_visible() for i in range(links.count()))
