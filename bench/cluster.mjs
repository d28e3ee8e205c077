// Rust (quartier-cluster through wasm) against supercluster, in the same page, on the same
// points, timed the same way: performance.now() around the build call of each. The points are
// built before the clock starts, in each implementation's native input (a Float64Array for
// Rust, GeoJSON features for supercluster); Rust's time includes copying them into wasm memory.

import Supercluster from 'supercluster';
import init, { BenchIndex, wasmMemoryBytes } from '/target/bench/quartier_bench_wasm.js';

const OPTIONS = { radius: 60, extent: 256, minZoom: 0, maxZoom: 16, minPoints: 2 };
// A phone viewport in CSS pixels (the qa/audit "phone" profile).
const VIEWPORT = { width: 412, height: 823 };

const log = (line) => {
  document.getElementById('log').textContent += line + '\n';
  console.log(line);
};

// mulberry32: small, seeded, the same sequence for both implementations.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// A town and its surroundings: a quarter of the points spread over the area, the rest in a
// dozen dense neighbourhoods (street furniture follows streets, not a uniform distribution).
// 2 % of the points have a bad state (severity 1-3), like defective streetlights.
function makePoints(n, seed) {
  const random = rng(seed);
  const west = 2.0, east = 2.7, south = 48.6, north = 49.1;
  const centres = Array.from({ length: 12 }, () => [
    west + 0.15 + random() * (east - west - 0.3),
    south + 0.1 + random() * (north - south - 0.2),
  ]);
  const coords = new Float64Array(2 * n);
  const severities = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let lon, lat;
    if (i % 4 === 0) {
      lon = west + random() * (east - west);
      lat = south + random() * (north - south);
    } else {
      const [cx, cy] = centres[i % centres.length];
      // Sum of two uniforms: denser in the middle, like a town centre.
      lon = cx + (random() + random() - 1) * 0.03;
      lat = cy + (random() + random() - 1) * 0.02;
    }
    coords[2 * i] = lon;
    coords[2 * i + 1] = lat;
    severities[i] = random() < 0.02 ? 1 + Math.floor(random() * 3) : 0;
  }
  return { coords, severities, centres };
}

function features({ coords, severities }) {
  const n = severities.length;
  const out = new Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = {
      type: 'Feature',
      properties: { severity: severities[i] },
      geometry: { type: 'Point', coordinates: [coords[2 * i], coords[2 * i + 1]] },
    };
  }
  return out;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const round = (x, digits = 2) => (x === null || x === undefined ? null : Number(x.toFixed(digits)));

function gc() {
  if (typeof window.gc === 'function') window.gc();
}
function heapUsed() {
  return performance.memory ? performance.memory.usedJSHeapSize : null;
}

// The viewport of a phone at `zoom`, centred on (lon, lat): what the map asks for on redraw.
function viewport(lon, lat, zoom) {
  const worldPx = 256 * 2 ** zoom;
  const halfWidthDeg = (VIEWPORT.width / 2 / worldPx) * 360;
  const sin = Math.sin((lat * Math.PI) / 180);
  const y = 0.5 - (0.25 * Math.log((1 + sin) / (1 - sin))) / Math.PI;
  const toLat = (yy) => (360 * Math.atan(Math.exp(((180 - yy * 360) * Math.PI) / 180))) / Math.PI - 90;
  const halfHeight = VIEWPORT.height / 2 / worldPx;
  return [lon - halfWidthDeg, toLat(y + halfHeight), lon + halfWidthDeg, toLat(y - halfHeight)];
}

function queryBoxes(points, count, zoom, seed) {
  const random = rng(seed);
  const n = points.severities.length;
  const boxes = [];
  for (let q = 0; q < count; q++) {
    const i = Math.floor(random() * n);
    boxes.push(viewport(points.coords[2 * i], points.coords[2 * i + 1], zoom));
  }
  return boxes;
}

function timeQueries(boxes, zoom, query) {
  let items = 0;
  let points = 0;
  const each = [];
  const start = performance.now();
  for (const box of boxes) {
    const t = performance.now();
    const [n, p] = query(box, zoom);
    each.push(performance.now() - t);
    items += n;
    points += p;
  }
  const total = performance.now() - start;
  each.sort((a, b) => a - b);
  // The 95th percentile beside the maximum: one garbage collection of the JS heap (which
  // holds supercluster's million objects) can land in any single query, Rust's included.
  const p95 = each[Math.min(each.length - 1, Math.ceil(each.length * 0.95) - 1)];
  return {
    queries: boxes.length,
    total_ms: round(total, 3),
    mean_ms: round(total / boxes.length, 4),
    p95_ms: round(p95, 3),
    max_ms: round(each[each.length - 1], 3),
    items,
    points_covered: points,
  };
}

const rustQuery = (index) => (box, zoom) => {
  const n = index.query(box[0], box[1], box[2], box[3], zoom);
  return [n, index.lastPointTotal()];
};

const scQuery = (index) => (box, zoom) => {
  const found = index.getClusters(box, zoom);
  let points = 0;
  for (const f of found) points += f.properties.cluster ? f.properties.point_count : 1;
  return [found.length, points];
};

async function benchSize(n, { runs, queryZooms, queriesPerZoom, seed }) {
  log(`-- ${n} points`);
  const points = makePoints(n, seed);
  const result = { points: n, runs };

  // Rust: the index of the last run stays for the queries; earlier ones are freed.
  let rustIndex = null;
  const rustTimes = [];
  const memoryBefore = wasmMemoryBytes();
  for (let r = 0; r < runs; r++) {
    if (rustIndex) rustIndex.free();
    rustIndex = null;
    const t = performance.now();
    rustIndex = new BenchIndex(points.coords, points.severities, OPTIONS.radius, OPTIONS.extent,
      OPTIONS.minZoom, OPTIONS.maxZoom, OPTIONS.minPoints);
    rustTimes.push(performance.now() - t);
    log(`rust build ${round(rustTimes.at(-1))} ms`);
  }
  result.rust = {
    build_ms: rustTimes.map((x) => round(x)),
    median_ms: round(median(rustTimes)),
    wasm_memory_bytes: wasmMemoryBytes(),
    wasm_memory_before_bytes: memoryBefore,
  };

  // supercluster, plain (its fastest configuration) and with a reducer giving the worst
  // severity, which is what the Rust index computes too.
  const geojson = features(points);
  const variants = {
    supercluster: { ...OPTIONS },
    supercluster_worst: {
      ...OPTIONS,
      map: (p) => ({ worst: p.severity }),
      reduce: (acc, p) => { acc.worst = Math.max(acc.worst, p.worst); },
    },
  };
  let scIndex = null;
  for (const [name, options] of Object.entries(variants)) {
    const times = [];
    let heapDelta = null;
    for (let r = 0; r < runs; r++) {
      if (name === 'supercluster') scIndex = null; // let the previous run's index go before gc
      gc();
      const heapBefore = heapUsed();
      const t = performance.now();
      const index = new Supercluster(options).load(geojson);
      times.push(performance.now() - t);
      gc();
      const heapAfter = heapUsed();
      if (heapBefore !== null && heapAfter !== null) heapDelta = heapAfter - heapBefore;
      if (name === 'supercluster') scIndex = index;
      log(`${name} build ${round(times.at(-1))} ms`);
    }
    result[name] = { build_ms: times.map((x) => round(x)), median_ms: round(median(times)), index_heap_bytes: heapDelta };
  }
  result.speedup = round(result.supercluster.median_ms / result.rust.median_ms);
  result.speedup_vs_worst = round(result.supercluster_worst.median_ms / result.rust.median_ms);

  result.queries = {};
  for (const zoom of queryZooms) {
    const boxes = queryBoxes(points, queriesPerZoom, zoom, seed + zoom);
    // One untimed pass each so that neither pays for JIT warm-up in the timed one.
    timeQueries(boxes.slice(0, 5), zoom, rustQuery(rustIndex));
    timeQueries(boxes.slice(0, 5), zoom, scQuery(scIndex));
    result.queries[zoom] = {
      rust: timeQueries(boxes, zoom, rustQuery(rustIndex)),
      supercluster: timeQueries(boxes, zoom, scQuery(scIndex)),
    };
    log(`z${zoom}: rust ${result.queries[zoom].rust.mean_ms} ms/query, supercluster ${result.queries[zoom].supercluster.mean_ms} ms/query`);
  }
  rustIndex.free();
  gc();
  result.js_heap_used_bytes = heapUsed();
  return result;
}

let ready = init();

// Called by bench/run.mjs (or by hand from the console).
window.runClusterBench = async (config = {}) => {
  await ready;
  const settings = {
    sizes: [100000, 1000000],
    runs: 3,
    queryZooms: [8, 11, 13, 15, 16],
    queriesPerZoom: 100,
    seed: 20261128,
    ...config,
  };
  const results = {
    options: OPTIONS,
    viewport: VIEWPORT,
    user_agent: navigator.userAgent,
    timer_resolution_note: crossOriginIsolated ? 'cross-origin isolated (5 µs timers)' : 'not isolated (100 µs timers)',
    sizes: [],
  };
  for (const n of settings.sizes) results.sizes.push(await benchSize(n, settings));
  return results;
};

ready = ready.then(() => { window.benchReady = true; log('ready'); });
