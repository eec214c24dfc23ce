'use strict';
// Writes test_vectors/{x25519,xeddsa,hmac_sha256,hkdf_sha256,aes_256_cbc,
// aes_256_ctr,aes_256_gcm_siv}.json from three sources:
//   - published known answers (RFC 7748, RFC 4231, RFC 5869, NIST SP 800-38A,
//     RFC 8452), each re-checked here against an independent implementation;
//   - cases computed by the official libsignal 0.103.0 through its Node
//     binding (and libsignal-node 6.0.0, and Node's OpenSSL for the
//     primitives libsignal does not export), with negative cases that the
//     oracle itself is shown to refuse;
//   - cases computed by cliquet (`cliquet-vectors generate CATEGORY`),
//     each cross-checked here against the same oracles.
// Finally it runs `cliquet-vectors verify` on what it wrote.
//
// Usage (from anywhere; packages are loaded from interop/node_modules):
//   node test_vectors/generate/crypto_vectors.js --cliquet-vectors PATH [--out DIR] [--only a,b]
// PATH defaults to $CLIQUET_VECTORS; DIR to test_vectors/. Inputs come from a
// seeded generator, so reruns differ only where libsignal signs (XEdDSA
// signing is randomized by design).

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { x25519File, xeddsaFile } = require('./crypto/curve');
const { hmacFile, hkdfFile } = require('./crypto/mac_kdf');
const { cbcFile, ctrFile, gcmSivFile } = require('./crypto/aes');
const { toFormatV2 } = require('./cli');

// ---- command line -----------------------------------------------------------

function parseArgs(argv) {
  const options = { cliquetVectors: process.env.CLIQUET_VECTORS, out: path.resolve(__dirname, '..'), only: null };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--cliquet-vectors') options.cliquetVectors = argv[++i];
    else if (arg === '--out') options.out = path.resolve(argv[++i]);
    else if (arg === '--only') options.only = new Set(argv[++i].split(','));
    else if (arg === '--help' || arg === '-h') {
      console.log('usage: node crypto_vectors.js --cliquet-vectors PATH [--out DIR] [--only x25519,xeddsa,...]');
      process.exit(0);
    } else throw new Error(`unknown argument ${arg}`);
  }
  if (!options.cliquetVectors) throw new Error('give --cliquet-vectors PATH or set CLIQUET_VECTORS');
  return options;
}

// ---- main -----------------------------------------------------------------------

const CATEGORIES = {
  x25519: x25519File,
  xeddsa: xeddsaFile,
  hmac_sha256: hmacFile,
  hkdf_sha256: hkdfFile,
  aes_256_cbc: cbcFile,
  aes_256_ctr: ctrFile,
  aes_256_gcm_siv: gcmSivFile,
};

function main() {
  const options = parseArgs(process.argv.slice(2));
  const written = [];
  for (const [category, make] of Object.entries(CATEGORIES)) {
    if (options.only && !options.only.has(category)) continue;
    const file = make(options);
    const target = path.join(options.out, `${category}.json`);
    fs.writeFileSync(target, JSON.stringify(file, null, 2) + '\n');
    toFormatV2(target);
    console.log(`${target}: ${file.numberOfTests} cases`);
    written.push(target);
  }
  try {
    const verdict = execFileSync(options.cliquetVectors, ['verify', ...written], { encoding: 'utf8' }).trim().split('\n');
    console.log(`cliquet-vectors verify: ${verdict[verdict.length - 1]}`);
  } catch (e) {
    process.stdout.write(e.stdout || '');
    console.error('cliquet-vectors verify failed on the files just written');
    process.exitCode = 1;
  }
}

main();
