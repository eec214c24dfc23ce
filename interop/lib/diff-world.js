'use strict';
// The genuine messages the differential fuzzer mutates, and the receiver's
// state each kind of message is fed in. Everything is made by libsignal
// 0.103 in this process: senders Alice and Carol, receiver Bob, and a server
// (trust root, server key). For each kind:
//
//   prekey       Bob has published pre-keys (a one-time EC key, a signed
//                key, a one-time and a last-resort Kyber key) and received
//                nothing; Alice's and Carol's first messages (pre-key
//                messages, several each) are the genuine inputs.
//   whisper      Bob has received Alice's and Carol's first messages and
//                one of Alice's later ones; the SignalMessages inside their
//                other messages (skipped by then, or after) are the inputs.
//   sender_key   Bob holds Alice's sender key for a group and has received
//                one of her messages; her others (skipped, or after) are
//                the inputs.
//   sealed_v1    envelopes of various contents, hints, group ids and
//   sealed_v2    certificates, to Bob (v2: Bob's received message after
//                the server's fan-out, from a message for several devices).
//   sender_certificate  certificates with and without a phone number, of
//                several device ids, from the server's key.
//   retry_request  retry requests (PlaintextContent holding a
//                DecryptionErrorMessage) for whisper, pre-key and sender-key
//                messages.

const crypto = require('node:crypto');
const lib = require('@signalapp/libsignal-client');
const SealedSenderMultiRecipientMessage =
  require('@signalapp/libsignal-client/dist/SealedSenderMultiRecipientMessage.js').default;
const { LibsignalDevice } = require('./mirror');
const { bytesField, signalMessageOf, varintField } = require('./forge');

/** The time every certificate is judged at, and when they expire. */
const NOW = 1_760_000_000_000;
const EXPIRATION = NOW + 86_400_000;

const uuidFor = (label) => {
  const digest = crypto.createHash('sha256').update(label).digest('hex');
  return `${digest.slice(0, 8)}-${digest.slice(8, 12)}-4${digest.slice(13, 16)}-8${digest.slice(17, 20)}-${digest.slice(20, 32)}`;
};

const text = (s) => Buffer.from(s);

/** A pre-key bundle of `device` from the key ids given (null: none of that kind). */
function bundleOf(device, { preKey, signedPreKey, kyberPreKey }) {
  const s = device.stores;
  const one = preKey === null ? [null, null] : [preKey, s.preKeys.records.load(preKey).publicKey()];
  const signed = s.signedPreKeys.records.load(signedPreKey);
  const kyber = s.kyberPreKeys.records.load(kyberPreKey);
  return lib.PreKeyBundle.new(device.device.registrationId, device.device.deviceId, ...one,
    signedPreKey, signed.publicKey(), signed.signature(), device.identity.getPublicKey(),
    kyberPreKey, kyber.publicKey(), kyber.signature());
}

/** Stores pre-keys for `device`: a one-time EC key, a signed key, Kyber keys. */
async function publishPreKeys(device, { preKey, signedPreKey, kyber }) {
  const s = device.stores;
  const identity = device.identity;
  if (preKey !== null) {
    const secret = lib.PrivateKey.generate();
    await s.preKeys.savePreKey(preKey, lib.PreKeyRecord.new(preKey, secret.getPublicKey(), secret));
  }
  const signedSecret = lib.PrivateKey.generate();
  const signedPublic = signedSecret.getPublicKey();
  await s.signedPreKeys.saveSignedPreKey(signedPreKey, lib.SignedPreKeyRecord.new(signedPreKey, NOW, signedPublic,
    signedSecret, identity.sign(signedPublic.serialize())));
  for (const { id, lastResort } of kyber) {
    const pair = lib.KEMKeyPair.generate();
    await s.kyberPreKeys.saveKyberPreKey(id, lib.KyberPreKeyRecord.new(id, NOW, pair,
      identity.sign(pair.getPublicKey().serialize())), lastResort);
  }
}

const encrypt = (from, to, plaintext) => lib.signalEncrypt(plaintext, to.address, from.address,
  from.stores.sessions, from.stores.identities);

/**
 * Makes every genuine input and the receiver state of each kind.
 * @returns {Promise<object>} by kind: {bob: LibsignalDevice whose stores
 *   are that kind's state, inputs: [{bytes, sender (address object),
 *   plaintext?}]}; and `trustRoot`, `serverKey`, `serverCertificate`
 */
async function makeWorld() {
  const trustRoot = lib.PrivateKey.generate();
  const serverKey = lib.PrivateKey.generate();
  const serverCertificate = lib.ServerCertificate.new(7, serverKey.getPublicKey(), trustRoot);
  const bobIdentity = lib.PrivateKey.generate();
  const bobAt = () => new LibsignalDevice({
    name: uuidFor('bob'), deviceId: 2, registrationId: 0x2b2b, identity: bobIdentity,
  });
  const alice = new LibsignalDevice({ name: uuidFor('alice'), deviceId: 1, registrationId: 0x1a1a });
  const carol = new LibsignalDevice({ name: uuidFor('carol'), deviceId: 3, registrationId: 0x0c0c });
  const addressOf = (device) => ({ name: device.device.name, device_id: device.device.deviceId });
  const world = { trustRoot, serverKey, serverCertificate, now: NOW };

  // prekey: Bob before he receives anything.
  const bob = bobAt();
  await publishPreKeys(bob, {
    preKey: 11, signedPreKey: 21, kyber: [{ id: 31, lastResort: false }, { id: 32, lastResort: true }],
  });
  await lib.processPreKeyBundle(bundleOf(bob, { preKey: 11, signedPreKey: 21, kyberPreKey: 31 }),
    bob.address, alice.address, alice.stores.sessions, alice.stores.identities);
  await lib.processPreKeyBundle(bundleOf(bob, { preKey: null, signedPreKey: 21, kyberPreKey: 32 }),
    bob.address, carol.address, carol.stores.sessions, carol.stores.identities);
  const prekeyInputs = [];
  for (const [sender, sizes] of [[alice, [0, 17, 160]], [carol, [1, 48]]]) {
    for (const size of sizes) {
      const plaintext = crypto.randomBytes(size);
      const message = await encrypt(sender, bob, plaintext);
      prekeyInputs.push({ bytes: Buffer.from(message.serialize()), sender: addressOf(sender), plaintext });
    }
  }
  const copyOf = (device) => {
    const copy = bobAt();
    copy.restore(device.snapshot());
    return copy;
  };
  world.prekey = { bob: copyOf(bob), inputs: prekeyInputs };

  // whisper: Bob's state once he has received Alice's and Carol's first
  // messages, and one of Alice's later ones out of order, so that he holds
  // the keys of the messages it skipped. Session records do not pass
  // between the two implementations (each keeps SPQR's state in its own
  // encoding, docs/storage.md), so each side reaches this state itself, from
  // the pre-key state, by decrypting those (`setup`). Bob then sends
  // nothing (a reply would start a ratchet step from a random key of one
  // side only), so the senders' later messages are still pre-key messages:
  // the SignalMessages inside are the genuine whisper messages, some of
  // them skipped by the setup, some after it.
  const whisperInputs = [];
  for (const [sender, sizes] of [[alice, [0, 5, 31, 200, 7, 64]], [carol, [3, 90]]]) {
    for (const size of sizes) {
      const plaintext = crypto.randomBytes(size);
      const message = await encrypt(sender, bob, plaintext);
      whisperInputs.push({
        bytes: signalMessageOf({ type: 'prekey', bytes: Buffer.from(message.serialize()) }),
        sender: addressOf(sender), plaintext,
      });
    }
  }
  const aliceLater = whisperInputs[3];
  world.whisper = {
    bob: copyOf(bob),
    setup: [{ kind: 'prekey', input: prekeyInputs[0] }, { kind: 'prekey', input: prekeyInputs[3] },
      { kind: 'whisper', input: aliceLater }],
    inputs: whisperInputs.filter((input) => input !== aliceLater),
  };

  // sender_key: Bob holds Alice's sender key, and has received one of her
  // later messages, so that he holds the keys of those it skipped.
  const member = bobAt();
  const distributionId = uuidFor('group');
  const skdm = await lib.SenderKeyDistributionMessage.create(alice.address, distributionId, alice.stores.senderKeys);
  await lib.processSenderKeyDistributionMessage(alice.address, skdm, member.stores.senderKeys);
  const groupInputs = [];
  for (const size of [0, 9, 64, 300, 5, 17]) {
    const plaintext = crypto.randomBytes(size);
    const message = await lib.groupEncrypt(alice.address, distributionId, alice.stores.senderKeys, plaintext);
    groupInputs.push({ bytes: Buffer.from(message.serialize()), sender: addressOf(alice), plaintext });
  }
  world.sender_key = {
    bob: member,
    setup: [{ kind: 'sender_key', input: groupInputs[3] }],
    inputs: groupInputs.filter((_, i) => i !== 3),
  };

  // sender_certificate, and the contents sealed below.
  const certificateCases = [
    { uuid: alice.device.name, e164: null, deviceId: 1, key: alice.identity.getPublicKey() },
    { uuid: alice.device.name, e164: '+447700900123', deviceId: 1, key: alice.identity.getPublicKey() },
    { uuid: carol.device.name, e164: '+14155550123', deviceId: 3, key: carol.identity.getPublicKey() },
    { uuid: uuidFor('dave'), e164: '+33612345678', deviceId: 127, key: lib.PrivateKey.generate().getPublicKey() },
  ];
  const certificates = certificateCases.map((c) => lib.SenderCertificate.new(c.uuid, c.e164, c.deviceId, c.key,
    EXPIRATION, serverCertificate, serverKey));
  world.sender_certificate = {
    bob: bobAt(),
    inputs: certificates.map((c) => ({ bytes: Buffer.from(c.serialize()), sender: null })),
  };

  // sealed_v1 and sealed_v2: Bob's identity only.
  // Contents as the USMC protobuf carries them (type 1 pre-key, 2 whisper,
  // 7 sender key), built by hand: libsignal's constructor takes only some
  // message classes.
  const usmcBytes = (type, certificate, content, hint, groupId) => Buffer.concat([
    varintField(1, type), bytesField(2, Buffer.from(certificate.serialize())), bytesField(3, content),
    ...(hint ? [varintField(4, hint)] : []), ...(groupId ? [bytesField(5, groupId)] : []),
  ]);
  const usmcs = [
    usmcBytes(2, certificates[0], whisperInputs[1].bytes, 0, null),
    usmcBytes(1, certificates[1], prekeyInputs[0].bytes, 1, null),  // Alice's, with a phone number
    usmcBytes(7, certificates[0], groupInputs[1].bytes, 2, crypto.randomBytes(32)),
  ].map((bytes) => lib.UnidentifiedSenderMessageContent.deserialize(bytes));
  const sealer = alice.stores.identities;
  await sealer.saveIdentity(bob.address, bobIdentity.getPublicKey());
  // Sealing, for genuine inputs and for mutants of the content inside
  // (lib/differential.js): a content libsignal parses is sealed as it is.
  const sealV1 = async (usmc) => Buffer.from(await lib.sealedSenderEncrypt(usmc, bob.address, sealer));
  // Version 2 goes to Bob and a second device of his, so the sent message
  // holds two; Bob's share is what the server forwards him.
  const bobOther = new LibsignalDevice({ name: bob.device.name, deviceId: 5, registrationId: 0x0505, identity: bobIdentity });
  await publishPreKeys(bobOther, { preKey: 41, signedPreKey: 42, kyber: [{ id: 43, lastResort: true }] });
  await lib.processPreKeyBundle(bundleOf(bobOther, { preKey: 41, signedPreKey: 42, kyberPreKey: 43 }),
    bobOther.address, alice.address, alice.stores.sessions, alice.stores.identities);
  const sealV2 = async (usmc) => {
    const sent = await lib.sealedSenderMultiRecipientEncrypt({
      content: usmc, recipients: [bob.address, bobOther.address], excludedRecipients: [],
      identityStore: alice.stores.identities, sessionStore: alice.stores.sessions,
    });
    const parsed = new SealedSenderMultiRecipientMessage(Buffer.from(sent));
    return Buffer.from(parsed.messageForRecipient(parsed.recipientsByServiceIdString()[bob.device.name]));
  };
  const contents = usmcs.map((usmc) => Buffer.from(usmc.serialize()));
  for (const [kind, seal] of [['sealed_v1', sealV1], ['sealed_v2', sealV2]]) {
    const inputs = [];
    for (const usmc of usmcs) inputs.push({ bytes: await seal(usmc), sender: null });
    world[kind] = { bob: bobAt(), inputs, contents, seal };
  }
  // retry_request: what a receiver sends back for a message it could not
  // decrypt (a PlaintextContent holding a DecryptionErrorMessage), for
  // whisper, pre-key and sender-key messages.
  const originals = [
    [whisperInputs[0].bytes, lib.CiphertextMessageType.Whisper, NOW - 1000, 1],
    [prekeyInputs[1].bytes, lib.CiphertextMessageType.PreKey, NOW, 3],
    [groupInputs[0].bytes, lib.CiphertextMessageType.SenderKey, 2 ** 40, 127],
  ];
  world.retry_request = {
    bob: bobAt(),
    inputs: originals.map(([bytes, type, timestamp, deviceId]) => ({
      bytes: Buffer.from(lib.PlaintextContent.from(lib.DecryptionErrorMessage.forOriginal(bytes, type, timestamp,
        deviceId)).serialize()),
      sender: null,
    })),
  };
  return world;
}

module.exports = { makeWorld, NOW };
