'use strict';
// node:test as every interop test file uses it: import `test` and
// `describe` from here, never from node:test itself
// (test/timeouts.test.js checks that).
//
//   const { test, describe } = require('../lib/testing');
//
// What it adds:
// - a time limit on every test, TEST_TIMEOUT_MS unless the test sets its own
//   `timeout` option, so that no test can hang;
// - when a test ends, pass, fail or time out, the peer processes it started
//   (lib/peer.js) that are still running are killed, and so, when the file
//   ends, are any started outside a test.
// A request to a peer has its own, shorter limit (lib/peer.js), so a peer
// that stops answering fails its test with the request named long before
// TEST_TIMEOUT_MS; this limit catches everything else.

const nodeTest = require('node:test');
const { trackPeers, livePeers } = require('./peer');

/**
 * The time limit of a test that sets none: the slowest takes about 5 s on
 * a CI machine, so this leaves room for a loaded one, and a test that hangs
 * still fails long before its file's ctest TIMEOUT (300 s).
 */
const TEST_TIMEOUT_MS = 2 * 60_000;

const killAll = (peers) => Promise.all([...peers].map((peer) => peer.kill('SIGKILL')));

/**
 * Wraps a test body so that the peers it starts are killed when it ends.
 * @param {(t: import('node:test').TestContext) => any} body
 */
function killingItsPeers(body) {
  return (t) => {
    const peers = new Set();
    t.after(() => killAll(peers));
    return trackPeers(peers, () => body(t));
  };
}

/**
 * node:test's test(), with a time limit and its peers killed when it ends.
 * Takes (name, body) or (name, options, body), as node:test does; subtests
 * made with t.test() inherit the limit, and their peers belong to the
 * enclosing test.
 */
function test(name, options, body) {
  if (typeof options === 'function') [options, body] = [{}, options];
  return nodeTest.test(name, { timeout: TEST_TIMEOUT_MS, ...options }, killingItsPeers(body));
}

// A suite takes no limit of its own: each of its tests has one.
const { describe } = nodeTest;

nodeTest.after(() => killAll(livePeers()));

module.exports = { test, describe, TEST_TIMEOUT_MS };
