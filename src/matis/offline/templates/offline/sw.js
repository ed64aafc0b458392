/* MATIS offline capture: service worker (served from /offline/ so it controls the page).
   Caches the app shell only; bundle, sync and every other request go to the network.
   The cache holds no personal data: records live in IndexedDB, encrypted. */
"use strict";
const CACHE = "matis-offline-{{ version }}";
const SHELL = [{% url 'offline:page' as page %}"{{ page|escapejs }}", "{% url 'offline:manifest' %}"{% for asset in assets %}, "{{ asset|escapejs }}"{% endfor %}];

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(
        keys.filter((k) => k.startsWith("matis-offline-") && k !== CACHE).map((k) => caches.delete(k))
      ))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (!SHELL.includes(url.pathname)) return;
  // The cached copy at once (works offline); a fresh copy for next time when online.
  event.respondWith(caches.open(CACHE).then(async (cache) => {
    const cached = await cache.match(url.pathname);
    const fresh = fetch(request).then((response) => {
      if (response.ok && !response.redirected) cache.put(url.pathname, response.clone());
      return response;
    });
    if (cached) {
      event.waitUntil(fresh.catch(() => null));
      return cached;
    }
    return fresh;
  }));
});
