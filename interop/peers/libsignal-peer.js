#!/usr/bin/env node
'use strict';
// libsignal-peer: the reference peer. It speaks the same peer protocol as
// cliquet-peer (/work/shared/spec/PEER_PROTOCOL.md), with in-memory stores,
// but every op is carried out by a real libsignal release:
//
//   --impl 0.103   @signalapp/libsignal-client 0.103.0 (SPQR required)
//   --impl 0.90    @signalapp/libsignal-client 0.90.0  (version 4, SPQR optional)
//   --impl 0.72    @signalapp/libsignal-client 0.72.1  (versions 3 and 4, no SPQR)
//   --impl node6   libsignal-node 6.0.0                (version 3)
//
// It offers init, sign, verify, capabilities, prekey_bundle,
// process_bundle, trust, encrypt and decrypt, and with libsignal-client
// (not libsignal-node) retry_request and read_retry_request; other ops are
// `unsupported`.

const { Console } = require('node:console');
const { makeOps } = require('./ops');
const { serve } = require('./protocol');

// Only responses may reach stdout; libraries that log to the console
// (libsignal-node does) are sent to stderr.
globalThis.console = new Console({ stdout: process.stderr, stderr: process.stderr });

const IMPLEMENTATIONS = {
  '0.103': () => require('./client-backend').clientBackend('0.103'),
  '0.90': () => require('./client-backend').clientBackend('0.90'),
  '0.72': () => require('./client-backend').clientBackend('0.72'),
  node6: () => require('./node6-backend').node6Backend(),
};

const USAGE = `usage: libsignal-peer.js --impl ${Object.keys(IMPLEMENTATIONS).join('|')}\n` +
  'Plays one Signal device backed by the chosen libsignal release; reads JSON requests on stdin, one per line.\n';

function parseArguments(args) {
  if (args.length === 2 && args[0] === '--impl' && Object.hasOwn(IMPLEMENTATIONS, args[1])) return args[1];
  return null;
}

async function main() {
  const impl = parseArguments(process.argv.slice(2));
  if (impl === null) {
    process.stderr.write(USAGE);
    process.exitCode = 2;
    return;
  }
  const backend = IMPLEMENTATIONS[impl]();
  await serve(makeOps(backend), backend);
}

main().then(
  () => process.exit(),
  (error) => {
    process.stderr.write(`libsignal-peer: ${error.stack}\n`);
    process.exit(1);
  },
);
