'use strict';
const crypto = require('node:crypto');
// aes_256_cbc, aes_256_ctr and aes_256_gcm_siv vector files: NIST SP 800-38A
// and RFC 8452 answers, Node's OpenSSL and libsignal's Aes256GcmSiv on seeded
// inputs (with the tampered copies each refuses), and cliquet's groups.

const {
  assert, nodeCrypto, signal, hex, unhex, SeededBytes, flipBit, refuses, testCase, vectorFile, cliquetGroups,
  COMMON_NOTES,
} = require('./common');
const gcmSivAnswers = require('../known_answers_aes_gcm_siv.js');

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
  // Keys and counter blocks of the wrong size, which OpenSSL refuses too.
  const refused = [];
  for (const [what, keySize, ivSize, flag, error] of [
    ['a 16-byte (AES-128) key', 16, 16, 'WrongKeySize', 'invalid_key'],
    ['a 24-byte (AES-192) key', 24, 16, 'WrongKeySize', 'invalid_key'],
    ['a 31-byte key', 31, 16, 'WrongKeySize', 'invalid_key'],
    ['a 33-byte key', 33, 16, 'WrongKeySize', 'invalid_key'],
    ['an empty key', 0, 16, 'WrongKeySize', 'invalid_key'],
    ['a 12-byte nonce instead of a 16-byte counter block', 32, 12, 'WrongIvSize', 'invalid_argument'],
    ['a 15-byte counter block', 32, 15, 'WrongIvSize', 'invalid_argument'],
    ['a 17-byte counter block', 32, 17, 'WrongIvSize', 'invalid_argument'],
    ['an empty counter block', 32, 0, 'WrongIvSize', 'invalid_argument'],
  ]) {
    const key = random.bytes(keySize);
    const iv = random.bytes(ivSize);
    const message = random.bytes(32);
    assert.throws(() => crypto.createCipheriv('aes-256-ctr', key, iv), `OpenSSL accepted ${what}`);
    refused.push({ ...testCase(what, false, ['NodeCrypto', flag], { key: hex(key), iv: hex(iv), msg: hex(message), ct: '' }),
      error });
  }
  const cliquet = cliquetGroups(options, 'aes_256_ctr');
  for (const group of cliquet) {
    for (const t of group.tests) {
      assert.equal(hex(nodeCipher('aes-256-ctr', unhex(t.key), unhex(t.iv), unhex(t.msg), false)), t.ct, 'cliquet CTR disagrees');
    }
  }
  return vectorFile('aes_256_ctr', 'AES-256-CTR', 'ctr_test_schema.json', [
    'AES-256-CTR with iv as the initial 128-bit big-endian counter block (NIST SP 800-38A). Valid: msg encrypts',
    'to ct and ct to msg. Invalid: a key that is not 32 bytes (invalid_key) or a counter block that is not 16',
    '(invalid_argument) must be refused, never truncated or padded.',
  ], {
    WrongKeySize: 'The key is not 32 bytes: refused (invalid_key).',
    WrongIvSize: 'The counter block is not 16 bytes: refused (invalid_argument).',
    Nist80038a: 'Published known answer of NIST SP 800-38A, appendix F.5.5/F.5.6.',
    CounterCarry: 'The counter carries across a 32-bit, 64-bit or the 128-bit boundary within the message.',
    ...COMMON_NOTES,
  }, [
    { type: 'CtrTest', keySize: 256, tests },
    ...cliquet,
    { type: 'CtrTest', tests: refused },
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

module.exports = { cbcFile, ctrFile, gcmSivFile };
