'use strict';
// Retry requests (peer protocol 1.1: retry_request, read_retry_request)
// between cliquet-peer and libsignal 0.103, both ways. Each side makes the
// PlaintextContent for real messages of every kind (pre-key and whisper
// messages of sessions between the two, a message that failed on a
// reinstalled receiver, a group message), and the other reads it: the
// timestamp, the device id and the ratchet key must be the ones of the
// original message, field for field, and the two sides' bytes for equal
// inputs must be equal. Malformed contents are refused by both as
// invalid_message, a plaintext original by both as bad_request.

const { test } = require('../lib/testing');
const assert = require('node:assert/strict');
const { cliquetEndpoint, libsignalEndpoint } = require('../lib/endpoints');
const { randomPlaintext, withDevices } = require('../lib/device');
const { ratchetKeyOf } = require('../lib/forge');
const { hex } = require('../lib/peer');

const ALICE = Object.freeze({ name: '9d0652a3-dcc3-4d11-975f-74d61598733f', deviceId: 3 });
const BOB = Object.freeze({ name: '4fcfe887-a600-40cd-9ab7-fd2a695e9981', deviceId: 7 });
const GROUP = 'd15d1b07-9f4c-4a1e-8b2a-3c4455667788';

const cliquet = cliquetEndpoint();
const v103 = libsignalEndpoint('0.103');

// Times around the edges: the epoch, one byte, a real one, the largest a
// JSON number carries exactly.
const TIMESTAMPS = [0, 1, 127, 1_700_000_000_123, Number.MAX_SAFE_INTEGER];

/**
 * Real messages to retry, each with its sender's address and the ratchet key
 * a retry request must name: a session between `alice` (cliquet) and `bob`
 * (libsignal) both ways, a whisper message that failed on a reinstalled
 * receiver, and a cliquet group message.
 */
async function originals(alice, bob, reinstalledBob) {
  const list = [];
  const add = (what, sender, message) => list.push({
    what, sender: sender.address, type: message.type, bytes: message.bytes,
    ratchetKey: message.type === 'sender_key' ? null : hex(ratchetKeyOf(message)),
  });
  await alice.processBundle(bob, await bob.bundle({ version: 4, oneTimePreKey: true }));
  const first = await alice.encrypt(bob, randomPlaintext(32));
  add('cliquet\'s pre-key message', alice, first);
  await bob.receive(alice, first, 'the first message');
  const answer = await bob.encrypt(alice, randomPlaintext(32));
  add('libsignal\'s whisper message', bob, answer);
  await alice.receive(bob, answer, 'the answer');
  const next = await alice.encrypt(bob, randomPlaintext(32));
  add('cliquet\'s whisper message', alice, next);

  await bob.processBundle(alice, await alice.bundle({ version: 4, oneTimePreKey: false }));
  add('libsignal\'s pre-key message', bob, await bob.encrypt(alice, randomPlaintext(8)));

  // Bob reinstalled: his new device has no session, and fails.
  await reinstalledBob.refuse(alice, next, 'no_session', 'a message for the old installation');
  add('a message the reinstalled receiver failed on', alice, next);

  await alice.peer.ok('group_start', { distribution_id: GROUP });
  const { ciphertext } = await alice.peer.ok('group_encrypt', { distribution_id: GROUP, plaintext: '00' });
  add('a group message', alice, { type: 'sender_key', bytes: Buffer.from(ciphertext, 'hex') });
  return list;
}

test('retry requests made by each side read the same on the other, and equal inputs make equal bytes', async () => {
  await withDevices([[cliquet, ALICE], [v103, BOB], [v103, { ...BOB, note: 'reinstalled' }]],
    async (alice, bob, reinstalledBob) => {
      const sides = [alice, bob];
      for (const original of await originals(alice, bob, reinstalledBob)) {
        for (const timestamp of TIMESTAMPS) {
          for (const deviceId of [original.sender.device_id, 1, 0xffffffff]) {
            const request = {
              peer: { name: original.sender.name, device_id: deviceId },
              type: original.type,
              ciphertext: hex(original.bytes),
              timestamp,
            };
            const what = `${original.what}, timestamp ${timestamp}, device ${deviceId}`;
            const contents = [];
            for (const maker of sides) contents.push((await maker.peer.ok('retry_request', request)).content);
            assert.equal(contents[0], contents[1], `${what}: cliquet and libsignal make the same bytes`);
            for (const reader of sides) {
              const read = await reader.peer.ok('read_retry_request', { content: contents[0] });
              assert.deepEqual({ timestamp: read.timestamp, device_id: read.device_id, ratchet_key: read.ratchet_key },
                { timestamp, device_id: deviceId, ratchet_key: original.ratchetKey },
                `${what}: ${reader.label} reads what was asked`);
            }
          }
        }
      }
    });
});

test('malformed retry requests are refused by both sides as invalid messages', async () => {
  await withDevices([[cliquet, ALICE], [v103, BOB]], async (alice, bob) => {
    const genuine = (await alice.peer.ok('retry_request', {
      peer: { name: ALICE.name, device_id: 3 }, type: 'sender_key', ciphertext: '', timestamp: 1234,
    })).content;
    assert.equal(genuine, 'c0420510d209180380');
    // A protobuf field with a one-byte length, and contents built around one.
    const field = (tag, value) => Buffer.concat([Buffer.from([tag, value.length]), value]);
    const around = (content) => Buffer.concat([Buffer.from([0xc0]), content, Buffer.from([0x80])]).toString('hex');
    const withRequest = (request) => around(field(0x42, request));
    const timestamp = Buffer.from('1001', 'hex');
    const key = Buffer.concat([Buffer.from([0x05]), Buffer.alloc(32, 0x11)]);
    const contents = {
      'nothing': '',
      'the marker alone': 'c0',
      'a content with no retry request': 'c080',
      'another marker': `c1${genuine.slice(2)}`,
      'no boundary byte': genuine.slice(0, -2),
      'zero padding after the boundary': `${genuine}00`,
      'a retry request cut short': 'c04206d209180380',
      'the retry request field as a varint': 'c0400580',
      'a retry request without a timestamp': withRequest(Buffer.from('1803', 'hex')),
      'an empty retry request': withRequest(Buffer.alloc(0)),
      'a ratchet key a byte short': withRequest(Buffer.concat([field(0x0a, key.subarray(0, 32)), timestamp])),
      'a ratchet key of an unknown type':
        withRequest(Buffer.concat([field(0x0a, Buffer.concat([Buffer.from([0x06]), key.subarray(1)])), timestamp])),
      'an overlong varint': withRequest(Buffer.from(`10${'ff'.repeat(10)}01`, 'hex')),
    };
    for (const [what, content] of Object.entries(contents)) {
      for (const reader of [alice, bob]) {
        const response = await reader.peer.call('read_retry_request', { content });
        assert.equal(response.ok, false, `${reader.label} read ${what} (${content})`);
        assert.equal(response.error.code, 'invalid_message', `${reader.label} on ${what}: ${response.error.message}`);
      }
    }

    // What only cliquet refuses: a plaintext content that carries more than
    // a retry request (libsignal's reader skips the rest).
    const withDataMessage = `c00a0101${genuine.slice(2)}`;
    assert.equal((await alice.peer.call('read_retry_request', { content: withDataMessage })).error.code,
      'invalid_message');
    assert.equal((await bob.peer.ok('read_retry_request', { content: withDataMessage })).timestamp, 1234);

    const makeRequest = (type, ciphertext) => ({
      peer: { name: BOB.name, device_id: 7 }, type, ciphertext, timestamp: 1,
    });
    const refusals = [
      ['a whisper message of one byte', makeRequest('whisper', '44'), 'invalid_message'],
      ['a pre-key message of garbage', makeRequest('prekey', '44deadbeef'), 'invalid_message'],
      ['an empty whisper message', makeRequest('whisper', ''), 'invalid_message'],
      ['plaintext, which was never encrypted', makeRequest('plaintext', ''), 'bad_request'],
    ];
    for (const [what, request, code] of refusals) {
      for (const maker of [alice, bob]) {
        const response = await maker.peer.call('retry_request', request);
        assert.equal(response.ok, false, `${maker.label} made a retry request for ${what}`);
        assert.equal(response.error.code, code, `${maker.label} on ${what}: ${response.error.message}`);
      }
    }
  });
});
