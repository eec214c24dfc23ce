'use strict';
// Writes test_vectors/{certificates,sealed_sender_v1,sealed_sender_v2}.json
// from two sources:
//   - cases computed by cliquet (`cliquet-vectors generate CATEGORY`, flag
//     Cliquet), each replayed here through libsignal 0.103.0, which must
//     agree: valid cases open, parse and validate in libsignal to the same
//     values; invalid ones are refused by libsignal too;
//   - cases computed by libsignal 0.103.0 through its Node binding (flag
//     Libsignal): certificates, version 1 envelopes and version 2 messages
//     it sealed, and mutations of them it refuses.
// Finally it runs `cliquet-vectors verify` on what it wrote.
//
// Usage (from anywhere; packages are loaded from interop/node_modules):
//   node test_vectors/generate/sealed_libsignal.js --cliquet-vectors PATH [--out DIR] [--keep-libsignal]
// PATH defaults to $CLIQUET_VECTORS; DIR to test_vectors/. libsignal draws
// its own randomness (ephemeral keys, signatures), so reruns differ in the
// Libsignal cases; with --keep-libsignal they take the Libsignal cases of
// the files already in DIR instead (replayed through libsignal like
// cliquet's), so that a rerun after a change to cliquet's cases is
// deterministic and changes only those.

const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const nodeCrypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { createRequire } = require('node:module');
const { parseGeneratorArgs, hex, unhex, toFormatV2 } = require('./cli');

const interopRequire = createRequire(path.resolve(__dirname, '../../interop/package.json'));
const signal = interopRequire('@signalapp/libsignal-client');
const SentMessage = interopRequire('@signalapp/libsignal-client/dist/SealedSenderMultiRecipientMessage.js').default;

const GENERATOR = 'cliquet test_vectors/generate/sealed_libsignal.js 1';
const LIBSIGNAL_NOTE =
  'Computed by the official libsignal 0.103.0 (npm @signalapp/libsignal-client) through its Node binding; ' +
  'invalid cases are refused by it too.';
const CLIQUET_NOTE_SUFFIX =
  ' Replayed through libsignal 0.103.0 by test_vectors/generate/sealed_libsignal.js, which agrees.';

// ---- helpers --------------------------------------------------------------------

const EXPIRATION = 1_800_000_000_000;

function testCase(comment, valid, flags, fields) {
  return { tcId: 0, comment, flags, ...fields, result: valid ? 'valid' : 'invalid' };
}

function flip(bytes, index, mask = 0x01) {
  const copy = new Uint8Array(bytes);
  copy[index] ^= mask;
  return copy;
}

async function rejects(promiseOrFunction) {
  try {
    await (typeof promiseOrFunction === 'function' ? promiseOrFunction() : promiseOrFunction);
  } catch {
    return true;
  }
  return false;
}

class IdentityStore extends signal.IdentityKeyStore {
  constructor(pair, registrationId = 1) {
    super();
    this.pair = pair;
    this.registrationId = registrationId;
    this.known = new Map();
  }
  async getIdentityKey() { return this.pair.privateKey; }
  async getLocalRegistrationId() { return this.registrationId; }
  async saveIdentity(address, key) {
    this.known.set(address.toString(), key);
    return signal.IdentityChange.NewOrUnchanged;
  }
  async isTrustedIdentity() { return true; }
  async getIdentity(address) { return this.known.get(address.toString()) ?? null; }
}

class SessionStore extends signal.SessionStore {
  constructor() {
    super();
    this.records = new Map();
  }
  async saveSession(address, record) { this.records.set(address.toString(), record.serialize()); }
  async getSession(address) {
    const bytes = this.records.get(address.toString());
    return bytes ? signal.SessionRecord.deserialize(bytes) : null;
  }
  async getExistingSessions(addresses) { return Promise.all(addresses.map((a) => this.getSession(a))); }
}

const identityFromPrivate = (privateHex) => {
  const privateKey = signal.PrivateKey.deserialize(unhex(privateHex));
  return new signal.IdentityKeyPair(privateKey.getPublicKey(), privateKey);
};

// Opens as libsignal's client does: decrypt to content, then (if the case
// names a trust root) validate the certificate. Resolves to the content's
// bytes, or null when libsignal refuses.
async function libsignalOpen(test, field) {
  try {
    const store = new IdentityStore(identityFromPrivate(test.recipientIdentityPrivate));
    const usmc = await signal.sealedSenderDecryptToUsmc(unhex(test[field]), store);
    if (test.trustRoot !== undefined) {
      const root = signal.PublicKey.deserialize(unhex(test.trustRoot));
      if (!usmc.senderCertificate().validate(root, test.timestamp)) return null;
    }
    return hex(usmc.serialize());
  } catch {
    return null;
  }
}

// libsignal's fan-out in the vectors' form, recipients in the order given.
function libsignalFanout(sentBytes, order) {
  const parsed = new SentMessage(Buffer.from(sentBytes));
  const recipients = parsed.recipientsByServiceIdString();
  const names = order ?? Object.keys(recipients);
  assert.deepEqual([...names].sort(), Object.keys(recipients).sort());
  return {
    recipients: names.map((name) => ({
      serviceId: name,
      deviceIds: recipients[name].deviceIds,
      registrationIds: recipients[name].registrationIds,
      received: hex(parsed.messageForRecipient(recipients[name])),
    })),
    excluded: [...parsed.excludedRecipientServiceIdStrings()],
  };
}

function libsignalParses(sentBytes) {
  try {
    new SentMessage(Buffer.from(sentBytes)).recipientsByServiceIdString();
    return true;
  } catch {
    return false;
  }
}

function group(file, type) {
  const found = file.testGroups.find((g) => g.type === type);
  assert.ok(found, `${file.category} has no ${type} group`);
  return found;
}

// ---- USMC by hand -----------------------------------------------------------------
// libsignal's UnidentifiedSenderMessageContent.new takes only real messages;
// deserialize takes any content bytes and type, which the vectors need.

function varint(value) {
  const out = [];
  let v = BigInt(value);
  while (v >= 0x80n) {
    out.push(Number((v & 0x7fn) | 0x80n));
    v >>= 7n;
  }
  out.push(Number(v));
  return Buffer.from(out);
}
const varintField = (number, value) => Buffer.concat([varint(number << 3), varint(value)]);
const bytesField = (number, bytes) => Buffer.concat([varint((number << 3) | 2), varint(bytes.length), Buffer.from(bytes)]);

function usmc({ protoType, certificate, content, hint, groupId }) {
  const parts = [varintField(1, protoType), bytesField(2, certificate), bytesField(3, content)];
  if (hint) parts.push(varintField(4, hint));
  if (groupId) parts.push(bytesField(5, groupId));
  return signal.UnidentifiedSenderMessageContent.deserialize(new Uint8Array(Buffer.concat(parts)));
}

// ---- replaying cliquet's cases through libsignal ---------------------------------------

async function replayCertificates(file) {
  for (const test of group(file, 'CertificateCreateTest').tests) {
    const root = signal.PrivateKey.deserialize(unhex(test.trustRootPrivate)).getPublicKey();
    const server = signal.ServerCertificate.deserialize(unhex(test.serverCertificate));
    assert.equal(server.keyId(), test.keyId);
    assert.ok(root.verify(server.certificateData(), server.signature()));
    const sender = signal.SenderCertificate.deserialize(unhex(test.certificate));
    assert.equal(sender.senderUuid(), test.senderUuid);
    assert.equal(sender.senderE164(), test.senderE164);
    assert.equal(sender.senderDeviceId(), test.senderDeviceId);
    assert.equal(sender.expiration(), test.expiration);
    assert.equal(hex(sender.key().serialize()), test.senderIdentityKey);
    assert.ok(sender.validate(root, test.expiration), `libsignal refused: ${test.comment}`);
  }
  for (const test of group(file, 'ServerCertificateTest').tests) {
    let accepted;
    try {
      const server = signal.ServerCertificate.deserialize(unhex(test.certificate));
      const root = signal.PublicKey.deserialize(unhex(test.trustRoot));
      // libsignal exposes a server certificate's check only through sender
      // certificates; its revocation list is checked there (see below).
      accepted = root.verify(server.certificateData(), server.signature()) && server.keyId() !== 0xDEADC357;
      if (test.result === 'valid') {
        assert.equal(server.keyId(), test.keyId);
        assert.equal(hex(server.key().serialize()), test.serverKey);
      }
    } catch {
      accepted = false;
    }
    assert.equal(accepted, test.result === 'valid', `libsignal disagrees: ${test.comment}`);
  }
  for (const test of group(file, 'SenderCertificateTest').tests) {
    let accepted;
    try {
      const certificate = signal.SenderCertificate.deserialize(unhex(test.certificate));
      accepted = certificate.validate(signal.PublicKey.deserialize(unhex(test.trustRoot)), test.timestamp);
      if (test.result === 'valid') {
        assert.equal(certificate.senderUuid(), test.senderUuid);
        assert.equal(certificate.senderE164(), test.senderE164);
        assert.equal(certificate.senderDeviceId(), test.senderDeviceId);
        assert.equal(hex(certificate.key().serialize()), test.senderIdentityKey);
        assert.equal(certificate.expiration(), test.expiration);
      }
    } catch {
      accepted = false;
    }
    assert.equal(accepted, test.result === 'valid', `libsignal disagrees: ${test.comment}`);
  }
}

async function replayV1(file) {
  for (const test of group(file, 'SealV1Test').tests) {
    assert.equal(await libsignalOpen(test, 'envelope'), test.content, `libsignal disagrees: ${test.comment}`);
  }
  for (const test of group(file, 'OpenV1Test').tests) {
    const opened = await libsignalOpen(test, 'envelope');
    assert.equal(opened, test.result === 'valid' ? test.content : null, `libsignal disagrees: ${test.comment}`);
  }
}

async function replayV2(file) {
  for (const test of group(file, 'SealV2Test').tests) {
    const fanout = libsignalFanout(unhex(test.sent), test.recipients.map((r) => r.serviceId));
    test.recipients.forEach((r, i) => {
      assert.deepEqual(fanout.recipients[i].deviceIds, r.devices.map((d) => d.deviceId));
      assert.deepEqual(fanout.recipients[i].registrationIds, r.devices.map((d) => d.registrationId));
    });
    assert.deepEqual(fanout.excluded, test.excluded);
  }
  for (const test of group(file, 'FanoutTest').tests) {
    if (test.result === 'valid') {
      assert.deepEqual(libsignalFanout(unhex(test.sent), test.recipients.map((r) => r.serviceId)),
        { recipients: test.recipients, excluded: test.excluded }, `libsignal disagrees: ${test.comment}`);
    } else {
      assert.equal(libsignalParses(unhex(test.sent)), false, `libsignal accepts: ${test.comment}`);
    }
  }
  for (const test of group(file, 'OpenV2Test').tests) {
    const opened = await libsignalOpen(test, 'received');
    assert.equal(opened, test.result === 'valid' ? test.content : null, `libsignal disagrees: ${test.comment}`);
  }
}

// ---- libsignal's own cases ---------------------------------------------------------------

function libsignalWorld() {
  const root = signal.PrivateKey.generate();
  const serverKey = signal.PrivateKey.generate();
  const server = signal.ServerCertificate.new(0x51, serverKey.getPublicKey(), root);
  const sender = signal.IdentityKeyPair.generate();
  const senderUuid = nodeCrypto.randomUUID();
  const certificate = signal.SenderCertificate.new(senderUuid, '+14155550142', 5, sender.publicKey, EXPIRATION, server, serverKey);
  return { root, serverKey, server, sender, senderUuid, certificate };
}

function libsignalCertificates(file, world) {
  const rootHex = hex(world.root.getPublicKey().serialize());
  const serverTests = group(file, 'ServerCertificateTest').tests;
  serverTests.push(testCase('made by libsignal', true, ['Libsignal'], {
    trustRoot: rootHex, certificate: hex(world.server.serialize()), keyId: 0x51,
    serverKey: hex(world.serverKey.getPublicKey().serialize()),
  }));

  const senderTests = group(file, 'SenderCertificateTest').tests;
  const identity = signal.IdentityKeyPair.generate();
  for (const e164 of [null, '+14155550177']) {
    const uuid = nodeCrypto.randomUUID();
    const certificate = signal.SenderCertificate.new(uuid, e164, 9, identity.publicKey, EXPIRATION, world.server, world.serverKey);
    assert.ok(certificate.validate(world.root.getPublicKey(), EXPIRATION));
    senderTests.push(testCase(`made by libsignal, ${e164 ? 'with' : 'without'} a phone number`, true, ['Libsignal'], {
      trustRoot: rootHex, timestamp: EXPIRATION, certificate: hex(certificate.serialize()), senderUuid: uuid,
      senderE164: e164, senderDeviceId: 9, senderIdentityKey: hex(identity.publicKey.serialize()), expiration: EXPIRATION,
    }));
  }
  const bytes = world.certificate.serialize();
  const refused = (comment, flags, certificateBytes, timestamp, trustRoot) => {
    let accepted = false;
    try {
      accepted = signal.SenderCertificate.deserialize(certificateBytes).validate(signal.PublicKey.deserialize(unhex(trustRoot)), timestamp);
    } catch {
      accepted = false;
    }
    assert.equal(accepted, false, `libsignal accepts: ${comment}`);
    senderTests.push(testCase(comment, false, ['Libsignal', ...flags], {
      trustRoot: trustRoot, timestamp, certificate: hex(certificateBytes),
    }));
  };
  refused('made by libsignal, one millisecond after its expiration', ['Expired'], bytes, EXPIRATION + 1, rootHex);
  refused('made by libsignal, another trust root', ['ForeignTrustRoot'], bytes, 0,
    hex(signal.PrivateKey.generate().getPublicKey().serialize()));
  const revokedServer = signal.ServerCertificate.new(0xDEADC357, world.serverKey.getPublicKey(), world.root);
  const revoked = signal.SenderCertificate.new(nodeCrypto.randomUUID(), null, 1, identity.publicKey, EXPIRATION, revokedServer, world.serverKey);
  refused('made by libsignal with revoked server key id 0xDEADC357', ['RevokedKeyId'], revoked.serialize(), 0, rootHex);
  for (const i of [5, 60, bytes.length - 1]) {
    refused(`made by libsignal, byte ${i} flipped`, ['BitFlip'], flip(bytes, i), 0, rootHex);
  }
}

const CONTENT_TYPES = [['prekey', 1], ['whisper', 2], ['sender_key', 7], ['plaintext', 8]];

async function libsignalV1(file, world) {
  const recipient = signal.IdentityKeyPair.generate();
  const other = signal.IdentityKeyPair.generate();
  const address = signal.ProtocolAddress.new(nodeCrypto.randomUUID(), 1);
  const store = new IdentityStore(world.sender);
  await store.saveIdentity(address, recipient.publicKey);
  const tests = group(file, 'OpenV1Test').tests;
  const rootHex = hex(world.root.getPublicKey().serialize());
  const recipientPrivate = hex(recipient.privateKey.serialize());

  let envelope;
  let i = 0;
  for (const [name, protoType] of CONTENT_TYPES) {
    for (const withExtras of [false, true]) {
      const content = usmc({
        protoType, certificate: world.certificate.serialize(), content: nodeCrypto.randomBytes(1 + 45 * i++),
        hint: withExtras ? 1 + (i % 2) : 0, groupId: withExtras ? nodeCrypto.randomBytes(32) : null,
      });
      envelope = await signal.sealedSenderEncrypt(content, address, store);
      const test = testCase(`sealed by libsignal: ${name}${withExtras ? ', with hint and group id' : ''}`, true, ['Libsignal'], {
        recipientIdentityPrivate: recipientPrivate, envelope: hex(envelope), trustRoot: rootHex, timestamp: EXPIRATION,
        content: hex(content.serialize()),
      });
      assert.equal(await libsignalOpen(test, 'envelope'), test.content);
      tests.push(test);
    }
  }
  const refused = async (comment, flags, bytes, fields = {}) => {
    const test = testCase(comment, false, ['Libsignal', ...flags], {
      recipientIdentityPrivate: recipientPrivate, envelope: hex(bytes), ...fields,
    });
    assert.equal(await libsignalOpen(test, 'envelope'), null, `libsignal accepts: ${comment}`);
    tests.push(test);
  };
  for (const p of [2, 30, 50, Math.floor(envelope.length / 2), envelope.length - 1]) {
    await refused(`sealed by libsignal, byte ${p} flipped`, ['BitFlip'], flip(envelope, p));
  }
  await refused('sealed by libsignal, another recipient', ['WrongRecipient'], envelope,
    { recipientIdentityPrivate: hex(other.privateKey.serialize()) });
  const v3 = new Uint8Array(envelope);
  v3[0] = 0x31;
  await refused('sealed by libsignal, version byte 31', ['UnknownVersion'], v3);
  await refused('sealed by libsignal, certificate expired', ['Expired'], envelope, { trustRoot: rootHex, timestamp: EXPIRATION + 1 });
  // A sender whose identity is not the certificate's key.
  const impostor = new IdentityStore(signal.IdentityKeyPair.generate());
  await impostor.saveIdentity(address, recipient.publicKey);
  const content = usmc({ protoType: 2, certificate: world.certificate.serialize(), content: nodeCrypto.randomBytes(20) });
  await refused('sealed by libsignal under another identity than the certificate names', ['SenderKeyMismatch'],
    await signal.sealedSenderEncrypt(content, address, impostor));
}

async function libsignalV2(file, world) {
  const accounts = [
    { name: nodeCrypto.randomUUID(), identity: signal.IdentityKeyPair.generate(), devices: [[1, 0x0101], [2, 0x3fff], [9, 0]] },
    { name: `PNI:${nodeCrypto.randomUUID()}`, identity: signal.IdentityKeyPair.generate(), devices: [[1, 7]] },
  ];
  const excluded = [signal.Aci.fromUuid(nodeCrypto.randomUUID()), signal.Pni.fromUuid(nodeCrypto.randomUUID())];
  const identityStore = new IdentityStore(world.sender);
  const sessionStore = new SessionStore();
  const me = signal.ProtocolAddress.new(world.senderUuid, 5);
  const addresses = [];
  for (const account of accounts) {
    for (const [deviceId, registrationId] of account.devices) {
      const address = signal.ProtocolAddress.new(account.name, deviceId);
      const signed = signal.PrivateKey.generate();
      const kyber = signal.KEMKeyPair.generate();
      const bundle = signal.PreKeyBundle.new(registrationId, deviceId, null, null, 1, signed.getPublicKey(),
        account.identity.privateKey.sign(signed.getPublicKey().serialize()), account.identity.publicKey,
        2, kyber.getPublicKey(), account.identity.privateKey.sign(kyber.getPublicKey().serialize()));
      await signal.processPreKeyBundle(bundle, address, me, sessionStore, identityStore);
      addresses.push(address);
    }
  }
  const content = usmc({
    protoType: 7, certificate: world.certificate.serialize(), content: nodeCrypto.randomBytes(200), hint: 2,
    groupId: nodeCrypto.randomBytes(16),
  });
  const sent = await signal.sealedSenderMultiRecipientEncrypt({
    content, recipients: addresses, excludedRecipients: excluded, identityStore, sessionStore,
  });
  const order = accounts.map((a) => a.name);
  const fanout = libsignalFanout(sent, order);
  const fanoutTests = group(file, 'FanoutTest').tests;
  fanoutTests.push(testCase('sealed by libsignal: an ACI with three devices, a PNI, two excluded', true, ['Libsignal'], {
    sent: hex(sent), ...fanout,
  }));
  const refusedFanout = (comment, flags, bytes) => {
    assert.equal(libsignalParses(bytes), false, `libsignal accepts: ${comment}`);
    fanoutTests.push(testCase(comment, false, ['Libsignal', ...flags], { sent: hex(bytes) }));
  };
  const v = new Uint8Array(sent);
  v[0] = 0x24;
  refusedFanout('sealed by libsignal, version byte 24', ['UnknownVersion'], v);
  refusedFanout('sealed by libsignal, truncated inside the first entry', ['Truncated'], sent.subarray(0, 40));
  const device = new Uint8Array(sent);
  device[2 + 17] = 200;
  refusedFanout('sealed by libsignal, device id 200', ['BadDeviceId'], device);

  const openTests = group(file, 'OpenV2Test').tests;
  const rootHex = hex(world.root.getPublicKey().serialize());
  accounts.forEach((account, i) => {
    openTests.push(testCase(`sealed by libsignal, received by ${i === 0 ? 'an ACI' : 'a PNI'}`, true, ['Libsignal'], {
      recipientIdentityPrivate: hex(account.identity.privateKey.serialize()), received: fanout.recipients[i].received,
      trustRoot: rootHex, timestamp: EXPIRATION, content: hex(content.serialize()),
    }));
  });
  const received = unhex(fanout.recipients[0].received);
  const refusedOpen = async (comment, flags, bytes, identity = accounts[0].identity, fields = {}) => {
    const test = testCase(comment, false, ['Libsignal', ...flags], {
      recipientIdentityPrivate: hex(identity.privateKey.serialize()), received: hex(bytes), ...fields,
    });
    assert.equal(await libsignalOpen(test, 'received'), null, `libsignal accepts: ${comment}`);
    openTests.push(test);
  };
  for (const p of [5, 40, 60, 100, received.length - 1]) {
    await refusedOpen(`sealed by libsignal, byte ${p} flipped`, ['BitFlip'], flip(received, p));
  }
  await refusedOpen('sealed by libsignal, another recipient', ['WrongRecipient'], received, accounts[1].identity);
  await refusedOpen('sealed by libsignal, certificate expired', ['Expired'], received, accounts[0].identity,
    { trustRoot: rootHex, timestamp: EXPIRATION + 1 });
  for (const test of openTests.filter((t) => t.flags.includes('Libsignal') && t.result === 'valid')) {
    assert.equal(await libsignalOpen(test, 'received'), test.content);
  }
}

// ---- files -------------------------------------------------------------------------------

// Appends to each group of `file` the Libsignal cases of the same group in the
// file at `previousPath`, which the replays then check again.
function keepLibsignalCases(file, previousPath) {
  const previous = JSON.parse(fs.readFileSync(previousPath, 'utf8'));
  for (const old of previous.testGroups) {
    group(file, old.type).tests.push(...old.tests.filter((test) => test.flags.includes('Libsignal')));
  }
}

function finish(file) {
  let id = 0;
  for (const g of file.testGroups) for (const test of g.tests) test.tcId = ++id;
  file.numberOfTests = id;
  file.generatorVersion = GENERATOR;
  file.notes.Cliquet += CLIQUET_NOTE_SUFFIX;
  file.notes.Libsignal = LIBSIGNAL_NOTE;
  return file;
}

async function main() {
  const options = parseGeneratorArgs(process.argv.slice(2), 'sealed_libsignal.js', ['--keep-libsignal']);
  const generate = (category) =>
    JSON.parse(execFileSync(options.cliquetVectors, ['generate', category], { encoding: 'utf8', maxBuffer: 64 << 20 }));
  const files = {
    certificates: generate('certificates'),
    sealed_sender_v1: generate('sealed_sender_v1'),
    sealed_sender_v2: generate('sealed_sender_v2'),
  };
  if (options.keepLibsignal) {
    for (const [category, file] of Object.entries(files)) keepLibsignalCases(file, path.join(options.out, `${category}.json`));
  }
  await replayCertificates(files.certificates);
  await replayV1(files.sealed_sender_v1);
  await replayV2(files.sealed_sender_v2);

  if (!options.keepLibsignal) {
    const world = libsignalWorld();
    libsignalCertificates(files.certificates, world);
    await libsignalV1(files.sealed_sender_v1, world);
    await libsignalV2(files.sealed_sender_v2, world);
  }

  const written = [];
  for (const [category, file] of Object.entries(files)) {
    const target = path.join(options.out, `${category}.json`);
    fs.writeFileSync(target, JSON.stringify(finish(file), null, 2) + '\n');
    toFormatV2(target);
    console.log(`${target}: ${file.numberOfTests} cases`);
    written.push(target);
  }
  const verdict = execFileSync(options.cliquetVectors, ['verify', ...written], { encoding: 'utf8' }).trim().split('\n');
  console.log(verdict[verdict.length - 1]);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
