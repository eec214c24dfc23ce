'use strict';
// What every backend does the same way: the one-time `init` of a device
// and the key for per-address maps.

const { badRequest } = require('./protocol');

/**
 * Applies `init` to the device `current` (null before the first init).
 * Repeating the same init is harmless; a different name, device id or
 * identity key is a bad request, and leaves the device as it was.
 * @param {object|null} current the device so far
 * @param {{name: string, deviceId: number, registrationId: number, identityPrivate: Buffer|null}} params
 * @param {{fromPrivate: (key: Buffer) => object, generate: () => object,
 *          publicBytes: (identity: object) => Buffer}} identities how the backend makes identities
 * @returns {object} the device: name, deviceId, registrationId, identity
 */
function initDevice(current, params, identities) {
  const identity = params.identityPrivate ? identities.fromPrivate(params.identityPrivate) : null;
  if (current === null) {
    return {
      name: params.name,
      deviceId: params.deviceId,
      registrationId: params.registrationId,
      identity: identity ?? identities.generate(),
    };
  }
  if (params.name !== current.name || params.deviceId !== current.deviceId) {
    throw badRequest('this peer is already initialised as another device');
  }
  if (identity && !identities.publicBytes(identity).equals(identities.publicBytes(current.identity))) {
    throw badRequest('this device already has a different identity key');
  }
  return current;
}

/** A map key for the address `{name, deviceId}`; names may hold any character. */
const addressKey = ({ name, deviceId }) => JSON.stringify([name, deviceId]);

module.exports = { initDevice, addressKey };
