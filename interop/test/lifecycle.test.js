'use strict';
// Keys and sessions over time (peer protocol 1.1), against libsignal 0.103.0
// with cliquet in both roles: the sender starts version-4 sessions on the
// receiver's bundles and the receiver runs its Kyber store's contract.
// On the libsignal side that store is interop/peers/client-backend.js's,
// written from libsignal's own description of KyberPreKeyStore: a one-time
// key is removed when used, a last-resort key remembers the (signed pre-key
// id, base key) of every use and refuses a repeat ("reused base key").
//
// - A one-time Kyber pre-key starts one session; a second sender on it is
//   refused (invalid_prekey).
// - A last-resort Kyber pre-key starts any number of sessions.
// - A replayed pre-key message is a duplicate while its session is current
//   or archived, and, once the session is deleted, refused by the
//   last-resort rule (invalid_message); with a one-time Kyber key, by the
//   key being gone (invalid_prekey).
// - An archived session does not encrypt; an unanswered one is stale 30
//   days on (session_usable, judged by each side on its own session).

const { test } = require('../lib/testing');
const assert = require('node:assert/strict');
const { cliquetEndpoint, libsignalEndpoint } = require('../lib/endpoints');
const { randomPlaintext, withDevices } = require('../lib/device');

const ALICE = Object.freeze({ name: '9d0652a3-dcc3-4d11-975f-74d61598733f', deviceId: 1 });
const BOB = Object.freeze({ name: '4fcfe887-a600-40cd-9ab7-fd2a695e9981', deviceId: 2 });
const CAROL = Object.freeze({ name: '0b3c6bd6-3c2a-4a8f-9d8e-6a0f1f4a5c21', deviceId: 3 });

const DAY = 24 * 3600 * 1000;

const cliquet = cliquetEndpoint();
const v103 = libsignalEndpoint('0.103');
const ROLES = [[v103, cliquet], [cliquet, v103]];

/** `from`'s first message to `to` on `bundle`: a version-4 pre-key message. */
async function firstMessage(from, to, bundle) {
  await from.processBundle(to, bundle);
  const message = await from.encrypt(to, randomPlaintext(32));
  assert.equal(message.type, 'prekey', `${from.label}'s first message is a pre-key message`);
  assert.equal(message.bytes[0], 0x44, `${from.label} starts a version-4 session`);
  return message;
}

async function usable(device, other, now, require) {
  const { usable: answer } = await device.peer.ok('session_usable', { peer: other.address, now, require });
  return answer;
}

for (const [sender, receiver] of ROLES) {
  const roles = `${sender.label} to ${receiver.label}`;

  test(`one-time and last-resort Kyber pre-keys (${roles})`, async () => {
    await withDevices([[sender, ALICE], [receiver, BOB], [sender, CAROL]], async (alice, bob, carol) => {
      const oneTime = await bob.bundle({ version: 4, oneTimePreKey: false, kyberLastResort: false });
      const fromAlice = await firstMessage(alice, bob, oneTime);
      const fromCarol = await firstMessage(carol, bob, oneTime);
      await bob.receive(alice, fromAlice, 'the first sender on a one-time Kyber pre-key');
      await bob.refuse(carol, fromCarol, 'invalid_prekey', 'a second sender on the same one-time Kyber pre-key');

      const lastResort = await bob.bundle({ version: 4, oneTimePreKey: false, kyberLastResort: true });
      const again = await firstMessage(alice, bob, lastResort);
      const fromCarolAgain = await firstMessage(carol, bob, lastResort);
      await bob.receive(alice, again, 'a first sender on a last-resort Kyber pre-key');
      await bob.receive(carol, fromCarolAgain, 'a second sender on the same last-resort key');
      // Both sessions carry on both ways.
      for (const other of [alice, carol]) {
        await other.receive(bob, await bob.encrypt(other, randomPlaintext(20)), 'the answer');
        await bob.receive(other, await other.encrypt(bob, randomPlaintext(20)), 'the next message');
      }
    });
  });

  test(`a replayed pre-key message is refused in every life of its session (${roles})`, async () => {
    await withDevices([[sender, ALICE], [receiver, BOB]], async (alice, bob) => {
      const lastResort = await bob.bundle({ version: 4, oneTimePreKey: false, kyberLastResort: true });
      const first = await firstMessage(alice, bob, lastResort);
      await bob.receive(alice, first, 'the first message');
      await bob.refuse(alice, first, 'duplicate_message', 'its replay while the session is current');

      await bob.peer.ok('archive_session', { peer: alice.address });
      const noSession = await bob.peer.call('encrypt', { peer: alice.address, plaintext: '00' });
      assert.equal(noSession.ok, false, `${bob.label} encrypts on an archived session`);
      assert.equal(noSession.error.code, 'no_session');
      await bob.refuse(alice, first, 'duplicate_message', 'its replay while the session is archived');

      await bob.peer.ok('delete_session', { peer: alice.address });
      await bob.refuse(alice, first, 'invalid_message', 'its replay once the session is deleted (reused base key)');
      const replay = await bob.tryDecrypt(alice, first);
      assert.match(replay.error.message, /reused base key/, `${bob.label} names the last-resort rule`);

      // With a one-time Kyber pre-key, the key itself is gone.
      const oneTime = await bob.bundle({ version: 4, oneTimePreKey: false, kyberLastResort: false });
      const second = await firstMessage(alice, bob, oneTime);
      await bob.receive(alice, second, 'a first message on a one-time Kyber pre-key');
      await bob.peer.ok('delete_session', { peer: alice.address });
      await bob.refuse(alice, second, 'invalid_prekey', 'its replay once the session is deleted');

      // Nothing of that stops Alice from starting again.
      const third = await firstMessage(alice, bob, await bob.bundle({ version: 4, oneTimePreKey: true }));
      await bob.receive(alice, third, 'a new session after the replays');
      await alice.receive(bob, await bob.encrypt(alice, randomPlaintext(20)), 'Bob\'s answer');
    });
  });

  test(`an unanswered session is stale 30 days on, an answered one is not (${roles})`, async () => {
    await withDevices([[sender, ALICE], [receiver, BOB]], async (alice, bob) => {
      const start = Date.now();
      const first = await firstMessage(alice, bob, await bob.bundle({ version: 4, oneTimePreKey: true }));
      const notStale = ['not_stale'];
      assert.equal(await usable(alice, bob, start + 29 * DAY, notStale), true, `${alice.label}: 29 days on`);
      assert.equal(await usable(alice, bob, start + 31 * DAY, notStale), false, `${alice.label}: 31 days on`);
      await bob.receive(alice, first, 'the first message');
      // Bob's session was started by Alice: never stale.
      assert.equal(await usable(bob, alice, start + 365 * DAY, notStale), true, `${bob.label}: a year on`);
      await alice.receive(bob, await bob.encrypt(alice, randomPlaintext(20)), 'the answer');
      assert.equal(await usable(alice, bob, start + 365 * DAY, notStale), true, `${alice.label}, answered`);
      assert.equal(await usable(alice, { address: { name: CAROL.name, device_id: CAROL.deviceId } },
        start, notStale), false, 'no session at all');
    });
  });
}

test('cliquet judges every requirement: PQXDH and SPQR sessions with libsignal 0.103 meet them', async () => {
  await withDevices([[cliquet, ALICE], [v103, BOB]], async (alice, bob) => {
    const now = Date.now();
    await firstMessage(alice, bob, await bob.bundle({ version: 4, oneTimePreKey: true }));
    assert.equal(await usable(alice, bob, now, ['not_stale', 'pqxdh', 'spqr']), true);
    assert.equal(await usable(alice, bob, now + 31 * DAY, []), true, 'no requirement: even a stale session');
    await alice.peer.ok('archive_session', { peer: bob.address });
    assert.equal(await usable(alice, bob, now, []), false, 'an archived session is not usable');
  });
});
