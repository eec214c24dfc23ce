'use strict';
// Session scenarios between two endpoints: whatever speaks the peer
// protocol (cliquet-peer, or libsignal-peer with any release behind it).
// Each scenario starts its own devices, an initiator ("alice", who fetches
// the other's bundle and writes first) from one endpoint and a responder
// ("bob") from the other, runs, and closes them; it throws, naming the
// device, the step and the bytes, at the first thing that goes wrong.
//
// Run a scenario with both endpoints in both roles to cover "both
// directions, started from either side".

const crypto = require('node:crypto');
const { Device, randomPlaintext, withDevices } = require('./device');
const { whisperTamperings, preKeyTamperings, withCounterRaised } = require('./tamper');
const { PRE_KEY_SIGNAL_MESSAGE, parsePreKeySignalMessage, spqrMessageOf } = require('./wire');

/** Plaintext sizes for ping-pong: around the AES block size, and up to 64 KiB. */
const PING_PONG_SIZES = Object.freeze([0, 1, 15, 16, 17, 100, 1000, 4096, 65536]);

/** How many messages the long-skip scenario skips before delivering them. */
const SKIPPED = 1500;

/**
 * The SPQR epochs scenario: messages each way, and the SPQR epoch each side
 * must reach. An epoch moves 3 + 36 chunks one way and 30 + 5 the other, a
 * chunk per message, so 200 each way complete several.
 */
const SPQR_ROUNDS = 200;
const SPQR_MIN_EPOCH = 3;

// The devices' addresses; distinct device ids, so that no side can get by
// with its own where the other's belongs.
const ALICE = Object.freeze({ name: 'alice', deviceId: 1 });
const BOB = Object.freeze({ name: 'bob', deviceId: 2 });
const CAROL = Object.freeze({ name: 'carol', deviceId: 3 });

// A Kyber1024 ciphertext as a PQXDH pre-key message carries it: libsignal's
// key type byte (0x08), then 1,568 bytes.
const KYBER1024_TYPE = 0x08;
const KYBER1024_CIPHERTEXT_BYTES = 1 + 1568;

/**
 * Checks that `message` is a `type` message of session version `version`,
 * framed as its sender frames that version; a version-4 pre-key message
 * carries a Kyber pre-key id and a Kyber1024 ciphertext, a version-3 one
 * neither. In a version-4 session between two devices that speak SPQR,
 * every message carries an SPQR version 1 message; a device that does not
 * speak SPQR never sends one.
 */
function checkFraming(message, type, version, sender, receiver, what) {
  const fail = (problem) => {
    throw new Error(`${sender.label} sent ${what} ${problem} (${message.bytes.subarray(0, 48).toString('hex')}…)`);
  };
  if (message.type !== type) fail(`as a ${message.type} message, not ${type}`);
  const expected = sender.versionBytes[version];
  if (message.bytes[0] !== expected) {
    fail(`framed 0x${message.bytes[0].toString(16)}, not 0x${expected.toString(16)}, in a version ${version} session`);
  }
  const spqr = spqrMessageOf(message.bytes, type);
  if (version === 4 && sender.speaksSpqr && receiver.speaksSpqr) {
    if (!spqr || spqr.version !== 1) fail('without an SPQR version 1 message in its pq_ratchet field');
  } else if (spqr && !sender.speaksSpqr) {
    fail(`with an SPQR message (${spqr.bytes.toString('hex')}) its sender does not speak`);
  }
  if (type !== 'prekey') return;
  const { fields } = parsePreKeySignalMessage(message.bytes);
  const kyberId = fields.get(PRE_KEY_SIGNAL_MESSAGE.kyberPreKeyId);
  const kyberCiphertext = fields.get(PRE_KEY_SIGNAL_MESSAGE.kyberCiphertext);
  if (version === 3 && (kyberId || kyberCiphertext)) fail('with Kyber fields in a version 3 session');
  if (version === 4) {
    const ciphertext = kyberCiphertext ? message.bytes.subarray(kyberCiphertext.valueStart, kyberCiphertext.end) : [];
    if (!kyberId || ciphertext.length !== KYBER1024_CIPHERTEXT_BYTES || ciphertext[0] !== KYBER1024_TYPE) {
      fail(`without a Kyber pre-key id and a Kyber1024 ciphertext (0x08 and 1,568 bytes; got ${ciphertext.length} bytes)`);
    }
  }
}

/** Encrypts `size` random bytes from `sender` to `receiver` and checks the message's framing. */
async function send(sender, receiver, size, { type, version, what }) {
  const message = await sender.encrypt(receiver, randomPlaintext(size));
  checkFraming(message, type, version, sender, receiver, what);
  return message;
}

/**
 * Alice starts a session from Bob's bundle and they exchange a first
 * message each way: afterwards both send whisper messages.
 * @returns {Promise<{bundle: object, first: object}>} Bob's bundle and
 *   Alice's first (pre-key) message
 */
async function establish(alice, bob, { version, oneTimePreKey = true }) {
  const bundle = await bob.bundle({ version, oneTimePreKey });
  await alice.processBundle(bob, bundle);
  const first = await send(alice, bob, 32, { type: 'prekey', version, what: 'the first message' });
  await bob.receive(alice, first, 'the first message');
  const reply = await send(bob, alice, 32, { type: 'whisper', version, what: 'the first reply' });
  await alice.receive(bob, reply, 'the first reply');
  return { bundle, first };
}

/** One message each way, to show the session still works. */
async function exchange(alice, bob, version, when) {
  const there = await send(alice, bob, 48, { type: 'whisper', version, what: `a message ${when}` });
  await bob.receive(alice, there, `a message ${when}`);
  const back = await send(bob, alice, 48, { type: 'whisper', version, what: `a reply ${when}` });
  await alice.receive(bob, back, `a reply ${when}`);
}

/**
 * The handshake, then a message each way; with a one-time pre-key, a
 * second sender using the same bundle is refused (the pre-key is consumed).
 */
async function handshake(initiator, responder, { version, oneTimePreKey }) {
  const starts = [[initiator, ALICE], [responder, BOB]];
  if (oneTimePreKey) starts.push([initiator, CAROL]);
  await withDevices(starts, async (alice, bob, carol) => {
    const { bundle } = await establish(alice, bob, { version, oneTimePreKey });
    await exchange(alice, bob, version, 'after the handshake');
    if (oneTimePreKey) {
      await carol.processBundle(bob, bundle);
      const stale = await send(carol, bob, 32, { type: 'prekey', version, what: 'a message from a reused bundle' });
      await bob.refuse(carol, stale, 'invalid_prekey', 'a pre-key message naming a consumed one-time pre-key');
    }
  });
}

/** Messages of every size in PING_PONG_SIZES, alternately each way. */
async function pingPong(initiator, responder, { version }) {
  await withDevices([[initiator, ALICE], [responder, BOB]], async (alice, bob) => {
    await establish(alice, bob, { version });
    for (const size of PING_PONG_SIZES) {
      const ping = await send(alice, bob, size, { type: 'whisper', version, what: `a ${size}-byte ping` });
      await bob.receive(alice, ping, `a ${size}-byte ping`);
      const pong = await send(bob, alice, size, { type: 'whisper', version, what: `a ${size}-byte pong` });
      await alice.receive(bob, pong, `a ${size}-byte pong`);
    }
  });
}

/** Four pre-key messages before any reply, delivered out of order. */
async function preKeyMessagesBeforeReply(initiator, responder, { version }) {
  await withDevices([[initiator, ALICE], [responder, BOB]], async (alice, bob) => {
    await alice.processBundle(bob, await bob.bundle({ version, oneTimePreKey: true }));
    const messages = [];
    for (let i = 0; i < 4; i += 1) {
      messages.push(await send(alice, bob, 20 + i, { type: 'prekey', version, what: `pre-key message ${i}` }));
    }
    for (const i of [1, 0, 3, 2]) await bob.receive(alice, messages[i], `pre-key message ${i}`);
    const reply = await send(bob, alice, 32, { type: 'whisper', version, what: 'the first reply' });
    await alice.receive(bob, reply, 'the first reply');
    await exchange(alice, bob, version, 'after the reply');
  });
}

/** Messages delivered out of order within one chain and across ratchet steps. */
async function outOfOrder(initiator, responder, { version }) {
  await withDevices([[initiator, ALICE], [responder, BOB]], async (alice, bob) => {
    await establish(alice, bob, { version });
    const whisper = (sender, receiver, what) => send(sender, receiver, 40, { type: 'whisper', version, what });

    // Within one sending chain.
    const chain = [];
    for (let i = 0; i < 6; i += 1) chain.push(await whisper(alice, bob, `chain message ${i}`));
    for (const i of [5, 0, 4, 1, 3, 2]) await bob.receive(alice, chain[i], `chain message ${i}`);

    // Across ratchet steps: Alice's old chain arrives after her new one.
    const a0 = await whisper(alice, bob, 'a0 (chain 1)');
    const a1 = await whisper(alice, bob, 'a1 (chain 1)');
    const b0 = await whisper(bob, alice, 'b0');
    await alice.receive(bob, b0, 'b0');
    const a2 = await whisper(alice, bob, 'a2 (chain 2)');
    const a3 = await whisper(alice, bob, 'a3 (chain 2)');
    const b1 = await whisper(bob, alice, 'b1 (same chain as b0)');
    await bob.receive(alice, a2, 'a2 (chain 2, before chain 1)');
    await bob.receive(alice, a0, 'a0 (chain 1, after chain 2)');
    await bob.receive(alice, a3, 'a3 (chain 2)');
    await bob.receive(alice, a1, 'a1 (chain 1, last)');
    const b2 = await whisper(bob, alice, 'b2 (after Bob stepped)');
    await alice.receive(bob, b2, 'b2 (new chain, before b1)');
    await alice.receive(bob, b1, 'b1 (old chain, late)');
    await exchange(alice, bob, version, 'after out-of-order delivery');
  });
}

/**
 * A message held back from each of four successive sending chains, then
 * all delivered newest first: the receiver still has the chains (libsignal
 * keeps five receiver chains, and here there are exactly five).
 */
async function lateAcrossSteps(initiator, responder, { version }) {
  await withDevices([[initiator, ALICE], [responder, BOB]], async (alice, bob) => {
    await establish(alice, bob, { version });
    const whisper = (sender, receiver, what) => send(sender, receiver, 28, { type: 'whisper', version, what });
    const held = [];
    for (let step = 1; step <= 4; step += 1) {
      held.push(await whisper(alice, bob, `a held-back message of chain ${step}`));
      const delivered = await whisper(alice, bob, `a message of chain ${step}`);
      await bob.receive(alice, delivered, `a message of chain ${step}`);
      const reply = await whisper(bob, alice, `a reply to chain ${step}`);
      await alice.receive(bob, reply, `a reply to chain ${step}`);
    }
    for (let step = 4; step >= 1; step -= 1) {
      await bob.receive(alice, held[step - 1], `the held-back message of chain ${step}, late`);
    }
    await exchange(alice, bob, version, 'after the late messages');
  });
}

/**
 * Runs `step` on every item, a batch at a time: requests are answered in
 * order, so a batch can be sent without waiting, and a bounded batch keeps
 * each request's wait well inside the peer timeout.
 */
async function inBatches(items, step, size = 100) {
  const results = [];
  for (let start = 0; start < items.length; start += size) {
    results.push(...await Promise.all(items.slice(start, start + size).map(step)));
  }
  return results;
}

/** SKIPPED messages held back, the next one delivered, then all of them in random order. */
async function longSkip(initiator, responder, { version }) {
  await withDevices([[initiator, ALICE], [responder, BOB]], async (alice, bob) => {
    await establish(alice, bob, { version });
    const indexes = Array.from({ length: SKIPPED + 1 }, (_, i) => i);
    const messages = await inBatches(indexes, () => alice.encrypt(bob, randomPlaintext(16)));
    await bob.receive(alice, messages[SKIPPED], `message ${SKIPPED} (after ${SKIPPED} skipped)`);
    const order = indexes.slice(0, SKIPPED);
    for (let i = order.length - 1; i > 0; i -= 1) {
      const j = crypto.randomInt(i + 1);
      [order[i], order[j]] = [order[j], order[i]];
    }
    await inBatches(order, (i) => bob.receive(alice, messages[i], `skipped message ${i}`));
    await exchange(alice, bob, version, `after ${SKIPPED} skipped messages`);
  });
}

/**
 * Damaged pre-key and whisper messages, and messages of the wrong type,
 * refused; after each batch the genuine message still decrypts, so nothing
 * was consumed or changed.
 */
async function tampering(initiator, responder, { version }) {
  await withDevices([[initiator, ALICE], [responder, BOB]], async (alice, bob) => {
    await alice.processBundle(bob, await bob.bundle({ version, oneTimePreKey: true }));
    const first = await send(alice, bob, 32, { type: 'prekey', version, what: 'the first message' });
    for (const { what, bytes, code } of preKeyTamperings(first.bytes, version)) {
      await bob.refuse(alice, { type: 'prekey', bytes }, code, `a pre-key message with ${what}`);
    }
    await bob.receive(alice, first, 'the first message, after its damaged copies');
    await bob.refuse(alice, { type: 'whisper', bytes: first.bytes }, 'invalid_message',
      'a pre-key message presented as a whisper message');

    for (const [sender, receiver] of [[bob, alice], [alice, bob]]) {
      const genuine = await send(sender, receiver, 64, { type: 'whisper', version, what: 'a message' });
      for (const { what, bytes, code } of whisperTamperings(genuine.bytes, version)) {
        await receiver.refuse(sender, { type: 'whisper', bytes }, code, `a whisper message with ${what}`);
      }
      await receiver.refuse(sender, { type: 'prekey', bytes: genuine.bytes }, 'invalid_message',
        'a whisper message presented as a pre-key message');
      await receiver.receive(sender, genuine, 'a message, after its damaged copies');
    }

    // A receiver keeps at most 2,000 skipped keys per chain: had the forged
    // message's 2,500 keys been kept, the held-back message's would be gone.
    const held = await send(alice, bob, 20, { type: 'whisper', version, what: 'a held-back message' });
    const next = await send(alice, bob, 20, { type: 'whisper', version, what: 'the message after it' });
    await bob.receive(alice, next, 'the message after a held-back one');
    await bob.refuse(alice, { type: 'whisper', bytes: withCounterRaised(next.bytes, 2500) }, 'invalid_message',
      'a forged message 2,500 ahead');
    await bob.receive(alice, held, 'the held-back message, after a forged one 2,500 ahead');

    const stranger = { address: { name: CAROL.name, device_id: CAROL.deviceId }, label: 'carol, with whom there is no session' };
    const stray = await send(alice, bob, 20, { type: 'whisper', version, what: 'a message' });
    await bob.refuse(stranger, stray, 'no_session', 'a whisper message');
    await bob.receive(alice, stray, 'a message, after it was offered as from another sender');
    await exchange(alice, bob, version, 'after the damaged messages');
  });
}

/** Every kind of message delivered twice: the second copy is a duplicate_message. */
async function replay(initiator, responder, { version }) {
  await withDevices([[initiator, ALICE], [responder, BOB]], async (alice, bob) => {
    const whisper = (sender, receiver, what) => send(sender, receiver, 24, { type: 'whisper', version, what });
    const { first } = await establish(alice, bob, { version });
    await bob.refuse(alice, first, 'duplicate_message', 'the first (pre-key) message again');

    const a = [];
    for (let i = 0; i < 3; i += 1) a.push(await whisper(alice, bob, `message ${i}`));
    await bob.receive(alice, a[2], 'message 2');
    await bob.refuse(alice, a[2], 'duplicate_message', 'message 2 again');
    await bob.receive(alice, a[0], 'message 0 (skipped)');
    await bob.refuse(alice, a[0], 'duplicate_message', 'message 0 (skipped) again');
    await bob.receive(alice, a[1], 'message 1 (skipped)');

    // A ratchet step each way, then the old chain's messages again.
    const b = await whisper(bob, alice, 'a reply');
    await alice.receive(bob, b, 'a reply');
    await alice.refuse(bob, b, 'duplicate_message', 'the reply again');
    const c = await whisper(alice, bob, 'a message on a new chain');
    await bob.receive(alice, c, 'a message on a new chain');
    await bob.refuse(alice, a[1], 'duplicate_message', 'message 1 again, after a ratchet step');
    await bob.refuse(alice, first, 'duplicate_message', 'the first (pre-key) message again, after ratchet steps');
    await exchange(alice, bob, version, 'after the replays');
  });
}

/**
 * Alice starts a new session from a new bundle while messages of the old
 * one are in flight each way: they still decrypt, and the two carry on.
 */
async function reestablish(initiator, responder, { version }) {
  await withDevices([[initiator, ALICE], [responder, BOB]], async (alice, bob) => {
    await establish(alice, bob, { version });
    await exchange(alice, bob, version, 'on the first session');
    const lateFromAlice = await send(alice, bob, 30, { type: 'whisper', version, what: 'a late message' });
    const lateFromBob = await send(bob, alice, 30, { type: 'whisper', version, what: 'a late message' });

    await alice.processBundle(bob, await bob.bundle({ version, oneTimePreKey: true }));
    const fresh = await send(alice, bob, 32, { type: 'prekey', version, what: 'the first message of the new session' });
    await bob.receive(alice, fresh, 'the first message of the new session');
    await bob.receive(alice, lateFromAlice, 'a late message of the old session');
    await alice.receive(bob, lateFromBob, 'a late message of the old session');

    for (let round = 0; round < 2; round += 1) {
      const back = await bob.encrypt(alice, randomPlaintext(36));
      await alice.receive(bob, back, `a message after the new session (round ${round})`);
      const there = await alice.encrypt(bob, randomPlaintext(36));
      await bob.receive(alice, there, `a message after the new session (round ${round})`);
    }
  });
}

/**
 * A long ping-pong of a version-4 session between two devices that speak
 * SPQR, read on the wire: every message carries an SPQR message whose key
 * index is not 0 (both sides have heard from each other, so every message
 * key is salted by SPQR), its epochs never go back, and each side's reach
 * at least SPQR_MIN_EPOCH, so earlier epochs' ML-KEM exchanges completed
 * in both roles.
 */
async function spqrEpochs(initiator, responder, { version }) {
  await withDevices([[initiator, ALICE], [responder, BOB]], async (alice, bob) => {
    await establish(alice, bob, { version });
    const reached = new Map([[alice, 0], [bob, 0]]);
    for (let round = 0; round < SPQR_ROUNDS; round += 1) {
      for (const [sender, receiver] of [[alice, bob], [bob, alice]]) {
        const what = `message ${round} from ${sender.address.name}`;
        const message = await send(sender, receiver, 24, { type: 'whisper', version, what });
        const spqr = spqrMessageOf(message.bytes, 'whisper');
        const where = `${sender.label} sent ${what} (SPQR ${spqr.bytes.subarray(0, 8).toString('hex')}…)`;
        if (spqr.epoch < reached.get(sender)) throw new Error(`${where} in epoch ${spqr.epoch}, after ${reached.get(sender)}`);
        if (spqr.index === 0) throw new Error(`${where} with no SPQR key`);
        reached.set(sender, spqr.epoch);
        await receiver.receive(sender, message, what);
      }
    }
    for (const [device, epoch] of reached) {
      if (epoch < SPQR_MIN_EPOCH) {
        throw new Error(`${device.label} reached SPQR epoch ${epoch} in ${SPQR_ROUNDS} messages, not ${SPQR_MIN_EPOCH}`);
      }
    }
  });
}

/** Flips the first byte of the hex string `text`. */
const forgedHex = (text) => `${(parseInt(text.slice(0, 2), 16) ^ 0x01).toString(16).padStart(2, '0')}${text.slice(2)}`;

/**
 * Bundles with a forged signature refused; a bundle from a known address
 * with a new identity refused until that identity is trusted.
 */
async function bundleRefusals(initiator, responder, { version }) {
  const starts = [[initiator, ALICE], [responder, BOB], [responder, { ...BOB, note: 'with a new identity' }]];
  await withDevices(starts, async (alice, bob, newBob) => {
    const bundle = await bob.bundle({ version, oneTimePreKey: true });
    const forgeries = [
      ['a forged signed pre-key signature', { signed_pre_key_signature: forgedHex(bundle.signed_pre_key_signature) }],
      ["another identity's key", { identity_key: newBob.identityKey }],
    ];
    if (version === 4) {
      forgeries.push(['a forged Kyber pre-key signature', { kyber_pre_key_signature: forgedHex(bundle.kyber_pre_key_signature) }]);
    }
    for (const [what, change] of forgeries) {
      await alice.refuseBundle(bob, { ...bundle, ...change }, 'invalid_signature', `a bundle with ${what}`);
    }
    await alice.processBundle(bob, bundle);
    const first = await send(alice, bob, 32, { type: 'prekey', version, what: 'the first message' });
    await bob.receive(alice, first, 'the first message, after the forged bundles');

    const newBundle = await newBob.bundle({ version, oneTimePreKey: true });
    await alice.refuseBundle(newBob, newBundle, 'untrusted_identity', 'a bundle with a new identity at a known address');
    await alice.trust(newBob);
    await alice.processBundle(newBob, newBundle);
    const fresh = await send(alice, newBob, 32, { type: 'prekey', version, what: 'the first message to the new identity' });
    await newBob.receive(alice, fresh, 'the first message to the new identity, once trusted');
  });
}

/**
 * A pre-key message from a known address with a new identity refused as
 * untrusted_identity, leaving the old session working and the pre-key
 * unconsumed: once the new identity is trusted, the same message decrypts.
 */
async function identityChange(initiator, responder, { version }) {
  const starts = [[initiator, ALICE], [responder, BOB], [initiator, { ...ALICE, note: 'with a new identity' }]];
  await withDevices(starts, async (alice, bob, newAlice) => {
    await establish(alice, bob, { version });
    await newAlice.processBundle(bob, await bob.bundle({ version, oneTimePreKey: true }));
    const first = await send(newAlice, bob, 32, { type: 'prekey', version, what: 'the first message' });
    await bob.refuse(newAlice, first, 'untrusted_identity', 'a pre-key message with a new identity');
    await exchange(alice, bob, version, 'on the old session, after the refusal');
    await bob.trust(newAlice);
    await bob.receive(newAlice, first, 'the refused pre-key message, once its identity is trusted');
    const reply = await send(bob, newAlice, 32, { type: 'whisper', version, what: 'a reply to the new identity' });
    await newAlice.receive(bob, reply, 'a reply to the new identity');
  });
}

/**
 * Both start a session from the other's bundle at the same time and each
 * decrypts the other's first message: they settle on one session and
 * carry on with whisper messages.
 */
async function simultaneousInitiation(initiator, responder, { version }) {
  await withDevices([[initiator, ALICE], [responder, BOB]], async (alice, bob) => {
    const aliceBundle = await alice.bundle({ version, oneTimePreKey: true });
    await alice.processBundle(bob, await bob.bundle({ version, oneTimePreKey: true }));
    await bob.processBundle(alice, aliceBundle);
    const fromAlice = await send(alice, bob, 32, { type: 'prekey', version, what: "Alice's first message" });
    const fromBob = await send(bob, alice, 32, { type: 'prekey', version, what: "Bob's first message" });
    await bob.receive(alice, fromAlice, "Alice's first message");
    await alice.receive(bob, fromBob, "Bob's first message");
    for (let round = 0; round < 3; round += 1) {
      const there = await alice.encrypt(bob, randomPlaintext(40));
      await bob.receive(alice, there, `a message after both started (round ${round})`);
      const back = await bob.encrypt(alice, randomPlaintext(40));
      await alice.receive(bob, back, `a reply after both started (round ${round})`);
    }
    await exchange(alice, bob, version, 'once the sessions have settled');
  });
}

/** Whether a session of `version` between the two endpoints runs SPQR. */
const runsSpqr = (initiator, responder, version) => version === 4 && initiator.speaksSpqr && responder.speaksSpqr;

/**
 * Every scenario, by name: `run(initiator, responder, {version})`; one with
 * `applies` runs only for the endpoints and versions it accepts.
 * @type {{name: string, run: (initiator: object, responder: object, options: {version: number}) => Promise<void>,
 *   applies?: (initiator: object, responder: object, version: number) => boolean}[]}
 */
const SCENARIOS = Object.freeze([
  { name: 'handshake with a one-time pre-key', run: (a, b, o) => handshake(a, b, { ...o, oneTimePreKey: true }) },
  { name: 'handshake without a one-time pre-key', run: (a, b, o) => handshake(a, b, { ...o, oneTimePreKey: false }) },
  { name: `ping-pong, ${PING_PONG_SIZES[0]} to ${PING_PONG_SIZES.at(-1)} bytes`, run: pingPong },
  { name: 'several pre-key messages before a reply', run: preKeyMessagesBeforeReply },
  { name: 'out of order within and across ratchet steps', run: outOfOrder },
  { name: 'late messages from four ratchet steps back', run: lateAcrossSteps },
  { name: `${SKIPPED} skipped, then delivered`, run: longSkip },
  { name: 'tampered and truncated messages refused', run: tampering },
  { name: 'replays refused as duplicate_message', run: replay },
  { name: 'new session from a new bundle; late messages of the old one', run: reestablish },
  { name: 'simultaneous initiation', run: simultaneousInitiation },
  { name: 'forged bundles and a new identity refused', run: bundleRefusals },
  { name: 'a pre-key message with a new identity refused until trusted', run: identityChange },
  { name: `SPQR epochs: ${2 * SPQR_ROUNDS} messages reach epoch ${SPQR_MIN_EPOCH} each way`, run: spqrEpochs, applies: runsSpqr },
]);

/** The scenarios that apply to a `version` session between the endpoints. */
const scenariosFor = (initiator, responder, version) =>
  SCENARIOS.filter((scenario) => !scenario.applies || scenario.applies(initiator, responder, version));

module.exports = {
  SCENARIOS,
  scenariosFor,
  spqrEpochs,
  PING_PONG_SIZES,
  SKIPPED,
  handshake,
  pingPong,
  preKeyMessagesBeforeReply,
  outOfOrder,
  lateAcrossSteps,
  longSkip,
  tampering,
  replay,
  reestablish,
  simultaneousInitiation,
  bundleRefusals,
  identityChange,
};
