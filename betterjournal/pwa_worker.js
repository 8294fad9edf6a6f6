// Betterjournal's service worker (served at /sw.js by betterjournal/api.py, from
// betterjournal/pwa.py, which fills in the build's version).
//
// It keeps only what holds nobody's words: the offline page and Vite's content-hashed
// build files. It never answers for /api/, /_event (the websocket), another origin, a
// page's HTML or anything but a GET: those always go to the network.
const BUILD = __BUILD__;
const CACHE = `betterjournal-shell-${BUILD}`;
const OFFLINE_URL = __OFFLINE_URL__;
const HASHED_ASSET = /__HASHED_ASSET__/;
// Every script and stylesheet of the build. A page of the app not opened yet in a tab needs
// its script to open: offline, the router reloaded the whole tab instead, into the offline
// page, and a check-in tapped offline and waiting to be sent went with it (walk-through).
const BUILD_FILES = __BUILD_FILES__;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) => cache.add(new Request(OFFLINE_URL, { cache: "reload" }))),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((name) => name !== CACHE).map((name) => caches.delete(name))))
      .then(() => self.clients.claim()),
  );
});

// The page's "A new version is ready — reload" button, and its "keep every page" once it
// has loaded and is quiet (assets/pwa.jsx): not at install, so a first visit loads first.
self.addEventListener("message", (event) => {
  if (event.data === "skip-waiting") {
    self.skipWaiting();
  } else if (event.data === "keep-every-page") {
    event.waitUntil(keepEveryPage());
  }
});

async function keepEveryPage() {
  const cache = await caches.open(CACHE);
  const kept = new Set((await cache.keys()).map((request) => new URL(request.url).pathname));
  // One file not kept (the network went meanwhile) is fetched when it is first used.
  await Promise.all(
    BUILD_FILES.filter((path) => !kept.has(path)).map((path) => cache.add(path).catch(() => undefined)),
  );
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") {
    return;
  }
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) {
    return;
  }
  if (request.mode === "navigate") {
    // Always the network; without one, the offline page instead of the browser's error.
    event.respondWith(
      fetch(request).catch(() =>
        caches
          .open(CACHE)
          .then((cache) => cache.match(OFFLINE_URL))
          .then((page) => (page ? tryAgainAt(page, url) : Response.error())),
      ),
    );
    return;
  }
  if (HASHED_ASSET.test(url.pathname) && url.search === "") {
    event.respondWith(
      caches.open(CACHE).then(async (cache) => {
        // Whatever the request's `Origin` (a module script's has one, the worker's own
        // requests none, and the server answers `Vary: Origin`): a hashed file is one file.
        const kept = await cache.match(request, { ignoreVary: true });
        if (kept) {
          return kept;
        }
        const response = await fetch(request);
        if (response.ok && response.type === "basic") {
          await cache.put(request, response.clone());
        }
        return response;
      }),
    );
  }
});

// The offline page with its "Try again" pointed at the page the person asked for (it led to
// the start page: someone opening the check-in landed in the journal).
async function tryAgainAt(page, url) {
  if (url.pathname === OFFLINE_URL) {
    return page;
  }
  const asked = (url.pathname + url.search).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const text = (await page.text()).replace(/(<a class="again" href=")[^"]*"/g, `$1${asked}"`);
  const headers = new Headers(page.headers);
  headers.delete("content-length");
  headers.delete("content-encoding");
  return new Response(text, { status: page.status, statusText: page.statusText, headers });
}
