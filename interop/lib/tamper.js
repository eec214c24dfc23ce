'use strict';
// Damaged copies of genuine messages, one per class of damage, each with
// the error code a correct receiver answers. Every one must be refused
// without changing the receiver's state.

const {
  MAC_LENGTH,
  SIGNAL_MESSAGE,
  PRE_KEY_SIGNAL_MESSAGE,
  parseSignalMessage,
  parsePreKeySignalMessage,
  varintAt,
  withVarint,
  flipped,
  withByte,
} = require('./wire');

/**
 * Version bytes that no receiver of a `version` session accepts: an old
 * version, nonsense and, if `otherVersion`, the other session version.
 * (The low nibble, the sender's highest version, is kept where it is not
 * the point.)
 */
function badVersionBytes(versionByte, version, { otherVersion }) {
  const old = 0x20 | (versionByte & 0x0f);
  const variants = [
    [`version byte 0x${old.toString(16)} (version 2)`, old],
    ['version byte 0xff', 0xff],
    ['version byte 0x00', 0x00],
  ];
  if (otherVersion) {
    const other = version === 3 ? 0x44 : 0x33;
    variants.push([`version byte 0x${other.toString(16)} (the other session version)`, other]);
  }
  return variants;
}

/** Shortened and lengthened copies: no prefix of a message, nor a longer one, is a message. */
function truncations(message) {
  return [
    ['empty', Buffer.alloc(0)],
    ['the version byte alone', message.subarray(0, 1)],
    ['the last byte cut', message.subarray(0, message.length - 1)],
    [`the last ${MAC_LENGTH} bytes cut`, message.subarray(0, message.length - MAC_LENGTH)],
    ['cut in half', message.subarray(0, message.length >> 1)],
    ['a byte appended', Buffer.concat([message, Buffer.from([0])])],
  ];
}

/**
 * Damaged copies of a SignalMessage ("whisper") of a `version` session.
 * @param {Buffer} message a genuine message
 * @param {number} version its session version
 * @returns {{what: string, bytes: Buffer, code: string}[]}
 */
function whisperTamperings(message, version) {
  const { version: versionByte, bodyEnd, fields } = parseSignalMessage(message);
  const ratchetKey = fields.get(SIGNAL_MESSAGE.ratchetKey);
  const counter = fields.get(SIGNAL_MESSAGE.counter);
  const ciphertext = fields.get(SIGNAL_MESSAGE.ciphertext);
  const pqRatchet = fields.get(SIGNAL_MESSAGE.pqRatchet);
  const middle = (span) => (span.valueStart + span.end) >> 1;
  const variants = [
    ...badVersionBytes(versionByte, version, { otherVersion: true })
      .map(([what, byte]) => [what, withByte(message, 0, byte)]),
    ['ratchet key: type byte changed', flipped(message, ratchetKey.valueStart)],
    ['ratchet key: a middle byte changed', flipped(message, middle(ratchetKey))],
    // Counters are under the MAC; a raised one must not leave skipped keys behind.
    ['counter raised by one', withVarint(message, counter, varintAt(message, counter) + 1)],
    ['counter raised by 1000', withVarint(message, counter, varintAt(message, counter) + 1000)],
    // libsignal refuses a jump of more than 25,000 before deriving any key.
    ['counter raised by 30000', withVarint(message, counter, varintAt(message, counter) + 30000)],
    ['ciphertext: tag turned into another wire type', flipped(message, ciphertext.start, 0x07)],
    ['ciphertext: first byte changed', flipped(message, ciphertext.valueStart)],
    ['ciphertext: a middle byte changed', flipped(message, middle(ciphertext))],
    ['ciphertext: last byte changed', flipped(message, ciphertext.end - 1)],
    ...Array.from({ length: MAC_LENGTH }, (_, i) => [`MAC byte ${i} changed`, flipped(message, bodyEnd + i, 0x80)]),
    ...truncations(message),
  ];
  // The SPQR message is under the MAC too: whatever the receiver's SPQR
  // makes of a damaged one, the message must be refused and change nothing.
  if (pqRatchet && pqRatchet.end > pqRatchet.valueStart) {
    variants.push(
      ['pq_ratchet: SPQR version byte changed', flipped(message, pqRatchet.valueStart, 0x02)],
      ['pq_ratchet: epoch changed', flipped(message, pqRatchet.valueStart + 1)],
      ['pq_ratchet: key index changed', flipped(message, pqRatchet.valueStart + 2)],
      ['pq_ratchet: a middle byte changed', flipped(message, middle(pqRatchet))],
      ['pq_ratchet: last byte changed', flipped(message, pqRatchet.end - 1)],
      ['pq_ratchet: removed', Buffer.concat([message.subarray(0, pqRatchet.start), message.subarray(pqRatchet.end)])],
    );
  }
  return variants.map(([what, bytes]) => ({ what, bytes, code: 'invalid_message' }));
}

/**
 * Damaged copies of a PreKeySignalMessage ("prekey") of a `version`
 * session that names a one-time pre-key.
 * @param {Buffer} message a genuine message
 * @param {number} version its session version
 * @returns {{what: string, bytes: Buffer, code: string}[]}
 */
function preKeyTamperings(message, version) {
  const { version: versionByte, fields, inner } = parsePreKeySignalMessage(message);
  const middle = (span) => (span.valueStart + span.end) >> 1;
  const baseKey = fields.get(PRE_KEY_SIGNAL_MESSAGE.baseKey);
  const identityKey = fields.get(PRE_KEY_SIGNAL_MESSAGE.identityKey);
  const preKeyId = fields.get(PRE_KEY_SIGNAL_MESSAGE.preKeyId);
  const signedPreKeyId = fields.get(PRE_KEY_SIGNAL_MESSAGE.signedPreKeyId);
  // The outer version byte of a pre-key message is outside the MAC, and
  // libsignal 0.72 takes a PQXDH message framed as version 3 at its word
  // (0.90 refuses it); only an X3DH message framed as version 4, which
  // then lacks its Kyber fields, must be refused by every release.
  const variants = [
    ...badVersionBytes(versionByte, version, { otherVersion: version === 3 })
      .map(([what, byte]) => [what, withByte(message, 0, byte)]),
    ['base key: a middle byte changed', flipped(message, middle(baseKey))],
    ['identity key: a middle byte changed', flipped(message, middle(identityKey))],
    ['inner message: version byte 0x23', withByte(message, inner.valueStart, 0x23)],
    ['inner message: a middle byte changed', flipped(message, middle(inner))],
    ['inner message: last MAC byte changed', flipped(message, inner.end - 1, 0x80)],
    ...truncations(message).filter(([what]) => what !== 'a byte appended'),
  ];
  const kyberCiphertext = fields.get(PRE_KEY_SIGNAL_MESSAGE.kyberCiphertext);
  if (kyberCiphertext) {
    // Decapsulation of a damaged ciphertext yields the implicit-rejection
    // secret, so the session keys, and then the MAC, come out wrong.
    variants.push(['Kyber ciphertext: a middle byte changed', flipped(message, middle(kyberCiphertext))]);
  }
  const refusals = variants.map(([what, bytes]) => ({ what, bytes, code: 'invalid_message' }));
  refusals.push({
    what: 'an unknown one-time pre-key id',
    bytes: withVarint(message, preKeyId, varintAt(message, preKeyId) + 1000),
    code: 'invalid_prekey',
  });
  refusals.push({
    what: 'an unknown signed pre-key id',
    bytes: withVarint(message, signedPreKeyId, varintAt(message, signedPreKeyId) + 1000),
    code: 'invalid_prekey',
  });
  return refusals;
}

/** A copy of a SignalMessage with its counter raised by `delta` (its MAC then fails). */
function withCounterRaised(message, delta) {
  const counter = parseSignalMessage(message).fields.get(SIGNAL_MESSAGE.counter);
  return withVarint(message, counter, varintAt(message, counter) + delta);
}

module.exports = { whisperTamperings, preKeyTamperings, withCounterRaised };
