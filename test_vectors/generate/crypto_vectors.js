'use strict';
// Writes test_vectors/{x25519,xeddsa,hmac_sha256,hkdf_sha256,aes_256_cbc,
// aes_256_ctr,aes_256_gcm_siv}.json from three sources:
//   - published known answers (RFC 7748, RFC 4231, RFC 5869, NIST SP 800-38A,
//     RFC 8452), each re-checked here against an independent implementation;
//   - cases computed by the official libsignal 0.103.0 through its Node
//     binding (and libsignal-node 6.0.0, and Node's OpenSSL for the
//     primitives libsignal does not export), with negative cases that the
//     oracle itself is shown to refuse;
//   - cases computed by cliquet (`cliquet-vectors generate CATEGORY`),
//     each cross-checked here against the same oracles.
// Finally it runs `cliquet-vectors verify` on what it wrote.
//
// Usage (from anywhere; packages are loaded from interop/node_modules):
//   node test_vectors/generate/crypto_vectors.js --cliquet-vectors PATH [--out DIR] [--only a,b]
// PATH defaults to $CLIQUET_VECTORS; DIR to test_vectors/. Inputs come from a
// seeded generator, so reruns differ only where libsignal signs (XEdDSA
// signing is randomized by design).

const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const nodeCrypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { createRequire } = require('node:module');

const interopRequire = createRequire(path.resolve(__dirname, '../../interop/package.json'));
const signal = interopRequire('@signalapp/libsignal-client');
const signalNode = interopRequire('libsignal');
const gcmSivAnswers = require('./known_answers_aes_gcm_siv.js');

// ---- command line -----------------------------------------------------------

function parseArgs(argv) {
  const options = { cliquetVectors: process.env.CLIQUET_VECTORS, out: path.resolve(__dirname, '..'), only: null };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--cliquet-vectors') options.cliquetVectors = argv[++i];
    else if (arg === '--out') options.out = path.resolve(argv[++i]);
    else if (arg === '--only') options.only = new Set(argv[++i].split(','));
    else if (arg === '--help' || arg === '-h') {
      console.log('usage: node crypto_vectors.js --cliquet-vectors PATH [--out DIR] [--only x25519,xeddsa,...]');
      process.exit(0);
    } else throw new Error(`unknown argument ${arg}`);
  }
  if (!options.cliquetVectors) throw new Error('give --cliquet-vectors PATH or set CLIQUET_VECTORS');
  return options;
}

// ---- helpers ------------------------------------------------------------------

const hex = (bytes) => Buffer.from(bytes).toString('hex');
const unhex = (text) => Buffer.from(text, 'hex');
const ascii = (text) => Buffer.from(text, 'ascii');

// A reproducible byte stream: SHA-256(label || counter) blocks.
class SeededBytes {
  constructor(label) {
    this.seed = nodeCrypto.createHash('sha256').update(`cliquet test vectors: ${label}`).digest();
    this.counter = 0;
  }
  bytes(n) {
    const chunks = [];
    let have = 0;
    while (have < n) {
      const counter = Buffer.alloc(8);
      counter.writeBigUInt64BE(BigInt(this.counter++));
      const block = nodeCrypto.createHash('sha256').update(this.seed).update(counter).digest();
      chunks.push(block);
      have += block.length;
    }
    return Buffer.concat(chunks).subarray(0, n);
  }
  below(n) {
    return this.bytes(4).readUInt32BE(0) % n;
  }
}

function flipBit(bytes, bit) {
  const out = Buffer.from(bytes);
  out[bit >> 3] ^= 1 << (bit & 7);
  return out;
}

function refuses(operation) {
  try {
    operation();
    return false;
  } catch (e) {
    return true;
  }
}

function testCase(comment, valid, flags, fields) {
  return { tcId: 0, comment, flags, ...fields, result: valid ? 'valid' : 'invalid' };
}

function vectorFile(category, algorithm, schema, header, notes, groups) {
  let id = 0;
  for (const group of groups) for (const test of group.tests) test.tcId = ++id;
  const used = new Set(groups.flatMap((g) => g.tests.flatMap((t) => t.flags)));
  for (const flag of used) assert.ok(notes[flag], `${category}: flag ${flag} has no note`);
  return {
    category,
    algorithm,
    schema,
    generatorVersion: 'cliquet test_vectors/generate/crypto_vectors.js 1',
    numberOfTests: id,
    header,
    notes: Object.fromEntries(Object.entries(notes).filter(([flag]) => used.has(flag))),
    testGroups: groups,
  };
}

// The groups cliquet computes from fixed seeds.
function cliquetGroups(options, category) {
  const text = execFileSync(options.cliquetVectors, ['generate', category], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const groups = JSON.parse(text).testGroups;
  for (const group of groups) for (const test of group.tests) delete test.tcId;
  return groups;
}

const COMMON_NOTES = {
  Libsignal: 'Computed by the official libsignal 0.103.0 (npm @signalapp/libsignal-client) through its Node binding.',
  Cliquet: 'Computed by cliquet (cliquet-vectors generate) from a fixed seed, and checked by this script against ' +
    'libsignal or Node\'s OpenSSL.',
  NodeCrypto: 'Computed by Node\'s crypto module (OpenSSL), for primitives libsignal does not export.',
};

// ---- x25519 -------------------------------------------------------------------

const P = (1n << 255n) - 19n;
const uBytes = (n) => {
  const out = Buffer.alloc(32);
  for (let i = 0; i < 32; i++) out[i] = Number((n >> BigInt(8 * i)) & 0xffn);
  return out;
};
const uNumber = (bytes) => bytes.reduceRight((acc, b) => (acc << 8n) | BigInt(b), 0n);
const djb = (u) => Buffer.concat([Buffer.from([5]), u]);

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
      assert.equal(hex(libsignalAgree(unhex(t.private), unhex(t.public))), t.shared, 'cliquet x25519 disagrees with libsignal');
    }
  }

  return vectorFile('x25519', 'X25519', 'x25519_test_schema.json', [
    'X25519 (RFC 7748) through libsignal-style keys: private is a 32-byte scalar (clamped on use), public a bare',
    'u-coordinate, shared the 32-byte result. X25519Iterated repeats k, u = X25519(k, u), k as RFC 7748 5.2 does.',
  ], {
    Rfc7748: 'Published known answer of RFC 7748 (sections 5.2 and 6.1).',
    HighBitSet: 'Bit 255 of the u-coordinate is set; RFC 7748 says to ignore it.',
    NonCanonicalPublic: 'The u-coordinate is at least p = 2^255 - 19; X25519 reduces it modulo p.',
    SmallOrderPublic: 'The public key has small order, so the result would be all zeros. RFC 7748 computes that ' +
      'zero output; cliquet refuses it with invalid_key (policy: an agreement must be contributory), and ' +
      'libsignal 0.103.0 also refuses it (checked when this file was generated).',
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
      { public_key: hex(publicKey), msg: hex(message), sig: hex(signature) }));
  }
  // libsignal-node 6.0.0 signs through curve25519-js with its own key conversion.
  for (let i = 0; i < 8; i++) {
    const privateBytes = Buffer.from(signal.PrivateKey.deserialize(random.bytes(32)).serialize());
    const publicKey = signalNode.curve.getPublicFromPrivateKey(privateBytes);
    const message = random.bytes(sizes[(i * 5) % sizes.length]);
    const signature = signalNode.curve.calculateSignature(privateBytes, message);
    assert.ok(libsignalVerifies(publicKey, message, signature), 'libsignal refused a libsignal-node signature');
    valid.push(testCase(`libsignal-node signature on ${message.length} bytes`, true, ['LibsignalNode'],
      { public_key: hex(publicKey), msg: hex(message), sig: hex(signature) }));
  }

  const refusedByLibsignal = (comment, flags, publicKey, message, signature) => {
    assert.ok(!libsignalVerifies(publicKey, message, signature), `libsignal accepted: ${comment}`);
    invalid.push(testCase(comment, false, flags, { public_key: hex(publicKey), msg: hex(message), sig: hex(signature) }));
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
      ['Libsignal', 'WrongKeyLength', 'StricterThanLibsignal'], { public_key: hex(trailing), msg: hex(message), sig: hex(signature) }));
  }
  let nonCanonical = 0;
  for (const { publicKey, message, signature } of keys) {
    if (nonCanonical === 6) break;
    const altered = nonCanonicalS(signature);
    if (!altered) continue;
    assert.ok(libsignalVerifies(publicKey, message, altered), 'libsignal now refuses s >= L: update the note');
    invalid.push(testCase('s replaced by s + L: libsignal reduces it and accepts, cliquet refuses', false,
      ['Libsignal', 'NonCanonicalS', 'StricterThanLibsignal'], { public_key: hex(publicKey), msg: hex(message), sig: hex(altered) }));
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
        false, ['SmallOrderKey', 'StricterThanLibsignal'], { public_key: hex(publicKey), msg: hex(message), sig: hex(forgery) }));
      found++;
    }
    assert.equal(found, 2, 'libsignal no longer accepts small-order forgeries: update the note');
  }

  const cliquet = cliquetGroups(options, 'xeddsa');
  for (const group of cliquet) {
    for (const t of group.tests) {
      const derived = hex(signal.PrivateKey.deserialize(unhex(t.private_key)).getPublicKey().serialize());
      assert.equal(derived, t.public_key, 'cliquet derives another public key than libsignal');
      assert.ok(libsignalVerifies(unhex(t.public_key), unhex(t.msg), unhex(t.sig)), 'libsignal refused a cliquet signature');
      assert.ok(signalNode.curve.verifySignature(unhex(t.public_key), unhex(t.msg), unhex(t.sig), false),
        'libsignal-node refused a cliquet signature');
    }
  }

  return vectorFile('xeddsa', 'XEdDSA', 'xeddsa_test_schema.json', [
    'XEdDSA over Curve25519 as libsignal uses it for identity keys. public_key is libsignal\'s 33-byte form (05 then u),',
    'sig is 64 bytes (R, then s with the Edwards sign bit in its top bit). XeddsaVerify: valid iff the key',
    'deserializes and the signature verifies. XeddsaSign: private_key and the 64 random bytes of the nonce hash',
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

// ---- hmac_sha256 --------------------------------------------------------------

function hmacFile(options) {
  const nodeHmac = (key, message) => nodeCrypto.createHmac('sha256', key).update(message).digest();
  const largeKey = 'aa'.repeat(131);
  const rfc = [
    ['RFC 4231 test case 1', '0b'.repeat(20), hex(ascii('Hi There')),
      'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7'],
    ['RFC 4231 test case 2 (key shorter than the output)', hex(ascii('Jefe')), hex(ascii('what do ya want for nothing?')),
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843'],
    ['RFC 4231 test case 3', 'aa'.repeat(20), 'dd'.repeat(50),
      '773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe'],
    ['RFC 4231 test case 4', '0102030405060708090a0b0c0d0e0f10111213141516171819', 'cd'.repeat(50),
      '82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b'],
    ['RFC 4231 test case 6 (key larger than a block)', largeKey,
      hex(ascii('Test Using Larger Than Block-Size Key - Hash Key First')),
      '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54'],
    ['RFC 4231 test case 7 (key and data larger than a block)', largeKey,
      hex(ascii('This is a test using a larger than block-size key and a larger than block-size data. ' +
        'The key needs to be hashed before being used by the HMAC algorithm.')),
      '9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2'],
  ].map(([comment, key, msg, tag]) => {
    assert.equal(hex(nodeHmac(unhex(key), unhex(msg))), tag, comment);
    return testCase(comment, true, ['Rfc4231'], { key, msg, tag });
  });
  const truncatedKey = '0c'.repeat(20);
  const truncatedMsg = hex(ascii('Test With Truncation'));
  const truncatedTag = 'a3b6167473100ee06e0c796c2955552b';
  assert.equal(hex(nodeHmac(unhex(truncatedKey), unhex(truncatedMsg))).slice(0, 32), truncatedTag);
  const truncated = [
    testCase('RFC 4231 test case 5: output truncated to 128 bits', true, ['Rfc4231', 'Truncated'],
      { key: truncatedKey, msg: truncatedMsg, tag: truncatedTag }),
    testCase('RFC 4231 test case 5 with the last bit of the truncated tag flipped', false, ['Rfc4231', 'Truncated', 'ModifiedTag'],
      { key: truncatedKey, msg: truncatedMsg, tag: hex(flipBit(unhex(truncatedTag), 127)) }),
  ];

  const random = new SeededBytes('hmac_sha256');
  const made = [];
  const invalid = [];
  for (let i = 0; i < 24; i++) {
    const key = random.bytes([0, 1, 20, 32, 64, 65, 100][i % 7]);
    const message = random.bytes([0, 3, 55, 56, 63, 64, 65, 300][i % 8]);
    const tag = nodeHmac(key, message);
    made.push(testCase(`${key.length}-byte key, ${message.length}-byte message`, true, ['NodeCrypto'],
      { key: hex(key), msg: hex(message), tag: hex(tag) }));
    if (i < 12) {
      const bit = [0, 7, 8, 100, 128, 200, 248, 255, 1, 64, 192, 250][i];
      invalid.push(testCase(`bit ${bit} of the tag flipped`, false, ['NodeCrypto', 'ModifiedTag'],
        { key: hex(key), msg: hex(message), tag: hex(flipBit(tag, bit)) }));
    } else if (i < 16) {
      invalid.push(testCase('tag cut to 31 bytes', false, ['NodeCrypto', 'TruncatedTag'],
        { key: hex(key), msg: hex(message), tag: hex(tag.subarray(0, 31)) }));
    } else if (i < 18) {
      invalid.push(testCase('empty tag', false, ['NodeCrypto', 'TruncatedTag'], { key: hex(key), msg: hex(message), tag: '' }));
    } else if (i < 20) {
      invalid.push(testCase('tag of another key', false, ['NodeCrypto', 'WrongKey'],
        { key: hex(Buffer.concat([key, Buffer.from([1])])), msg: hex(message), tag: hex(tag) }));
    }
  }
  const cliquet = cliquetGroups(options, 'hmac_sha256');
  for (const group of cliquet) {
    for (const t of group.tests) assert.equal(hex(nodeHmac(unhex(t.key), unhex(t.msg))), t.tag, 'cliquet HMAC disagrees');
  }
  return vectorFile('hmac_sha256', 'HMACSHA256', 'mac_test_schema.json', [
    'HMAC-SHA256. tagSize (bits) is the length of tag: the MAC truncated to its first tagSize/8 bytes. A valid case\'s',
    'tag equals the MAC; an invalid case\'s tag must be rejected by a constant-time comparison.',
  ], {
    Rfc4231: 'Published known answer of RFC 4231 (the HMAC-SHA-256 outputs).',
    Truncated: 'The tag is the MAC truncated to 128 bits (RFC 4231 test case 5).',
    ModifiedTag: 'One bit of the correct tag flipped.',
    TruncatedTag: 'A prefix of the correct tag, shorter than tagSize.',
    WrongKey: 'The correct tag of another key.',
    ...COMMON_NOTES,
  }, [
    { type: 'MacTest', keySize: 0, tagSize: 256, tests: [...rfc, ...made, ...invalid] },
    { type: 'MacTest', keySize: 160, tagSize: 128, tests: truncated },
    ...cliquet,
  ]);
}

// ---- hkdf_sha256 --------------------------------------------------------------

function hkdfFile(options) {
  const nodeHkdf = (ikm, salt, info, size) => Buffer.from(nodeCrypto.hkdfSync('sha256', ikm, salt, info, size));
  const range = (from, to) => Buffer.from(Array.from({ length: to - from + 1 }, (_, i) => from + i));
  const rfc = [
    ['RFC 5869 A.1: basic test case', '0b'.repeat(22), hex(range(0x00, 0x0c)), hex(range(0xf0, 0xf9)), 42,
      '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865'],
    ['RFC 5869 A.2: longer inputs and outputs', hex(range(0x00, 0x4f)), hex(range(0x60, 0xaf)), hex(range(0xb0, 0xff)), 82,
      'b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87'],
    ['RFC 5869 A.3: no salt, no info', '0b'.repeat(22), '', '', 42,
      '8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8'],
  ].map(([comment, ikm, salt, info, size, okm]) => {
    assert.equal(hex(nodeHkdf(unhex(ikm), unhex(salt), unhex(info), size)), okm, comment);
    assert.equal(hex(signal.hkdf(size, unhex(ikm), unhex(info), salt ? unhex(salt) : null)), okm, comment);
    return testCase(comment, true, ['Rfc5869'], { ikm, salt, info, size, okm });
  });

  const random = new SeededBytes('hkdf_sha256');
  const made = [];
  const sizes = [1, 16, 31, 32, 33, 42, 64, 80, 96, 255, 1000, 8160];
  for (let i = 0; i < 36; i++) {
    const ikm = random.bytes([32, 64, 1, 0, 100][i % 5]);
    const salt = i % 3 === 0 ? Buffer.alloc(0) : random.bytes([32, 16, 80][i % 3]);
    const info = random.bytes([0, 13, 32, 64][i % 4]);
    const size = sizes[i % sizes.length];
    const okm = Buffer.from(signal.hkdf(size, ikm, info, salt.length ? salt : null));
    assert.equal(hex(okm), hex(nodeHkdf(ikm, salt, info, size)));
    made.push(testCase(`${size} bytes${salt.length ? '' : ', no salt'}`, true, ['Libsignal'],
      { ikm: hex(ikm), salt: hex(salt), info: hex(info), size, okm: hex(okm) }));
  }
  const invalid = [];
  for (const size of [8161, 8192, 65536]) {
    const ikm = random.bytes(32);
    assert.ok(refuses(() => signal.hkdf(size, ikm, Buffer.alloc(0), null)), `libsignal derived ${size} bytes`);
    invalid.push(testCase(`${size} bytes: more than 255 * HashLen`, false, ['Libsignal', 'SizeTooLarge'],
      { ikm: hex(ikm), salt: '', info: '', size, okm: '' }));
  }
  const cliquet = cliquetGroups(options, 'hkdf_sha256');
  for (const group of cliquet) {
    for (const t of group.tests) {
      const okm = signal.hkdf(t.size, unhex(t.ikm), unhex(t.info), t.salt ? unhex(t.salt) : null);
      assert.equal(hex(okm), t.okm, 'cliquet HKDF disagrees with libsignal');
    }
  }
  return vectorFile('hkdf_sha256', 'HKDF-SHA-256', 'hkdf_test_schema.json', [
    'HKDF-SHA256 (RFC 5869): ikm, salt (empty = absent = 32 zero bytes), info and size (bytes) give okm. An invalid',
    'case asks for more than 255 * 32 = 8160 bytes and must be refused.',
  ], {
    Rfc5869: 'Published known answer of RFC 5869 (appendix A.1 to A.3, the SHA-256 cases).',
    SizeTooLarge: 'Output longer than 255 * 32 bytes; RFC 5869 forbids it and libsignal refuses it too.',
    ...COMMON_NOTES,
  }, [
    { type: 'HkdfTest', tests: [...rfc, ...made, ...invalid] },
    ...cliquet,
  ]);
}

// ---- aes_256_cbc and aes_256_ctr ----------------------------------------------

const NIST_KEY = '603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4';
const NIST_PLAINTEXT = '6bc1bee22e409f96e93d7e117393172a' + 'ae2d8a571e03ac9c9eb76fac45af8e51' +
  '30c81c46a35ce411e5fbc1191a0a52ef' + 'f69f2445df4f9b17ad2b417be66c3710';

function nodeCipher(name, key, iv, data, padding) {
  const cipher = nodeCrypto.createCipheriv(name, key, iv);
  cipher.setAutoPadding(padding);
  return Buffer.concat([cipher.update(data), cipher.final()]);
}

function cbcFile(options) {
  const nistIv = '000102030405060708090a0b0c0d0e0f';
  const nistCiphertext = 'f58c4c04d6e5f1ba779eabfb5f7bfbd6' + '9cfc4e967edb808d679f777bc6702c7d' +
    '39f23369a9d9bacfa530e26304231461' + 'b2eb05e2c39be9fcda6c19078c6a9d1b';
  assert.equal(hex(nodeCipher('aes-256-cbc', unhex(NIST_KEY), unhex(nistIv), unhex(NIST_PLAINTEXT), false)), nistCiphertext);
  const random = new SeededBytes('aes_256_cbc');
  const unpadded = [
    testCase('NIST SP 800-38A F.2.5 and F.2.6 (CBC-AES256 encrypt and decrypt share their data)', true, ['Nist80038a'],
      { key: NIST_KEY, iv: nistIv, msg: NIST_PLAINTEXT, ct: nistCiphertext }),
  ];
  for (const size of [15, 17, 63]) {
    unpadded.push(testCase(`ciphertext of ${size} bytes, not whole blocks`, false, ['WrongLength'],
      { key: hex(random.bytes(32)), iv: hex(random.bytes(16)), msg: '', ct: hex(random.bytes(size)) }));
  }

  const padded = [];
  for (let size = 0; size <= 50; size += 2) {
    const key = random.bytes(32);
    const iv = random.bytes(16);
    const message = random.bytes(size);
    padded.push(testCase(`PKCS#7, message of ${size} bytes`, true, ['NodeCrypto'],
      { key: hex(key), iv: hex(iv), msg: hex(message), ct: hex(nodeCipher('aes-256-cbc', key, iv, message, true)) }));
  }
  // Ciphertexts whose last block decrypts to bad padding; Node's OpenSSL
  // must refuse each as well.
  const badTails = [
    ['last byte 00', (b) => { b[15] = 0x00; }],
    ['last byte 11 (more than a block)', (b) => { b[15] = 0x11; }],
    ['last byte ff', (b) => { b[15] = 0xff; }],
    ['padding 02 preceded by 01', (b) => { b[14] = 0x01; b[15] = 0x02; }],
    ['padding 10 with one byte wrong', (b) => { b.fill(0x10); b[0] = 0x0f; }],
    ['padding 08 with its first byte wrong', (b) => { b.fill(0x08, 8); b[8] = 0x07; }],
    ['padding 03 with a middle byte wrong', (b) => { b[13] = 0x03; b[14] = 0x04; b[15] = 0x03; }],
  ];
  const invalid = [];
  for (const [what, spoil] of badTails) {
    const key = random.bytes(32);
    const iv = random.bytes(16);
    const plain = random.bytes(32);
    spoil(plain.subarray(16));
    const ct = nodeCipher('aes-256-cbc', key, iv, plain, false);
    assert.ok(refuses(() => {
      const d = nodeCrypto.createDecipheriv('aes-256-cbc', key, iv);
      Buffer.concat([d.update(ct), d.final()]);
    }), what);
    invalid.push(testCase(`bad padding: ${what}`, false, ['BadPadding'], { key: hex(key), iv: hex(iv), msg: '', ct: hex(ct) }));
  }
  for (const size of [0, 15, 17, 33]) {
    invalid.push(testCase(`ciphertext of ${size} bytes, not a positive whole number of blocks`, false, ['WrongLength'],
      { key: hex(random.bytes(32)), iv: hex(random.bytes(16)), msg: '', ct: hex(random.bytes(size)) }));
  }
  const cliquet = cliquetGroups(options, 'aes_256_cbc');
  for (const group of cliquet) {
    for (const t of group.tests) {
      assert.equal(hex(nodeCipher('aes-256-cbc', unhex(t.key), unhex(t.iv), unhex(t.msg), true)), t.ct, 'cliquet CBC disagrees');
    }
  }
  return vectorFile('aes_256_cbc', 'AES-256-CBC', 'cbc_test_schema.json', [
    'AES-256-CBC. The group\'s padding is "pkcs7" (as the protocol uses it) or "none" (as NIST SP 800-38A defines',
    'the mode). A valid case encrypts msg to ct and decrypts ct to msg; an invalid case is a ct that must be refused.',
  ], {
    Nist80038a: 'Published known answer of NIST SP 800-38A, appendix F.2.5/F.2.6 (no padding).',
    BadPadding: 'The last block decrypts to bytes that are not PKCS#7 padding; Node\'s OpenSSL refuses it too.',
    WrongLength: 'The ciphertext is not a positive whole number of 16-byte blocks.',
    ...COMMON_NOTES,
  }, [
    { type: 'CbcTest', keySize: 256, padding: 'none', tests: unpadded },
    { type: 'CbcTest', keySize: 256, padding: 'pkcs7', tests: [...padded, ...invalid] },
    ...cliquet,
  ]);
}

function ctrFile(options) {
  const nistCounter = 'f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff';
  const nistCiphertext = '601ec313775789a5b7a7f504bbf3d228' + 'f443e3ca4d62b59aca84e990cacaf5c5' +
    '2b0930daa23de94ce87017ba2d84988d' + 'dfc9c58db67aada613c2dd08457941a6';
  assert.equal(hex(nodeCipher('aes-256-ctr', unhex(NIST_KEY), unhex(nistCounter), unhex(NIST_PLAINTEXT), false)), nistCiphertext);
  const tests = [
    testCase('NIST SP 800-38A F.5.5 and F.5.6 (CTR-AES256 encrypt and decrypt share their data)', true, ['Nist80038a'],
      { key: NIST_KEY, iv: nistCounter, msg: NIST_PLAINTEXT, ct: nistCiphertext }),
  ];
  const random = new SeededBytes('aes_256_ctr');
  for (let size = 0; size <= 70; size += 5) {
    const key = random.bytes(32);
    const iv = random.bytes(16);
    const message = random.bytes(size);
    tests.push(testCase(`message of ${size} bytes`, true, ['NodeCrypto'],
      { key: hex(key), iv: hex(iv), msg: hex(message), ct: hex(nodeCipher('aes-256-ctr', key, iv, message, false)) }));
  }
  for (const [what, iv] of [
    ['the 128-bit counter wraps from all ones to zero', Buffer.alloc(16, 0xff)],
    ['the low 64 bits carry into the high 64', Buffer.concat([random.bytes(8), Buffer.alloc(8, 0xff)])],
    ['the low 32 bits carry into the next 32', Buffer.concat([random.bytes(12), Buffer.alloc(4, 0xff)])],
  ]) {
    const key = random.bytes(32);
    const message = random.bytes(48);
    tests.push(testCase(what, true, ['NodeCrypto', 'CounterCarry'],
      { key: hex(key), iv: hex(iv), msg: hex(message), ct: hex(nodeCipher('aes-256-ctr', key, iv, message, false)) }));
  }
  const cliquet = cliquetGroups(options, 'aes_256_ctr');
  for (const group of cliquet) {
    for (const t of group.tests) {
      assert.equal(hex(nodeCipher('aes-256-ctr', unhex(t.key), unhex(t.iv), unhex(t.msg), false)), t.ct, 'cliquet CTR disagrees');
    }
  }
  return vectorFile('aes_256_ctr', 'AES-256-CTR', 'ctr_test_schema.json', [
    'AES-256-CTR with iv as the initial 128-bit big-endian counter block (NIST SP 800-38A). Every case is valid:',
    'CTR refuses nothing. msg encrypts to ct and ct to msg.',
  ], {
    Nist80038a: 'Published known answer of NIST SP 800-38A, appendix F.5.5/F.5.6.',
    CounterCarry: 'The counter carries across a 32-bit, 64-bit or the 128-bit boundary within the message.',
    ...COMMON_NOTES,
  }, [
    { type: 'CtrTest', keySize: 256, tests },
    ...cliquet,
  ]);
}

// ---- aes_256_gcm_siv ------------------------------------------------------------

function gcmSivFile(options) {
  const seal = (key, nonce, aad, message) => Buffer.from(signal.Aes256GcmSiv.new(key).encrypt(message, nonce, aad));
  const open = (key, nonce, aad, sealed) => Buffer.from(signal.Aes256GcmSiv.new(key).decrypt(sealed, nonce, aad));
  const split = (sealed) => ({ ct: hex(sealed.subarray(0, sealed.length - 16)), tag: hex(sealed.subarray(sealed.length - 16)) });

  const rfc = gcmSivAnswers.map((v) => {
    const sealed = seal(unhex(v.key), unhex(v.nonce), unhex(v.aad), unhex(v.plaintext));
    assert.equal(hex(sealed), v.result, v.source);
    const flags = v.source.includes('C.3') ? ['Rfc8452', 'CounterWrap'] : ['Rfc8452'];
    return testCase(v.source, true, flags, { key: v.key, iv: v.nonce, aad: v.aad, msg: v.plaintext, ...split(unhex(v.result)) });
  });

  const random = new SeededBytes('aes_256_gcm_siv');
  const made = [];
  const sizes = [0, 1, 12, 15, 16, 17, 31, 32, 33, 48, 63, 64, 65, 100, 255, 256, 1000, 1024, 1025, 4099];
  const sealedCases = [];
  for (let i = 0; i < 40; i++) {
    const key = random.bytes(32);
    const nonce = random.bytes(12);
    const aad = random.bytes([0, 1, 13, 16, 17, 40][i % 6]);
    const message = random.bytes(sizes[i % sizes.length]);
    const sealed = seal(key, nonce, aad, message);
    sealedCases.push({ key, nonce, aad, message, sealed });
    made.push(testCase(`${message.length}-byte message, ${aad.length}-byte aad`, true, ['Libsignal'],
      { key: hex(key), iv: hex(nonce), aad: hex(aad), msg: hex(message), ...split(sealed) }));
  }
  const invalid = [];
  const refusedByLibsignal = (comment, flags, { key, nonce, aad }, sealed, otherAad = aad, otherNonce = nonce) => {
    assert.ok(refuses(() => open(key, otherNonce, otherAad, sealed)), `libsignal accepted: ${comment}`);
    invalid.push(testCase(comment, false, ['Libsignal', ...flags],
      { key: hex(key), iv: hex(otherNonce), aad: hex(otherAad), msg: '', ...(sealed.length >= 16 ? split(sealed) : { ct: '', tag: hex(sealed) }) }));
  };
  for (let i = 0; i < 8; i++) {
    const c = sealedCases[i + 1];
    const tagBit = 8 * (c.sealed.length - 16) + [0, 7, 64, 120, 121, 126, 127, 100][i];
    refusedByLibsignal(`bit ${tagBit - 8 * (c.sealed.length - 16)} of the tag flipped`, ['ModifiedTag'], c, flipBit(c.sealed, tagBit));
  }
  for (let i = 0; i < 8; i++) {
    const c = sealedCases[i + 10];
    if (c.message.length === 0) continue;
    const bit = (i * 37) % (8 * c.message.length);
    refusedByLibsignal(`bit ${bit} of the ciphertext flipped`, ['ModifiedCiphertext'], c, flipBit(c.sealed, bit));
  }
  for (let i = 0; i < 4; i++) {
    const c = sealedCases[i + 20];
    refusedByLibsignal('other associated data', ['WrongAad'], c, c.sealed, Buffer.concat([c.aad, Buffer.from([i])]));
    const nonce = flipBit(c.nonce, 8 * i + 3);
    refusedByLibsignal('other nonce', ['WrongNonce'], c, c.sealed, c.aad, nonce);
  }
  for (const size of [0, 1, 15]) {
    const c = sealedCases[30];
    refusedByLibsignal(`input of ${size} bytes, shorter than a tag`, ['Truncated'], c, c.sealed.subarray(0, size));
  }
  {
    const c = sealedCases[31];
    refusedByLibsignal('last byte of the ciphertext removed', ['Truncated'], c,
      Buffer.concat([c.sealed.subarray(0, c.sealed.length - 17), c.sealed.subarray(c.sealed.length - 16)]));
    refusedByLibsignal('all-zero tag', ['ModifiedTag'], c,
      Buffer.concat([c.sealed.subarray(0, c.sealed.length - 16), Buffer.alloc(16)]));
  }
  const cliquet = cliquetGroups(options, 'aes_256_gcm_siv');
  for (const group of cliquet) {
    for (const t of group.tests) {
      assert.equal(hex(seal(unhex(t.key), unhex(t.iv), unhex(t.aad), unhex(t.msg))), t.ct + t.tag, 'cliquet AES-GCM-SIV disagrees');
    }
  }
  return vectorFile('aes_256_gcm_siv', 'AES-GCM-SIV', 'aead_test_schema.json', [
    'AES-256-GCM-SIV (RFC 8452): key, iv (the 12-byte nonce), aad and msg give ct and the 16-byte tag. A valid case',
    'encrypts to ct || tag and decrypts back; an invalid case is a ct || tag that must be refused.',
  ], {
    Rfc8452: 'Published known answer of RFC 8452, appendix C.2 (AEAD_AES_256_GCM_SIV) or C.3.',
    CounterWrap: 'RFC 8452 C.3: the 32-bit block counter wraps around within the message.',
    ModifiedTag: 'The tag altered; libsignal refuses it too.',
    ModifiedCiphertext: 'One bit of the ciphertext flipped; libsignal refuses it too.',
    WrongAad: 'Decrypted with other associated data; libsignal refuses it too.',
    WrongNonce: 'Decrypted with another nonce; libsignal refuses it too.',
    Truncated: 'Bytes removed: shorter than a tag, or the ciphertext cut; libsignal refuses it too.',
    ...COMMON_NOTES,
  }, [
    { type: 'AeadTest', keySize: 256, ivSize: 96, tagSize: 128, tests: [...rfc, ...made, ...invalid] },
    ...cliquet,
  ]);
}

// ---- main -----------------------------------------------------------------------

const CATEGORIES = {
  x25519: x25519File,
  xeddsa: xeddsaFile,
  hmac_sha256: hmacFile,
  hkdf_sha256: hkdfFile,
  aes_256_cbc: cbcFile,
  aes_256_ctr: ctrFile,
  aes_256_gcm_siv: gcmSivFile,
};

function main() {
  const options = parseArgs(process.argv.slice(2));
  const written = [];
  for (const [category, make] of Object.entries(CATEGORIES)) {
    if (options.only && !options.only.has(category)) continue;
    const file = make(options);
    const target = path.join(options.out, `${category}.json`);
    fs.writeFileSync(target, JSON.stringify(file, null, 2) + '\n');
    console.log(`${target}: ${file.numberOfTests} cases`);
    written.push(target);
  }
  try {
    const verdict = execFileSync(options.cliquetVectors, ['verify', ...written], { encoding: 'utf8' }).trim().split('\n');
    console.log(`cliquet-vectors verify: ${verdict[verdict.length - 1]}`);
  } catch (e) {
    process.stdout.write(e.stdout || '');
    console.error('cliquet-vectors verify failed on the files just written');
    process.exitCode = 1;
  }
}

main();
