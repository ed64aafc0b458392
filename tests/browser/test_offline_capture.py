"""In a real Chromium: a case worker captures two people with no connection, the work
survives a reload served by the service worker, is stored encrypted, and syncs."""

import pytest
from browserkit import PASSWORD, login
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# Every string the page stored (IndexedDB, localStorage, sessionStorage), as text;
# binary ciphertext is turned into its bytes' decimal values.
DUMP_STORAGE = """async () => {
  const out = [JSON.stringify(localStorage), JSON.stringify(sessionStorage)];
  const text = (v) => JSON.stringify(v, (k, x) =>
    x instanceof ArrayBuffer || ArrayBuffer.isView(x) ? Array.from(new Uint8Array(x.buffer || x)) : x);
  for (const info of await indexedDB.databases()) {
    const db = await new Promise((ok, ko) => {
      const r = indexedDB.open(info.name); r.onsuccess = () => ok(r.result); r.onerror = ko;
    });
    for (const store of db.objectStoreNames) {
      const rows = await new Promise((ok) => {
        const r = db.transaction(store).objectStore(store).getAll(); r.onsuccess = () => ok(r.result);
      });
      out.push(info.name + "/" + store + ":" + text(rows));
    }
    db.close();
  }
  return out.join("\\n");
}"""


# Make every stored record look ``days`` old (as if saved then).
AGE_RECORDS = """async ({db, days}) => {
  const open = await new Promise((ok) => { const r = indexedDB.open(db); r.onsuccess = () => ok(r.result); });
  const rows = await new Promise((ok) => {
    const r = open.transaction("records").objectStore("records").getAll(); r.onsuccess = () => ok(r.result);
  });
  const t = open.transaction("records", "readwrite");
  for (const row of rows) t.objectStore("records").put({...row, created: Date.now() - days * 86400000});
  await new Promise((ok) => { t.oncomplete = ok; });
  open.close();
}"""


def synthetic_people():
    """Two made-up people (names built from syllables here, no real person)."""
    syllables = ["Noi", "kham", "Dao", "vong", "Sai", "phet"]
    return [
        (syllables[0] + syllables[1], "Testavong", "1998-02-11"),
        (syllables[2] + syllables[5], "Testasai", "2001-09-23"),
    ]


def capture(page, given, family, born):
    page.fill("#f-given_name", given)
    page.fill("#f-family_name", family)
    page.fill("#f-date_of_birth", born)
    page.select_option("#f-citizenship", "LAO")
    page.check("input[name=exploitation_types][value=ForcedLabour]")
    page.check("#indicators input[value=deceived]")
    page.check("#indicators input[value=documents_withheld]")
    page.check("input[name=consent_purpose][value=services]")
    page.click("#save-button")


def test_offline_capture_survives_reload_is_encrypted_and_syncs(
    browser_page, live_server, make_agency, make_user
):
    from matis.access.models import AuditLog
    from matis.cases.models import Case, Screening
    from matis.common.countries import sync_countries
    from matis.common.models import Country
    from matis.offline.models import SyncReceipt

    sync_countries(Country)
    worker = make_user(role="case_worker", country="THA", agency=make_agency("THA"))
    people = synthetic_people()
    page = browser_page
    login(page, live_server, worker)
    page.goto(f"{live_server.url}/offline/")
    page.fill("#setup-password", PASSWORD)
    page.click("#setup-form button")
    page.wait_for_selector("#offline-work:not([hidden])")
    page.wait_for_selector("#indicators input")
    assert page.evaluate("navigator.serviceWorker.ready.then(() => true)")

    page.context.set_offline(True)
    assert page.evaluate("navigator.onLine") is False
    for n, (given, family, born) in enumerate(people, start=1):
        capture(page, given, family, born)
        expect(page.locator("#queue-list li[data-status=queued]")).to_have_count(n)

    page.reload()  # still offline: the service worker serves the page and its assets
    page.wait_for_selector("#offline-unlock:not([hidden])")
    assert page.evaluate("navigator.serviceWorker.controller !== null")  # served by the worker
    page.fill("#unlock-password", PASSWORD)
    page.click("#unlock-form button")
    page.wait_for_selector("#offline-work:not([hidden])")
    queue = page.locator("#queue-list li[data-status=queued]")
    assert queue.count() == 2
    assert people[0][0] in queue.all_inner_texts()[0] + queue.all_inner_texts()[1]

    stored = page.evaluate(DUMP_STORAGE)
    assert "records:" in stored and stored.count('"id":') >= 2
    for given, family, born in people:
        assert given not in stored and family not in stored and born not in stored
    assert not Case.objects.exists()

    page.context.set_offline(False)
    assert page.evaluate("navigator.onLine") is True
    page.click("#sync-button")
    expect(page.locator("#queue-list li[data-status=applied]")).to_have_count(2, timeout=30_000)

    cases = list(Case.objects.select_related("person"))
    assert sorted(c.person.given_name for c in cases) == sorted(p[0] for p in people)
    assert Screening.objects.filter(case__in=cases, screened_by=worker).count() == 2
    assert SyncReceipt.objects.count() == 2
    for case in cases:
        actions = set(
            AuditLog.objects.filter(object_type="cases.case", object_id=str(case.pk)).values_list(
                "action", flat=True
            )
        )
        assert {"record_create", "consent_change", "import"} <= actions
    stored = page.evaluate(DUMP_STORAGE)
    assert "/records:[]" in stored  # sent records leave the device
    for given, family, _born in people:
        assert given not in stored and family not in stored

    # unsent work older than MATIS_OFFLINE_MAX_DAYS (7) is deleted by the device itself
    page.context.set_offline(True)
    capture(page, "Expiring", "Testaold", "1990-01-01")
    expect(page.locator("#queue-list li[data-status=queued]")).to_have_count(1)
    page.evaluate(AGE_RECORDS, {"db": f"matis-offline-{worker.pk}", "days": 8})
    page.reload()
    page.wait_for_selector("#offline-unlock:not([hidden])")
    assert "7" in page.locator("#offline-message").inner_text()
    assert "/records:[]" in page.evaluate(DUMP_STORAGE)
    page.context.set_offline(False)
    assert Case.objects.count() == 2
