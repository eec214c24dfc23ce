'use strict';
// The command line and byte helpers that the libsignal-driven generators
// (groups_libsignal.js, sealed_libsignal.js) share.

const path = require('node:path');
const { execFileSync } = require('node:child_process');

// --cliquet-vectors PATH (or $CLIQUET_VECTORS), --out DIR (default: test_vectors/),
// and the script's own `switches` (e.g. '--keep-libsignal'), each set in
// options under its camel-cased name (options.keepLibsignal).
function parseGeneratorArgs(argv, scriptName, switches = []) {
  const options = { cliquetVectors: process.env.CLIQUET_VECTORS, out: path.resolve(__dirname, '..') };
  const camel = (name) => name.slice(2).replace(/-(.)/g, (_, c) => c.toUpperCase());
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--cliquet-vectors') options.cliquetVectors = argv[++i];
    else if (arg === '--out') options.out = path.resolve(argv[++i]);
    else if (switches.includes(arg)) options[camel(arg)] = true;
    else if (arg === '--help' || arg === '-h') {
      const extra = switches.map((name) => ` [${name}]`).join('');
      console.log(`usage: node ${scriptName} --cliquet-vectors PATH [--out DIR]${extra}`);
      process.exit(0);
    } else throw new Error(`unknown argument ${arg}`);
  }
  if (!options.cliquetVectors) throw new Error('give --cliquet-vectors PATH or set CLIQUET_VECTORS');
  return options;
}

const hex = (bytes) => Buffer.from(bytes).toString('hex');
const unhex = (text) => new Uint8Array(Buffer.from(text, 'hex'));

// Every written file goes through format_v2.py last: the one place that
// states format version 2 (names, errors, verdicts), for every generator.
function toFormatV2(target) {
  execFileSync('python3', [path.join(__dirname, 'format_v2.py'), target], { stdio: 'inherit' });
}

module.exports = { parseGeneratorArgs, hex, unhex, toFormatV2 };
