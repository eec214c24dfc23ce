'use strict';
// The harness checked against libsignal alone: the reference peer speaks
// the peer protocol, and every session scenario passes between real
// libsignal releases. If a scenario fails against cliquet, it is cliquet.

const { test, describe } = require('../lib/testing');
const assert = require('node:assert/strict');
const { scenariosFor } = require('../lib/scenarios');
const { libsignalEndpoint } = require('../lib/endpoints');
const { Device, randomPlaintext } = require('../lib/device');

// [initiator, responder, session versions]. libsignal-node and 0.72 cannot
// hold a session together (see the last test), so node6 meets itself;
// 0.72 meets 0.90 for version 4 in both roles.
const PAIRS = [
  ['node6', 'node6', [3]],
  ['0.72', '0.72', [3]],
  ['0.72', '0.90', [4]],
  ['0.90', '0.72', [4]],
  ['0.103', '0.90', [4]],
];

for (const [first, second, versions] of PAIRS) {
  const initiator = libsignalEndpoint(first);
  const responder = libsignalEndpoint(second);
  for (const version of versions) {
    describe(`version ${version}: ${initiator.label} starts, ${responder.label} answers`, () => {
      for (const scenario of scenariosFor(initiator, responder, version)) {
        test(scenario.name, () => scenario.run(initiator, responder, { version }));
      }
    });
  }
}

describe('libsignal-peer speaks the peer protocol', () => {
  for (const impl of ['node6', '0.72', '0.90', '0.103']) {
    test(`${impl}: framing, bad requests and refusals`, async () => {
      const peer = await libsignalEndpoint(impl).spawn();
      try {
        assert.equal((await peer.call('sign', { message: '00' })).error.code, 'bad_request', 'sign before init');
        assert.equal((await peer.raw('not json')).error.code, 'bad_request');
        assert.equal((await peer.call('frobnicate')).error.code, 'unknown_op');
        assert.equal((await peer.call('seal')).error.code, 'unsupported');
        const { identity_key: identityKey } = await peer.ok('init', { name: 'alice', device_id: 1, registration_id: 9 });
        assert.match(identityKey, /^05[0-9a-f]{64}$/);
        assert.equal((await peer.call('init', { name: 'bob', device_id: 1, registration_id: 9 })).error.code,
          'bad_request', 'a second init as another device');
        assert.equal((await peer.call('sign', { message: 'abc' })).error.code, 'bad_request', 'odd-length hex');
        assert.equal((await peer.call('encrypt', { peer: { name: 'bob', device_id: 1 }, plaintext: '00' })).error.code,
          'no_session');
        assert.equal((await peer.call('decrypt', { peer: { name: 'bob', device_id: 1 }, type: 'prekey', ciphertext: '33' }))
          .error.code, 'invalid_message');
        assert.equal((await peer.call('verify', { public_key: '05', message: '00', signature: '00' })).error.code,
          'invalid_key');
        const { ops, session_versions: sessionVersions } = await peer.ok('capabilities');
        assert.ok(ops.includes('decrypt') && sessionVersions.length > 0);
        assert.equal((await peer.call('quit')).ok, true);
      } finally {
        await peer.close();
      }
    });
  }

  test('signatures made by one release verify in the others', async () => {
    const message = randomPlaintext(100).toString('hex');
    const peers = await Promise.all(['node6', '0.72', '0.90', '0.103'].map((impl) => libsignalEndpoint(impl).spawn()));
    try {
      const keys = [];
      for (const [i, peer] of peers.entries()) {
        keys.push((await peer.ok('init', { name: `device${i}`, device_id: 1, registration_id: 1 })).identity_key);
      }
      for (const [i, signer] of peers.entries()) {
        const { signature } = await signer.ok('sign', { message });
        for (const verifier of peers) {
          assert.equal((await verifier.ok('verify', { public_key: keys[i], message, signature })).valid, true);
          const forged = { public_key: keys[i], message: `${message}00`, signature };
          assert.equal((await verifier.ok('verify', forged)).valid, false);
        }
      }
    } finally {
      await Promise.all(peers.map((peer) => peer.close()));
    }
  });
});

test('libsignal 0.72 frames version-3 messages 0x34, which libsignal-node refuses', async () => {
  // Why cliquet sends version-3 messages framed 0x33: 0.72 accepts them,
  // and libsignal-node accepts nothing else.
  const alice = await Device.start(libsignalEndpoint('node6'), { name: 'alice', deviceId: 1 });
  const bob = await Device.start(libsignalEndpoint('0.72'), { name: 'bob', deviceId: 2 });
  try {
    await alice.processBundle(bob, await bob.bundle({ version: 3, oneTimePreKey: true }));
    const first = await alice.encrypt(bob, randomPlaintext(10));
    assert.equal(first.bytes[0], 0x33);
    await bob.receive(alice, first, 'the first message');
    const reply = await bob.encrypt(alice, randomPlaintext(10));
    assert.equal(reply.bytes[0], 0x34);
    await alice.refuse(bob, reply, 'invalid_message', 'a reply framed 0x34');
  } finally {
    await alice.close();
    await bob.close();
  }
});
