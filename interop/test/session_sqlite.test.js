'use strict';
// cliquet with its SQLite store (cliquet-peer --db, one file per device)
// against libsignal 0.72.1, versions 3 and 4 both ways: every session
// state the scenarios reach (archived states, receiver chains, 1,500
// skipped keys, consumed pre-keys) goes through the database between
// requests.

const { defineSessionSuite } = require('../lib/session-suite');

defineSessionSuite('0.72', [3, 4], { db: true });
