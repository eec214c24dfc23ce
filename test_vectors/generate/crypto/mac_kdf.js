'use strict';
// hmac_sha256 and hkdf_sha256 vector files: RFC 4231 and RFC 5869 answers,
// libsignal's HKDF and Node's HMAC on seeded inputs, and cliquet's groups.

const {
  assert, nodeCrypto, signal, hex, unhex, ascii, SeededBytes, flipBit, refuses, testCase, vectorFile,
  cliquetGroups, COMMON_NOTES,
} = require('./common');

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
  // Sizes a careless implementation gets wrong beyond the limit itself: none
  // at all, and sizes a 32-bit length would wrap or turn negative.
  {
    const ikm = random.bytes(32);
    assert.equal(signal.hkdf(0, ikm, Buffer.alloc(0), null).length, 0);
    assert.equal(nodeHkdf(ikm, Buffer.alloc(0), Buffer.alloc(0), 0).length, 0);
    made.push(testCase('0 bytes: an empty output', true, ['Libsignal', 'ZeroSize'],
      { ikm: hex(ikm), salt: '', info: '', size: 0, okm: '' }));
  }
  for (const [size, what] of [[2 ** 31, '2^31 bytes, negative as a signed 32-bit length'],
    [2 ** 32 + 32, '2^32 + 32 bytes, 32 bytes once truncated to 32 bits']]) {
    const ikm = random.bytes(32);
    assert.ok(refuses(() => signal.hkdf(size, ikm, Buffer.alloc(0), null)), `libsignal derived ${size} bytes`);
    invalid.push(testCase(what, false, ['Libsignal', 'SizeOverflow'], { ikm: hex(ikm), salt: '', info: '', size, okm: '' }));
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
    ZeroSize: 'An empty output, which RFC 5869 allows and libsignal gives.',
    SizeOverflow: 'A size of 2^31 or more, refused like any size over 8160 (invalid_argument): not wrapped, not ' +
      'truncated to 32 bits, not negative.',
    ...COMMON_NOTES,
  }, [
    { type: 'HkdfTest', tests: [...rfc, ...made, ...invalid] },
    ...cliquet,
  ]);
}

module.exports = { hmacFile, hkdfFile };
