from browserkit import _browser, browser_page  # noqa: F401 - fixtures for the browser tests
