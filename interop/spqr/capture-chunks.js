'use strict';
// Records the SPQR chunks two libsignal 0.103 devices send each other, as
// known answers for cliquet's SPQR erasure code and message codec.
//
//   node interop/spqr/capture-chunks.js > tests/data/spqr_libsignal_chunks.json
//
// The exchange is arranged in one-way bursts so that each sender keeps
// sending chunks of one thing well past the point where the receiver could
// decode it: every stream then holds the systematic chunks (the encoded
// bytes themselves) followed by parity chunks that libsignal's encoder
// computed. docs/spqr.md (section 1.7) describes the message layout parsed
// here.

const { Device } = require('../lib/device');
const { libsignalEndpoint } = require('../lib/endpoints');
const { parseSignalMessage, parsePreKeySignalMessage } = require('../lib/wire');

const PQ_RATCHET_FIELD = 5;
const TYPES = ['none', 'hdr', 'ek', 'ek_ct1_ack', 'ct1_ack', 'ct1', 'ct2'];
const WITH_CHUNK = new Set(['hdr', 'ek', 'ek_ct1_ack', 'ct1', 'ct2']);

function readVarint(bytes, at) {
  let value = 0n;
  for (let i = 0; i < 10; i++) {
    if (at + i >= bytes.length) break;
    const byte = bytes[at + i];
    value |= BigInt(byte & 0x7f) << BigInt(7 * i);
    if ((byte & 0x80) === 0) return { value, end: at + i + 1 };
  }
  throw new Error('bad varint in SPQR message');
}

function pqRatchetOf(message) {
  let body = message.bytes;
  if (message.type === 'prekey') {
    const { inner } = parsePreKeySignalMessage(body);
    body = body.subarray(inner.valueStart, inner.end);
  }
  const { fields } = parseSignalMessage(body);
  const field = fields.get(PQ_RATCHET_FIELD);
  return field ? body.subarray(field.valueStart, field.end) : Buffer.alloc(0);
}

function parseSpqr(bytes) {
  if (bytes.length === 0) return { version: 0 };
  if (bytes[0] !== 1) throw new Error(`unexpected SPQR version ${bytes[0]}`);
  const epoch = readVarint(bytes, 1);
  const index = readVarint(bytes, epoch.end);
  const type = TYPES[bytes[index.end]];
  if (type === undefined) throw new Error(`unexpected SPQR message type ${bytes[index.end]}`);
  const out = { version: 1, epoch: Number(epoch.value), index: Number(index.value), type };
  if (WITH_CHUNK.has(type)) {
    const chunkIndex = readVarint(bytes, index.end + 1);
    out.chunk = { index: Number(chunkIndex.value), data: bytes.subarray(chunkIndex.end, chunkIndex.end + 32).toString('hex') };
    if (chunkIndex.end + 32 !== bytes.length) throw new Error('SPQR message of unexpected length');
  }
  return out;
}

// The byte length of the thing a stream of chunks carries (docs/spqr.md 1.2).
const STREAM_LENGTH = { hdr: 96, ek: 1152, ek_ct1_ack: 1152, ct1: 960, ct2: 160 };

async function main() {
  const endpoint = libsignalEndpoint('0.103');
  const alice = await Device.start(endpoint, { name: 'alice', deviceId: 1 });
  const bob = await Device.start(endpoint, { name: 'bob', deviceId: 2 });
  const messages = [];
  const burst = async (from, to, count) => {
    for (let i = 0; i < count; i++) {
      const message = await from.encrypt(to, Buffer.from(`${from.address.name} ${i}`));
      await to.receive(from, message);
      const pq = pqRatchetOf(message);
      messages.push({ from: from.address.name, pq_ratchet: pq.toString('hex'), parsed: parseSpqr(pq) });
    }
  };
  try {
    await bob.trust(alice);
    await alice.trust(bob);
    await alice.processBundle(bob, await bob.bundle({ version: 4, oneTimePreKey: true }));
    // Epoch 1: alice sends the key (header, then vector), bob the ciphertext.
    await burst(alice, bob, 8);   // header chunks 0..7 (3 needed)
    await burst(bob, alice, 40);  // ciphertext-1 chunks 0..39 (30 needed)
    await burst(alice, bob, 45);  // vector chunks with the ct1 acknowledgement 0..44 (36 needed)
    await burst(bob, alice, 10);  // ciphertext-2 + MAC chunks 0..9 (5 needed)
    // Epoch 2: roles swap.
    await burst(alice, bob, 2);
    await burst(bob, alice, 8);
  } finally {
    await alice.close();
    await bob.close();
  }
  const streams = new Map();
  for (const { from, parsed } of messages) {
    if (!parsed.chunk) continue;
    const key = `${from}/${parsed.epoch}/${parsed.type}`;
    if (!streams.has(key)) {
      streams.set(key, { sender: from, epoch: parsed.epoch, type: parsed.type, length: STREAM_LENGTH[parsed.type], chunks: [] });
    }
    streams.get(key).chunks.push(parsed.chunk);
  }
  const out = {
    source: 'two @signalapp/libsignal-client 0.103.0 devices, captured by interop/spqr/capture-chunks.js',
    messages: messages.map(({ from, pq_ratchet: pq }) => ({ from, pq_ratchet: pq })),
    streams: [...streams.values()],
  };
  process.stdout.write(`${JSON.stringify(out, null, 1)}\n`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
