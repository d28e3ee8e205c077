#!/usr/bin/env node
// The browser half of `cargo xtask bench` (it can also run alone once the wasm is built):
//   node bench/run.mjs [--base-url http://127.0.0.1:P | --map-url http://127.0.0.1:P/map]
//                      [--routes /,/map,/report,/my-data,/consents] [--out FILE] [--table]
//                      [--sizes 100000,1000000] [--runs 3] [--no-audit] [--audit PATH]
//                      [--no-cluster] [--no-live] [--label TEXT]
//
// 1. Clustering: serves the repository root on 127.0.0.1 (wasm modules do not load reliably
//    from file://), opens bench/cluster.html in headless Chromium and runs Rust against
//    supercluster there (target/bench/ must hold the wasm-bindgen --target web output).
// 2. The app's pages (with --base-url, or --map-url whose origin is then the base): for each of
//    --routes, the first-load bytes and the time until the page is ready (READY and PAGE_READY
//    below) under the phone and kiosk profiles, median of --runs loads, through
//    ../shared/qa/audit when it exists next to the repository, otherwise through the same
//    measurement done here with CDP throttling. Then, for every route but /map, the bytes an
//    in-app navigation from a ready /map to it adds (always measured here, with CDP: qa/audit
//    loads one URL and cannot click).
// 3. Panning at zoom 16 on the phone profile: from a ready map of the town centre, the time
//    until a neighbouring area's services are drawn (PAN_ROUTE, panBench below).
// 4. A sensor write seen on an open map (unless --no-live): from just before a charger's status
//    is written through NGSI-LD until the open map's legend counts it (LIVE_ROUTE, liveBench
//    below), LIVE_WRITES times.
// Prints the results as JSON (or as a table with --table) and writes them to --out.
// It measures only: nothing here fails because a figure is over budget.

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
// /map is ready when every selected layer is loaded and drawn (the map page sets it).
const READY = '[data-ready="true"]';
// Any other page is ready when its heading is in <main> and no "loading" status is left: the
// app's waits all show a `role="status"` element whose class names it as loading
// (`.app-loading` while the configuration loads, `.async-section__loading` while a page's data
// does), and `aria-busy="true"` is counted as a wait too. Class names rather than the text,
// which is translated. One CSS selector, so that qa/audit's --wait-for takes it as it is
// (Chromium has :has() since 105).
const PAGE_READY = 'body:not(:has([role="status"][class*="loading"], [aria-busy="true"])) main h1';
const DEFAULT_ROUTES = ['/', '/map', '/report', '/my-data', '/consents'];
const MAP_ROUTE = '/map';
const BUDGET = { first_load_bytes: 250 * 1024, ready_ms_phone: 2500, query_ms: 2 };
// /report is usable once its categories are there to choose from.
const REPORT_READY = 'main:has(#report-category option:not([value=""])) h1';
// Personal pages are measured signed in (as the demo resident), as a resident opens them: a
// signed-out load only measures the way to the sign-in page.
const PERSONAL = new Set(['/my-data', '/consents']);
const DEMO_RESIDENT = { email: 'camille.martin@example.org', password: 'quartier-demo' };
const readyFor = (route) =>
  route === MAP_ROUTE ? READY : route === '/report' ? REPORT_READY : PAGE_READY;
const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

// The qa/audit profiles (shared/qa/README.md), for the fallback measurement.
const PROFILES = {
  phone: {
    throttle: 'mobile',
    viewport: 'phone',
    context: { viewport: { width: 412, height: 823 }, deviceScaleFactor: 1.75, isMobile: true, hasTouch: true },
    cpu: 4,
    // 150 ms per request, 1.6 Mbps down, 750 kbps up (Lighthouse's slow 4G), in bytes/s.
    network: { offline: false, latency: 150, downloadThroughput: 1.6e6 / 8, uploadThroughput: 750e3 / 8 },
  },
  kiosk: {
    throttle: 'kiosk',
    viewport: 'kiosk',
    context: { viewport: { width: 1080, height: 1920 }, deviceScaleFactor: 1, isMobile: false, hasTouch: true },
    cpu: 4,
    network: null,
  },
};

const CHROMIUM_ARGS = [
  '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--no-first-run',
];

function parseArgs(argv) {
  const args = {
    baseUrl: null,
    mapUrl: null,
    routes: DEFAULT_ROUTES,
    out: null,
    table: false,
    sizes: [100000, 1000000],
    runs: 3,
    audit: resolve(ROOT, '..', 'shared', 'qa', 'audit'),
    useAudit: true,
    cluster: true,
    live: true,
    label: null,
  };
  for (let i = 0; i < argv.length; i++) {
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${argv[i - 1]} needs a value`);
      return v;
    };
    switch (argv[i]) {
      case '--base-url': args.baseUrl = value().replace(/\/+$/, ''); break;
      case '--map-url': args.mapUrl = value(); break;
      case '--routes': {
        const routes = value().split(',').map((r) => r.trim()).filter(Boolean);
        if (!routes.length || !routes.every((r) => r.startsWith('/'))) {
          throw new Error('--routes takes paths starting with / separated by commas');
        }
        args.routes = routes;
        break;
      }
      case '--out': args.out = resolve(value()); break;
      case '--table': args.table = true; break;
      case '--sizes': args.sizes = value().split(',').map(Number).filter((n) => n > 0); break;
      case '--runs': args.runs = Math.max(1, Number(value()) || 1); break;
      case '--audit': args.audit = resolve(value()); break;
      case '--no-audit': args.useAudit = false; break;
      case '--no-cluster': args.cluster = false; break;
      case '--no-live': args.live = false; break;
      case '--label': args.label = value(); break;
      default: throw new Error(`unknown option ${argv[i]}`);
    }
  }
  // --map-url alone (how this script was called before it measured every route) still works:
  // its origin is the base, and /map is measured at that URL, query string included.
  if (!args.baseUrl && args.mapUrl) args.baseUrl = new URL(args.mapUrl).origin;
  if (args.baseUrl && !args.mapUrl) args.mapUrl = `${args.baseUrl}${MAP_ROUTE}`;
  return args;
}

const routeUrl = (args, route) => (route === MAP_ROUTE ? args.mapUrl : `${args.baseUrl}${route}`);

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.css': 'text/css',
};

// Serves the repository root read-only. Cross-origin isolation headers give the page 5 µs
// timers instead of 100 µs, which matters for sub-millisecond queries.
function serve() {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname));
    const file = join(ROOT, path);
    if (!file.startsWith(ROOT + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, {
      'Content-Type': MIME[extname(file)] || 'application/octet-stream',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
      'Cache-Control': 'no-store',
    });
    res.end(readFileSync(file));
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ok(server));
  });
}

async function clusterBench(browser, args, warnings) {
  if (!existsSync(join(ROOT, 'target/bench/quartier_bench_wasm.js'))) {
    warnings.push('target/bench/quartier_bench_wasm.js is missing: run `cargo xtask bench` (it builds it)');
    return null;
  }
  const server = await serve();
  try {
    const page = await browser.newPage();
    page.on('console', (msg) => { if (msg.type() === 'error') warnings.push(`bench page: ${msg.text()}`); });
    page.on('pageerror', (error) => warnings.push(`bench page: ${error.message}`));
    const { port } = server.address();
    await page.goto(`http://127.0.0.1:${port}/bench/cluster.html`);
    await page.waitForFunction(() => window.benchReady === true, null, { timeout: 60_000 });
    page.setDefaultTimeout(0);
    const results = await page.evaluate(
      (config) => window.runClusterBench(config),
      { sizes: args.sizes, runs: args.runs },
    );
    await page.close();
    return results;
  } finally {
    server.close();
  }
}

// --- the app's pages -----------------------------------------------------------------------

function runAudit(auditPath, url, profileName, ready) {
  const profile = PROFILES[profileName];
  const dir = mkdtempSync(join(tmpdir(), `quartier-bench-${profileName}-`));
  const argv = [url, '--out', dir, '--throttle', profile.throttle, '--viewport', profile.viewport,
    '--wait-for', ready, '--timeout', '45'];
  return new Promise((ok) => {
    const child = spawn(auditPath, argv, {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, CHROMIUM: process.env.CHROMIUM || '/usr/bin/chromium' },
    });
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', (error) => ok({ error: `qa/audit did not start: ${error.message}` }));
    child.on('close', (code) => {
      const file = join(dir, 'report.json');
      let report = null;
      try { report = JSON.parse(readFileSync(file, 'utf8')); } catch { /* reported below */ }
      rmSync(dir, { recursive: true, force: true });
      if (!report) {
        ok({ error: `qa/audit exited ${code} without a report: ${stderr.trim().slice(-400)}` });
        return;
      }
      const bytes = (key) => report.bytes?.[key]?.transfer ?? 0;
      const m = report.metrics || {};
      ok({
        tool: 'qa/audit',
        profile: profileName,
        bytes: summarise({
          document: bytes('document'), wasm: bytes('wasm'), js: bytes('js'), css: bytes('css'),
          image: bytes('image'), fetch_xhr: bytes('fetch_xhr'), font: bytes('font'), other: bytes('other'),
          total: bytes('total'),
        }),
        ready_ms: m.ready_ms ?? null,
        lcp_ms: m.lcp_ms ?? null,
        tbt_ms: m.tbt_ms ?? null,
        js_heap_used_bytes: m.js_heap_used_bytes ?? null,
        array_buffers_bytes: m.array_buffers_bytes ?? null,
        console_errors: report.counts?.console_errors ?? null,
        // The first messages, so that a null ready_ms comes with its likely cause.
        first_errors: [
          ...(report.uncaught_exceptions || []).map((e) => e.message),
          ...(report.console_errors || []).map((e) => e.text),
        ].slice(0, 3),
        failed_requests: report.counts?.failed_requests ?? null,
        axe_violations: report.axe?.violation_count ?? null,
        warnings: report.warnings || [],
      });
    });
  });
}

// `app` is what the budget counts: the page, its wasm, JS and CSS (Leaflet's script and
// stylesheet included, on every route since index.html loads them); images (map tiles, Leaflet's
// marker images) and API data are not part of it. `total` is everything on the wire.
function summarise(b) {
  const app = b.document + b.wasm + b.js + b.css;
  const total = b.total || Object.values(b).reduce((s, v) => s + v, 0);
  return { ...b, total, other: total - b.wasm - b.js - b.css, app, app_budget: BUDGET.first_load_bytes };
}

const emptyBytes = () => ({ document: 0, wasm: 0, js: 0, css: 0, image: 0, fetch_xhr: 0, font: 0, other: 0 });

function category(type, mime, url) {
  if (mime === 'application/wasm' || /\.wasm(\?|$)/.test(url)) return 'wasm';
  if (type === 'Document') return 'document';
  if (type === 'Script' || /javascript/.test(mime)) return 'js';
  if (type === 'Stylesheet' || mime === 'text/css') return 'css';
  if (type === 'Image') return 'image';
  if (type === 'Fetch' || type === 'XHR') return 'fetch_xhr';
  if (type === 'Font') return 'font';
  return 'other';
}

// A fresh context under a profile, with CDP throttling on, the HTTP cache as `cache` says, and
// every finished request's bytes on the wire (CDP's encodedDataLength: compressed body +
// headers) handed to `onBytes(kind, bytes, url, seq)`, where `seq` numbers the requests in the
// order they were sent (`sent()` is the last number given). `quiet(q, max)` waits until no
// request has been in flight for q ms (EventSource streams and data: URLs aside: they never or
// not really finish), or max ms ran out (then it answers false).
async function throttledPage(browser, profileName, { cache, onBytes, storageState }) {
  const profile = PROFILES[profileName];
  const context = await browser.newContext({ ...profile.context, storageState });
  try {
    return await instrument(context, profile, { cache, onBytes });
  } catch (error) {
    await context.close();
    throw error;
  }
}

async function instrument(context, profile, { cache, onBytes }) {
  const page = await context.newPage();
  const errors = [];
  page.on('console', (msg) => { if (msg.type() === 'error') errors.push(msg.text().slice(0, 300)); });
  page.on('pageerror', (error) => errors.push(String(error.message).slice(0, 300)));
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: !cache });
  if (profile.network) await cdp.send('Network.emulateNetworkConditions', profile.network);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: profile.cpu });
  const kinds = new Map();
  const urls = new Map();
  const seqs = new Map();
  const open = new Set();
  let seq = 0;
  let lastNetwork = Date.now();
  cdp.on('Network.requestWillBeSent', ({ requestId, type, request }) => {
    // A redirect is sent again under the same id: it keeps its first number and URL.
    if (!seqs.has(requestId)) {
      seqs.set(requestId, ++seq);
      urls.set(requestId, request.url);
    }
    if (type !== 'EventSource' && !request.url.startsWith('data:')) open.add(requestId);
    lastNetwork = Date.now();
  });
  cdp.on('Network.responseReceived', ({ requestId, type, response }) => {
    kinds.set(requestId, category(type, response.mimeType, response.url));
  });
  cdp.on('Network.loadingFinished', ({ requestId, encodedDataLength }) => {
    open.delete(requestId);
    lastNetwork = Date.now();
    onBytes(kinds.get(requestId) || 'other', encodedDataLength, urls.get(requestId) || '', seqs.get(requestId) ?? 0);
  });
  cdp.on('Network.loadingFailed', ({ requestId }) => {
    open.delete(requestId);
    lastNetwork = Date.now();
  });
  const quiet = async (quietMs, maxMs) => {
    const end = Date.now() + maxMs;
    while (Date.now() < end) {
      if (open.size === 0 && Date.now() - lastNetwork >= quietMs) return true;
      await sleep(100);
    }
    return false;
  };
  return { context, page, cdp, errors, quiet, sent: () => seq };
}

// The fallback: the same figures as qa/audit's, measured here (bytes on the wire as CDP's
// encodedDataLength: compressed body + headers; time to the ready selector from navigation start).
async function measurePage(browser, url, profileName, ready, storageState) {
  const warnings = [];
  const bytes = emptyBytes();
  const { context, page, cdp, errors } = await throttledPage(browser, profileName, {
    cache: false,
    storageState,
    onBytes: (kind, n) => { bytes[kind] += n; },
  });
  try {
    await page.addInitScript((selector) => {
      const check = () => {
        if (window.__quartierReadyAt === undefined && document.querySelector(selector)) {
          window.__quartierReadyAt = performance.now();
        }
      };
      new MutationObserver(check).observe(document, { subtree: true, childList: true, attributes: true });
    }, ready);
    const response = await page.goto(url, { waitUntil: 'load', timeout: 90_000 });
    if (!response || response.status() >= 400) warnings.push(`${url} answered ${response?.status()}`);
    let readyMs = null;
    let heading = null;
    try {
      await page.waitForFunction(() => window.__quartierReadyAt !== undefined, null, { timeout: 45_000 });
      readyMs = await page.evaluate(() => window.__quartierReadyAt);
      heading = await page.evaluate(() => document.querySelector('main h1')?.textContent.trim() ?? null);
    } catch {
      warnings.push(`${ready} never appeared on ${url} (${profileName}): ready_ms is null`);
    }
    // Let late requests (data pages, tiles) finish so that the byte counts are complete.
    await page.waitForTimeout(2000);
    const heap = await cdp.send('Runtime.getHeapUsage').catch(() => null);
    return {
      tool: storageState ? 'bench/run.mjs (CDP, signed in)' : 'bench/run.mjs (CDP)',
      profile: profileName,
      bytes: summarise({ ...bytes, total: 0 }),
      ready_ms: readyMs === null ? null : Math.round(readyMs),
      // The <h1> the page showed when it was ready: says which page was measured.
      heading,
      lcp_ms: null,
      tbt_ms: null,
      js_heap_used_bytes: heap ? heap.usedSize : null,
      // Includes WebAssembly memory, which the JS heap figure does not.
      array_buffers_bytes: heap?.backingStorageSize ?? null,
      console_errors: errors.length,
      first_errors: errors.slice(0, 3),
      warnings,
    };
  } finally {
    await context.close();
  }
}

// One route's first load under the phone and kiosk profiles: `--runs` loads each.
async function firstLoadBench(browser, args, route, warnings, signedIn) {
  const url = routeUrl(args, route);
  const ready = readyFor(route);
  // qa/audit cannot sign in: personal pages are measured here, with the session's cookie.
  const storageState = PERSONAL.has(route) ? signedIn : undefined;
  const useAudit = args.useAudit && existsSync(args.audit) && !storageState;
  const out = {};
  for (const profile of ['phone', 'kiosk']) {
    // Timings vary by 5-15 % from load to load (shared/qa/README.md): `--runs` loads, the
    // median run (by ready time) is reported, with every run's time beside it.
    const runs = [];
    for (let i = 0; i < args.runs; i++) {
      let run = useAudit ? await runAudit(args.audit, url, profile, ready) : null;
      if (!run || run.error) {
        if (run?.error) warnings.push(`${run.error}; measuring ${route} (${profile}) here instead`);
        run = await measurePage(browser, url, profile, ready, storageState);
      }
      runs.push(run);
    }
    const finished = runs.filter((r) => r.ready_ms !== null).sort((a, b) => a.ready_ms - b.ready_ms);
    const result = finished.length ? finished[Math.floor((finished.length - 1) / 2)] : runs[0];
    result.ready_ms_runs = runs.map((r) => r.ready_ms);
    if (result.ready_ms === null) {
      const cause = result.first_errors?.length ? `; first error: ${result.first_errors[0]}` : '';
      warnings.push(`${route} (${profile}): ${ready} never appeared, ready_ms is null${cause}`);
    }
    out[profile] = result;
  }
  return out;
}

// The bytes an in-app navigation from /map to `route` adds, under the phone profile, one run:
// a fresh context opens /map (HTTP cache on, as a resident's browser has it), waits for
// data-ready and for the network to be quiet, then clicks the app's own link to `route` (the
// header's first, then any <a> whose path is `route`; the app intercepts the click and renders
// the page without a load). Without such a link it calls history.pushState and dispatches
// popstate, which the app follows the same way. Every request sent after that moment is
// counted, by CDP's encodedDataLength like the first loads, until `PAGE_READY` matches a new
// <h1> and no request has been in flight for 2 s.
async function navigationBench(browser, args, route, signedIn) {
  const profileName = 'phone';
  const warnings = [];
  const bytes = emptyBytes();
  const requests = [];
  // Requests sent after this number are the navigation's (Infinity: none yet).
  let after = Infinity;
  const { context, page, errors, quiet, sent } = await throttledPage(browser, profileName, {
    cache: true,
    storageState: PERSONAL.has(route) ? signedIn : undefined,
    onBytes: (kind, n, url, seq) => {
      if (seq <= after) return;
      bytes[kind] += n;
      requests.push({ url: url.length > 160 ? `${url.slice(0, 160)}…` : url, kind, bytes: n });
    },
  });
  try {
    const from = args.mapUrl;
    const response = await page.goto(from, { waitUntil: 'load', timeout: 90_000 });
    if (!response || response.status() >= 400) warnings.push(`${from} answered ${response?.status()}`);
    try {
      await page.waitForSelector(READY, { state: 'attached', timeout: 45_000 });
    } catch {
      warnings.push(`${READY} never appeared on ${from}: navigating to ${route} from a map that is not ready`);
    }
    if (!(await quiet(1500, 15_000))) warnings.push(`${from} kept requesting for 15 s before the navigation`);
    // Counting starts before the click: whatever the click sends is numbered after this.
    after = sent();
    const via = await page.evaluate(({ path, selector }) => {
      const old = document.querySelector('main h1');
      const nav = (window.__quartierNav = { start: performance.now(), readyAt: null });
      const check = () => {
        const heading = document.querySelector(selector);
        if (nav.readyAt === null && location.pathname === path && heading && heading !== old) {
          nav.readyAt = performance.now();
          nav.heading = heading.textContent.trim();
        }
      };
      new MutationObserver(check).observe(document, { subtree: true, childList: true, attributes: true });
      const samePath = (a) => {
        try {
          const url = new URL(a.getAttribute('href'), location.href);
          return url.origin === location.origin && url.pathname === path && !a.target && !a.hasAttribute('download');
        } catch {
          return false;
        }
      };
      const link = [...document.querySelectorAll('header a[href]'), ...document.querySelectorAll('a[href]')].find(samePath);
      if (link) {
        // click() sends a primary-button click that bubbles to the app's window listener
        // (the phone profile may fold the header away: a synthetic click needs no hit test).
        link.click();
        check();
        return { via: 'link', href: link.getAttribute('href'), name: (link.getAttribute('aria-label') || link.textContent).trim() };
      }
      history.pushState(null, '', path);
      dispatchEvent(new PopStateEvent('popstate', { state: null }));
      check();
      return { via: 'pushState', href: path, name: null };
    }, { path: route, selector: PAGE_READY });
    let readyMs = null;
    let heading = null;
    try {
      await page.waitForFunction(() => window.__quartierNav && window.__quartierNav.readyAt !== null, null, { timeout: 45_000 });
      ({ readyMs, heading } = await page.evaluate(() => ({
        readyMs: window.__quartierNav.readyAt - window.__quartierNav.start,
        heading: window.__quartierNav.heading,
      })));
    } catch {
      warnings.push(`${route} after navigating from /map: ${PAGE_READY} never matched a new heading`);
    }
    if (!(await quiet(2000, 15_000))) warnings.push(`${route} kept requesting for 15 s after the navigation`);
    const pathname = await page.evaluate(() => location.pathname);
    if (pathname !== route) warnings.push(`the navigation to ${route} ended on ${pathname}`);
    return {
      tool: PERSONAL.has(route) && signedIn ? 'bench/run.mjs (CDP, signed in)' : 'bench/run.mjs (CDP)',
      profile: profileName,
      from,
      ...via,
      bytes: summarise({ ...bytes, total: 0 }),
      // From the click to a new heading with no loading status left: one run, not a median.
      ready_ms: readyMs === null ? null : Math.round(readyMs),
      heading,
      requests,
      console_errors: errors.length,
      first_errors: errors.slice(0, 3),
      warnings,
    };
  } finally {
    await context.close();
  }
}

// Signs the demo resident in once (the platform limits sign-ins) and returns the session as a
// Playwright storage state, which each measured context starts with.
async function signInState(browser, baseUrl, warnings) {
  const context = await browser.newContext();
  try {
    const response = await context.request.post(`${baseUrl}/api/v1/session`, {
      data: DEMO_RESIDENT,
      headers: { Origin: baseUrl },
    });
    if (!response.ok()) {
      warnings.push(`signing in for the personal pages answered ${response.status()}: they are measured signed out`);
      return undefined;
    }
    return await context.storageState();
  } finally {
    await context.close();
  }
}

// Every route's first load, then the navigations from /map. `map` (the key results.json had
// before routes) is the /map entry's first load.
async function routesBench(browser, args, warnings) {
  if (!args.baseUrl) return { routes: null, map: null };
  const routes = {};
  const signedIn = args.routes.some((r) => PERSONAL.has(r))
    ? await signInState(browser, args.baseUrl, warnings)
    : undefined;
  for (const route of args.routes) {
    const first = await firstLoadBench(browser, args, route, warnings, signedIn);
    routes[route] = { url: routeUrl(args, route), ready: readyFor(route), first_load: first, navigation_from_map: null };
  }
  for (const route of args.routes.filter((r) => r !== MAP_ROUTE)) {
    const nav = await navigationBench(browser, args, route, signedIn);
    for (const w of nav.warnings) warnings.push(`navigation /map -> ${route}: ${w}`);
    if (nav.first_errors.length) warnings.push(`navigation /map -> ${route}: first error: ${nav.first_errors[0]}`);
    routes[route].navigation_from_map = nav;
  }
  for (const entry of Object.values(routes)) {
    const { phone, kiosk } = entry.first_load;
    const nav = entry.navigation_from_map;
    // The figures of the table, in one place per route.
    entry.summary = {
      first_load_app_bytes: phone.bytes.app,
      first_load_total_bytes: phone.bytes.total,
      ready_ms_phone: phone.ready_ms,
      ready_ms_kiosk: kiosk.ready_ms,
      navigation_from_map_app_bytes: nav ? nav.bytes.app : null,
      navigation_from_map_total_bytes: nav ? nav.bytes.total : null,
      navigation_from_map_ready_ms: nav ? nav.ready_ms : null,
    };
  }
  return { routes, map: routes[MAP_ROUTE]?.first_load ?? null };
}

// --- output --------------------------------------------------------------------------------

const kb = (b) => (b === null || b === undefined ? '-' : `${(b / 1024).toFixed(1)} KB`);
const mb = (b) => (b === null || b === undefined ? '-' : `${(b / 1048576).toFixed(1)} MB`);
const ms = (x, d = 1) => (x === null || x === undefined ? '-' : `${Number(x).toFixed(d)} ms`);
const pad = (s, n) => String(s).padEnd(n);
const lpad = (s, n) => String(s).padStart(n);
const count = (n) => (n >= 1e6 ? `${n / 1e6}M` : n >= 1e3 ? `${n / 1e3}k` : `${n}`);

function table(results) {
  const lines = [];
  // A cell wider than its column still gets a space before it.
  const row = (label, cells, width = 14, labelWidth = 36) => lines.push(pad(label, labelWidth) + cells.map((c) => lpad(c, width).replace(/^(?! )/, ' ')).join(''));
  lines.push(`Quartier bench${results.label ? `, ${results.label}` : ''}, ${results.date} (${results.browser})`);
  const routes = results.routes;
  if (routes) {
    const entries = Object.entries(routes);
    const tools = [...new Set(entries.flatMap(([, e]) => [e.first_load.phone.tool, e.first_load.kiosk.tool]))].join(', ');
    const runs = entries[0]?.[1].first_load.phone.ready_ms_runs.length ?? '-';
    lines.push('');
    lines.push(`Routes: first load and in-app navigation from /map    [first loads: ${tools}; navigations: bench/run.mjs (CDP)]`);
    lines.push(`  load app: bytes on the wire of a first visit, document + wasm + JS + CSS (Leaflet included), phone; budget ${kb(BUDGET.first_load_bytes)}`);
    lines.push('  load all: everything on the wire, map tiles and API data included');
    lines.push(`  ready: median of ${runs} loads, from navigation start; /map: ${READY}; other pages: main h1 shown and`);
    lines.push(`         no role="status" loading element left (phone budget ${BUDGET.ready_ms_phone} ms)`);
    lines.push('  nav app / nav all: bytes a click on the app\'s link adds once /map is ready (phone, one run)');
    const cells = ['load app', 'load all', 'ready phone', 'ready kiosk', 'nav app', 'nav all'];
    row('  route', cells, 13, 14);
    for (const [route, entry] of entries) {
      const s = entry.summary;
      row(`  ${route}`, [
        kb(s.first_load_app_bytes), kb(s.first_load_total_bytes),
        ms(s.ready_ms_phone, 0), ms(s.ready_ms_kiosk, 0),
        kb(s.navigation_from_map_app_bytes), kb(s.navigation_from_map_total_bytes),
      ], 13, 14);
    }
  } else {
    lines.push('', 'Routes: not measured (no --base-url or --map-url)');
  }
  const map = results.map;
  if (map) {
    lines.push('');
    lines.push(`/map first load in detail (bytes on the wire)    [${map.phone.tool}]`);
    row('', ['phone', 'kiosk']);
    for (const key of ['document', 'wasm', 'js', 'css', 'image', 'fetch_xhr', 'other', 'total']) {
      const label = { image: 'image (map tiles)', fetch_xhr: 'fetch (API data, <= 100 KB)' }[key] || key;
      row(`  ${label}`, [kb(map.phone.bytes[key]), kb(map.kiosk.bytes[key])]);
    }
    row(`  app = doc+wasm+js+css (<= ${kb(BUDGET.first_load_bytes)})`, [kb(map.phone.bytes.app), kb(map.kiosk.bytes.app)]);
    row(`  data-ready, median (phone <= ${BUDGET.ready_ms_phone} ms)`, [ms(map.phone.ready_ms, 0), ms(map.kiosk.ready_ms, 0)]);
    row('  data-ready, each run (ms)', [map.phone.ready_ms_runs.join('/'), map.kiosk.ready_ms_runs.join('/')]);
    row('  LCP', [ms(map.phone.lcp_ms, 0), ms(map.kiosk.lcp_ms, 0)]);
    row('  total blocking time (<= 300 ms)', [ms(map.phone.tbt_ms, 0), ms(map.kiosk.tbt_ms, 0)]);
    row('  JS heap used', [mb(map.phone.js_heap_used_bytes), mb(map.kiosk.js_heap_used_bytes)]);
    row('  ArrayBuffers (incl. wasm memory)', [mb(map.phone.array_buffers_bytes), mb(map.kiosk.array_buffers_bytes)]);
  }
  const pan = results.pan;
  if (pan) {
    lines.push('');
    lines.push(`Panning at zoom 16, phone (five arrow keys, until the new area is drawn; target <= 1000 ms)`);
    row('  median (each run)', [`${ms(pan.median_ms, 0)} (${pan.runs.join('/')})`], 30);
  }
  const live = results.live;
  if (live) {
    lines.push('');
    lines.push(`Sensor write -> seen on an open map (${live.route}, ${live.profile}; target p95 <= ${live.target_ms} ms)`);
    lines.push('  from just before the PATCH of a charger\'s status until the legend\'s "Out of order or full" count shows it');
    row('  p50 / p95 / max', [`${ms(live.p50_ms, 0)} / ${ms(live.p95_ms, 0)} / ${ms(live.max_ms, 0)}`], 30);
    row('  seen / written', [`${live.seen} / ${live.writes}`], 30);
    row('  PATCH answered, p50', [ms(live.patch_answer_p50_ms, 0)], 30);
  }
  const c = results.clustering;
  if (c) {
    const sizes = c.sizes;
    lines.push('');
    lines.push(`Clustering build, median of ${sizes[0]?.runs ?? '-'} runs (radius 60, extent 256, z0-16)`);
    row('', sizes.map((s) => `${count(s.points)} points`));
    row('  Rust (quartier-cluster, wasm)', sizes.map((s) => ms(s.rust.median_ms)));
    row('  supercluster', sizes.map((s) => ms(s.supercluster.median_ms)));
    row('  supercluster + worst reducer', sizes.map((s) => ms(s.supercluster_worst.median_ms)));
    row('  speed-up vs supercluster', sizes.map((s) => `${s.speedup}x`));
    row('  speed-up vs supercluster + worst', sizes.map((s) => `${s.speedup_vs_worst}x`));
    row('  Rust wasm memory (peak)', sizes.map((s) => mb(s.rust.wasm_memory_bytes)));
    row('  supercluster index heap', sizes.map((s) => mb(s.supercluster.index_heap_bytes)));
    lines.push('');
    lines.push(`Viewport queries (phone viewport, ${sizes[0] ? Object.values(sizes[0].queries)[0]?.rust.queries : '-'} per zoom): mean / p95 / max per query, ms`);
    const zooms = sizes[0] ? Object.keys(sizes[0].queries) : [];
    row('', zooms.map((z) => `z${z}`), 20);
    for (const s of sizes) {
      for (const impl of ['rust', 'supercluster']) {
        row(`  ${impl} ${count(s.points)}`, zooms.map((z) => {
          const q = s.queries[z][impl];
          return `${q.mean_ms.toFixed(3)}/${(q.p95_ms ?? q.max_ms).toFixed(2)}/${q.max_ms.toFixed(2)}`;
        }), 20);
      }
      row(`  items returned rust/sc ${count(s.points)}`, zooms.map((z) => `${s.queries[z].rust.items}/${s.queries[z].supercluster.items}`), 20);
    }
  } else {
    lines.push('', 'Clustering: not measured');
  }
  if (results.warnings.length) {
    lines.push('', 'Warnings:');
    for (const w of results.warnings) lines.push(`  - ${w}`);
  }
  return lines.join('\n');
}

// Panning at zoom 16 (where a large layer loads the area in view): from a ready map of the town
// centre, five arrow-key presses on the map (Leaflet pans 80 px each, about a phone's width
// in all) until the network has been quiet for QUIET_MS (the new area's services and tiles
// are in and drawn), that quiet time taken off. Phone profile, HTTP cache on (a resident who
// pans has the app already); median of --runs.
const PAN_ROUTE = '/map?layers=Streetlight,WasteContainer&lat=47.39410&lon=0.68480&z=16';
const QUIET_MS = 300;

async function panBench(browser, args, warnings) {
  if (!args.baseUrl) return null;
  const runs = [];
  for (let i = 0; i < args.runs; i++) {
    const { context, page, quiet, sent } = await throttledPage(browser, 'phone', { cache: true, onBytes: () => {} });
    try {
      await page.goto(`${args.baseUrl}${PAN_ROUTE}`);
      await page.waitForSelector(READY, { timeout: 90000 });
      if (!(await quiet(1000, 30000))) warnings.push('pan: the map never went quiet before panning');
      await page.focus('.leaflet-container');
      const before = sent();
      const start = Date.now();
      for (let k = 0; k < 5; k++) await page.keyboard.press('ArrowRight');
      // The pan's requests (the area's services, tiles) start when Leaflet ends its move.
      while (sent() === before && Date.now() - start < 5000) await sleep(20);
      if (sent() === before) warnings.push('pan: no request followed the pan');
      if (!(await quiet(QUIET_MS, 30000))) warnings.push('pan: still loading after 30 s');
      runs.push(Date.now() - start - QUIET_MS);
    } catch (error) {
      warnings.push(`pan: ${error.message}`);
    } finally {
      await context.close();
    }
  }
  const sorted = [...runs].sort((a, b) => a - b);
  return { route: PAN_ROUTE, runs, median_ms: sorted.length ? sorted[Math.floor(sorted.length / 2)] : null };
}

// A sensor write seen on an open map: /map showing the chargers (a layer loaded whole: 40 in
// the demo town, 400 at --scale 10) under the phone profile's viewport, with no CPU or network
// throttling (loopback: what is measured is the platform's stream and the app's redraw, the
// app's 200 ms coalescing of a burst included). Once the map is ready and says the live stream
// is on, LIVE_WRITES times: node PATCHes a charger's status as the charging silo's IoT agent,
// out of service then back to working (the same charger twice, LIVE_WRITES / 2 chargers that
// were not out of order), and the time runs from just before the PATCH until a
// MutationObserver in the page sees the legend's "Out of order or full" count become the
// expected one (both clocks are Date.now() on the same machine).
const LIVE_ROUTE = '/map?lang=en&layers=EVChargingStation';
const LIVE_WRITES = 20;
const LIVE_TOKEN = 'quartier-demo-writer-charging';
const LIVE_ON = 'Live updates on';
const OUT_OF_ORDER = 'Out of order or full';
// The chargers' status words the legend does not count as out of order (src/map/layers.rs).
const NOT_OUT_OF_ORDER = ['working', 'empty', 'free', 'ok', 'occupied', 'partiallyWorking'];
const LIVE_TIMEOUT_MS = 10_000;

const nearestRank = (sorted, p) => (sorted.length ? sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1] : null);

async function liveBench(browser, args, warnings) {
  if (!args.baseUrl || !args.live) return null;
  const list = await fetch(`${args.baseUrl}/ngsi-ld/v1/entities?type=EVChargingStation&options=keyValues&limit=100`, {
    headers: { Accept: 'application/json' },
  });
  const chargers = list.ok ? await list.json() : [];
  const ids = chargers
    .filter((c) => NOT_OUT_OF_ORDER.includes(c.status))
    .map((c) => c.id)
    .slice(0, Math.ceil(LIVE_WRITES / 2));
  if (!ids.length) {
    warnings.push(`live: no charger to write (GET entities answered ${list.status}, ${chargers.length} chargers)`);
    return null;
  }
  const context = await browser.newContext({ ...PROFILES.phone.context });
  const runs = [];
  const writeMs = [];
  try {
    const page = await context.newPage();
    page.on('pageerror', (error) => warnings.push(`live: ${String(error.message).slice(0, 200)}`));
    await page.goto(`${args.baseUrl}${LIVE_ROUTE}`, { waitUntil: 'load', timeout: 90_000 });
    await page.waitForSelector(READY, { state: 'attached', timeout: 90_000 });
    await page.waitForFunction(
      (on) => document.querySelector('.layer-panel__live')?.textContent.includes(on),
      LIVE_ON,
      { timeout: 30_000 },
    );
    await page.evaluate((label) => {
      const count = () => {
        const row = [...document.querySelectorAll('#layer-status-EVChargingStation .legend__row')]
          .find((r) => r.textContent.includes(label));
        // "Out of order or full: 3", Fluent's isolation marks around the number aside; a state
        // with no service has no row.
        return row ? Number(row.textContent.split(':').pop().replace(/\D/g, '')) : 0;
      };
      const live = (window.__quartierLive = { count, last: count(), changes: [] });
      new MutationObserver(() => {
        const now = Date.now();
        const c = count();
        if (c !== live.last) {
          live.last = c;
          live.changes.push({ at: now, count: c });
        }
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    }, OUT_OF_ORDER);
    for (let i = 0; i < LIVE_WRITES; i++) {
      const id = ids[Math.floor(i / 2) % ids.length];
      const value = i % 2 === 0 ? 'outOfService' : 'working';
      const before = await page.evaluate(() => window.__quartierLive.last);
      const expected = before + (value === 'outOfService' ? 1 : -1);
      const seenFrom = await page.evaluate(() => window.__quartierLive.changes.length);
      const start = Date.now();
      const answer = await fetch(`${args.baseUrl}/ngsi-ld/v1/entities/${encodeURIComponent(id)}/attrs`, {
        method: 'PATCH',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${LIVE_TOKEN}` },
        body: JSON.stringify({ status: { type: 'Property', value } }),
      });
      writeMs.push(Date.now() - start);
      if (answer.status !== 204) {
        warnings.push(`live: PATCH ${id} status=${value} answered ${answer.status}`);
        runs.push(null);
        continue;
      }
      try {
        await page.waitForFunction(
          ({ from, expected }) => window.__quartierLive.changes.slice(from).some((c) => c.count === expected),
          { from: seenFrom, expected },
          { timeout: LIVE_TIMEOUT_MS, polling: 20 },
        );
        const at = await page.evaluate(
          ({ from, expected }) => window.__quartierLive.changes.slice(from).find((c) => c.count === expected).at,
          { from: seenFrom, expected },
        );
        runs.push(at - start);
      } catch {
        warnings.push(`live: ${LIVE_TIMEOUT_MS} ms after ${id} was set to ${value}, the legend still counts ${await page.evaluate(() => window.__quartierLive.count())} out of order (expected ${expected})`);
        runs.push(null);
      }
      await sleep(250);
    }
  } catch (error) {
    warnings.push(`live: ${error.message.split('\n')[0]}`);
  } finally {
    await context.close();
  }
  const seen = runs.filter((r) => r !== null).sort((a, b) => a - b);
  const writes = [...writeMs].sort((a, b) => a - b);
  return {
    route: LIVE_ROUTE,
    profile: 'phone viewport, no CPU or network throttling',
    writes: runs.length,
    seen: seen.length,
    runs,
    p50_ms: nearestRank(seen, 50),
    p95_ms: nearestRank(seen, 95),
    max_ms: seen.length ? seen[seen.length - 1] : null,
    patch_answer_p50_ms: nearestRank(writes, 50),
    target_ms: 1000,
  };
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const warnings = [];
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    // Playwright adds its own --headless; ours are the TOOLCHAIN.md flags for root + offline.
    args: [...CHROMIUM_ARGS, '--js-flags=--expose-gc', '--enable-precise-memory-info'],
  });
  let results;
  try {
    const clustering = args.cluster ? await clusterBench(browser, args, warnings) : null;
    const { routes, map } = await routesBench(browser, args, warnings);
    const pan = await panBench(browser, args, warnings);
    // Last: its writes change the chargers the other phases read.
    const live = await liveBench(browser, args, warnings);
    results = {
      label: args.label,
      date: new Date().toISOString(),
      browser: `Chromium ${browser.version()}`,
      budgets: BUDGET,
      map,
      pan,
      live,
      routes,
      clustering,
      warnings,
    };
  } finally {
    await browser.close();
  }
  if (args.out) {
    mkdirSync(dirname(args.out), { recursive: true });
    writeFileSync(args.out, JSON.stringify(results, null, 2) + '\n');
  }
  console.log(args.table ? table(results) : JSON.stringify(results, null, 2));
}

main().catch((error) => {
  console.error(`bench/run.mjs: ${error.stack || error}`);
  process.exit(1);
});
