'use strict';
// cliquet against libsignal-node 6.0.0: X3DH sessions (version 3) both ways.
// libsignal-node accepts only messages framed 0x33, so this also proves
// that cliquet frames its version-3 messages that way.

const { defineSessionSuite } = require('../lib/session-suite');

defineSessionSuite('node6', [3]);
