'use strict';
// Structure-aware mutation of Signal messages, for the differential fuzzer
// (interop/fuzz/differential.js). A message is read as a tree: a framing
// prefix (the version byte), protobuf fields, nested messages where a bytes
// field holds one, and a framing suffix (a MAC or a signature). One mutation
// edits the tree (deletes, duplicates, reorders or inserts a field, edits a
// varint, a length prefix, a bytes value or a wire type, splices in the
// same field of another genuine message, changes the version byte) or the
// flat bytes (truncates, flips bits, splices at a cut); each input stacks
// one to three of them. Every choice comes from a seeded generator, so a
// seed and an input's index name that input for good.

const { encodeVarint } = require('./wire');

const VARINT = 0;
const FIXED64 = 1;
const LENGTH_DELIMITED = 2;
const FIXED32 = 5;

/**
 * A small seeded generator (xorshift128+ on 32-bit halves is enough here:
 * inputs, not keys).
 */
class Random {
  constructor(seed) {
    let s = (Number(seed) >>> 0) ^ 0x9e3779b9;
    const next = () => {
      s = (s + 0x6d2b79f5) >>> 0;
      let t = s;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return (t ^ (t >>> 14)) >>> 0;
    };
    this.next = next;
  }

  /** An integer in [0, n). */
  below(n) {
    return n <= 1 ? 0 : this.next() % n;
  }

  pick(list) {
    return list[this.below(list.length)];
  }

  chance(numerator, denominator) {
    return this.below(denominator) < numerator;
  }

  bytes(n) {
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i++) out[i] = this.next() & 0xff;
    return out;
  }
}

/** Reads a varint; null if it runs past `limit` or over 10 bytes. */
function varintAt(bytes, offset, limit) {
  let value = 0n;
  for (let at = offset, shift = 0n; at < limit && at - offset < 10; at++, shift += 7n) {
    value |= BigInt(bytes[at] & 0x7f) << shift;
    if ((bytes[at] & 0x80) === 0) return { value, end: at + 1 };
  }
  return null;
}

/** The protobuf fields of `bytes`, or null unless they parse cleanly to the end. */
function parseFields(bytes) {
  const fields = [];
  let at = 0;
  while (at < bytes.length) {
    const tag = varintAt(bytes, at, bytes.length);
    if (!tag || tag.value === 0n) return null;
    const number = Number(tag.value >> 3n);
    const wireType = Number(tag.value & 7n);
    const tagBytes = bytes.subarray(at, tag.end);
    let value;
    let end;
    if (wireType === VARINT) {
      const v = varintAt(bytes, tag.end, bytes.length);
      if (!v) return null;
      end = v.end;
      value = bytes.subarray(tag.end, end);
    } else if (wireType === LENGTH_DELIMITED) {
      const length = varintAt(bytes, tag.end, bytes.length);
      if (!length || length.value > BigInt(bytes.length - length.end)) return null;
      end = length.end + Number(length.value);
      value = bytes.subarray(length.end, end);
    } else if (wireType === FIXED64 || wireType === FIXED32) {
      end = tag.end + (wireType === FIXED64 ? 8 : 4);
      if (end > bytes.length) return null;
      value = bytes.subarray(tag.end, end);
    } else {
      return null;
    }
    fields.push({ number, wireType, tag: Buffer.from(tagBytes), value: Buffer.from(value), child: null });
    at = end;
  }
  return fields;
}

/**
 * Message formats: how many framing bytes come before and after the
 * protobuf body, and which bytes fields hold a nested message of which
 * format. `raw` formats are not protobuf (sealed sender v2's received
 * message); `segments` then names their fixed-width parts.
 */
const FORMATS = Object.freeze({
  whisper: { prefix: 1, suffix: 8, nested: {} },
  prekey: { prefix: 1, suffix: 0, nested: { 4: 'whisper' } },
  sender_key: { prefix: 1, suffix: 64, nested: {} },
  sealed_v1: { prefix: 1, suffix: 0, nested: {} },
  // version | C (32) | AT (16) | E.pub (32) | encrypted message
  sealed_v2: { raw: true, segments: [1, 32, 16, 32] },
  // A PlaintextContent: 0xC0, a Content protobuf whose field 8 holds the
  // DecryptionErrorMessage, the padding boundary 0x80.
  retry_request: { prefix: 1, suffix: 1, nested: { 8: 'decryption_error' } },
  decryption_error: { prefix: 0, suffix: 0, nested: {} },
  // The content inside a sealed envelope (UnidentifiedSenderMessage.Message).
  usmc: { prefix: 0, suffix: 0, nested: { 2: 'sender_certificate' } },
  sender_certificate: { prefix: 0, suffix: 0, nested: { 1: 'sender_certificate_body' } },
  sender_certificate_body: { prefix: 0, suffix: 0, nested: { 5: 'server_certificate' } },
  server_certificate: { prefix: 0, suffix: 0, nested: { 1: 'server_certificate_body' } },
  server_certificate_body: { prefix: 0, suffix: 0, nested: {} },
});

/** The tree of `bytes` read as `format`; a node that does not parse is kept as raw bytes. */
function parseTree(bytes, format) {
  const shape = FORMATS[format];
  const body = shape.raw ? null : bytes.subarray(shape.prefix, bytes.length - shape.suffix);
  const fields = body && bytes.length >= shape.prefix + shape.suffix ? parseFields(body) : null;
  if (!fields) return { format, raw: Buffer.from(bytes) };
  for (const field of fields) {
    const nested = shape.nested[field.number];
    if (nested && field.wireType === LENGTH_DELIMITED) {
      const child = parseTree(field.value, nested);
      if (!child.raw) field.child = child;
    }
  }
  return {
    format,
    prefix: Buffer.from(bytes.subarray(0, shape.prefix)),
    fields,
    suffix: Buffer.from(bytes.subarray(bytes.length - shape.suffix)),
  };
}

function serializeField(field) {
  if (field.wireType !== LENGTH_DELIMITED) return Buffer.concat([field.tag, field.value]);
  const content = field.child ? serializeTree(field.child) : field.value;
  const length = field.lengthOverride ?? encodeVarint(content.length);
  return Buffer.concat([field.tag, length, content]);
}

function serializeTree(node) {
  if (node.raw) return node.raw;
  return Buffer.concat([node.prefix, ...node.fields.map(serializeField), node.suffix]);
}

/** Every parsed node of the tree, the root first. */
function nodesOf(node, out = []) {
  if (node.raw) return out;
  out.push(node);
  for (const field of node.fields) if (field.child) nodesOf(field.child, out);
  return out;
}

/** A deep copy of a tree (mutations edit copies only). */
function cloneTree(node) {
  if (node.raw) return { format: node.format, raw: Buffer.from(node.raw) };
  return {
    format: node.format,
    prefix: Buffer.from(node.prefix),
    suffix: Buffer.from(node.suffix),
    fields: node.fields.map((f) => ({ ...f, child: f.child ? cloneTree(f.child) : null })),
  };
}

// Values that sit on the edges parsers get wrong.
const INTERESTING_VARINTS = [0n, 1n, 2n, 0x7fn, 0x80n, 0x3fffn, 0xffffn, 0xffffffn, 0x7fffffffn, 0x80000000n,
  0xffffffffn, 0x100000000n, 0x7fffffffffffffffn, 0xffffffffffffffffn];
const INTERESTING_VERSIONS = [0x00, 0x11, 0x22, 0x23, 0x32, 0x33, 0x34, 0x43, 0x44, 0x45, 0x54, 0x55, 0x3f, 0xf4, 0xff];

function encodeBigVarint(value) {
  const out = [];
  let rest = BigInt.asUintN(64, value);
  while (rest >= 0x80n) {
    out.push(Number(rest & 0x7fn) | 0x80);
    rest >>= 7n;
  }
  out.push(Number(rest));
  return Buffer.from(out);
}

const tagFor = (number, wireType) => encodeBigVarint((BigInt(number) << 3n) | BigInt(wireType));

/** A random field of a random parsed node with fields, or null. */
function pickField(random, tree, predicate = () => true) {
  const candidates = [];
  for (const node of nodesOf(tree)) {
    node.fields.forEach((field, index) => {
      if (predicate(field)) candidates.push({ node, field, index });
    });
  }
  return candidates.length ? random.pick(candidates) : null;
}

/** The same-numbered field of a donor tree at the same depth, if any. */
function donorField(random, donorTree, node, field) {
  const same = nodesOf(donorTree).filter((n) => n.format === node.format)
    .flatMap((n) => n.fields.filter((f) => f.number === field.number));
  return same.length ? random.pick(same) : null;
}

// Tree mutations: each edits `tree` in place and returns its name, or null
// when the tree offers nothing it applies to.
const TREE_MUTATIONS = {
  delete_field(random, tree) {
    const hit = pickField(random, tree);
    if (!hit) return null;
    hit.node.fields.splice(hit.index, 1);
    return `delete_field(${hit.node.format}.${hit.field.number})`;
  },
  duplicate_field(random, tree) {
    const hit = pickField(random, tree);
    if (!hit) return null;
    const copy = { ...hit.field, child: hit.field.child ? cloneTree(hit.field.child) : null };
    const at = random.chance(1, 2) ? hit.index + 1 : hit.node.fields.length;
    hit.node.fields.splice(at, 0, copy);
    return `duplicate_field(${hit.node.format}.${hit.field.number})`;
  },
  reorder_fields(random, tree) {
    const nodes = nodesOf(tree).filter((n) => n.fields.length >= 2);
    if (!nodes.length) return null;
    const node = random.pick(nodes);
    const i = random.below(node.fields.length);
    let j = random.below(node.fields.length - 1);
    if (j >= i) j += 1;
    [node.fields[i], node.fields[j]] = [node.fields[j], node.fields[i]];
    return `reorder_fields(${node.format}.${node.fields[j].number}<->${node.fields[i].number})`;
  },
  edit_varint(random, tree) {
    const hit = pickField(random, tree, (f) => f.wireType === VARINT);
    if (!hit) return null;
    const old = varintAt(hit.field.value, 0, hit.field.value.length).value;
    const choice = random.below(4);
    if (choice === 0) {
      // The same value, encoded with padding (not minimal).
      const minimal = encodeBigVarint(old);
      const padded = Buffer.from(minimal);
      padded[padded.length - 1] |= 0x80;
      hit.field.value = Buffer.concat([padded, Buffer.from([0x00])]);
      return `overlong_varint(${hit.node.format}.${hit.field.number})`;
    }
    const value = choice === 1 ? old + 1n : choice === 2 ? old - 1n : random.pick(INTERESTING_VARINTS);
    hit.field.value = encodeBigVarint(value);
    return `edit_varint(${hit.node.format}.${hit.field.number}=${BigInt.asUintN(64, value)})`;
  },
  edit_length(random, tree) {
    const hit = pickField(random, tree, (f) => f.wireType === LENGTH_DELIMITED);
    if (!hit) return null;
    const length = hit.field.child ? serializeTree(hit.field.child).length : hit.field.value.length;
    const value = random.pick([0, 1, length - 1, length + 1, length + 2 + random.below(30), 0x7fffffff,
      Math.max(0, length - 1 - random.below(8))]);
    hit.field.lengthOverride = encodeBigVarint(BigInt(Math.max(0, value)));
    return `edit_length(${hit.node.format}.${hit.field.number}:${length}->${Math.max(0, value)})`;
  },
  edit_bytes(random, tree) {
    const hit = pickField(random, tree, (f) => f.wireType === LENGTH_DELIMITED && !f.child);
    if (!hit) return null;
    const value = hit.field.value;
    const choice = random.below(6);
    let how;
    if (choice === 0 && value.length) {
      hit.field.value = value.subarray(0, random.below(value.length));
      how = 'cut';
    } else if (choice === 1) {
      hit.field.value = Buffer.concat([value, random.bytes(1 + random.below(4))]);
      how = 'extend';
    } else if (choice === 2) {
      hit.field.value = Buffer.alloc(value.length);
      how = 'zero';
    } else if (choice === 3 && value.length) {
      hit.field.value = Buffer.from(value);
      hit.field.value[0] = random.pick([0x00, 0x05, 0x06, 0x08, 0x0a, value[0] ^ 1]);
      how = 'type_byte';
    } else if (choice === 4) {
      hit.field.value = Buffer.alloc(0);
      how = 'empty';
    } else {
      hit.field.value = Buffer.from(value);
      if (value.length) hit.field.value[random.below(value.length)] ^= 1 << random.below(8);
      how = 'flip';
    }
    return `edit_bytes_${how}(${hit.node.format}.${hit.field.number})`;
  },
  edit_wire_type(random, tree) {
    const hit = pickField(random, tree);
    if (!hit) return null;
    const wireType = random.pick([0, 1, 2, 3, 4, 5, 6, 7].filter((w) => w !== hit.field.wireType));
    hit.field.tag = tagFor(hit.field.number, wireType);
    // The value's bytes stay as they were: the reader must make sense of them as the new type.
    if (hit.field.wireType === LENGTH_DELIMITED) {
      hit.field.value = serializeField({ ...hit.field, tag: Buffer.alloc(0) });
      hit.field.child = null;
    }
    hit.field.wireType = -1;  // serialized as tag then raw value bytes
    return `edit_wire_type(${hit.node.format}.${hit.field.number}->${wireType})`;
  },
  insert_unknown_field(random, tree) {
    const nodes = nodesOf(tree);
    if (!nodes.length) return null;
    const node = random.pick(nodes);
    const number = random.pick([9, 10, 15, 16, 100, 2047, 536870911, 1 + random.below(12)]);
    const wireType = random.pick([VARINT, LENGTH_DELIMITED, FIXED32, FIXED64]);
    const value = wireType === VARINT ? encodeBigVarint(BigInt(random.below(1000)))
      : wireType === FIXED32 ? random.bytes(4) : wireType === FIXED64 ? random.bytes(8) : random.bytes(random.below(40));
    const field = { number, wireType, tag: tagFor(number, wireType), value, child: null };
    node.fields.splice(random.below(node.fields.length + 1), 0, field);
    return `insert_field(${node.format}.${number}/wt${wireType})`;
  },
  splice_field(random, tree, donors) {
    const hit = pickField(random, tree);
    if (!hit || !donors.length) return null;
    const donor = donorField(random, random.pick(donors), hit.node, hit.field);
    if (!donor) return null;
    hit.node.fields[hit.index] = { ...donor, child: donor.child ? cloneTree(donor.child) : null };
    return `splice_field(${hit.node.format}.${hit.field.number})`;
  },
  edit_version(random, tree) {
    const nodes = nodesOf(tree).filter((n) => n.prefix.length);
    if (!nodes.length) return null;
    const node = random.pick(nodes);
    node.prefix = Buffer.from(node.prefix);
    node.prefix[0] = random.chance(3, 4) ? random.pick(INTERESTING_VERSIONS) : random.below(256);
    return `edit_version(${node.format}=0x${node.prefix[0].toString(16)})`;
  },
  edit_suffix(random, tree) {
    const nodes = nodesOf(tree).filter((n) => n.suffix.length);
    if (!nodes.length) return null;
    const node = random.pick(nodes);
    const choice = random.below(3);
    node.suffix = choice === 0 ? node.suffix.subarray(0, random.below(node.suffix.length))
      : choice === 1 ? Buffer.concat([node.suffix, random.bytes(1 + random.below(8))])
        : Buffer.from(node.suffix).fill(0, random.below(node.suffix.length));
    return `edit_suffix(${node.format}:${['cut', 'extend', 'zero'][choice]})`;
  },
};

// Mutations of the flat bytes.
const BYTE_MUTATIONS = {
  truncate(random, bytes) {
    return [bytes.subarray(0, random.below(bytes.length)), 'truncate'];
  },
  flip_bits(random, bytes) {
    const copy = Buffer.from(bytes);
    const flips = 1 + random.below(4);
    for (let i = 0; i < flips && copy.length; i++) copy[random.below(copy.length)] ^= 1 << random.below(8);
    return [copy, `flip_bits(${flips})`];
  },
  insert_bytes(random, bytes) {
    const at = random.below(bytes.length + 1);
    return [Buffer.concat([bytes.subarray(0, at), random.bytes(1 + random.below(8)), bytes.subarray(at)]), 'insert_bytes'];
  },
  delete_bytes(random, bytes) {
    const at = random.below(bytes.length);
    return [Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1 + random.below(8))]), 'delete_bytes'];
  },
  splice_bytes(random, bytes, donors) {
    if (!donors.length) return null;
    const donor = serializeTree(random.pick(donors));
    const cut = random.below(bytes.length + 1);
    const from = random.chance(1, 2) ? cut : random.below(donor.length + 1);
    return [Buffer.concat([bytes.subarray(0, cut), donor.subarray(Math.min(from, donor.length))]), 'splice_bytes'];
  },
  splice_segment(random, bytes, donors, format) {
    const { segments } = FORMATS[format];
    if (!segments || !donors.length) return null;
    const donor = serializeTree(random.pick(donors));
    const index = random.below(segments.length + 1);
    const start = segments.slice(0, index).reduce((a, b) => a + b, 0);
    const end = index < segments.length ? start + segments[index] : Math.max(bytes.length, donor.length);
    return [Buffer.concat([bytes.subarray(0, start), donor.subarray(start, end), bytes.subarray(end)]),
      `splice_segment(${index})`];
  },
};

/**
 * Makes one mutant of `genuine` (a parsed tree; see parseTree) with
 * `random`; `donors` are other genuine trees of the same format.
 * @returns {{bytes: Buffer, mutations: string[]}}
 */
function mutate(random, genuine, donors) {
  const tree = cloneTree(genuine);
  const mutations = [];
  const count = 1 + (random.chance(1, 3) ? random.below(3) : 0);
  const treeNames = Object.keys(TREE_MUTATIONS);
  const byteNames = Object.keys(BYTE_MUTATIONS);
  let bytes = null;
  // A step whose mutation finds nothing to apply to is not counted, up to a point.
  for (let step = 0, tries = 0; step < count && tries < count + 8; step = mutations.length, tries++) {
    // Tree edits first: once flat bytes are edited, the tree is gone.
    if (bytes === null && !tree.raw && random.chance(7, 10)) {
      const name = random.pick(treeNames);
      const done = TREE_MUTATIONS[name](random, tree, donors);
      if (done) mutations.push(done);
      continue;
    }
    bytes ??= serializeTree(tree);
    if (tree.raw && random.chance(1, 4)) {
      bytes = Buffer.from(bytes);
      if (bytes.length) bytes[0] = random.pick(INTERESTING_VERSIONS);
      mutations.push(`edit_version(raw=0x${bytes.length ? bytes[0].toString(16) : ''})`);
      continue;
    }
    const done = BYTE_MUTATIONS[random.pick(byteNames)](random, bytes, donors, tree.format);
    if (done) {
      [bytes] = done;
      mutations.push(done[1]);
    }
  }
  bytes ??= serializeTree(tree);
  return { bytes, mutations };
}

module.exports = { Random, FORMATS, parseTree, parseFields, serializeTree, serializeField, mutate };
