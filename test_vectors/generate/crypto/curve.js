'use strict';
// x25519 and xeddsa vector files: RFC 7748's answers, libsignal's agreements
// and signatures (and the forgeries it refuses, or wrongly accepts), and
// cliquet's groups cross-checked against libsignal and libsignal-node.

const {
  assert, signal, signalNode, hex, unhex, ascii, SeededBytes, flipBit, refuses, testCase, vectorFile,
  cliquetGroups, COMMON_NOTES,
} = require('./common');

// ---- x25519 -------------------------------------------------------------------

const P = (1n << 255n) - 19n;
const uBytes = (n) => {
  const out = Buffer.alloc(32);
  for (let i = 0; i < 32; i++) out[i] = Number((n >> BigInt(8 * i)) & 0xffn);
  return out;
};
const uNumber = (bytes) => bytes.reduceRight((acc, b) => (acc << 8n) | BigInt(b), 0n);
const djb = (u) => Buffer.concat([Buffer.from([5]), u]);
// cliquet's generator gives X25519 public keys typed (05 || u, format version 2);
// the known answers here are bare u-coordinates until format_v2.py types them.
const bareU = (key) => (key.length === 33 ? key.subarray(1) : key);

function libsignalAgree(privateBytes, publicU) {
  return Buffer.from(signal.PrivateKey.deserialize(privateBytes).agree(signal.PublicKey.deserialize(djb(publicU))));
}

function x25519File(options) {
  const rfc = [];
  // RFC 7748 §5.2: scalar and u-coordinate in, u-coordinate out.
  rfc.push(testCase('RFC 7748 5.2, first vector', true, ['Rfc7748'], {
    private: 'a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4',
    public: 'e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c',
    shared: 'c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552' }));
  rfc.push(testCase('RFC 7748 5.2, second vector (u has its top bit set)', true, ['Rfc7748', 'HighBitSet'], {
    private: '4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d',
    public: 'e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493',
    shared: '95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957' }));
  // RFC 7748 §6.1: the Diffie-Hellman example, as four agreements.
  const alice = '77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a';
  const alicePublic = '8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a';
  const bob = '5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb';
  const bobPublic = 'de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f';
  const shared = '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742';
  const basePoint = '09' + '00'.repeat(31);
  rfc.push(testCase('RFC 7748 6.1, Alice\'s public key', true, ['Rfc7748'], { private: alice, public: basePoint, shared: alicePublic }));
  rfc.push(testCase('RFC 7748 6.1, Bob\'s public key', true, ['Rfc7748'], { private: bob, public: basePoint, shared: bobPublic }));
  rfc.push(testCase('RFC 7748 6.1, Alice computes K', true, ['Rfc7748'], { private: alice, public: bobPublic, shared }));
  rfc.push(testCase('RFC 7748 6.1, Bob computes K', true, ['Rfc7748'], { private: bob, public: alicePublic, shared }));
  // libsignal clamps and masks the top bit of u as RFC 7748 says, so it must agree on all of them.
  for (const t of rfc) assert.equal(hex(libsignalAgree(unhex(t.private), unhex(t.public))), t.shared, t.comment);

  const iterated = [
    testCase('RFC 7748 5.2, after one iteration', true, ['Rfc7748'], {
      private: basePoint, public: basePoint, iterations: 1,
      shared: '422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079' }),
    testCase('RFC 7748 5.2, after 1,000 iterations', true, ['Rfc7748'], {
      private: basePoint, public: basePoint, iterations: 1000,
      shared: '684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51' }),
  ];
  for (const t of iterated) {
    let k = unhex(t.private);
    let u = unhex(t.public);
    for (let i = 0; i < t.iterations; i++) [k, u] = [libsignalAgree(k, u), k];
    assert.equal(hex(k), t.shared, t.comment);
  }

  const random = new SeededBytes('x25519');
  const made = [];
  for (let i = 0; i < 32; i++) {
    const privateBytes = random.bytes(32);
    const publicU = Buffer.from(signal.PrivateKey.deserialize(random.bytes(32)).getPublicKey().getPublicKeyBytes());
    made.push(testCase('libsignal agreement', true, ['Libsignal'], {
      private: hex(privateBytes), public: hex(publicU), shared: hex(libsignalAgree(privateBytes, publicU)) }));
  }
  for (let i = 0; i < 6; i++) {
    const privateBytes = random.bytes(32);
    const publicU = Buffer.from(signal.PrivateKey.deserialize(random.bytes(32)).getPublicKey().getPublicKeyBytes());
    publicU[31] |= 0x80;
    made.push(testCase('public key with bit 255 set, which X25519 ignores', true, ['Libsignal', 'HighBitSet'], {
      private: hex(privateBytes), public: hex(publicU), shared: hex(libsignalAgree(privateBytes, publicU)) }));
  }
  for (const k of [2n, 3n, 9n, 18n]) {
    const privateBytes = random.bytes(32);
    const publicU = uBytes(P + k);
    made.push(testCase(`public u = p + ${k}, a non-canonical encoding of ${k}`, true, ['Libsignal', 'NonCanonicalPublic'], {
      private: hex(privateBytes), public: hex(publicU), shared: hex(libsignalAgree(privateBytes, publicU)) }));
  }

  // Points of small order: the shared secret would be all zeros.
  const smallOrder = [
    [0n, 'u = 0 (order 4 point of the curve, the identity on the twist)'],
    [1n, 'u = 1 (order 4)'],
    [0x00b8495f16056286fdb1329ceb8d09da6ac49ff1fae35616aeb8413b7c7aebe0n, 'a point of order 8'],
    [0x57119fd0dd4e22d8868e1c58c45c44045bef839c55b1d0b1248c50a3bc959c5fn, 'the other point of order 8'],
    [P - 1n, 'u = p - 1 (order 2)'],
    [P, 'u = p, a non-canonical 0'],
    [P + 1n, 'u = p + 1, a non-canonical 1'],
  ];
  const refused = [];
  for (const [u, what] of smallOrder) {
    for (const highBit of [false, true]) {
      const privateBytes = random.bytes(32);
      const publicU = uBytes(u);
      if (highBit) publicU[31] |= 0x80;
      assert.ok(refuses(() => libsignalAgree(privateBytes, publicU)), `libsignal accepted small-order ${what}`);
      refused.push(testCase(`small-order public key: ${what}${highBit ? ', with bit 255 set' : ''}`, false,
        ['SmallOrderPublic', ...(highBit ? ['HighBitSet'] : [])], { private: hex(privateBytes), public: hex(publicU), shared: '' }));
    }
  }

  const cliquet = cliquetGroups(options, 'x25519');
  for (const group of cliquet) {
    for (const t of group.tests) {
      assert.equal(hex(libsignalAgree(unhex(t.private), bareU(Buffer.from(unhex(t.public))))), t.shared,
        'cliquet x25519 disagrees with libsignal');
    }
  }

  return vectorFile('x25519', 'X25519', 'x25519_test_schema.json', [
    'X25519 (RFC 7748) through libsignal-style keys: private is a 32-byte scalar (clamped on use), public the peer\'s',
    'key in libsignal\'s 33-byte form (05 then u, any u), shared the 32-byte result. X25519Iterated repeats',
    'k, u = X25519(k, u), k as RFC 7748 5.2 does. A small-order key is acceptable: cliquet refuses it (invalid_key).',
  ], {
    Rfc7748: 'Published known answer of RFC 7748 (sections 5.2 and 6.1).',
    HighBitSet: 'Bit 255 of the u-coordinate is set; RFC 7748 says to ignore it.',
    NonCanonicalPublic: 'The u-coordinate is at least p = 2^255 - 19; X25519 reduces it modulo p.',
    SmallOrderPublic: 'The public key has small order, so the result would be all zeros. RFC 7748 computes that ' +
      'zero output, so the case is acceptable; cliquet\'s policy refuses it with invalid_key (an agreement must ' +
      'be contributory), and libsignal 0.103.0 also refuses it (checked when this file was generated).',
    ...COMMON_NOTES,
  }, [
    { type: 'X25519Agreement', curve: 'curve25519', tests: rfc },
    { type: 'X25519Iterated', curve: 'curve25519', tests: iterated },
    { type: 'X25519Agreement', curve: 'curve25519', tests: made },
    { type: 'X25519Agreement', curve: 'curve25519', tests: refused },
    ...cliquet,
  ]);
}

// ---- xeddsa -------------------------------------------------------------------

const L = (1n << 252n) + 27742317777372353535851937790883648493n;

function libsignalVerifies(publicKey, message, signature) {
  try {
    return signal.PublicKey.deserialize(publicKey).verify(message, signature);
  } catch (e) {
    return false;
  }
}

// s + L with the sign bit kept: the same signature to a verifier that reduces
// s modulo L, a non-canonical one to a verifier that insists on s < L.
function nonCanonicalS(signature) {
  const out = Buffer.from(signature);
  const signBit = out[63] & 0x80;
  const s = uNumber(out.subarray(32, 64)) & ((1n << 255n) - 1n);
  const bigger = s + L;
  if (bigger >= 1n << 253n) return null; // libsignal would refuse it for its top bits
  uBytes(bigger).copy(out, 32);
  out[63] |= signBit;
  return out;
}

function xeddsaFile(options) {
  const random = new SeededBytes('xeddsa');
  const valid = [];
  const invalid = [];
  const sizes = [0, 1, 2, 16, 31, 32, 33, 64, 100, 255, 256, 1024];
  const keys = [];
  for (let i = 0; i < 24; i++) {
    const key = signal.PrivateKey.deserialize(random.bytes(32));
    const publicKey = Buffer.from(key.getPublicKey().serialize());
    const message = random.bytes(sizes[i % sizes.length]);
    const signature = Buffer.from(key.sign(message));
    assert.ok(libsignalVerifies(publicKey, message, signature));
    keys.push({ publicKey, message, signature });
    valid.push(testCase(`libsignal signature on ${message.length} bytes`, true, ['Libsignal'],
      { publicKey: hex(publicKey), msg: hex(message), sig: hex(signature) }));
  }
  // libsignal-node 6.0.0 signs through curve25519-js with its own key conversion.
  for (let i = 0; i < 8; i++) {
    const privateBytes = Buffer.from(signal.PrivateKey.deserialize(random.bytes(32)).serialize());
    const publicKey = signalNode.curve.getPublicFromPrivateKey(privateBytes);
    const message = random.bytes(sizes[(i * 5) % sizes.length]);
    const signature = signalNode.curve.calculateSignature(privateBytes, message);
    assert.ok(libsignalVerifies(publicKey, message, signature), 'libsignal refused a libsignal-node signature');
    valid.push(testCase(`libsignal-node signature on ${message.length} bytes`, true, ['LibsignalNode'],
      { publicKey: hex(publicKey), msg: hex(message), sig: hex(signature) }));
  }

  const refusedByLibsignal = (comment, flags, publicKey, message, signature) => {
    assert.ok(!libsignalVerifies(publicKey, message, signature), `libsignal accepted: ${comment}`);
    invalid.push(testCase(comment, false, flags, { publicKey: hex(publicKey), msg: hex(message), sig: hex(signature) }));
  };
  // Every single-bit flip class: R, s, the three top bits of the last byte.
  const bitClasses = [
    [0, 'lowest bit of R'], [7, 'bit 7 of R'], [130, 'a middle bit of R'], [255, 'top bit of R'],
    [256, 'lowest bit of s'], [300, 'a low bit of s'], [400, 'a middle bit of s'], [500, 'a high bit of s'],
    [508, 'bit 252 of s'], [509, 'bit 253 of s (s too large)'], [510, 'bit 254 of s (s too large)'],
    [511, 'bit 255: the Edwards sign bit XEdDSA carries there'],
  ];
  for (let i = 0; i < bitClasses.length; i++) {
    const [bit, what] = bitClasses[i];
    const { publicKey, message, signature } = keys[i];
    refusedByLibsignal(`flipped ${what}`, ['Libsignal', 'BitFlip'], publicKey, message, flipBit(signature, bit));
  }
  for (let i = 0; i < 6; i++) {
    const { publicKey, message, signature } = keys[i + 12];
    const other = keys[(i + 13) % keys.length];
    refusedByLibsignal('signature under another key', ['Libsignal', 'WrongKey'], other.publicKey, message, signature);
    const changed = message.length > 0 ? flipBit(message, 8 * (message.length - 1)) : Buffer.from([0]);
    refusedByLibsignal('another message', ['Libsignal', 'WrongMessage'], publicKey, changed, signature);
  }
  {
    const { publicKey, message, signature } = keys[20];
    refusedByLibsignal('message with a byte appended', ['Libsignal', 'WrongMessage'], publicKey,
      Buffer.concat([message, Buffer.from([0])]), signature);
    refusedByLibsignal('signature of 63 bytes', ['Libsignal', 'WrongSignatureLength'], publicKey, message, signature.subarray(0, 63));
    refusedByLibsignal('signature of 65 bytes', ['Libsignal', 'WrongSignatureLength'], publicKey, message,
      Buffer.concat([signature, Buffer.from([0])]));
    refusedByLibsignal('empty signature', ['Libsignal', 'WrongSignatureLength'], publicKey, message, Buffer.alloc(0));
    refusedByLibsignal('all-zero signature', ['Libsignal', 'BitFlip'], publicKey, message, Buffer.alloc(64));
    const wrongType = Buffer.from(publicKey);
    wrongType[0] = 0x06;
    refusedByLibsignal('public key with type byte 06', ['Libsignal', 'WrongKeyType'], wrongType, message, signature);
    wrongType[0] = 0x00;
    refusedByLibsignal('public key with type byte 00', ['Libsignal', 'WrongKeyType'], wrongType, message, signature);
    refusedByLibsignal('public key without its type byte', ['Libsignal', 'WrongKeyLength'], publicKey.subarray(1), message, signature);
    refusedByLibsignal('public key of 31 bytes', ['Libsignal', 'WrongKeyLength'], publicKey.subarray(0, 32), message, signature);
    refusedByLibsignal('empty public key', ['Libsignal', 'WrongKeyLength'], Buffer.alloc(0), message, signature);
  }
  // Where cliquet is stricter than libsignal.
  for (let i = 0; i < 4; i++) {
    const { publicKey, message, signature } = keys[i + 4];
    const trailing = Buffer.concat([publicKey, Buffer.from([i])]);
    assert.ok(libsignalVerifies(trailing, message, signature), 'libsignal now refuses trailing key bytes: update the note');
    invalid.push(testCase('public key of 34 bytes: libsignal ignores the trailing byte, cliquet refuses the key', false,
      ['Libsignal', 'WrongKeyLength', 'StricterThanLibsignal'], { publicKey: hex(trailing), msg: hex(message), sig: hex(signature) }));
  }
  let nonCanonical = 0;
  for (const { publicKey, message, signature } of keys) {
    if (nonCanonical === 6) break;
    const altered = nonCanonicalS(signature);
    if (!altered) continue;
    assert.ok(libsignalVerifies(publicKey, message, altered), 'libsignal now refuses s >= L: update the note');
    invalid.push(testCase('s replaced by s + L: libsignal reduces it and accepts, cliquet refuses', false,
      ['Libsignal', 'NonCanonicalS', 'StricterThanLibsignal'], { publicKey: hex(publicKey), msg: hex(message), sig: hex(altered) }));
    nonCanonical++;
  }

  // A public key of small order lets anyone sign: with R the identity and
  // s = 0, the verification equation holds whenever h is a multiple of the
  // key's order, which half (u = 0) or a quarter (u = 1) of messages give.
  for (const [u, what] of [[0n, 'u = 0, a point of order 2'], [1n, 'u = 1, a point of order 4']]) {
    const publicKey = djb(uBytes(u));
    const forgery = Buffer.concat([Buffer.from([1]), Buffer.alloc(63)]);
    let found = 0;
    for (let i = 0; i < 64 && found < 2; i++) {
      const message = Buffer.from(`any message ${i}`, 'ascii');
      if (!libsignalVerifies(publicKey, message, forgery)) continue;
      invalid.push(testCase(`forgery (R = identity, s = 0) under the small-order key ${what}: libsignal accepts, cliquet refuses`,
        false, ['SmallOrderKey', 'StricterThanLibsignal'], { publicKey: hex(publicKey), msg: hex(message), sig: hex(forgery) }));
      found++;
    }
    assert.equal(found, 2, 'libsignal no longer accepts small-order forgeries: update the note');
  }

  const cliquet = cliquetGroups(options, 'xeddsa');
  for (const group of cliquet) {
    for (const t of group.tests) {
      const derived = hex(signal.PrivateKey.deserialize(unhex(t.privateKey)).getPublicKey().serialize());
      assert.equal(derived, t.publicKey, 'cliquet derives another public key than libsignal');
      assert.ok(libsignalVerifies(unhex(t.publicKey), unhex(t.msg), unhex(t.sig)), 'libsignal refused a cliquet signature');
      assert.ok(signalNode.curve.verifySignature(unhex(t.publicKey), unhex(t.msg), unhex(t.sig), false),
        'libsignal-node refused a cliquet signature');
    }
  }

  return vectorFile('xeddsa', 'XEdDSA', 'xeddsa_test_schema.json', [
    'XEdDSA over Curve25519 as libsignal uses it for identity keys. publicKey is libsignal\'s 33-byte form (05 then u),',
    'sig is 64 bytes (R, then s with the Edwards sign bit in its top bit). XeddsaVerify: valid iff the key',
    'deserializes and the signature verifies; the inputs cliquet refuses and libsignal accepts are acceptable',
    '(StricterThanLibsignal). XeddsaSign: privateKey and the 64 random bytes of the nonce hash',
    'determine sig exactly.',
  ], {
    LibsignalNode: 'Signed by libsignal-node 6.0.0 (npm libsignal, curve.calculateSignature).',
    BitFlip: 'One bit of a valid signature flipped (or an all-zero signature); libsignal refuses it too.',
    WrongKey: 'A valid signature checked under another identity key; libsignal refuses it too.',
    WrongMessage: 'A valid signature checked against another message; libsignal refuses it too.',
    WrongSignatureLength: 'A signature that is not 64 bytes; libsignal refuses it too.',
    WrongKeyType: 'A public key whose type byte is not 05; libsignal refuses it too.',
    WrongKeyLength: 'A public key that is not 33 bytes.',
    NonCanonicalS: 'The s half is replaced by s + L (still below 2^253).',
    SmallOrderKey: 'The public key has small order, so R = identity and s = 0 verify for many messages: a forgery ' +
      'that needs no secret.',
    StricterThanLibsignal: 'cliquet refuses what libsignal 0.103.0 accepts (checked when this file was generated): ' +
      'libsignal reduces s modulo L instead of refusing s >= L, ignores bytes after a 33-byte public key, and ' +
      'accepts signatures under public keys of small order. No honest signer or serializer produces any of these; ' +
      'cliquet\'s verification is libsodium\'s strict Ed25519 check, which refuses small-order R and A.',
    ...COMMON_NOTES,
  }, [
    { type: 'XeddsaVerify', tests: valid },
    { type: 'XeddsaVerify', tests: invalid },
    ...cliquet,
  ]);
}

module.exports = { x25519File, xeddsaFile };
