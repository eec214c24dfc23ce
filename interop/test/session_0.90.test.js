'use strict';
// cliquet against libsignal 0.90.0: PQXDH sessions (version 4) both ways.
// 0.90 offers SPQR but does not require it; with cliquet, which does not
// speak it, the sessions fall back to the classic Double Ratchet.

const { defineSessionSuite } = require('../lib/session-suite');

defineSessionSuite('0.90', [4]);
