'use strict';
// Disagreements between cliquet and libsignal 0.103 that are deliberate,
// as docs/testing.md (Differential fuzzing) lists them. Each has a name and
// a test on a disagreement class (see lib/differential.js): the kind of
// message and the class's key and example.

const KNOWN = [
  {
    name: 'public key with trailing bytes',
    // libsignal reads a serialized Curve25519 key as its type byte and the
    // next 32 bytes, and ignores anything after them; cliquet refuses a key
    // that is not exactly 33 bytes (as the XEdDSA vectors' flag
    // StricterThanLibsignal already records).
    kinds: ['prekey', 'sealed_v1', 'sender_certificate'],
    test: (c) => c.what === 'verdict' && /\| libsignal accepts$/.test(c.key) &&
      /public key is N bytes, not N|malformed (base|identity) key/.test(c.key) &&
      c.families.every((family) => /edit_bytes_extend|duplicate_field|splice/.test(family)),
  },
];

/** The name of the deliberate difference that explains `c`, or null. */
function explain(kind, c) {
  const known = KNOWN.find((k) => k.kinds.includes(kind) && k.test(c));
  return known ? known.name : null;
}

module.exports = { explain, KNOWN };
