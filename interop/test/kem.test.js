'use strict';
// ML-KEM-768 and ML-KEM-1024 of cliquet-peer (CLIQUET_PEER) against two
// independent FIPS 203 implementations from npm, @noble/post-quantum and
// mlkem, on seeded inputs: equal keys, ciphertexts and shared secrets, equal
// implicit-rejection secrets for corrupted ciphertexts, and the refusals.

const { test } = require('../lib/testing');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { MlKem768, MlKem1024 } = require('mlkem');
const fs = require('node:fs');
const path = require('node:path');
const { Peer } = require('../lib/peer');

const CASES = 24;

// Reproducible inputs: SHA-512 of a label and a counter.
function seeded(label, i, length) {
  return new Uint8Array(crypto.createHash('sha512').update(`${label}/${i}`).digest().subarray(0, length));
}

const hex = (bytes) => Buffer.from(bytes).toString('hex');
const unhex = (text) => new Uint8Array(Buffer.from(text, 'hex'));

test('ML-KEM against @noble/post-quantum and mlkem', async (t) => {
  const noble = await import('@noble/post-quantum/ml-kem.js');
  const peer = await Peer.spawn(process.env.CLIQUET_PEER);
  t.after(() => peer.close());
  await peer.ok('init', { name: 'kem', device_id: 1, registration_id: 1 });

  const variants = [
    { kemType: 'mlkem768', noble: noble.ml_kem768, mlkem: new MlKem768() },
    { kemType: 'mlkem1024', noble: noble.ml_kem1024, mlkem: new MlKem1024() },
  ];

  for (const { kemType, noble: nobleKem, mlkem } of variants) {
    await t.test(`${kemType}: keys, ciphertexts and secrets agree`, async () => {
      for (let i = 0; i < CASES; i++) {
        const seed = seeded(`${kemType}/keygen`, i, 64);
        const ours = await peer.ok('kem_keygen', { kem_type: kemType, seed: hex(seed) });
        const theirs = nobleKem.keygen(seed);
        const [mlkemPk, mlkemSk] = await mlkem.deriveKeyPair(seed);
        assert.equal(ours.public_key, hex(theirs.publicKey), `public key, case ${i}`);
        assert.equal(ours.secret_key, hex(theirs.secretKey), `secret key, case ${i}`);
        assert.equal(ours.public_key, hex(mlkemPk), `public key vs mlkem, case ${i}`);
        assert.equal(ours.secret_key, hex(mlkemSk), `secret key vs mlkem, case ${i}`);

        const m = seeded(`${kemType}/encapsulate`, i, 32);
        const sent = await peer.ok('kem_encapsulate', { kem_type: kemType, public_key: ours.public_key, seed: hex(m) });
        const nobleSent = nobleKem.encapsulate(theirs.publicKey, m);
        const [mlkemCt, mlkemSs] = await mlkem.encap(mlkemPk, m);
        assert.equal(sent.ciphertext, hex(nobleSent.cipherText), `ciphertext, case ${i}`);
        assert.equal(sent.shared_secret, hex(nobleSent.sharedSecret), `shared secret, case ${i}`);
        assert.equal(sent.ciphertext, hex(mlkemCt), `ciphertext vs mlkem, case ${i}`);
        assert.equal(sent.shared_secret, hex(mlkemSs), `shared secret vs mlkem, case ${i}`);

        // Each side decapsulates what the others made.
        const received = await peer.ok('kem_decapsulate', {
          kem_type: kemType, secret_key: ours.secret_key, ciphertext: hex(nobleSent.cipherText),
        });
        assert.equal(received.shared_secret, sent.shared_secret, `decapsulation, case ${i}`);
        assert.equal(hex(nobleKem.decapsulate(unhex(sent.ciphertext), theirs.secretKey)), sent.shared_secret);

        // Implicit rejection: a corrupted ciphertext gives J(z || c) everywhere.
        const corrupted = unhex(sent.ciphertext);
        corrupted[(i * 97) % corrupted.length] ^= 1 << (i % 8);
        const rejected = await peer.ok('kem_decapsulate', {
          kem_type: kemType, secret_key: ours.secret_key, ciphertext: hex(corrupted),
        });
        assert.notEqual(rejected.shared_secret, sent.shared_secret, `rejection, case ${i}`);
        assert.equal(rejected.shared_secret, hex(nobleKem.decapsulate(corrupted, theirs.secretKey)));
        assert.equal(rejected.shared_secret, hex(await mlkem.decap(corrupted, mlkemSk)));
      }
    });

    await t.test(`${kemType}: malformed inputs are refused`, async () => {
      const { public_key: pk, secret_key: sk } = await peer.ok('kem_keygen', {
        kem_type: kemType, seed: hex(seeded(`${kemType}/refusals`, 0, 64)),
      });
      const m = hex(seeded(`${kemType}/refusals`, 1, 32));

      // A coefficient of t equal to q fails the modulus check, here and in noble.
      const unreduced = unhex(pk);
      unreduced[0] = 0x01;
      unreduced[1] = (unreduced[1] & 0xf0) | 0x0d;  // 0xd01 = 3329
      const refused = await peer.call('kem_encapsulate', { kem_type: kemType, public_key: hex(unreduced), seed: m });
      assert.equal(refused.ok, false);
      assert.equal(refused.error.code, 'invalid_key');
      assert.throws(() => nobleKem.encapsulate(unreduced, unhex(m)));

      const shortKey = await peer.call('kem_encapsulate', { kem_type: kemType, public_key: pk.slice(2), seed: m });
      assert.equal(shortKey.error.code, 'invalid_key');
      const { ciphertext } = await peer.ok('kem_encapsulate', { kem_type: kemType, public_key: pk, seed: m });
      const shortCt = await peer.call('kem_decapsulate', { kem_type: kemType, secret_key: sk, ciphertext: ciphertext.slice(2) });
      assert.equal(shortCt.error.code, 'invalid_message');
      const shortSk = await peer.call('kem_decapsulate', { kem_type: kemType, secret_key: sk.slice(2), ciphertext });
      assert.equal(shortSk.error.code, 'invalid_key');
    });
  }
});

test('test_vectors/kem.json: the ML-KEM cases hold in @noble/post-quantum', async () => {
  const noble = await import('@noble/post-quantum/ml-kem.js');
  const kems = { mlkem768: noble.ml_kem768, mlkem1024: noble.ml_kem1024 };
  const file = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'test_vectors', 'kem.json'), 'utf8'));
  // ML-KEM-1024 keys and ciphertexts carry libsignal's type byte 0a there;
  // ML-KEM-768 ones are raw (format version 2: one form per key type).
  const typeByte = { mlkem768: '', mlkem1024: '0a' };
  let checked = 0;
  for (const group of file.testGroups) {
    const kem = kems[group.variant];
    if (!kem) continue;  // Kyber round 3: not in these packages
    const typed = (raw) => typeByte[group.variant] + hex(raw);
    const raw = (field) => {
      assert.ok(field.startsWith(typeByte[group.variant]), 'a key or ciphertext without its type byte');
      return unhex(field.slice(typeByte[group.variant].length));
    };
    for (const t of group.tests) {
      if (t.result !== 'valid') continue;
      if (group.type === 'KemTest') {
        const keys = kem.keygen(unhex(t.seed));
        assert.equal(typed(keys.publicKey), t.publicKey, `tcId ${t.tcId}`);
        assert.equal(typed(keys.secretKey), t.secretKey, `tcId ${t.tcId}`);
        const sent = kem.encapsulate(keys.publicKey, unhex(t.m));
        assert.equal(typed(sent.cipherText), t.ciphertext, `tcId ${t.tcId}`);
        assert.equal(hex(sent.sharedSecret), t.sharedSecret, `tcId ${t.tcId}`);
      } else if (group.type === 'KemDecapsTest') {
        assert.equal(hex(kem.decapsulate(raw(t.ciphertext), raw(t.secretKey))), t.sharedSecret, `tcId ${t.tcId}`);
      } else {
        continue;
      }
      checked++;
    }
  }
  assert.ok(checked >= 12, `only ${checked} cases checked`);
});
