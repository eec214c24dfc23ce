'use strict';
// The session interop suite of cliquet against one libsignal release: every
// scenario, for every session version both speak, with cliquet first as the
// initiator and then as the responder.
//
// A test is skipped only when cliquet-peer's own `capabilities` says it
// lacks a session op or the session version; the skip message says which.
// Anything else that goes wrong is a failure.

const { test, describe } = require('./testing');
const { scenariosFor } = require('./scenarios');
const { cliquetEndpoint, libsignalEndpoint, capabilitiesOf } = require('./endpoints');

const SESSION_OPS = Object.freeze(['prekey_bundle', 'process_bundle', 'trust', 'encrypt', 'decrypt']);

/**
 * Why cliquet-peer cannot run a `version` session yet, according to its
 * capabilities, or null if it can.
 * @param {Promise<{ops: string[], sessionVersions: number[]}>} capabilities
 * @param {number} version
 * @returns {Promise<string|null>}
 */
async function cliquetGap(capabilities, version) {
  const { ops, sessionVersions } = await capabilities;
  const missing = SESSION_OPS.filter((op) => !ops.includes(op));
  if (missing.length > 0) return `cliquet-peer does not offer ${missing.join(', ')} yet (per its capabilities)`;
  if (!sessionVersions.includes(version)) {
    return `cliquet-peer does not speak session version ${version} yet (its capabilities list [${sessionVersions}])`;
  }
  return null;
}

/**
 * Defines the suite of cliquet against the libsignal release `impl`.
 * @param {'0.103'|'0.90'|'0.72'|'node6'} impl
 * @param {number[]} versions the session versions to run
 * @param {{db?: boolean}} [cliquetOptions] how to run cliquet-peer (see cliquetEndpoint)
 */
function defineSessionSuite(impl, versions, cliquetOptions = {}) {
  const cliquet = cliquetEndpoint(cliquetOptions);
  const libsignal = libsignalEndpoint(impl);
  let capabilities = null;  // asked once, when the first test runs
  for (const version of versions) {
    for (const [initiator, responder] of [[cliquet, libsignal], [libsignal, cliquet]]) {
      describe(`version ${version}: ${initiator.label} starts, ${responder.label} answers`, () => {
        for (const scenario of scenariosFor(initiator, responder, version)) {
          test(scenario.name, async (t) => {
            capabilities ??= capabilitiesOf(cliquet);
            const gap = await cliquetGap(capabilities, version);
            if (gap) {
              t.skip(gap);
              return;
            }
            await scenario.run(initiator, responder, { version });
          });
        }
      });
    }
  }
}

module.exports = { defineSessionSuite };
