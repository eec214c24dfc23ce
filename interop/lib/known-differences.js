'use strict';
// Disagreements between cliquet and libsignal 0.103 that are deliberate,
// as docs/testing.md (Differential fuzzing) lists them. Each has a name and
// a test on a disagreement class (see lib/differential.js): the kind of
// message and the class's key and example.

const KNOWN = [];

/** The name of the deliberate difference that explains `c`, or null. */
function explain(kind, c) {
  const known = KNOWN.find((k) => k.kinds.includes(kind) && k.test(c));
  return known ? known.name : null;
}

module.exports = { explain, KNOWN };
