'use strict';
// Crash durability of cliquet-peer --db FILE (PEER_PROTOCOL.md, Durability;
// issue 7). Alice (in memory) and Bob (--db) hold a conversation of
// hundreds of 1:1 and group messages while Bob is killed with SIGKILL at
// random instants, mid-request included, and restarted on the same file.
// After every restart:
//   - init returns the same identity key;
//   - every message Bob acknowledged (a response line was read) is refused
//     as a duplicate: no acknowledged decrypt is ever lost;
//   - every message Bob has not yet seen still decrypts; the one in flight
//     at a kill either decrypts or, if its commit landed just before the
//     kill, is a duplicate: never anything else;
//   - Alice decrypts every message Bob acknowledged sending, so no message
//     key was used twice, and Bob's sender-key iterations strictly increase
//     across restarts.
// Needs only node and interop/lib/peer.js: no npm package.

const { test } = require('../lib/testing');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { Peer } = require('../lib/peer');

const PEER = process.env.CLIQUET_PEER;
const STEPS = 400;
const KILL_PROBABILITY = 0.12;
// Requests with --db take about a millisecond (one fsync); kills land
// anywhere in that span, before it and just after it.
const MAX_KILL_DELAY_US = 3000;

const ALICE = { name: 'alice', device_id: 1 };
const BOB = { name: 'bob', device_id: 1 };
const GROUP = '0c4b3c6e-6d1e-4b8e-9a55-2f1d8c3b7a10';
const hexText = (text) => Buffer.from(text, 'utf8').toString('hex');

// A reproducible stream of choices; print the seed so a failure replays
// (CLIQUET_CRASH_SEED) as far as the kill instants allow.
function prng(seed) {
  let counter = 0;
  return () => {
    const block = crypto.createHash('sha256').update(`${seed}/${counter++}`).digest();
    return block.readUInt32BE(0) / 2 ** 32;
  };
}

// Blocks for `micros`: precise to microseconds, unlike timers. The peer runs
// on regardless; its response simply waits in the pipe.
function spin(micros) {
  const end = process.hrtime.bigint() + BigInt(Math.round(micros)) * 1000n;
  while (process.hrtime.bigint() < end);
}

// The fields of a protobuf message: number -> integer (varint) or Buffer
// (length-delimited); the only wire types these messages use.
function protobufFields(bytes) {
  const fields = new Map();
  let at = 0;
  const varint = () => {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = bytes[at++];
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
    }
  };
  while (at < bytes.length) {
    const key = varint();
    if ((key & 7) === 0) {
      fields.set(key >> 3, varint());
    } else {
      const length = varint();  // read before `at` is used: varint() advances it
      fields.set(key >> 3, bytes.subarray(at, at + length));
      at += length;
    }
  }
  return fields;
}

// A SenderKeyMessage is a version byte, protobuf (3: iteration) and a
// 64-byte signature. Alice's decrypt checks everything else.
function senderKeyIteration(hex) {
  return protobufFields(Buffer.from(hex, 'hex').subarray(1, -64)).get(3) ?? 0;
}

// The sender's ratchet key of a 1:1 message: which receiving chain it is
// on. A SignalMessage is a version byte, protobuf (1: ratchet key) and an
// 8-byte MAC; a PreKeySignalMessage carries one in its field 4.
function ratchetKeyOf(type, hex) {
  let bytes = Buffer.from(hex, 'hex');
  if (type === 'prekey') bytes = protobufFields(bytes.subarray(1)).get(4);
  return protobufFields(bytes.subarray(1, -8)).get(1).toString('hex');
}

test('cliquet-peer --db loses nothing it acknowledged when killed at any instant', { timeout: 120_000 }, async (t) => {
  assert.ok(PEER, 'CLIQUET_PEER must name the cliquet-peer program');
  const seed = process.env.CLIQUET_CRASH_SEED ?? crypto.randomBytes(8).toString('hex');
  t.diagnostic(`seed ${seed}`);
  const random = prng(seed);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cliquet-crash-'));
  const dbFile = path.join(dir, 'bob.db');
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const alice = await Peer.spawn(PEER);
  t.after(() => alice.close());
  await alice.ok('init', { ...ALICE, registration_id: 7 });

  let bob = await Peer.spawn(PEER, ['--db', dbFile]);
  t.after(() => bob.kill('SIGKILL'));
  const { identity_key: bobIdentity } = await bob.ok('init', { ...BOB, registration_id: 42 });
  const { bundle } = await bob.ok('prekey_bundle', { pre_key_id: 1, signed_pre_key_id: 1, kyber_pre_key_id: 1 });
  await alice.ok('process_bundle', { peer: BOB, bundle });
  const { distribution_message } = await bob.ok('group_start', { distribution_id: GROUP });
  await alice.ok('group_join', { sender: BOB, distribution_message });

  const stats = { kills: 0, inFlightCommitted: 0, inFlightLost: 0, toBob: 0, fromBob: 0, group: 0 };
  const toBob = [];           // every message Alice sent Bob
  let lastIteration = -1;     // of Bob's acknowledged group messages

  // Starts Bob again on the same file and checks what must have survived.
  async function restart() {
    bob = await Peer.spawn(PEER, ['--db', dbFile]);
    const init = await bob.ok('init', { ...BOB, registration_id: 42 });
    assert.equal(init.identity_key, bobIdentity, 'init after a restart returns the stored identity key');
    const currentChain = toBob[toBob.length - 1].chain;
    for (const message of toBob.filter((m) => m.status === 'acknowledged')) {
      const replay = await bob.call('decrypt', { peer: ALICE, type: message.type, ciphertext: message.ciphertext });
      const what = `message ${message.index}, acknowledged before a kill, replayed after it: ${JSON.stringify(replay)}`;
      if (message.chain === currentChain) {
        assert.equal(replay.error?.code, 'duplicate_message', what);
      } else {
        // Like libsignal, Bob keeps five receiving chains; a replay on one
        // he has dropped can no longer be told from a forgery, and fails
        // its MAC instead. Either way it never decrypts twice.
        assert.ok(['duplicate_message', 'invalid_message'].includes(replay.error?.code), what);
      }
    }
  }

  // Sends one request to Bob; with `killAfterUs`, kills Bob that many
  // microseconds later. Resolves with the response, or null when Bob died
  // before one was read.
  async function bobCall(op, params, killAfterUs) {
    const settled = bob.call(op, params).then((response) => response, () => null);
    if (killAfterUs === null) return settled;
    spin(killAfterUs);
    await bob.kill('SIGKILL');
    stats.kills++;
    const response = await settled;
    await restart();
    return response;
  }

  const killInstant = () => {
    if (random() >= KILL_PROBABILITY) return null;
    // A third of the kills land before Bob can have read the request.
    return random() < 1 / 3 ? 0 : random() * MAX_KILL_DELAY_US;
  };

  async function deliverToBob(message, killAfterUs) {
    const response = await bobCall('decrypt', { peer: ALICE, type: message.type, ciphertext: message.ciphertext },
      killAfterUs);
    if (response === null) {
      message.status = 'in_flight';  // committed or not: the next delivery says which
      return;
    }
    if (response.ok) {
      assert.equal(response.plaintext, message.plaintext, `message ${message.index} decrypts to what was sent`);
      if (message.status === 'in_flight') stats.inFlightLost++;
      message.status = 'acknowledged';
      return;
    }
    assert.equal(message.status, 'in_flight',
      `message ${message.index}, never decrypted, was refused: ${JSON.stringify(response.error)}`);
    assert.equal(response.error.code, 'duplicate_message', `message ${message.index} in flight at a kill`);
    stats.inFlightCommitted++;
    message.status = 'acknowledged';
  }

  // Bob's session starts with Alice's first message.
  const first = await alice.ok('encrypt', { peer: BOB, plaintext: hexText('hello') });
  toBob.push({ index: 0, type: first.type, ciphertext: first.ciphertext, plaintext: hexText('hello'), status: 'sent',
    chain: ratchetKeyOf(first.type, first.ciphertext) });
  await deliverToBob(toBob[0], null);

  for (let step = 0; step < STEPS; step++) {
    const action = random();
    const killAfterUs = killInstant();
    if (action < 0.45) {
      // Alice sends; Bob receives one of the messages not yet through,
      // not always the oldest.
      const plaintext = hexText(`alice ${step}`);
      const sent = await alice.ok('encrypt', { peer: BOB, plaintext });
      toBob.push({ index: toBob.length, type: sent.type, ciphertext: sent.ciphertext, plaintext, status: 'sent',
        chain: ratchetKeyOf(sent.type, sent.ciphertext) });
      stats.toBob++;
      // A message in flight at a kill goes again first, while its chain is
      // surely still kept; otherwise not always the oldest.
      const inFlight = toBob.find((m) => m.status === 'in_flight');
      const waiting = toBob.filter((m) => m.status === 'sent');
      const pick = waiting.length > 3 && random() < 0.3 ? Math.floor(random() * waiting.length) : 0;
      await deliverToBob(inFlight ?? waiting[pick], killAfterUs);
    } else if (action < 0.75) {
      const plaintext = hexText(`bob ${step}`);
      const sent = await bobCall('encrypt', { peer: ALICE, plaintext }, killAfterUs);
      if (sent === null) continue;  // never acknowledged: lost, as a crash before sending would lose it
      assert.ok(sent.ok, `bob encrypt: ${JSON.stringify(sent.error)}`);
      const received = await alice.call('decrypt', { peer: BOB, type: sent.type, ciphertext: sent.ciphertext });
      assert.ok(received.ok, `Alice decrypts Bob's message of step ${step}: ${JSON.stringify(received.error)}`);
      assert.equal(received.plaintext, plaintext);
      stats.fromBob++;
    } else if (action < 0.95) {
      const plaintext = hexText(`group ${step}`);
      const sent = await bobCall('group_encrypt', { distribution_id: GROUP, plaintext }, killAfterUs);
      if (sent === null) continue;
      assert.ok(sent.ok, `bob group_encrypt: ${JSON.stringify(sent.error)}`);
      const iteration = senderKeyIteration(sent.ciphertext);
      assert.ok(iteration > lastIteration,
        `sender-key iteration ${iteration} after ${lastIteration}: an iteration was reused across a restart`);
      lastIteration = iteration;
      const received = await alice.call('group_decrypt', { sender: BOB, ciphertext: sent.ciphertext });
      assert.ok(received.ok, `Alice decrypts Bob's group message of step ${step}: ${JSON.stringify(received.error)}`);
      assert.equal(received.plaintext, plaintext);
      stats.group++;
    } else if (killAfterUs !== null) {
      // A kill between requests.
      await bob.kill('SIGKILL');
      stats.kills++;
      await restart();
    }
  }

  // Everything still undelivered arrives, then one last restart checks all.
  for (const message of toBob.filter((m) => m.status !== 'acknowledged')) await deliverToBob(message, null);
  await bob.kill('SIGKILL');
  await restart();

  await bob.close();

  // A new process asked to be the stored device with another identity key
  // refuses, and stays uninitialised.
  const impostor = await Peer.spawn(PEER, ['--db', dbFile]);
  const other = await impostor.call('init',
    { ...BOB, registration_id: 42, identity_private: crypto.randomBytes(32).toString('hex') });
  assert.equal(other.error?.code, 'bad_request');
  assert.equal((await impostor.call('sign', { message: '00' })).error?.code, 'bad_request');
  await impostor.close();

  t.diagnostic(JSON.stringify(stats));
  assert.ok(stats.kills > 10, 'the run killed Bob many times');
  assert.ok(stats.toBob + stats.fromBob + stats.group >= 300, 'hundreds of messages');
});
