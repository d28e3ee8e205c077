#!/usr/bin/env node
// Trunk post-build hook (see Trunk.toml): writes `name.br` and `name.gz` next to each text or
// wasm asset of a release build, at the highest levels (brotli 11, gzip 9). The platform serves
// them to browsers that accept the encoding, instead of compressing on the fly at the low levels
// a server can afford per request (brotli 11 makes the wasm about 17 % smaller than brotli 4).
//
//   TRUNK_STAGING_DIR=dist node tools/precompress.mjs   (or: node tools/precompress.mjs DIR)
//
// Node's own zlib: nothing to install. index.html and config.json are left alone: the platform
// serves the first itself (with its CSP), and towns edit the second after the build.

import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const COMPRESSIBLE = new Set(['.js', '.mjs', '.wasm', '.css', '.svg', '.json', '.webmanifest', '.txt']);
const LEFT_ALONE = new Set(['index.html', 'config.json']);
// Below this, headers outweigh the gain.
const MIN_BYTES = 1024;

const dir = process.argv[2] || process.env.TRUNK_STAGING_DIR;
if (!dir) {
  console.error('precompress: give a directory or set TRUNK_STAGING_DIR');
  process.exit(64);
}
if (process.env.TRUNK_PROFILE && process.env.TRUNK_PROFILE !== 'release') {
  // Debug builds are rebuilt often and served locally: not worth the seconds.
  process.exit(0);
}

function* files(path) {
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const full = join(path, entry.name);
    if (entry.isDirectory()) yield* files(full);
    else if (entry.isFile()) yield full;
  }
}

let before = 0;
let after = 0;
for (const file of files(dir)) {
  try {
    compress(file);
  } catch (error) {
    // An optimisation only: the platform compresses on the fly what has no copy.
    console.warn(`precompress: ${relative(dir, file)} left uncompressed: ${error.message}`);
  }
}
console.log(`precompress: ${before} bytes → ${after} with brotli`);

function compress(file) {
  const name = file.split(/[\\/]/).pop();
  if (LEFT_ALONE.has(name) || !COMPRESSIBLE.has(extname(name).toLowerCase())) return;
  const data = readFileSync(file);
  if (data.length < MIN_BYTES) return;
  const text = extname(name).toLowerCase() !== '.wasm';
  const br = brotliCompressSync(data, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_LGWIN]: constants.BROTLI_MAX_WINDOW_BITS,
      [constants.BROTLI_PARAM_MODE]: text ? constants.BROTLI_MODE_TEXT : constants.BROTLI_MODE_GENERIC,
      [constants.BROTLI_PARAM_SIZE_HINT]: data.length,
    },
  });
  const gz = gzipSync(data, { level: 9 });
  // A copy that saves little is not worth a second file.
  if (br.length < data.length * 0.95) writeFileSync(`${file}.br`, br);
  if (gz.length < data.length * 0.95) writeFileSync(`${file}.gz`, gz);
  before += data.length;
  after += br.length;
  console.log(`precompress: ${relative(dir, file)} ${data.length} → br ${br.length}, gzip ${gz.length}`);
}
