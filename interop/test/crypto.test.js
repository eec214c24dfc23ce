'use strict';
// Issue 2's interop cases: XEdDSA signatures of cliquet-peer (CLIQUET_PEER)
// verify in libsignal 0.103 and in libsignal-node 6.0.0, theirs verify in
// cliquet, and forgeries are refused by all three; HKDF, AES-256-GCM-SIV and
// X25519 outputs of cliquet (through cliquet-vectors, CLIQUET_VECTORS) equal
// libsignal's on random inputs.

const { test } = require('../lib/testing');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { execFile } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const signal = require('@signalapp/libsignal-client');
const signalNode = require('libsignal');
const { Peer, hex, unhex } = require('../lib/peer');

const SIGNATURES = 40;
const RANDOM_CASES = 200;

const randomMessage = () => crypto.randomBytes(crypto.randomInt(0, 300));

function flipBit(bytes, bit) {
  const out = Buffer.from(bytes);
  out[bit >> 3] ^= 1 << (bit & 7);
  return out;
}

// libsignal-node throws on a malformed key or signature; both count as a refusal.
function nodeVerifies(publicKey, message, signature) {
  try {
    return signalNode.curve.verifySignature(Buffer.from(publicKey), Buffer.from(message), Buffer.from(signature), false);
  } catch (e) {
    return false;
  }
}

function libsignalVerifies(publicKey, message, signature) {
  try {
    return signal.PublicKey.deserialize(Buffer.from(publicKey)).verify(Buffer.from(message), Buffer.from(signature));
  } catch (e) {
    return false;
  }
}

async function peerVerifies(peer, publicKey, message, signature) {
  const response = await peer.ok('verify', { public_key: hex(publicKey), message: hex(message), signature: hex(signature) });
  assert.equal(typeof response.valid, 'boolean');
  return response.valid;
}

test('XEdDSA across cliquet, libsignal 0.103 and libsignal-node 6', async (t) => {
  const peer = await Peer.spawn(process.env.CLIQUET_PEER);
  t.after(() => peer.close());
  const { identity_key: identityHex } = await peer.ok('init', { name: 'signer', device_id: 1, registration_id: 42 });
  const cliquetKey = unhex(identityHex);

  // Signatures by cliquet, each over a fresh random message.
  const cliquetSigned = [];
  for (let i = 0; i < SIGNATURES; i++) {
    const message = randomMessage();
    const { signature } = await peer.ok('sign', { message: hex(message) });
    cliquetSigned.push({ publicKey: cliquetKey, message, signature: unhex(signature) });
  }
  // Signatures by libsignal 0.103 and by libsignal-node 6.
  const libsignalSigned = [];
  const nodeSigned = [];
  for (let i = 0; i < SIGNATURES; i++) {
    const key = signal.PrivateKey.generate();
    const message = randomMessage();
    libsignalSigned.push({ publicKey: Buffer.from(key.getPublicKey().serialize()), message, signature: Buffer.from(key.sign(message)) });
    const pair = signalNode.curve.generateKeyPair();
    const nodeMessage = randomMessage();
    nodeSigned.push({ publicKey: pair.pubKey, message: nodeMessage, signature: signalNode.curve.calculateSignature(pair.privKey, nodeMessage) });
  }

  await t.test('cliquet signatures verify in libsignal 0.103 and libsignal-node 6', () => {
    assert.equal(cliquetKey.length, 33);
    assert.equal(cliquetKey[0], 5);
    for (const { publicKey, message, signature } of cliquetSigned) {
      assert.equal(signature.length, 64);
      assert.ok(libsignalVerifies(publicKey, message, signature), 'libsignal 0.103 refused a cliquet signature');
      assert.ok(nodeVerifies(publicKey, message, signature), 'libsignal-node refused a cliquet signature');
    }
  });

  await t.test('libsignal 0.103 and libsignal-node 6 signatures verify in cliquet', async () => {
    for (const { publicKey, message, signature } of [...libsignalSigned, ...nodeSigned]) {
      assert.ok(await peerVerifies(peer, publicKey, message, signature), `cliquet refused ${hex(signature)}`);
    }
  });

  await t.test('every single-bit flip of a signature is refused by all three', async () => {
    // libsignal-node verifies in pure JavaScript (about 50 ms a signature), so
    // it sees every class of bit rather than every bit: the ends of each byte
    // of R and s, and the last byte's top bits (s too large, the sign bit).
    const nodeChecks = (bit) => bit % 8 === 0 || bit % 8 === 7 || bit >= 504;
    const samples = [cliquetSigned[0], libsignalSigned[0], nodeSigned[0]];
    for (const { publicKey, message, signature } of samples) {
      const checks = [];
      for (let bit = 0; bit < 512; bit++) {
        const forged = flipBit(signature, bit);
        assert.ok(!libsignalVerifies(publicKey, message, forged), `libsignal accepted bit ${bit} flipped`);
        if (nodeChecks(bit)) assert.ok(!nodeVerifies(publicKey, message, forged), `libsignal-node accepted bit ${bit} flipped`);
        checks.push(peerVerifies(peer, publicKey, message, forged).then((valid) => {
          assert.ok(!valid, `cliquet accepted bit ${bit} flipped`);
        }));
      }
      await Promise.all(checks);
    }
  });

  await t.test('wrong key, wrong message and altered public keys are refused by all three', async () => {
    const pairs = [
      [cliquetSigned[1], libsignalSigned[1]],
      [libsignalSigned[2], nodeSigned[2]],
      [nodeSigned[3], cliquetSigned[3]],
    ];
    for (const [signed, other] of pairs) {
      const { publicKey, message, signature } = signed;
      const wrongMessage = message.length ? flipBit(message, crypto.randomInt(0, 8 * message.length)) : Buffer.from([0]);
      const longerMessage = Buffer.concat([message, Buffer.from([0])]);
      for (const [what, key, msg] of [
        ['another key', other.publicKey, message],
        ['another message', publicKey, wrongMessage],
        ['a longer message', publicKey, longerMessage],
        ['a flipped public key bit', flipBit(publicKey, 8 + crypto.randomInt(0, 254)), message],
      ]) {
        assert.ok(!libsignalVerifies(key, msg, signature), `libsignal accepted ${what}`);
        assert.ok(!nodeVerifies(key, msg, signature), `libsignal-node accepted ${what}`);
        assert.ok(!(await peerVerifies(peer, key, msg, signature)), `cliquet accepted ${what}`);
      }
    }
  });

  await t.test('cliquet refuses forgeries under small-order keys, which libsignal 0.103 accepts', async (st) => {
    // R = identity, s = 0 verifies under u = 0 (order 2) whenever the hash is
    // even; libsignal checks only the equation, cliquet refuses small-order A and R.
    const publicKey = Buffer.concat([Buffer.from([5]), Buffer.alloc(32)]);
    const forgery = Buffer.concat([Buffer.from([1]), Buffer.alloc(63)]);
    let acceptedByLibsignal = 0;
    for (let i = 0; i < 32; i++) {
      const message = crypto.randomBytes(20);
      if (libsignalVerifies(publicKey, message, forgery)) acceptedByLibsignal++;
      assert.ok(!(await peerVerifies(peer, publicKey, message, forgery)), 'cliquet accepted a small-order forgery');
    }
    st.diagnostic(`libsignal 0.103 accepted ${acceptedByLibsignal} of 32 small-order forgeries`);
  });

  await t.test('cliquet refuses malformed keys and signatures with typed errors', async () => {
    const { publicKey, message, signature } = libsignalSigned[4];
    const wrongType = Buffer.from(publicKey);
    wrongType[0] = 0x06;
    for (const key of [wrongType, publicKey.subarray(1), Buffer.concat([publicKey, Buffer.from([0])]), Buffer.alloc(0)]) {
      const response = await peer.call('verify', { public_key: hex(key), message: hex(message), signature: hex(signature) });
      assert.equal(response.ok, false);
      assert.equal(response.error.code, 'invalid_key');
    }
    for (const sig of [signature.subarray(0, 63), Buffer.concat([signature, Buffer.from([0])]), Buffer.alloc(0)]) {
      assert.ok(!(await peerVerifies(peer, publicKey, message, sig)));
      assert.ok(!libsignalVerifies(publicKey, message, sig));
    }
    const notHex = await peer.call('verify', { public_key: 'zz', message: '', signature: '' });
    assert.equal(notHex.error.code, 'bad_request');
  });
});

// ---- outputs through cliquet-vectors ------------------------------------------

const vectorsSkip = process.env.CLIQUET_VECTORS ? false : 'CLIQUET_VECTORS is not set';

// Long enough for any file here (each takes well under a second).
const VERIFY_TIMEOUT_MS = 30_000;

// Writes `file` to a temporary path, runs cliquet-vectors verify on it and
// returns its output and exit status (the signal's name if it was killed
// after VERIFY_TIMEOUT_MS).
function verifyWithCliquet(file) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cliquet-interop-'));
  const target = path.join(dir, `${file.category}.json`);
  fs.writeFileSync(target, JSON.stringify(file));
  const options = { maxBuffer: 64 << 20, timeout: VERIFY_TIMEOUT_MS, killSignal: 'SIGKILL' };
  return new Promise((resolve) => {
    execFile(process.env.CLIQUET_VECTORS, ['verify', target], options, (error, stdout) => {
      fs.rmSync(dir, { recursive: true, force: true });
      resolve({ status: error ? error.code ?? error.signal : 0, lines: stdout.trim().split('\n') });
    });
  });
}

function vectorFile(category, algorithm, groups) {
  let id = 0;
  for (const group of groups) for (const t of group.tests) t.tcId = ++id;
  return { category, formatVersion: 2, algorithm, schema: `schema/${category}.schema.json`,
    generatorVersion: 'interop/test/crypto.test.js', numberOfTests: id, header: [], notes: {}, testGroups: groups };
}

async function assertAllPass(file) {
  const { status, lines } = await verifyWithCliquet(file);
  const failures = lines.slice(0, -1).join('\n');
  assert.equal(lines[lines.length - 1], `${file.numberOfTests} passed, 0 failed`, failures);
  assert.equal(status, 0);
}

test('HKDF-SHA256 of cliquet equals libsignal\'s on random inputs', { skip: vectorsSkip }, async () => {
  const tests = [];
  for (let i = 0; i < RANDOM_CASES; i++) {
    const ikm = crypto.randomBytes(crypto.randomInt(0, 100));
    const salt = crypto.randomInt(0, 3) === 0 ? Buffer.alloc(0) : crypto.randomBytes(crypto.randomInt(1, 100));
    const info = crypto.randomBytes(crypto.randomInt(0, 100));
    const size = i === 0 ? 8160 : crypto.randomInt(1, 600);
    const okm = signal.hkdf(size, ikm, info, salt.length ? salt : null);
    tests.push({ comment: 'libsignal hkdf', flags: [], ikm: hex(ikm), salt: hex(salt), info: hex(info), size, okm: hex(okm), result: 'valid' });
  }
  await assertAllPass(vectorFile('hkdf_sha256', 'HKDF-SHA-256', [{ type: 'HkdfTest', tests }]));
});

test('AES-256-GCM-SIV of cliquet equals libsignal\'s on random inputs', { skip: vectorsSkip }, async () => {
  const tests = [];
  for (let i = 0; i < RANDOM_CASES; i++) {
    const key = crypto.randomBytes(32);
    const nonce = crypto.randomBytes(12);
    const aad = crypto.randomBytes(crypto.randomInt(0, 70));
    const message = crypto.randomBytes(crypto.randomInt(0, 2100));
    const cipher = signal.Aes256GcmSiv.new(key);
    const sealed = Buffer.from(cipher.encrypt(message, nonce, aad));
    const fields = { key: hex(key), iv: hex(nonce), aad: hex(aad) };
    const split = (bytes) => ({ ct: hex(bytes.subarray(0, bytes.length - 16)), tag: hex(bytes.subarray(bytes.length - 16)) });
    tests.push({ comment: 'libsignal encryption', flags: [], ...fields, msg: hex(message), ...split(sealed), result: 'valid' });
    // A copy with one random bit flipped, which libsignal itself refuses.
    const tampered = flipBit(sealed, crypto.randomInt(0, 8 * sealed.length));
    assert.throws(() => cipher.decrypt(tampered, nonce, aad));
    tests.push({ comment: 'one bit flipped', flags: [], ...fields, msg: '', ...split(tampered), result: 'invalid',
      error: 'invalid_message' });
  }
  await assertAllPass(vectorFile('aes_256_gcm_siv', 'AES-GCM-SIV',
    [{ type: 'AeadTest', keySize: 256, ivSize: 96, tagSize: 128, tests }]));
});

test('X25519 agreement of cliquet equals libsignal\'s on random keys', { skip: vectorsSkip }, async () => {
  const tests = [];
  for (let i = 0; i < RANDOM_CASES; i++) {
    const privateBytes = crypto.randomBytes(32);
    const theirs = signal.PrivateKey.generate().getPublicKey();
    const shared = signal.PrivateKey.deserialize(privateBytes).agree(theirs);
    tests.push({ comment: 'libsignal agreement', flags: [], private: hex(privateBytes),
      public: hex(theirs.serialize()), shared: hex(shared), result: 'valid' });
  }
  await assertAllPass(vectorFile('x25519', 'X25519', [{ type: 'X25519Agreement', tests }]));
});

test('a deliberately wrong vector is reported as a failure', { skip: vectorsSkip }, async () => {
  // Guards the tests above: a verifier that passed everything would pass them too.
  const okm = signal.hkdf(32, Buffer.alloc(32, 1), Buffer.alloc(0), null);
  const wrong = flipBit(Buffer.from(okm), 5);
  const file = vectorFile('hkdf_sha256', 'HKDF-SHA-256', [{ type: 'HkdfTest', tests: [
    { comment: 'right', flags: [], ikm: hex(Buffer.alloc(32, 1)), salt: '', info: '', size: 32, okm: hex(okm), result: 'valid' },
    { comment: 'wrong', flags: [], ikm: hex(Buffer.alloc(32, 1)), salt: '', info: '', size: 32, okm: hex(wrong), result: 'valid' },
  ] }]);
  const { status, lines } = await verifyWithCliquet(file);
  assert.equal(lines[lines.length - 1], '1 passed, 1 failed');
  assert.notEqual(status, 0);
});
