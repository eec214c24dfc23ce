'use strict';
// Just enough of libsignal's message framing to damage messages precisely:
// a version byte, a protobuf body and, for a SignalMessage, an 8-byte
// truncated MAC.
//
//   SignalMessage        version | body (ratchet_key 1, counter 2,
//                        previous_counter 3, ciphertext 4, pq_ratchet 5,
//                        addresses 6) | mac[8]
//   PreKeySignalMessage  version | body (pre_key_id 1, base_key 2,
//                        identity_key 3, message 4, registration_id 5,
//                        signed_pre_key_id 6, kyber_pre_key_id 7,
//                        kyber_ciphertext 8)
//
// Offsets returned here are absolute: indexes into the whole message.
//
// pq_ratchet holds an SPQR message (docs/spqr.md 1.7): version byte 1 |
// epoch (varint) | key index (varint) | payload type (1 byte) | [chunk index
// (varint) | 32 bytes]; empty (or absent) for a session without SPQR.

const MAC_LENGTH = 8;

const SIGNAL_MESSAGE = Object.freeze({
  ratchetKey: 1, counter: 2, previousCounter: 3, ciphertext: 4, pqRatchet: 5, addresses: 6,
});

/** SPQR payload types, by their byte. */
const SPQR_PAYLOAD_TYPES = Object.freeze(['None', 'Hdr', 'Ek', 'EkCt1Ack', 'Ct1Ack', 'Ct1', 'Ct2']);
const PRE_KEY_SIGNAL_MESSAGE = Object.freeze({
  preKeyId: 1, baseKey: 2, identityKey: 3, message: 4, registrationId: 5, signedPreKeyId: 6,
  kyberPreKeyId: 7, kyberCiphertext: 8,
});

const VARINT = 0;
const LENGTH_DELIMITED = 2;

/**
 * Reads the varint at `offset`.
 * @returns {{value: number, end: number}}
 */
function readVarint(bytes, offset, limit = bytes.length) {
  let value = 0;
  for (let shift = 0, at = offset; at < limit && shift < 64; shift += 7, at += 1) {
    value += (bytes[at] & 0x7f) * 2 ** shift;
    if ((bytes[at] & 0x80) === 0) return { value, end: at + 1 };
  }
  throw new Error(`truncated varint at ${offset}`);
}

/** The protobuf encoding of the unsigned integer `value`. */
function encodeVarint(value) {
  const out = [];
  let rest = value;
  while (rest >= 0x80) {
    out.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  out.push(rest);
  return Buffer.from(out);
}

/**
 * The top-level fields of the protobuf message in bytes [start, end).
 * @returns {Map<number, {start: number, valueStart: number, end: number, wireType: number}>}
 *   by field number: where the field starts (its tag), where its value
 *   starts (after any length prefix) and where it ends
 */
function protobufFields(bytes, start, end) {
  const fields = new Map();
  let at = start;
  while (at < end) {
    const tag = readVarint(bytes, at, end);
    const number = Math.floor(tag.value / 8);
    const wireType = tag.value % 8;
    let valueStart = tag.end;
    let fieldEnd;
    if (wireType === VARINT) {
      fieldEnd = readVarint(bytes, tag.end, end).end;
    } else if (wireType === LENGTH_DELIMITED) {
      const length = readVarint(bytes, tag.end, end);
      valueStart = length.end;
      fieldEnd = length.end + length.value;
      if (fieldEnd > end) throw new Error(`field ${number} runs past the end`);
    } else {
      throw new Error(`unexpected wire type ${wireType} at ${at}`);
    }
    fields.set(number, { start: at, valueStart, end: fieldEnd, wireType });
    at = fieldEnd;
  }
  return fields;
}

/**
 * Parses a serialized SignalMessage.
 * @param {Buffer} message
 * @returns {{version: number, bodyEnd: number, fields: Map}} the version
 *   byte, where the MAC starts, and the body's fields
 */
function parseSignalMessage(message) {
  const bodyEnd = message.length - MAC_LENGTH;
  return { version: message[0], bodyEnd, fields: protobufFields(message, 1, bodyEnd) };
}

/**
 * Parses a serialized PreKeySignalMessage; `inner` is its SignalMessage.
 * @param {Buffer} message
 */
function parsePreKeySignalMessage(message) {
  const fields = protobufFields(message, 1, message.length);
  const inner = fields.get(PRE_KEY_SIGNAL_MESSAGE.message);
  return { version: message[0], fields, inner };
}

/**
 * The SPQR message of a SignalMessage ("whisper") or of the one a
 * PreKeySignalMessage embeds, or null if it carries none.
 * @param {Buffer} message the whole serialized message
 * @param {'whisper'|'prekey'} type
 * @returns {{bytes: Buffer, version: number, epoch: number, index: number, payload: string}|null}
 */
function spqrMessageOf(message, type) {
  let signal = message;
  if (type === 'prekey') {
    const { inner } = parsePreKeySignalMessage(message);
    signal = message.subarray(inner.valueStart, inner.end);
  }
  const span = parseSignalMessage(signal).fields.get(SIGNAL_MESSAGE.pqRatchet);
  if (!span || span.end === span.valueStart) return null;
  const bytes = signal.subarray(span.valueStart, span.end);
  const epoch = readVarint(bytes, 1);
  const index = readVarint(bytes, epoch.end);
  if (index.end >= bytes.length) throw new Error(`SPQR message ${bytes.toString('hex')} lacks its payload type`);
  const payload = SPQR_PAYLOAD_TYPES[bytes[index.end]] ?? `unknown (${bytes[index.end]})`;
  return { bytes, version: bytes[0], epoch: epoch.value, index: index.value, payload };
}

/** The value of the varint field `span` of `message`. */
function varintAt(message, span) {
  return readVarint(message, span.valueStart, span.end).value;
}

/** A copy of `message` with the varint field `span` set to `value`. */
function withVarint(message, span, value) {
  return Buffer.concat([message.subarray(0, span.valueStart), encodeVarint(value), message.subarray(span.end)]);
}

/** A copy of `bytes` with the byte at `index` XORed with `mask`. */
function flipped(bytes, index, mask = 0x01) {
  const copy = Buffer.from(bytes);
  copy[index] ^= mask;
  return copy;
}

/** A copy of `bytes` whose byte at `index` is `value`. */
function withByte(bytes, index, value) {
  const copy = Buffer.from(bytes);
  copy[index] = value;
  return copy;
}

module.exports = {
  MAC_LENGTH,
  encodeVarint,
  SIGNAL_MESSAGE,
  PRE_KEY_SIGNAL_MESSAGE,
  parseSignalMessage,
  parsePreKeySignalMessage,
  spqrMessageOf,
  varintAt,
  withVarint,
  flipped,
  withByte,
};
