'use strict';
// cliquet against libsignal 0.72.1, the Rust core before SPQR: X3DH
// (version 3, which 0.72 frames 0x34) and PQXDH (version 4, Kyber1024) both
// ways. A version-4 session between them is the proof that each side
// decapsulates the other's Kyber1024 ciphertexts.

const { defineSessionSuite } = require('../lib/session-suite');

defineSessionSuite('0.72', [3, 4]);
