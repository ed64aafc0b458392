"""Browser tests: Playwright driving Debian's Chromium (never a downloaded browser).

Set ``MATIS_REQUIRE_BROWSER=1`` (CI does) to turn a missing Chromium into a
failure instead of a skip.
"""

from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM = os.environ.get("MATIS_CHROMIUM", "/usr/bin/chromium")
# Playwright's sync API runs an event loop in this thread; the ORM calls made by
# fixtures here are ordinary blocking calls, which Django otherwise refuses.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "correct horse battery"


def _chromium_available() -> bool:
    return os.path.exists(CHROMIUM) or shutil.which("chromium") is not None


@pytest.fixture(scope="session")
def _browser():
    if not _chromium_available():
        if os.environ.get("MATIS_REQUIRE_BROWSER"):
            pytest.fail(f"Chromium not found at {CHROMIUM}")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def browser_page(_browser):
    """A fresh browser context and page; console errors and CSP violations fail the test."""
    context = _browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on(
        "response",
        lambda r: problems.append(f"HTTP {r.status} {r.url}") if r.status >= 400 else None,
    )
    page.console_problems = problems
    yield page
    context.close()
    assert not [p for p in problems if "favicon" not in p], f"browser console errors: {problems}"


def login(page, live_server, user, password: str = PASSWORD) -> None:
    """Log ``user`` in through the real login form."""
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", user.email)
    page.fill("input[name=password]", password)
    page.click("#login-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    if "/login/" in page.url:
        errors = page.locator(".errorlist").all_inner_texts()
        raise AssertionError(f"login failed for {user.email} at {page.url}: {errors}")


# --- Crawling: what a page reports while it loads, and the text it shows -------------------

# The text nodes and labelling attributes of the rendered page (what scripts added
# included), leaving out what is marked as English content (``lang="en"`` on an element
# inside the page: a plan text not yet translated, shown with its marker) and code.
DOM_TEXT_JS = """() => {
  const english = (el) => {
    const marked = el.closest('[lang]');
    return marked !== null && marked !== document.documentElement
      && marked.getAttribute('lang') === 'en';
  };
  const code = 'script,style,template,code,pre,noscript';
  const out = [document.title];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    const text = node.textContent.replace(/\\s+/g, ' ').trim();
    if (text && parent && !parent.closest(code) && !english(parent)) { out.push(text); }
  }
  const labelled = document.body.querySelectorAll(
    '[title],[placeholder],[aria-label],[alt],input[type=submit][value],input[type=button][value]');
  for (const el of labelled) {
    if (english(el)) { continue; }
    for (const name of ['title', 'placeholder', 'aria-label', 'alt']) {
      const value = (el.getAttribute(name) || '').replace(/\\s+/g, ' ').trim();
      if (value) { out.push(value); }
    }
    if (el.tagName === 'INPUT' && (el.type === 'submit' || el.type === 'button') && el.value) {
      out.push(el.value);
    }
  }
  return out.join('\\n');
}"""

# The same-origin links of the page a user can follow with a GET: no download links.
LINKS_JS = """() => [...document.querySelectorAll('a[href]')]
  .filter((a) => !a.hasAttribute('download') && !a.dataset.download
    && a.origin === location.origin && (a.protocol === 'http:' || a.protocol === 'https:'))
  .map((a) => a.pathname + a.search)"""

# Every chart on the page has been drawn or has failed (charts.js marks its target).
CHARTS_SETTLED_JS = """() => [...document.querySelectorAll('script.vega-spec')].every((node) => {
  const target = document.getElementById(node.dataset.target);
  return !target || target.dataset.rendered;
})"""


class PageProblems:
    """Console errors and warnings (Vega's included), uncaught errors, failed same-origin
    requests and any request to another origin, of one page, recorded as they happen."""

    def __init__(self, page, origin: str):
        self.origin = origin
        self.items: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.items.append(f"page error: {exc}"))
        page.on("request", self._request)
        page.on("response", self._response)
        page.on("requestfailed", self._failed)

    def _console(self, msg):
        if msg.type in ("error", "warning"):
            self.items.append(f"console {msg.type}: {msg.text}")

    def _request(self, request):
        url = request.url
        if url.startswith(("http:", "https:", "ws:", "wss:")) and not url.startswith(
            self.origin + "/"
        ):
            self.items.append(f"request to another origin: {url}")

    def _response(self, response):
        if response.status >= 400 and response.url.startswith(self.origin + "/"):
            self.items.append(f"HTTP {response.status} {response.url}")

    def _failed(self, request):
        failure = request.failure or ""
        # a request cut short by the next navigation is not the page's fault
        if "ERR_ABORTED" not in failure and request.url.startswith(self.origin + "/"):
            self.items.append(f"request failed ({failure}): {request.url}")

    def take(self) -> list[str]:
        items, self.items = self.items, []
        return items
