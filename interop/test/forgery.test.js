'use strict';
// Forged pre-key envelopes and address binding, against libsignal 0.103.0,
// with cliquet in both roles. Every forgery is built here from public data
// only, as the server or anyone who sees messages in transit could build it,
// and each receiver must refuse the same kind of bytes with the same code
// and be unchanged afterwards: the genuine message still decrypts, the
// one-time pre-key still serves a new sender, the archived session still
// opens a late message.
//
// - A whisper message from an old installation, rewrapped in an envelope
//   that names the reinstalled sender's new (trusted) identity key, with a
//   random base key or with the old session's base key.
// - A seen whisper message wrapped in an envelope of the receiver's
//   published pre-key ids, a random base key and a random Kyber ciphertext,
//   41 times (one more than a record archives).
// - The first message of a session names its sender and recipient
//   (SignalMessage field 6): byte for byte as libsignal lays it out, and
//   refused when delivered to another recipient or as from another sender.

const { test } = require('../lib/testing');
const assert = require('node:assert/strict');
const { cliquetEndpoint, libsignalEndpoint } = require('../lib/endpoints');
const { randomPlaintext, withDevices } = require('../lib/device');
const { preKeyEnvelope, randomPublicKey, baseKeyOf, addressesOf, expectedAddresses } = require('../lib/forge');

const ALICE = Object.freeze({ name: '9d0652a3-dcc3-4d11-975f-74d61598733f', deviceId: 1 });
const BOB = Object.freeze({ name: '4fcfe887-a600-40cd-9ab7-fd2a695e9981', deviceId: 2 });
const CAROL = Object.freeze({ name: 'PNI:0a0b0c0d-1111-4222-8333-444455556666', deviceId: 3 });
const MALLORY = Object.freeze({ name: '30a3c7b9-2b33-4f40-bd77-6e5c3b3bd5e1', deviceId: 4 });

const cliquet = cliquetEndpoint({ requireSpqr: true });
const v103 = libsignalEndpoint('0.103');
const ROLES = [[cliquet, v103], [v103, cliquet]];

/** Starts a version-4 session from `alice` to `bob` and answers it, so both send whispers. */
async function answeredSession(alice, bob) {
  const first = await alice.encrypt(bob, randomPlaintext(24));
  await bob.receive(alice, first, 'the first message');
  await alice.receive(bob, await bob.encrypt(alice, randomPlaintext(24)), 'the answer');
  return first;
}

async function newSession(alice, bob) {
  await alice.processBundle(bob, await bob.bundle({ version: 4, oneTimePreKey: true }));
  return answeredSession(alice, bob);
}

async function whisper(from, to, what) {
  const message = await from.encrypt(to, randomPlaintext(40));
  assert.equal(message.type, 'whisper', `${what} is a whisper message`);
  return message;
}

for (const [sender, receiver] of ROLES) {
  test(`${receiver.label} refuses a forged envelope that would get past a changed identity (from ${sender.label})`,
    async () => {
      await withDevices([[sender, ALICE], [receiver, BOB], [sender, { ...ALICE, note: 'reinstalled' }]],
        async (before, bob, alice) => {
          const oldFirst = await newSession(before, bob);
          const oldWhisper = await whisper(before, bob, 'the old installation\'s message');

          // Reinstalled: a new identity, which Bob's user accepts.
          await alice.processBundle(bob, await bob.bundle({ version: 4, oneTimePreKey: true }));
          await bob.trust(alice);
          await bob.receive(alice, await alice.encrypt(bob, randomPlaintext(16)), 'the new installation\'s first');
          await bob.refuse(alice, oldWhisper, 'untrusted_identity', 'the old installation\'s message');

          const published = await bob.bundle({ version: 4, oneTimePreKey: false });
          const forgeries = [
            ['with a random base key', randomPublicKey()],
            ['with the old session\'s base key', baseKeyOf(oldFirst.bytes)],
          ];
          for (const [how, baseKey] of forgeries) {
            const bytes = preKeyEnvelope({
              message: oldWhisper.bytes, identityKey: Buffer.from(alice.identityKey, 'hex'), baseKey,
              signedPreKeyId: published.signed_pre_key_id, kyberPreKeyId: published.kyber_pre_key_id,
            });
            await bob.refuse(alice, { type: 'prekey', bytes }, 'invalid_message',
              `the old message rewrapped ${how}, naming the new identity`);
          }
          // Bob still talks with the new installation.
          await alice.receive(bob, await bob.encrypt(alice, randomPlaintext(16)), 'Bob\'s reply after the forgeries');
          await bob.receive(alice, await alice.encrypt(bob, randomPlaintext(16)), 'the new installation\'s next');
        });
    });

  test(`${receiver.label} refuses envelopes of public data around a seen message, changing nothing (from ${sender.label})`,
    async () => {
      await withDevices([[sender, ALICE], [receiver, BOB], [sender, CAROL]], async (alice, bob, carol) => {
        await newSession(alice, bob);
        const late = await whisper(alice, bob, 'a late message of the first session');
        await newSession(alice, bob);  // archives the first session at both ends
        const seen = await whisper(alice, bob, 'the message seen in transit');
        const published = await bob.bundle({ version: 4, oneTimePreKey: true });

        const identityKey = Buffer.from(alice.identityKey, 'hex');
        for (let i = 0; i < 41; i += 1) {
          const bytes = preKeyEnvelope({
            message: seen.bytes, identityKey, baseKey: randomPublicKey(),
            preKeyId: published.pre_key_id, signedPreKeyId: published.signed_pre_key_id,
            kyberPreKeyId: published.kyber_pre_key_id,
          });
          await bob.refuse(alice, { type: 'prekey', bytes }, 'invalid_message', `forged envelope ${i + 1} of 41`);
        }
        await bob.receive(alice, seen, 'the genuine message after the forgeries');
        await bob.receive(alice, late, 'the late message on the archived session');
        await carol.processBundle(bob, published);
        await bob.receive(carol, await carol.encrypt(bob, randomPlaintext(16)), 'a new sender on the published pre-keys');
      });
    });

  test(`${sender.label} binds both ends in its first messages, and ${receiver.label} refuses them elsewhere`,
    async () => {
      await withDevices([[sender, ALICE], [receiver, BOB]], async (alice, bob) => {
        const bundle = await bob.bundle({ version: 4, oneTimePreKey: true });

        // A server that serves Bob's bundle as Mallory's: Alice's message is
        // made for Mallory, and reaches Bob.
        const mallory = { address: { name: MALLORY.name, device_id: MALLORY.deviceId }, label: 'Mallory' };
        await alice.processBundle(mallory, bundle);
        const forMallory = await alice.encrypt(mallory, randomPlaintext(16));
        assert.deepEqual(addressesOf(forMallory), expectedAddresses(alice.address, mallory.address),
          `${sender.label} binds its message to Mallory`);
        await bob.refuse(alice, forMallory, 'invalid_message', 'a message made for another recipient');

        await alice.processBundle(bob, bundle);
        const first = await alice.encrypt(bob, randomPlaintext(16));
        assert.deepEqual(addressesOf(first), expectedAddresses(alice.address, bob.address),
          `${sender.label} binds its first message to Alice and Bob`);
        await bob.refuse(mallory, first, 'invalid_message', 'Alice\'s message passed off as Mallory\'s');
        // Neither refusal consumed the one-time pre-key.
        await bob.receive(alice, first, 'the genuine first message');

        const answer = await bob.encrypt(alice, randomPlaintext(16));
        assert.equal(addressesOf(answer), null, `${receiver.label}'s answer, a whisper, binds nothing`);
        await alice.receive(bob, answer, 'the answer');
      });
    });
}

test('cliquet accepts first messages without addresses, as libsignal 0.72 sends them', async () => {
  // 0.72 knows no SPQR: only cliquet's interoperable policy talks with it.
  await withDevices([[libsignalEndpoint('0.72'), ALICE], [cliquetEndpoint(), BOB]], async (alice, bob) => {
    await alice.processBundle(bob, await bob.bundle({ version: 4, oneTimePreKey: true }));
    const first = await alice.encrypt(bob, randomPlaintext(16));
    assert.equal(addressesOf(first), null, 'libsignal 0.72 binds nothing');
    await bob.receive(alice, first, 'an unbound first message');
  });
});
