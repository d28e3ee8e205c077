#!/usr/bin/env node
// The browser half of `cargo xtask bench` (it can also run alone once the wasm is built):
//   node bench/run.mjs [--map-url http://127.0.0.1:P/map] [--out FILE] [--table]
//                      [--sizes 100000,1000000] [--runs 3] [--no-audit] [--audit PATH]
//
// 1. Clustering: serves the repository root on 127.0.0.1 (wasm modules do not load reliably
//    from file://), opens bench/cluster.html in headless Chromium and runs Rust against
//    supercluster there (target/bench/ must hold the wasm-bindgen --target web output).
// 2. The map page (with --map-url): first-load bytes and time to [data-ready="true"] under the
//    phone and kiosk profiles, through ../shared/qa/audit when it exists next to the
//    repository, otherwise through the same measurement done here with CDP throttling.
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
const READY = '[data-ready="true"]';
const BUDGET = { first_load_bytes: 250 * 1024, ready_ms_phone: 2500, query_ms: 2 };

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
    mapUrl: null,
    out: null,
    table: false,
    sizes: [100000, 1000000],
    runs: 3,
    audit: resolve(ROOT, '..', 'shared', 'qa', 'audit'),
    useAudit: true,
  };
  for (let i = 0; i < argv.length; i++) {
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${argv[i - 1]} needs a value`);
      return v;
    };
    switch (argv[i]) {
      case '--map-url': args.mapUrl = value(); break;
      case '--out': args.out = resolve(value()); break;
      case '--table': args.table = true; break;
      case '--sizes': args.sizes = value().split(',').map(Number).filter((n) => n > 0); break;
      case '--runs': args.runs = Math.max(1, Number(value()) || 1); break;
      case '--audit': args.audit = resolve(value()); break;
      case '--no-audit': args.useAudit = false; break;
      default: throw new Error(`unknown option ${argv[i]}`);
    }
  }
  return args;
}

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

// --- the /map page -----------------------------------------------------------------------

function runAudit(auditPath, url, profileName) {
  const profile = PROFILES[profileName];
  const dir = mkdtempSync(join(tmpdir(), `quartier-bench-${profileName}-`));
  const argv = [url, '--out', dir, '--throttle', profile.throttle, '--viewport', profile.viewport,
    '--wait-for', READY, '--timeout', '45'];
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

// `app` is what the budget counts: the page, its wasm, JS and CSS (Leaflet included); images
// (map tiles) and API data are not part of it.
function summarise(b) {
  const app = b.document + b.wasm + b.js + b.css;
  const total = b.total || Object.values(b).reduce((s, v) => s + v, 0);
  return { ...b, total, other: total - b.wasm - b.js - b.css, app, app_budget: BUDGET.first_load_bytes };
}

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

// The fallback: the same figures as qa/audit's, measured here (bytes on the wire as CDP's
// encodedDataLength: compressed body + headers; time to the ready marker from navigation start).
async function measureMap(browser, url, profileName) {
  const profile = PROFILES[profileName];
  const context = await browser.newContext(profile.context);
  const warnings = [];
  try {
    const page = await context.newPage();
    const errors = [];
    page.on('console', (msg) => { if (msg.type() === 'error') errors.push(msg.text().slice(0, 300)); });
    page.on('pageerror', (error) => errors.push(String(error.message).slice(0, 300)));
    await page.addInitScript((selector) => {
      const check = () => {
        if (window.__quartierReadyAt === undefined && document.querySelector(selector)) {
          window.__quartierReadyAt = performance.now();
        }
      };
      new MutationObserver(check).observe(document, { subtree: true, childList: true, attributes: true });
    }, READY);
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    if (profile.network) await cdp.send('Network.emulateNetworkConditions', profile.network);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: profile.cpu });
    const requests = new Map();
    const bytes = { document: 0, wasm: 0, js: 0, css: 0, image: 0, fetch_xhr: 0, font: 0, other: 0 };
    cdp.on('Network.responseReceived', ({ requestId, type, response }) => {
      requests.set(requestId, category(type, response.mimeType, response.url));
    });
    cdp.on('Network.loadingFinished', ({ requestId, encodedDataLength }) => {
      const kind = requests.get(requestId) || 'other';
      bytes[kind] += encodedDataLength;
    });
    const response = await page.goto(url, { waitUntil: 'load', timeout: 90_000 });
    if (!response || response.status() >= 400) warnings.push(`${url} answered ${response?.status()}`);
    let readyMs = null;
    try {
      await page.waitForFunction(() => window.__quartierReadyAt !== undefined, null, { timeout: 45_000 });
      readyMs = await page.evaluate(() => window.__quartierReadyAt);
    } catch {
      warnings.push(`${READY} never appeared on ${url} (${profileName}): ready_ms is null`);
    }
    // Let late requests (data pages, tiles) finish so that the byte counts are complete.
    await page.waitForTimeout(2000);
    const heap = await cdp.send('Runtime.getHeapUsage').catch(() => null);
    return {
      tool: 'bench/run.mjs (CDP)',
      profile: profileName,
      bytes: summarise({ ...bytes, total: 0 }),
      ready_ms: readyMs === null ? null : Math.round(readyMs),
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

async function mapBench(browser, args, warnings) {
  if (!args.mapUrl) return null;
  const useAudit = args.useAudit && existsSync(args.audit);
  const out = {};
  for (const profile of ['phone', 'kiosk']) {
    // Timings vary by 5-15 % from load to load (shared/qa/README.md): `--runs` loads, the
    // median run (by data-ready time) is reported, with every run's time beside it.
    const runs = [];
    for (let i = 0; i < args.runs; i++) {
      let run = useAudit ? await runAudit(args.audit, args.mapUrl, profile) : null;
      if (!run || run.error) {
        if (run?.error) warnings.push(`${run.error}; measuring ${profile} here instead`);
        run = await measureMap(browser, args.mapUrl, profile);
      }
      runs.push(run);
    }
    const finished = runs.filter((r) => r.ready_ms !== null).sort((a, b) => a.ready_ms - b.ready_ms);
    const result = finished.length ? finished[Math.floor((finished.length - 1) / 2)] : runs[0];
    result.ready_ms_runs = runs.map((r) => r.ready_ms);
    if (result.ready_ms === null) {
      const cause = result.first_errors?.length ? `; first error: ${result.first_errors[0]}` : '';
      warnings.push(`map (${profile}): ${READY} never appeared, ready_ms is null${cause}`);
    }
    out[profile] = result;
  }
  return out;
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
  const row = (label, cells, width = 14) => lines.push(pad(label, 36) + cells.map((c) => lpad(c, width).replace(/^(?! )/, ' ')).join(''));
  lines.push(`Quartier bench, ${results.date} (${results.browser})`);
  const map = results.map;
  if (map) {
    lines.push('');
    lines.push(`/map first load (bytes on the wire)    [${map.phone.tool}]`);
    row('', ['phone', 'kiosk']);
    for (const key of ['document', 'wasm', 'js', 'css', 'other', 'total']) {
      row(`  ${key}`, [kb(map.phone.bytes[key]), kb(map.kiosk.bytes[key])]);
    }
    row(`  app = doc+wasm+js+css (<= ${kb(BUDGET.first_load_bytes)})`, [kb(map.phone.bytes.app), kb(map.kiosk.bytes.app)]);
    row(`  data-ready, median (phone <= ${BUDGET.ready_ms_phone} ms)`, [ms(map.phone.ready_ms, 0), ms(map.kiosk.ready_ms, 0)]);
    row('  data-ready, each run (ms)', [map.phone.ready_ms_runs.join('/'), map.kiosk.ready_ms_runs.join('/')]);
    row('  LCP', [ms(map.phone.lcp_ms, 0), ms(map.kiosk.lcp_ms, 0)]);
    row('  JS heap used', [mb(map.phone.js_heap_used_bytes), mb(map.kiosk.js_heap_used_bytes)]);
    row('  ArrayBuffers (incl. wasm memory)', [mb(map.phone.array_buffers_bytes), mb(map.kiosk.array_buffers_bytes)]);
  } else {
    lines.push('', '/map: not measured (no --map-url)');
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
    const clustering = await clusterBench(browser, args, warnings);
    const map = await mapBench(browser, args, warnings);
    results = {
      date: new Date().toISOString(),
      browser: `Chromium ${browser.version()}`,
      budgets: BUDGET,
      map,
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
