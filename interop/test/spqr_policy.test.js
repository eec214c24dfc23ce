'use strict';
// cliquet's SPQR policy against the real libsignal releases. By default
// (PqRatchetPolicy::offer) cliquet offers SPQR without salting its first
// messages, so 0.72, which knows no SPQR, reads them, and 0.103 accepts them;
// with --require-spqr (PqRatchetPolicy::require, libsignal 0.103's choice)
// its first message is already salted by SPQR, it holds sessions with 0.103
// in both roles, and it cannot hold one with 0.72: each refuses the other's
// first message, and the refusal consumes nothing.

const { test } = require('../lib/testing');
const assert = require('node:assert/strict');
const { cliquetEndpoint, libsignalEndpoint } = require('../lib/endpoints');
const { Device, randomPlaintext } = require('../lib/device');
const { spqrMessageOf } = require('../lib/wire');
const { pingPong, replay } = require('../lib/scenarios');

const ALICE = Object.freeze({ name: 'alice', deviceId: 1 });
const BOB = Object.freeze({ name: 'bob', deviceId: 2 });

async function withPair(initiator, responder, body) {
  const alice = await Device.start(initiator, ALICE);
  const bob = await Device.start(responder, BOB);
  try {
    await body(alice, bob);
  } finally {
    await Promise.allSettled([alice.close(), bob.close()]);
  }
}

/** Alice's first pre-key message to Bob, after she processed his version-4 bundle. */
async function firstMessage(alice, bob) {
  await alice.processBundle(bob, await bob.bundle({ version: 4, oneTimePreKey: true }));
  return alice.encrypt(bob, randomPlaintext(32));
}

const strict = cliquetEndpoint({ requireSpqr: true });
const offering = cliquetEndpoint();
const v103 = libsignalEndpoint('0.103');
const v072 = libsignalEndpoint('0.72');

for (const [initiator, responder] of [[strict, v103], [v103, strict]]) {
  test(`${initiator.label} starts, ${responder.label} answers: SPQR from the first message`, async () => {
    await withPair(initiator, responder, async (alice, bob) => {
      const first = await firstMessage(alice, bob);
      assert.equal(spqrMessageOf(first.bytes, 'prekey').index, 1, 'the first message is keyed by SPQR');
      await bob.receive(alice, first, 'the first message');
    });
    await pingPong(initiator, responder, { version: 4 });
    await replay(initiator, responder, { version: 4 });
  });
}

test('default cliquet offers SPQR to libsignal 0.103 without salting its first message, and 0.103 reads it', async () => {
  await withPair(offering, v103, async (alice, bob) => {
    const first = await firstMessage(alice, bob);
    const spqr = spqrMessageOf(first.bytes, 'prekey');
    assert.deepEqual([spqr.version, spqr.epoch, spqr.index], [1, 1, 0]);
    await bob.receive(alice, first, 'the unsalted first message');
    const reply = await bob.encrypt(alice, randomPlaintext(32));
    assert.notEqual(spqrMessageOf(reply.bytes, reply.type).index, 0, "0.103's reply is keyed by SPQR");
    await alice.receive(bob, reply, 'the reply');
  });
});

test('cliquet --require-spqr refuses libsignal 0.72\'s first version-4 message, consuming nothing', async () => {
  await withPair(v072, strict, async (alice, bob) => {
    const first = await firstMessage(alice, bob);
    assert.equal(spqrMessageOf(first.bytes, 'prekey'), null);
    await bob.refuse(alice, first, 'invalid_message', 'a first message without SPQR');
    await bob.refuse(alice, first, 'invalid_message', 'the same message again (its pre-key was not consumed)');
  });
});

test('libsignal 0.72 cannot read the first message of cliquet --require-spqr (its keys are salted by SPQR)', async () => {
  await withPair(strict, v072, async (alice, bob) => {
    const first = await firstMessage(alice, bob);
    await bob.refuse(alice, first, 'invalid_message', 'a first message salted by SPQR');
  });
});

// init's pq_required (peer protocol 1.1) refuses X3DH in both directions;
// without it cliquet still talks X3DH to 0.72.
test('cliquet with pq_required refuses X3DH with libsignal 0.72 both ways', async () => {
  const required = cliquetEndpoint({ pqRequired: true });
  await withPair(v072, required, async (alice, bob) => {
    const bundle = await bob.bundle({ version: 3, oneTimePreKey: true });
    await alice.processBundle(bob, bundle);
    const first = await alice.encrypt(bob, randomPlaintext(16));
    assert.equal(first.bytes[0] >> 4, 3, 'libsignal 0.72 sent a version-3 pre-key message');
    await bob.refuse(alice, first, 'invalid_message', 'a version-3 pre-key message');
    await bob.refuse(alice, first, 'invalid_message', 'the same message again');
  });
  await withPair(required, v072, async (alice, bob) => {
    await alice.refuseBundle(bob, await bob.bundle({ version: 3, oneTimePreKey: true }), 'unsupported',
      'a bundle without a Kyber pre-key');
    await alice.processBundle(bob, await bob.bundle({ version: 4, oneTimePreKey: true }));
  });
  await withPair(v072, offering, async (alice, bob) => {
    await alice.processBundle(bob, await bob.bundle({ version: 3, oneTimePreKey: true }));
    await bob.receive(alice, await alice.encrypt(bob, randomPlaintext(16)), 'a version-3 pre-key message');
  });
});
