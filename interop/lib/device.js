'use strict';
// A device in a scenario: one peer process with its address and identity,
// and the session steps the scenarios are written in. Failures name the
// device, the step and the bytes involved, so that a report can be acted on
// without rerunning.

const crypto = require('node:crypto');
const { hex } = require('./peer');

// Enough of a message's bytes to recognise it in a report.
const excerpt = (bytes) => (bytes.length > 48 ? `${hex(bytes.subarray(0, 48))}… (${bytes.length} bytes)` : hex(bytes));

class Device {
  /**
   * Starts a device of `endpoint` at the address `name`.`deviceId`.
   * @param {import('./endpoints').Endpoint} endpoint
   * @param {{name: string, deviceId: number, note?: string}} who its address,
   *   and a note that tells it apart from another device at that address
   * @returns {Promise<Device>}
   */
  static async start(endpoint, { name, deviceId, note }) {
    const peer = await endpoint.spawn();
    try {
      const address = { name, device_id: deviceId };
      const registrationId = crypto.randomInt(1, 0x3fff);
      const { identity_key: identityKey } =
        await peer.ok('init', { ...address, registration_id: registrationId, ...endpoint.initFields });
      const label = `${endpoint.label} (${note ? `${name}, ${note}` : name})`;
      return new Device(peer, label, address, identityKey, endpoint);
    } catch (error) {
      await peer.close();
      throw error;
    }
  }

  constructor(peer, label, address, identityKey, { versionBytes, speaksSpqr }) {
    this.peer = peer;
    this.label = label;
    this.address = address;
    this.identityKey = identityKey;
    this.versionBytes = versionBytes;
    this.speaksSpqr = speaksSpqr;
    this.nextKeyId = 100;
  }

  /**
   * Publishes a fresh bundle: a Kyber pre-key for version 4 (one-time, or
   * last-resort if asked: peer protocol 1.1), a one-time pre-key if asked.
   * Each call uses new key ids.
   * @param {{version: number, oneTimePreKey: boolean, kyberLastResort?: boolean}} options
   * @returns {Promise<object>} the bundle, as the protocol carries it
   */
  async bundle({ version, oneTimePreKey, kyberLastResort }) {
    const id = this.nextKeyId++;
    const { bundle } = await this.peer.ok('prekey_bundle', {
      pre_key_id: oneTimePreKey ? id : null,
      signed_pre_key_id: id,
      kyber_pre_key_id: version === 4 ? id : null,
      ...(kyberLastResort === undefined ? {} : { kyber_last_resort: kyberLastResort }),
    });
    return bundle;
  }

  /** Starts an outgoing session with `other` from its `bundle`. */
  async processBundle(other, bundle) {
    await this.peer.ok('process_bundle', { peer: other.address, bundle });
  }

  /** Expects `bundle`, published as `other`'s, to be refused with `code`. */
  async refuseBundle(other, bundle, code, what) {
    const response = await this.peer.call('process_bundle', { peer: other.address, bundle });
    if (response.ok) throw new Error(`${this.label} accepted ${what} from ${other.label}`);
    if (response.error.code !== code) {
      throw new Error(`${this.label} refused ${what} from ${other.label} with ${response.error.code} ` +
        `(${response.error.message}), not ${code}`);
    }
  }

  /** Records `other`'s identity key as verified. */
  async trust(other) {
    await this.peer.ok('trust', { peer: other.address, identity_key: other.identityKey });
  }

  /**
   * Encrypts `plaintext` to `other`.
   * @returns {Promise<{type: string, bytes: Buffer, plaintext: Buffer}>}
   */
  async encrypt(other, plaintext) {
    const response = await this.peer.call('encrypt', { peer: other.address, plaintext: hex(plaintext) });
    if (!response.ok) {
      throw new Error(`${this.label} could not encrypt ${plaintext.length} bytes to ${other.label}: ` +
        `${response.error.code}: ${response.error.message}`);
    }
    return { type: response.type, bytes: Buffer.from(response.ciphertext, 'hex'), plaintext };
  }

  /** Asks to decrypt `message` ({type, bytes}) from `other`; resolves with the whole response. */
  tryDecrypt(other, message) {
    return this.peer.call('decrypt', { peer: other.address, type: message.type, ciphertext: hex(message.bytes) });
  }

  /**
   * Decrypts `message` from `other` and checks that it reads as sent.
   * @param {string} what names the message in a failure
   */
  async receive(other, message, what = 'a message') {
    const response = await this.tryDecrypt(other, message);
    if (!response.ok) {
      throw new Error(`${this.label} refused ${what} from ${other.label} ` +
        `(${message.type}, ${excerpt(message.bytes)}): ${response.error.code}: ${response.error.message}`);
    }
    const plaintext = Buffer.from(response.plaintext, 'hex');
    if (!plaintext.equals(message.plaintext)) {
      throw new Error(`${this.label} decrypted ${what} from ${other.label} to other bytes: ` +
        `sent ${excerpt(message.plaintext)}, got ${excerpt(plaintext)}`);
    }
  }

  /**
   * Expects `bytes`, sent as a `type` message by `other`, to be refused
   * with `code`. `other` is a Device, or any sender's `{address, label}`.
   */
  async refuse(other, { type, bytes }, code, what) {
    const response = await this.tryDecrypt(other, { type, bytes });
    if (response.ok) {
      throw new Error(`${this.label} accepted ${what} from ${other.label} (${type}, ${excerpt(bytes)})`);
    }
    if (response.error.code !== code) {
      throw new Error(`${this.label} refused ${what} from ${other.label} (${type}, ${excerpt(bytes)}) ` +
        `with ${response.error.code} (${response.error.message}), not ${code}`);
    }
  }

  /** Ends the process; fails if it did not exit cleanly. */
  async close() {
    const { code, signal } = await this.peer.close();
    if (code !== 0) {
      throw new Error(`${this.label} exited with code ${code}, signal ${signal}; stderr: ${this.peer.stderr.trim()}`);
    }
  }
}

/**
 * Starts one device per [endpoint, who] (see Device.start), runs `body`
 * with them, and closes them all; a device that does not exit cleanly
 * fails the scenario.
 */
async function withDevices(starts, body) {
  const devices = [];
  try {
    for (const [endpoint, who] of starts) devices.push(await Device.start(endpoint, who));
    await body(...devices);
  } catch (error) {
    await Promise.allSettled(devices.map((device) => device.peer.close()));
    throw error;
  }
  const exits = await Promise.allSettled(devices.map((device) => device.close()));
  const unclean = exits.find((exit) => exit.status === 'rejected');
  if (unclean) throw unclean.reason;
}

/** `size` random bytes. */
const randomPlaintext = (size) => crypto.randomBytes(size);

module.exports = { Device, randomPlaintext, withDevices };
