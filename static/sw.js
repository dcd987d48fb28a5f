// kubeplay's service worker: after one visit the page loads and runs with
// no network, since the whole playground (engine included) is in the wasm.
//
// Which files make up a build is read from the build itself: at install the
// worker fetches the page and caches every file it names (trunk's hashed
// script, wasm and icon, the manifest and the manifest's icons), so no list
// is kept by hand and none can go stale. The page registers the worker with
// `?build=` derived from those hashed names: a new build is a new worker
// script, hence a fresh install into a cache of its own, and the old
// build's cache is deleted once the new worker takes over.
//
// The page itself is fetched network first (a new deployment shows at the
// next load; the cached copy only when the network fails); everything else
// cache first, which is safe because trunk names files by their content.

const BUILD = new URL(self.location.href).searchParams.get('build') || 'unversioned';
const PREFIX = 'kubeplay-';
const CACHE = PREFIX + BUILD;
const SCOPE = new URL(self.registration.scope);
const INDEX = SCOPE.href;

// A quoted path with an extension a page's assets have: attributes and the
// strings of trunk's loader script (`import … from '/app-….js'`) alike.
const QUOTED = /["']([^"'\s<>()]+?\.(?:js|mjs|wasm|css|svg|png|ico|webp|json|webmanifest|woff2?))["']/g;

/** The same-origin files a text names, resolved against `base`. */
function named(text, base) {
  const urls = new Set();
  for (const [, path] of text.matchAll(QUOTED)) {
    const url = new URL(path, base);
    if (url.origin === SCOPE.origin && !url.pathname.endsWith('/sw.js')) {
      url.hash = '';
      urls.add(url.href);
    }
  }
  return urls;
}

/** Fetches past the HTTP cache; a failure fails the install, so a build is
 * cached whole or not at all (the browser tries again at the next visit). */
async function fresh(url) {
  const response = await fetch(url, { cache: 'reload' });
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return response;
}

async function install() {
  const cache = await caches.open(CACHE);
  const page = await fresh(INDEX);
  const pending = [...named(await page.clone().text(), INDEX)];
  const done = new Set();
  await cache.put(INDEX, page);
  while (pending.length) {
    const url = pending.pop();
    if (done.has(url)) continue;
    done.add(url);
    const response = await fresh(url);
    if (url.endsWith('.webmanifest')) {
      // The manifest's icons are named in JSON, relative to the manifest.
      const manifest = JSON.parse(await response.clone().text());
      for (const icon of manifest.icons ?? []) pending.push(new URL(icon.src, url).href);
    }
    await cache.put(url, response);
  }
}

self.addEventListener('install', (event) => {
  // Nothing a running page needs is fetched later (the engine is all in the
  // wasm it already holds), so the new build may take over at once.
  event.waitUntil(install().then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith(PREFIX) && name !== CACHE) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

/** Whether a navigation asks for the page itself (not some other path). */
function isPage(url) {
  return url.pathname === SCOPE.pathname || url.pathname === SCOPE.pathname + 'index.html';
}

async function networkFirst(request) {
  try {
    const response = await fetch(request);
    if (response.ok && isPage(new URL(request.url))) {
      const cache = await caches.open(CACHE);
      await cache.put(INDEX, response.clone());
    }
    return response;
  } catch (offline) {
    // Every path in scope is the one-page app; the address's #… says the rest.
    return (await caches.match(INDEX, { cacheName: CACHE })) ?? (await caches.match(INDEX)) ?? Response.error();
  }
}

async function cacheFirst(request) {
  const hit = await caches.match(request);
  if (hit) return hit;
  const response = await fetch(request);
  if (response.ok && response.type === 'basic') {
    const cache = await caches.open(CACHE);
    await cache.put(request, response.clone());
  }
  return response;
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== SCOPE.origin) return;
  event.respondWith(request.mode === 'navigate' ? networkFirst(request) : cacheFirst(request));
});
