'use strict';
// cliquet against libsignal 0.90.0: PQXDH sessions (version 4) both ways.
// 0.90 offers SPQR without requiring it; cliquet speaks it, so every session
// here runs the triple ratchet: each message carries an SPQR message (checked
// on the wire by the scenarios) and the SPQR epochs scenario watches the
// epochs advance to 3 each way, every message key salted by SPQR.

const { defineSessionSuite } = require('../lib/session-suite');

defineSessionSuite('0.90', [4]);
