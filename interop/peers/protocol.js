'use strict';
// The peer protocol's framing, request reading and op dispatch
// (/work/shared/spec/PEER_PROTOCOL.md), independent of the library behind
// it. A backend supplies the ops it offers as async functions of validated
// parameters; this module turns each request line into exactly one response
// line and each failure into one of the protocol's error codes.

const readline = require('node:readline');

/** Every op of the peer protocol, version 1.1. */
const PROTOCOL_OPS = Object.freeze([
  'init', 'sign', 'verify', 'capabilities', 'prekey_bundle', 'process_bundle', 'trust', 'encrypt',
  'decrypt', 'fingerprint', 'server_certificate', 'sender_certificate', 'validate_sender_certificate',
  'seal', 'seal_multi', 'fanout', 'unseal', 'group_start', 'group_join', 'group_encrypt',
  'group_decrypt', 'kem_keygen', 'kem_encapsulate', 'kem_decapsulate',
  'archive_session', 'delete_session', 'session_usable', 'retry_request', 'read_retry_request',
]);

/** The error codes a response may carry. */
const ERROR_CODES = Object.freeze([
  'bad_request', 'unknown_op', 'unsupported', 'invalid_key', 'invalid_signature', 'invalid_message',
  'duplicate_message', 'untrusted_identity', 'no_session', 'invalid_certificate', 'invalid_prekey',
]);

/** Message types as the protocol names them. */
const MESSAGE_TYPES = Object.freeze(['prekey', 'whisper', 'sender_key', 'plaintext']);

/** A failure to report as `{"ok": false, "error": {code, message}}`. */
class ProtocolError extends Error {
  /**
   * @param {string} code one of ERROR_CODES
   * @param {string} message what went wrong, for a human
   */
  constructor(code, message) {
    if (!ERROR_CODES.includes(code)) throw new TypeError(`not a peer-protocol error code: ${code}`);
    super(message);
    this.name = 'ProtocolError';
    this.code = code;
  }
}

const badRequest = (message) => new ProtocolError('bad_request', message);

// ---- field readers: each names the field it refuses ------------------------

function present(request, name) {
  if (!Object.hasOwn(request, name)) throw badRequest(`missing field '${name}'`);
  return request[name];
}

/** A required string field. */
function stringField(request, name) {
  const value = present(request, name);
  if (typeof value !== 'string') throw badRequest(`field '${name}' must be a string`);
  return value;
}

/** A required hex field, decoded; either case is accepted. */
function hexField(request, name) {
  const text = stringField(request, name);
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(text)) throw badRequest(`field '${name}' is not hex`);
  return Buffer.from(text, 'hex');
}

/** A hex field that may be absent or null. */
function optionalHexField(request, name) {
  return request[name] == null ? null : hexField(request, name);
}

/** A required integer field within [min, max]. */
function intField(request, name, min = 0, max = 0xffffffff) {
  const value = present(request, name);
  if (!Number.isSafeInteger(value)) throw badRequest(`field '${name}' must be an integer`);
  if (value < min || value > max) throw badRequest(`field '${name}' is out of range`);
  return value;
}

/** An integer field that may be absent or null. */
function optionalIntField(request, name, min = 0, max = 0xffffffff) {
  return request[name] == null ? null : intField(request, name, min, max);
}

/** A boolean field that may be absent (then `fallback`). */
function optionalBoolField(request, name, fallback) {
  if (!Object.hasOwn(request, name)) return fallback;
  if (typeof request[name] !== 'boolean') throw badRequest(`field '${name}' must be a boolean`);
  return request[name];
}

/** A list of strings, each one of `allowed`. */
function choicesField(request, name, allowed) {
  const value = present(request, name);
  if (!Array.isArray(value) || value.some((item) => !allowed.includes(item))) {
    throw badRequest(`field '${name}' must be a list of ${allowed.map((item) => `"${item}"`).join(', ')}`);
  }
  return value;
}

/** A required object field. */
function objectField(request, name) {
  const value = present(request, name);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw badRequest(`field '${name}' must be an object`);
  }
  return value;
}

/** An address field: `{"name": <string>, "device_id": <int>}`. */
function addressField(request, name) {
  const address = objectField(request, name);
  return { name: stringField(address, 'name'), deviceId: intField(address, 'device_id') };
}

/** A message type field: one of MESSAGE_TYPES. */
function messageTypeField(request, name) {
  const type = stringField(request, name);
  if (!MESSAGE_TYPES.includes(type)) throw badRequest(`field '${name}' is not a message type`);
  return type;
}

/**
 * Reads a pre-key bundle as `prekey_bundle` returns it. Absent parts are
 * null; a pre-key id without its key (or the reverse) is a bad request.
 * @returns {object} the bundle with bytes as Buffers, in camelCase
 */
function bundleField(request, name) {
  const bundle = objectField(request, name);
  const parsed = {
    registrationId: intField(bundle, 'registration_id'),
    deviceId: intField(bundle, 'device_id'),
    identityKey: hexField(bundle, 'identity_key'),
    preKeyId: optionalIntField(bundle, 'pre_key_id'),
    preKey: optionalHexField(bundle, 'pre_key'),
    signedPreKeyId: intField(bundle, 'signed_pre_key_id'),
    signedPreKey: hexField(bundle, 'signed_pre_key'),
    signedPreKeySignature: hexField(bundle, 'signed_pre_key_signature'),
    kyberPreKeyId: optionalIntField(bundle, 'kyber_pre_key_id'),
    kyberPreKey: optionalHexField(bundle, 'kyber_pre_key'),
    kyberPreKeySignature: optionalHexField(bundle, 'kyber_pre_key_signature'),
  };
  if ((parsed.preKeyId === null) !== (parsed.preKey === null)) {
    throw badRequest(`field '${name}': pre_key_id and pre_key come together`);
  }
  const kyberParts = [parsed.kyberPreKeyId, parsed.kyberPreKey, parsed.kyberPreKeySignature];
  if (kyberParts.some((part) => part === null) && kyberParts.some((part) => part !== null)) {
    throw badRequest(`field '${name}': the Kyber pre-key id, key and signature come together`);
  }
  return parsed;
}

/** Renders a bundle (camelCase, bytes as Buffers) as the protocol's JSON. */
function bundleJson(bundle) {
  const hexOrNull = (bytes) => (bytes == null ? null : Buffer.from(bytes).toString('hex'));
  return {
    registration_id: bundle.registrationId,
    device_id: bundle.deviceId,
    identity_key: hexOrNull(bundle.identityKey),
    pre_key_id: bundle.preKeyId ?? null,
    pre_key: hexOrNull(bundle.preKey),
    signed_pre_key_id: bundle.signedPreKeyId,
    signed_pre_key: hexOrNull(bundle.signedPreKey),
    signed_pre_key_signature: hexOrNull(bundle.signedPreKeySignature),
    kyber_pre_key_id: bundle.kyberPreKeyId ?? null,
    kyber_pre_key: hexOrNull(bundle.kyberPreKey),
    kyber_pre_key_signature: hexOrNull(bundle.kyberPreKeySignature),
  };
}

// ---- dispatch ----------------------------------------------------------------

const failure = (id, code, message) => ({ response: { id, ok: false, error: { code, message } } });

/**
 * Answers one request line. Never throws: a handler reports failures as
 * ProtocolErrors, and anything else it throws is reported as bad_request.
 * @param {Map<string, {handler: Function, requiresInit: boolean}>} ops
 * @param {{initialised: () => boolean}} device
 * @param {string} line one request, without its newline
 * @returns {Promise<{response: object, quit?: boolean}>} the response, and
 *   whether the request was `quit`
 */
async function answer(ops, device, line) {
  let request;
  try {
    request = JSON.parse(line);
  } catch {
    return failure(null, 'bad_request', 'not a JSON object');
  }
  if (request === null || typeof request !== 'object' || Array.isArray(request)) {
    return failure(null, 'bad_request', 'not a JSON object');
  }
  const id = request.id ?? null;
  if (!Number.isSafeInteger(id)) return failure(id, 'bad_request', "'id' must be an integer");
  if (typeof request.op !== 'string') return failure(id, 'bad_request', "'op' must be a string");
  if (request.op === 'quit') return { response: { id, ok: true }, quit: true };

  const entry = ops.get(request.op);
  if (!entry) {
    return PROTOCOL_OPS.includes(request.op)
      ? failure(id, 'unsupported', `this peer does not offer '${request.op}'`)
      : failure(id, 'unknown_op', `no op named '${request.op}'`);
  }
  try {
    if (entry.requiresInit && !device.initialised()) throw badRequest('init must come first');
    const result = (await entry.handler(request)) ?? {};
    return { response: { ...result, id, ok: true } };
  } catch (error) {
    if (error instanceof ProtocolError) return failure(id, error.code, error.message);
    return failure(id, 'bad_request', `unexpected failure: ${error && error.message}`);
  }
}

/**
 * Serves the protocol on stdin/stdout until end of input or `quit`, one
 * request at a time, so responses come in request order.
 * @param {Map<string, {handler: Function, requiresInit: boolean}>} ops
 * @param {{initialised: () => boolean}} device
 * @returns {Promise<void>} resolves once the last response is flushed
 */
async function serve(ops, device) {
  const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  const write = (response) => new Promise((resolve) => {
    process.stdout.write(`${JSON.stringify(response)}\n`, resolve);
  });
  for await (const line of lines) {
    if (/^[ \t\r]*$/.test(line)) continue;
    const { response, quit } = await answer(ops, device, line);
    await write(response);
    if (quit) break;
  }
  lines.close();
}

module.exports = {
  optionalBoolField,
  choicesField,
  PROTOCOL_OPS,
  ProtocolError,
  badRequest,
  stringField,
  hexField,
  optionalHexField,
  intField,
  optionalIntField,
  addressField,
  messageTypeField,
  bundleField,
  bundleJson,
  serve,
};
