// The village representative's offline shell. Served at /sw.js by apps.core.views.service_worker,
// which fills in SHELL: the static files of the shell by their served names, her pages, the
// offline page and a version that changes with any of them.
//
// - The shell (CSS, JS, fonts, icons, the offline page) is precached at install.
// - Her pages (home, to-do list, her households, the visit form) are fetched network first and
//   the copy kept for when there is no signal.
// - Nothing else is ever kept: a case's or a household's own page is an access-logged read.
const SHELL = {/* SHELL */};
const SHELL_CACHE = `shell-${SHELL.version}`;
const PAGE_CACHE = `pages-${SHELL.version}`;
// On a weak signal a page that does not answer within this time is shown from the copy.
const NETWORK_TIMEOUT_MS = 6000;

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(SHELL_CACHE);
      await cache.addAll([...SHELL.assets, SHELL.offline]);
      await Promise.all(SHELL.pages.map((url) => keepPage(url).catch(() => null)));
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      const keep = new Set([SHELL_CACHE, PAGE_CACHE]);
      for (const name of await caches.keys()) {
        if (!keep.has(name)) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith(SHELL.static)) {
    event.respondWith(staleWhileRevalidate(event, request));
  } else if (SHELL.pages.includes(url.pathname)) {
    event.respondWith(networkFirst(event, request));
  } else if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(() => offlinePage()));
  }
});

// A page worth a copy: her own page as she saw it, not a redirect to the sign-in page, and
// without a one-time message ("visit logged") that would show again from the copy.
async function cacheable(response) {
  if (!response.ok || response.redirected || response.type !== "basic") return false;
  const text = await response.clone().text();
  return !text.includes("alert-dismissible");
}

async function keepPage(url) {
  const response = await fetch(url, { credentials: "same-origin" });
  if (await cacheable(response)) {
    const cache = await caches.open(PAGE_CACHE);
    await cache.put(url, response.clone());
  }
  return response;
}

async function networkFirst(event, request) {
  const fromNetwork = (async () => {
    const response = await fetch(request);
    if (await cacheable(response)) {
      const cache = await caches.open(PAGE_CACHE);
      await cache.put(request.url, response.clone());
    }
    return response;
  })();
  // The copy is refreshed even when the answer comes too late to be shown.
  event.waitUntil(fromNetwork.catch(() => null));
  const slow = new Promise((resolve) => setTimeout(resolve, NETWORK_TIMEOUT_MS, null));
  try {
    const response = await Promise.race([fromNetwork, slow]);
    if (response) return response;
  } catch (error) {
    // No signal: the copy below.
  }
  const copy = await caches.match(request.url, { ignoreVary: true });
  if (copy) return copy;
  try {
    return await fromNetwork;
  } catch (error) {
    return offlinePage();
  }
}

async function staleWhileRevalidate(event, request) {
  const copy = await caches.match(request, { ignoreSearch: true, ignoreVary: true });
  const fromNetwork = fetch(request).then(async (response) => {
    if (response.ok) {
      const cache = await caches.open(SHELL_CACHE);
      await cache.put(request, response.clone());
    }
    return response;
  });
  if (copy) {
    event.waitUntil(fromNetwork.catch(() => null));
    return copy;
  }
  return fromNetwork;
}

async function offlinePage() {
  return (await caches.match(SHELL.offline)) || Response.error();
}
