'use strict';
// What an attacker who sees messages in transit can build from public data
// alone: pre-key envelopes around genuine messages, and the addresses a
// message binds (libsignal's SignalMessage field 6), spelled out from their
// layout: for the sender then the recipient, the service id in its
// fixed-width form (kind byte 0x00 for an ACI, 0x01 for a PNI, then the 16
// UUID bytes) and the device id as one byte.

const crypto = require('node:crypto');
const {
  PRE_KEY_SIGNAL_MESSAGE, SIGNAL_MESSAGE, encodeVarint: varint, parsePreKeySignalMessage, parseSignalMessage,
} = require('./wire');

const LENGTH_DELIMITED = 2;
const VARINT = 0;

const varintField = (number, value) => Buffer.concat([varint(number * 8 + VARINT), varint(value)]);
const bytesField = (number, bytes) =>
  Buffer.concat([varint(number * 8 + LENGTH_DELIMITED), varint(bytes.length), Buffer.from(bytes)]);

/** A fresh, valid-looking X25519 public key as libsignal serializes it. */
function randomPublicKey() {
  const { publicKey } = crypto.generateKeyPairSync('x25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  return Buffer.concat([Buffer.from([0x05]), raw]);
}

/** A Kyber1024 ciphertext with its type byte, of random bytes. */
function randomKyberCiphertext() {
  return Buffer.concat([Buffer.from([0x08]), crypto.randomBytes(1568)]);
}

/**
 * A version-4 PreKeySignalMessage around `message` (a serialized
 * SignalMessage), with every envelope field as given. The envelope is under
 * no MAC, so anyone can write one.
 */
function preKeyEnvelope({ message, identityKey, baseKey, preKeyId = null, signedPreKeyId, kyberPreKeyId,
  kyberCiphertext = randomKyberCiphertext(), registrationId = 4242 }) {
  const F = PRE_KEY_SIGNAL_MESSAGE;
  const fields = [];
  if (preKeyId !== null) fields.push(varintField(F.preKeyId, preKeyId));
  fields.push(bytesField(F.baseKey, baseKey));
  fields.push(bytesField(F.identityKey, identityKey));
  fields.push(bytesField(F.message, message));
  fields.push(varintField(F.registrationId, registrationId));
  fields.push(varintField(F.signedPreKeyId, signedPreKeyId));
  fields.push(varintField(F.kyberPreKeyId, kyberPreKeyId));
  fields.push(bytesField(F.kyberCiphertext, kyberCiphertext));
  return Buffer.concat([Buffer.from([0x44]), ...fields]);
}

/** The base key a pre-key message names. */
function baseKeyOf(preKeyMessage) {
  const { fields } = parsePreKeySignalMessage(preKeyMessage);
  const span = fields.get(PRE_KEY_SIGNAL_MESSAGE.baseKey);
  return preKeyMessage.subarray(span.valueStart, span.end);
}

/** The SignalMessage a pre-key message carries, or the message itself. */
function signalMessageOf({ type, bytes }) {
  if (type !== 'prekey') return bytes;
  const { inner } = parsePreKeySignalMessage(bytes);
  return bytes.subarray(inner.valueStart, inner.end);
}

/** The `addresses` field of a message ({type, bytes}), or null if it has none. */
function addressesOf(message) {
  const signal = signalMessageOf(message);
  const span = parseSignalMessage(signal).fields.get(SIGNAL_MESSAGE.addresses);
  return span ? signal.subarray(span.valueStart, span.end) : null;
}

/** The sender ratchet key of a message ({type, bytes}): 33 bytes. */
function ratchetKeyOf(message) {
  const signal = signalMessageOf(message);
  const span = parseSignalMessage(signal).fields.get(SIGNAL_MESSAGE.ratchetKey);
  return signal.subarray(span.valueStart, span.end);
}

/** The fixed-width form of a service id string ("<uuid>" or "PNI:<uuid>"). */
function serviceIdFixedWidth(name) {
  const pni = name.startsWith('PNI:');
  const uuid = Buffer.from((pni ? name.slice(4) : name).replaceAll('-', ''), 'hex');
  if (uuid.length !== 16) throw new Error(`${name} is not a service id`);
  return Buffer.concat([Buffer.from([pni ? 0x01 : 0x00]), uuid]);
}

/** What a message from `sender` to `recipient` (addresses {name, device_id}) binds. */
function expectedAddresses(sender, recipient) {
  return Buffer.concat([
    serviceIdFixedWidth(sender.name), Buffer.from([sender.device_id]),
    serviceIdFixedWidth(recipient.name), Buffer.from([recipient.device_id]),
  ]);
}

module.exports = {
  bytesField,
  varintField,
  randomPublicKey,
  randomKyberCiphertext,
  preKeyEnvelope,
  baseKeyOf,
  signalMessageOf,
  addressesOf,
  ratchetKeyOf,
  expectedAddresses,
};
