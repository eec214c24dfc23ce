'use strict';
// Endpoints: programs that speak the peer protocol, each able to start
// fresh devices (one process per device). A scenario takes two endpoints
// and does not care what is behind them.

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { Peer } = require('./peer');

const LIBSIGNAL_PEER = path.join(__dirname, '..', 'peers', 'libsignal-peer.js');

/**
 * @typedef {object} Endpoint
 * @property {string} label how test names and failures call it
 * @property {() => Promise<Peer>} spawn starts a fresh, uninitialised device
 * @property {Object<number, number>} versionBytes the first byte of every
 *   message it sends, by session version
 * @property {boolean} speaksSpqr whether its version-4 sessions run SPQR
 *   (Signal's post-quantum ratchet), whose message every SignalMessage then
 *   carries in its pq_ratchet field when the peer speaks it too
 * @property {object} [initFields] more fields for its devices' `init`
 */

// cliquet, like libsignal-node, frames version 3 as 0x33; libsignal 0.72
// puts its own highest version, 4, in the low nibble.
const CLIQUET_VERSION_BYTES = Object.freeze({ 3: 0x33, 4: 0x44 });
const LIBSIGNAL_VERSION_BYTES = Object.freeze({
  node6: { 3: 0x33 },
  '0.72': { 3: 0x34, 4: 0x44 },
  '0.90': { 4: 0x44 },
  '0.103': { 4: 0x44 },
});

/**
 * cliquet-peer at $CLIQUET_PEER; with `db`, each device keeps its state in
 * its own SQLite file (`--db`), removed when the process ends; with
 * `requireSpqr`, its new sessions must be PQXDH with SPQR (`--require-spqr`);
 * with `pqRequired`, the same through `init`'s `pq_required` (peer protocol 1.1).
 * @param {{db?: boolean, requireSpqr?: boolean, pqRequired?: boolean}} [options]
 * @returns {Endpoint}
 */
function cliquetEndpoint({ db = false, requireSpqr = false, pqRequired = false } = {}) {
  const program = process.env.CLIQUET_PEER;
  if (!program) throw new Error('CLIQUET_PEER is not set: it must name the cliquet-peer binary');
  if (pqRequired) {
    if (db || requireSpqr) throw new Error('cliquetEndpoint: pqRequired is not combined with other options');
    return {
      label: 'cliquet (pq_required)',
      spawn: () => Peer.spawn(program),
      versionBytes: CLIQUET_VERSION_BYTES,
      speaksSpqr: true,
      initFields: { pq_required: true },
    };
  }
  if (requireSpqr) {
    if (db) throw new Error('cliquetEndpoint: db and requireSpqr are not combined');
    return {
      label: 'cliquet --require-spqr',
      spawn: () => Peer.spawn(program, ['--require-spqr']),
      versionBytes: CLIQUET_VERSION_BYTES,
      speaksSpqr: true,
    };
  }
  if (!db) {
    return { label: 'cliquet', spawn: () => Peer.spawn(program), versionBytes: CLIQUET_VERSION_BYTES, speaksSpqr: true };
  }
  return {
    label: 'cliquet --db',
    versionBytes: CLIQUET_VERSION_BYTES,
    speaksSpqr: true,
    async spawn() {
      const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'cliquet-interop-'));
      const remove = () => fs.rmSync(directory, { recursive: true, force: true });
      try {
        const peer = await Peer.spawn(program, ['--db', path.join(directory, 'device.db')]);
        peer.child.once('exit', remove);
        return peer;
      } catch (error) {
        remove();
        throw error;
      }
    },
  };
}

/**
 * The reference peer backed by the libsignal release `impl`.
 * @param {'0.103'|'0.90'|'0.72'|'node6'} impl
 * @returns {Endpoint}
 */
function libsignalEndpoint(impl) {
  const label = impl === 'node6' ? 'libsignal-node 6' : `libsignal ${impl}`;
  return {
    label,
    spawn: () => Peer.spawn(process.execPath, [LIBSIGNAL_PEER, '--impl', impl]),
    versionBytes: LIBSIGNAL_VERSION_BYTES[impl],
    speaksSpqr: impl === '0.90' || impl === '0.103',
  };
}

/**
 * Asks a fresh device of `endpoint` what it offers.
 * @returns {Promise<{ops: string[], session_versions: number[]}>}
 */
async function capabilitiesOf(endpoint) {
  const peer = await endpoint.spawn();
  try {
    const { ops, session_versions: sessionVersions } = await peer.ok('capabilities');
    return { ops, sessionVersions };
  } finally {
    await peer.close();
  }
}

module.exports = { cliquetEndpoint, libsignalEndpoint, capabilitiesOf };
