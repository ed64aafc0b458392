/* MATIS offline capture.
   Records are encrypted with AES-GCM under a key derived (PBKDF2-SHA256) from the
   password typed at unlock and the grant's salt; only ciphertext goes to IndexedDB.
   The key is never stored and never sent. No framework, no CDN. */
(function () {
  "use strict";
  const app = document.getElementById("offline-app");
  if (!app) return;
  const T = JSON.parse(document.getElementById("offline-strings").textContent);
  const cfg = app.dataset;
  const DB_NAME = "matis-offline-" + cfg.user;
  const CHECK = "matis-offline-check";
  const enc = new TextEncoder();
  const dec = new TextDecoder();
  let key = null;      // CryptoKey in memory only while unlocked
  let bundle = null;   // decrypted bundle in memory
  let results = {};    // last sync answers, in memory only

  const $ = (id) => document.getElementById(id);
  const fmt = (text, values) => text.replace(/%\((\w+)\)s/g, (_, k) => String(values[k]));

  // ---- IndexedDB ------------------------------------------------------------
  function openDb() {
    return new Promise((resolve, reject) => {
      const req = indexedDB.open(DB_NAME, 1);
      req.onupgradeneeded = () => {
        req.result.createObjectStore("meta", { keyPath: "k" });
        req.result.createObjectStore("records", { keyPath: "id" });
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  }
  async function tx(store, mode, fn) {
    const db = await openDb();
    return new Promise((resolve, reject) => {
      const t = db.transaction(store, mode);
      const out = fn(t.objectStore(store));
      t.oncomplete = () => { db.close(); resolve(out && "result" in out ? out.result : undefined); };
      t.onerror = () => { db.close(); reject(t.error); };
    });
  }
  const get = (store, k) => tx(store, "readonly", (s) => s.get(k));
  const all = (store) => tx(store, "readonly", (s) => s.getAll());
  const put = (store, v) => tx(store, "readwrite", (s) => s.put(v));
  const del = (store, k) => tx(store, "readwrite", (s) => s.delete(k));
  function wipe() {
    key = null; bundle = null; results = {};
    return new Promise((resolve) => {
      const req = indexedDB.deleteDatabase(DB_NAME);
      req.onsuccess = req.onerror = req.onblocked = () => resolve();
    });
  }

  // ---- crypto ---------------------------------------------------------------
  const hex = (s) => new Uint8Array(s.match(/../g).map((h) => parseInt(h, 16)));
  async function deriveKey(password, grant) {
    const base = await crypto.subtle.importKey("raw", enc.encode(password), "PBKDF2", false, ["deriveKey"]);
    return crypto.subtle.deriveKey(
      { name: "PBKDF2", salt: hex(grant.salt), iterations: grant.iterations, hash: "SHA-256" },
      base, { name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);
  }
  async function seal(id, value, k) {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const data = await crypto.subtle.encrypt(
      { name: "AES-GCM", iv, additionalData: enc.encode(id) }, k || key, enc.encode(JSON.stringify(value)));
    return { iv, data };
  }
  async function open(id, row, k) {
    const plain = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: row.iv, additionalData: enc.encode(id) }, k || key, row.data);
    return JSON.parse(dec.decode(plain));
  }

  // ---- messages -------------------------------------------------------------
  function say(text) {
    const box = $("offline-message");
    box.textContent = text; box.hidden = !text;
  }
  function showStatus() {
    $("offline-status").textContent = navigator.onLine ? T.online : T.offline;
  }
  function show(section) {
    for (const id of ["offline-setup", "offline-unlock", "offline-work"]) $(id).hidden = id !== section;
  }

  // ---- expiry: runs before unlock, needs no key -------------------------------
  async function expire() {
    const grant = await get("meta", "grant");
    if (!grant) return;
    const days = Number(grant.max_days || cfg.maxDays);
    const limit = Date.now() - days * 86400000;
    const old = (await all("records")).filter((r) => r.created < limit);
    for (const r of old) await del("records", r.id);
    if (old.length) say(fmt(T.expired, { n: old.length, days }));
  }

  // ---- server ---------------------------------------------------------------
  async function call(url, options) {
    const grant = await get("meta", "grant");
    const headers = Object.assign({ "X-Matis-Grant": grant ? grant.grant : "" }, (options || {}).headers);
    const response = await fetch(url, Object.assign({ credentials: "same-origin", redirect: "manual" }, options, { headers }));
    let body = null;
    try { body = await response.json(); } catch (e) { body = null; }
    if (response.status === 403 && body && body.error === "grant_refused") {
      await wipe(); show("offline-setup"); say(T.revoked);
      throw new Error("revoked");
    }
    if (!response.ok || !body) { say(T.signin); throw new Error("signin"); }
    return body;
  }
  async function refreshBundle() {
    if (!navigator.onLine || !key) return;
    try {
      const fresh = await call(cfg.bundleUrl);
      bundle = fresh;
      await put("meta", Object.assign({ k: "bundle" }, await seal("bundle", fresh)));
      const grant = await get("meta", "grant");
      grant.max_days = fresh.max_days;
      await put("meta", grant);
      fillForm();
    } catch (e) { /* offline or refused: keep the stored bundle */ }
  }

  // ---- set up, unlock ----------------------------------------------------------
  async function setup(password) {
    const csrf = document.querySelector("input[name=csrfmiddlewaretoken]").value;
    const response = await fetch(cfg.grantUrl, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ password, device: navigator.userAgent.slice(0, 200) }),
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) { say(body.error === "wrong_password" ? T.wrong_password : T.signin); return; }
    await wipe();
    const grant = { k: "grant", grant: body.grant, salt: body.salt, iterations: body.iterations, max_days: body.max_days };
    const k = await deriveKey(password, grant);
    await put("meta", grant);
    await put("meta", Object.assign({ k: "check" }, await seal("check", CHECK, k)));
    key = k;
    await refreshBundle();
    await enter();
  }
  async function unlock(password) {
    const grant = await get("meta", "grant");
    const check = await get("meta", "check");
    const k = await deriveKey(password, grant);
    try {
      if ((await open("check", check, k)) !== CHECK) throw new Error("check");
    } catch (e) { say(T.wrong_password); return; }
    key = k;
    const stored = await get("meta", "bundle");
    bundle = stored ? await open("bundle", stored) : null;
    await enter();
    refreshBundle();
  }
  async function enter() {
    say("");
    if (!bundle) say(T.no_bundle);
    fillForm();
    show("offline-work");
    await renderQueue();
    if (navigator.onLine) sync();
  }

  // ---- the form --------------------------------------------------------------------
  function option(value, label) {
    const o = document.createElement("option"); o.value = value; o.textContent = label; return o;
  }
  function fillForm() {
    if (!bundle) return;
    const lists = bundle.lists;
    for (const select of app.querySelectorAll("select[data-list]")) {
      const keep = select.value;
      select.replaceChildren();
      if (select.dataset.blank) select.append(option("", select.dataset.blank));
      for (const [value, label] of lists[select.dataset.list] || []) select.append(option(value, label));
      if (keep) select.value = keep;
    }
    const lang = (bundle.language || "en").split("-")[0];
    for (const name of ["screen_language", "consent_language"]) {
      const select = app.querySelector(`select[name=${name}]`);
      if ([...select.options].some((o) => o.value === lang)) select.value = lang;
    }
    const gender = app.querySelector("select[name=gender]");
    if (!gender.dataset.touched) gender.value = "NonSpecifiedUnknown";
    for (const box of app.querySelectorAll("[data-checks]")) {
      const only = box.dataset.only ? box.dataset.only.split(" ") : null;
      box.replaceChildren();
      for (const [value, label] of lists[box.dataset.checks] || []) {
        if (only && !only.includes(value)) continue;
        const l = document.createElement("label"); l.className = "inline";
        const input = document.createElement("input");
        input.type = "checkbox"; input.name = box.dataset.checks; input.value = value;
        l.append(input, " " + label); box.append(l);
      }
    }
    const tools = $("f-instrument");
    const keep = tools.value;
    tools.replaceChildren(option("", "—"));
    for (const tool of bundle.instruments) tools.append(option(tool.slug, tool.title));
    tools.value = keep || (bundle.instruments[0] || {}).slug || "";
    fillIndicators();
  }
  function fillIndicators() {
    const box = $("indicators");
    box.replaceChildren();
    const tool = (bundle.instruments || []).find((t) => t.slug === $("f-instrument").value);
    if (!tool) return;
    for (const ind of tool.indicators) {
      const l = document.createElement("label"); l.className = "inline";
      const input = document.createElement("input");
      input.type = "checkbox"; input.name = "ind"; input.value = ind.code;
      l.append(input, " " + ind.text); box.append(l);
    }
  }
  function checked(form, name) {
    return [...form.querySelectorAll(`input[name=${name}]:checked`)].map((i) => i.value);
  }
  function recordFrom(form) {
    const v = (name) => (form.elements[name].value || "").trim();
    const today = new Date().toISOString().slice(0, 10);
    const record = {
      uuid: crypto.randomUUID(),
      created_at: new Date().toISOString(),
      person: {
        given_name: v("given_name"), family_name: v("family_name"),
        date_of_birth: v("date_of_birth"), age_at_registration: v("age_at_registration"),
        gender: v("gender"), primary_citizenship: v("primary_citizenship"),
        exploitation_types: checked(form, "exploitation_types"), opened_on: today,
      },
      screening: null, consents: [], referral: null,
    };
    if (v("instrument")) {
      const answers = {};
      for (const input of form.querySelectorAll("input[name=ind]")) answers[input.value] = input.checked;
      record.screening = {
        instrument: v("instrument"), answers, language: v("screen_language"),
        interpreter_present: form.elements.interpreter_present.checked, screened_on: today,
      };
    }
    const consent = (purpose, extra) => Object.assign(
      { purpose, given: "1", on: today, language: v("consent_language"), given_by: v("given_by") }, extra);
    for (const purpose of checked(form, "consent_purpose")) record.consents.push(consent(purpose));
    if (v("provider")) {
      record.consents.push(consent("referral", { organisation: v("provider") }));
      record.referral = { provider: v("provider"), reason: v("reason"), services: checked(form, "services") };
    }
    return record;
  }

  // ---- the queue ---------------------------------------------------------------------
  async function renderQueue() {
    const list = $("queue-list");
    list.replaceChildren();
    const rows = (await all("records")).sort((a, b) => a.created - b.created);
    if (!rows.length) { const li = document.createElement("li"); li.textContent = T.none; list.append(li); }
    for (const row of rows) {
      const record = await open(row.id, row);
      const li = document.createElement("li");
      li.dataset.id = row.id;
      const answer = results[row.id];
      li.dataset.status = answer ? answer.status : "queued";
      const p = record.person;
      let text = `${p.given_name} ${p.family_name || ""}`.trim() + " — ";
      if (!answer) text += T.queued;
      else if (answer.status === "duplicate") {
        const refs = answer.matches.map((m) => (m === "?" ? T.duplicate_hidden : m)).join(", ");
        text += fmt(T.duplicate, { refs });
      } else if (answer.status === "conflict") text += T.conflict;
      else text += T.invalid + " " + Object.entries(answer.errors || {}).map(([f, e]) => `${f}: ${e.join(" ")}`).join("; ");
      li.append(text);
      if (answer && answer.status === "duplicate") {
        const b = document.createElement("button");
        b.type = "button"; b.textContent = T.confirm_new;
        b.addEventListener("click", async () => {
          record.confirm_new_person = true;
          await put("records", Object.assign({ id: row.id, created: row.created }, await seal(row.id, record)));
          delete results[row.id];
          await sync();
        });
        li.append(" ", b);
      }
      if (answer && answer.status !== "duplicate") {
        const remove = document.createElement("button");
        remove.type = "button"; remove.textContent = T.remove;
        remove.addEventListener("click", async () => {
          await del("records", row.id);
          delete results[row.id];
          await renderQueue();
        });
        li.append(" ", remove);
      }
      list.append(li);
    }
    for (const [id, answer] of Object.entries(results)) {
      if (answer.status !== "applied") continue;
      const li = document.createElement("li");
      li.dataset.status = "applied"; li.dataset.id = id;
      li.textContent = fmt(T.applied, { ref: answer.reference });
      list.append(li);
    }
  }
  let syncing = false;
  async function sync() {
    if (!key || syncing || !navigator.onLine) return;
    syncing = true;
    try {
      const rows = await all("records");
      if (!rows.length) { await call(cfg.syncUrl); return; }
      const records = [];
      for (const row of rows) records.push(await open(row.id, row));
      const state = await call(cfg.syncUrl);
      const answer = await call(cfg.syncUrl, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRFToken": state.csrf_token },
        body: JSON.stringify({ records }),
      });
      const counts = { n: 0, d: 0, e: 0 };
      for (const r of answer.results) {
        results[r.uuid] = r;
        if (r.status === "applied") { counts.n++; await del("records", r.uuid); }
        else if (r.status === "duplicate") counts.d++;
        else counts.e++;
      }
      say(fmt(T.sent, counts));
    } catch (e) { /* message already shown */ } finally {
      syncing = false;
      await renderQueue();
    }
  }

  // ---- wiring ------------------------------------------------------------------------
  $("setup-form").addEventListener("submit", (e) => { e.preventDefault(); setup($("setup-password").value); $("setup-password").value = ""; });
  $("unlock-form").addEventListener("submit", (e) => { e.preventDefault(); unlock($("unlock-password").value); $("unlock-password").value = ""; });
  $("f-instrument").addEventListener("change", fillIndicators);
  app.querySelector("select[name=gender]").addEventListener("change", (e) => { e.target.dataset.touched = "1"; });
  $("record-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const form = e.target;
    const record = recordFrom(form);
    if (!record.person.given_name) { say(T.required); return; }
    await put("records", Object.assign({ id: record.uuid, created: Date.now() }, await seal(record.uuid, record)));
    form.reset(); fillForm();
    say(T.saved);
    await renderQueue();
    if (navigator.onLine) sync();
  });
  $("sync-button").addEventListener("click", sync);
  $("lock-button").addEventListener("click", () => { key = null; bundle = null; results = {}; $("queue-list").replaceChildren(); show("offline-unlock"); });
  $("wipe-button").addEventListener("click", async () => { await wipe(); show("offline-setup"); say(T.wiped); });
  window.addEventListener("online", () => { showStatus(); sync(); });
  window.addEventListener("offline", showStatus);

  async function start() {
    showStatus();
    if ("serviceWorker" in navigator && navigator.onLine) {
      navigator.serviceWorker.register(cfg.sw, { scope: cfg.scope }).catch(() => null);
    }
    await expire();
    const grant = await get("meta", "grant");
    if (!grant) { show("offline-setup"); return; }
    show("offline-unlock");
    if (navigator.onLine) {
      try { await call(cfg.syncUrl); } catch (e) { /* revoked: wiped; signed out: keep */ }
    }
  }
  start();
})();
