'use strict';
// The command line and byte helpers that the libsignal-driven generators
// (groups_libsignal.js, sealed_libsignal.js) share.

const path = require('node:path');

// --cliquet-vectors PATH (or $CLIQUET_VECTORS), --out DIR (default: test_vectors/).
function parseGeneratorArgs(argv, scriptName) {
  const options = { cliquetVectors: process.env.CLIQUET_VECTORS, out: path.resolve(__dirname, '..') };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--cliquet-vectors') options.cliquetVectors = argv[++i];
    else if (arg === '--out') options.out = path.resolve(argv[++i]);
    else if (arg === '--help' || arg === '-h') {
      console.log(`usage: node ${scriptName} --cliquet-vectors PATH [--out DIR]`);
      process.exit(0);
    } else throw new Error(`unknown argument ${arg}`);
  }
  if (!options.cliquetVectors) throw new Error('give --cliquet-vectors PATH or set CLIQUET_VECTORS');
  return options;
}

const hex = (bytes) => Buffer.from(bytes).toString('hex');
const unhex = (text) => new Uint8Array(Buffer.from(text, 'hex'));

module.exports = { parseGeneratorArgs, hex, unhex };
