'use strict';
// What every crypto vector generator shares: the libsignal packages (loaded
// from interop/node_modules), a seeded byte stream, and the file layout.

const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const nodeCrypto = require('node:crypto');
const path = require('node:path');
const { createRequire } = require('node:module');

const interopRequire = createRequire(path.resolve(__dirname, '../../../interop/package.json'));
const signal = interopRequire('@signalapp/libsignal-client');
const signalNode = interopRequire('libsignal');

const hex = (bytes) => Buffer.from(bytes).toString('hex');
const unhex = (text) => Buffer.from(text, 'hex');
const ascii = (text) => Buffer.from(text, 'ascii');

// A reproducible byte stream: SHA-256(label || counter) blocks.
class SeededBytes {
  constructor(label) {
    this.seed = nodeCrypto.createHash('sha256').update(`cliquet test vectors: ${label}`).digest();
    this.counter = 0;
  }
  bytes(n) {
    const chunks = [];
    let have = 0;
    while (have < n) {
      const counter = Buffer.alloc(8);
      counter.writeBigUInt64BE(BigInt(this.counter++));
      const block = nodeCrypto.createHash('sha256').update(this.seed).update(counter).digest();
      chunks.push(block);
      have += block.length;
    }
    return Buffer.concat(chunks).subarray(0, n);
  }
  below(n) {
    return this.bytes(4).readUInt32BE(0) % n;
  }
}

function flipBit(bytes, bit) {
  const out = Buffer.from(bytes);
  out[bit >> 3] ^= 1 << (bit & 7);
  return out;
}

function refuses(operation) {
  try {
    operation();
    return false;
  } catch (e) {
    return true;
  }
}

function testCase(comment, valid, flags, fields) {
  return { tcId: 0, comment, flags, ...fields, result: valid ? 'valid' : 'invalid' };
}

function vectorFile(category, algorithm, schema, header, notes, groups) {
  let id = 0;
  for (const group of groups) for (const test of group.tests) test.tcId = ++id;
  const used = new Set(groups.flatMap((g) => g.tests.flatMap((t) => t.flags)));
  for (const flag of used) assert.ok(notes[flag], `${category}: flag ${flag} has no note`);
  return {
    category,
    algorithm,
    schema,
    generatorVersion: 'cliquet test_vectors/generate/crypto_vectors.js 1',
    numberOfTests: id,
    header,
    notes: Object.fromEntries(Object.entries(notes).filter(([flag]) => used.has(flag))),
    testGroups: groups,
  };
}

// The groups cliquet computes from fixed seeds.
function cliquetGroups(options, category) {
  const text = execFileSync(options.cliquetVectors, ['generate', category], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const groups = JSON.parse(text).testGroups;
  for (const group of groups) for (const test of group.tests) delete test.tcId;
  return groups;
}

const COMMON_NOTES = {
  Libsignal: 'Computed by the official libsignal 0.103.0 (npm @signalapp/libsignal-client) through its Node binding.',
  Cliquet: 'Computed by cliquet (cliquet-vectors generate) from a fixed seed, and checked by this script against ' +
    'libsignal or Node\'s OpenSSL.',
  NodeCrypto: 'Computed by Node\'s crypto module (OpenSSL), for primitives libsignal does not export.',
};

module.exports = {
  assert, nodeCrypto, signal, signalNode, hex, unhex, ascii, SeededBytes, flipBit, refuses,
  testCase, vectorFile, cliquetGroups, COMMON_NOTES,
};
