'use strict';
// cliquet against libsignal 0.103.0, which requires SPQR in every session:
// PQXDH sessions (version 4) both ways, each running the triple ratchet. A
// message whose SPQR key or auth key were wrong would fail its MAC; the
// scenarios also check every message's pq_ratchet on the wire, and the SPQR
// epochs scenario that epochs advance to 3 each way.

const { defineSessionSuite } = require('../lib/session-suite');

defineSessionSuite('0.103', [4]);
