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
    // cliquet refuses a key only for its length or its type byte, and
    // libsignal read the type byte as valid: the key was too long.
    kinds: ['prekey', 'sealed_v1', 'sender_certificate', 'retry_request'],
    test: (c) => c.what === 'verdict' && /\| libsignal accepts$/.test(c.key) &&
      /public key is N bytes, not N|malformed (base|identity) key|ratchet key is not a public key/.test(c.key),
  },
  {
    name: 'retry content holding more than a retry request',
    // A PlaintextContent is a Content protobuf holding only the
    // DecryptionErrorMessage; libsignal skips any other field, cliquet
    // refuses the content (interop/test/retry.test.js checks it by hand).
    kinds: ['retry_request'],
    test: (c) => c.what === 'verdict' && /\| libsignal accepts$/.test(c.key) &&
      /plaintext content holds something other than a retry request/.test(c.key),
  },
  {
    name: 'Node binding: timestamps past 2^53',
    // Not libsignal's verdict but its Node binding's: a retry request's
    // timestamp and a certificate's expiration are u64s, which the binding
    // refuses to hand to JavaScript once a double cannot hold them exactly.
    // cliquet-peer reads them whole.
    kinds: ['retry_request', 'sender_certificate'],
    test: (c) => c.what === 'verdict' && /cliquet accepts \| libsignal refuses \(\w+\): precision loss/.test(c.key),
  },
];

/** The name of the deliberate difference that explains `c`, or null. */
function explain(kind, c) {
  const known = KNOWN.find((k) => k.kinds.includes(kind) && k.test(c));
  return known ? known.name : null;
}

module.exports = { explain, KNOWN };
