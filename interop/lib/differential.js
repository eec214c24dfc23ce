'use strict';
// The differential fuzzer's engine: the same mutated bytes go to cliquet
// (cliquet-state-peer, holding the receiver's state loaded from libsignal's
// records) and to libsignal 0.103 (in this process, holding that very
// state), and their verdicts are compared:
//
//   verdict    one accepts, the other refuses
//   output     both accept, with different plaintexts (or sender, content,
//              certificate fields)
//   state      both accept, and the stores they end with differ, or the
//              conversation does not go on the same way: the other genuine
//              messages, delivered next, do not read the same on both
//   refusal_changed_state  a side refused and its stores changed
//
// After every input both sides are reset to the snapshot. Disagreements are
// grouped into classes (kind, message kind, both verdicts with the reasons
// given), each kept with its smallest example (fewest mutations, then
// fewest bytes) and the mutation families that led there.

const crypto = require('node:crypto');
const lib = require('@signalapp/libsignal-client');
const { cliquetTwin, stateDifferences } = require('./mirror');
const { hex } = require('./peer');
const { Random, mutate, parseTree } = require('./mutate');
const { makeWorld } = require('./diff-world');
const { KINDS, TARGETS, refusal, mutateCertificate } = require('./diff-targets');

/** Names a verdict in a class key and a report. */
const verdictName = (v) => (v.ok ? 'accepts' : `refuses (${v.code})`);

/** Why a side refused, with numbers left out, for class keys. */
const reason = (v) => (v.ok ? '' : `: ${v.message.replace(/\d+/g, 'N')}`);

/** The class of a disagreement: what differs, where, and each side's verdict and reason. */
const classKey = (what, kind, verdicts) => `${what} | ${kind} | cliquet ${verdictName(verdicts.cliquet)}` +
  `${reason(verdicts.cliquet)} | libsignal ${verdictName(verdicts.libsignal)}${reason(verdicts.libsignal)}`;

/** A mutation list with the values left out. */
const mutationFamily = (mutations) => mutations.map((m) => m.replace(/[=:][^)]*/g, '')).join(' + ');

/** One kind's campaign: its genuine inputs, its two receivers, and the comparison. */
class KindRun {
  constructor(kind, world) {
    this.kind = kind;
    this.world = world;
    this.target = TARGETS[kind];
    this.bob = world[kind].bob;
    this.inputs = world[kind].inputs;
    const format = kind === 'whisper' ? 'whisper' : kind;
    this.trees = this.inputs.map((input) => parseTree(input.bytes, format));
    this.contents = world[kind].contents?.map((bytes) => parseTree(bytes, 'usmc'));
  }

  async start() {
    this.cliquet = await cliquetTwin(this.bob);
    await this.cliquet.ok('state_load', { state: this.bob.state() });
    // Each side reaches the state of the inputs from there itself (see
    // lib/diff-world.js): the setup messages are decrypted on both.
    for (const { kind, input } of this.world[this.kind].setup ?? []) {
      const [op, params] = TARGETS[kind].cliquet(input.bytes, input);
      const response = await this.cliquet.call(op, params);
      const { plaintext } = await TARGETS[kind].libsignal(input.bytes, input, this.bob);
      if (!response.ok || response.plaintext !== plaintext || plaintext !== hex(input.plaintext)) {
        throw new Error(`${this.kind} setup: cliquet answered ${JSON.stringify(response)}`);
      }
    }
    const { state } = await this.cliquet.ok('state_dump');
    await this.cliquet.ok('state_load', { state });
    this.snapshot = this.bob.snapshot();
  }

  close() {
    return this.cliquet.close();
  }

  async onLibsignal(bytes, input) {
    let verdict;
    try {
      const output = await this.target.libsignal(bytes, input, this.bob, this.world);
      verdict = { ok: true, output };
    } catch (error) {
      verdict = refusal(error, this.target.fallback);
    }
    if (verdict.ok) verdict.state = this.bob.state();
    verdict.changed = this.bob.restore(this.snapshot);
    return verdict;
  }

  async onCliquet(bytes, input, { keepState = false } = {}) {
    const [op, params] = this.target.cliquet(bytes, input, this.world);
    const calls = [this.cliquet.call(op, params)];
    if (keepState) calls.push(this.cliquet.call('state_dump'));
    calls.push(this.cliquet.call('state_restore'));
    const [response, ...rest] = await Promise.all(calls);
    const restored = rest.at(-1);
    if (!restored.ok) throw new Error(`state_restore failed: ${JSON.stringify(restored)}`);
    const output = response.ok ? this.target.output(response) : null;
    const verdict = response.ok && output !== null ? { ok: true, output }
      : { ok: false, code: response.ok ? 'invalid_certificate' : response.error.code,
        message: response.ok ? 'valid: false' : response.error.message };
    if (keepState) verdict.state = rest[0].state;
    verdict.changed = restored.changed;
    return verdict;
  }

  // Both sides' verdicts on `bytes`, delivered as from `input`'s sender.
  async both(bytes, input, options) {
    const [cliquet, libsignal] = await Promise.all([this.onCliquet(bytes, input, options), this.onLibsignal(bytes, input)]);
    return { cliquet, libsignal };
  }

  /**
   * Where the two verdicts disagree: a list of {kind, detail}, empty when
   * they agree. An acceptance by both is judged again with the states kept,
   * and the conversation carried on with the other genuine messages.
   */
  async judge(bytes, input, { cliquet, libsignal }) {
    const found = [];
    for (const [side, v] of [['cliquet', cliquet], ['libsignal', libsignal]]) {
      if (!v.ok && v.changed) found.push({ kind: 'refusal_changed_state', detail: `${side} refused and changed its stores` });
    }
    if (cliquet.ok !== libsignal.ok) {
      found.push({ kind: 'verdict', detail: `cliquet ${verdictName(cliquet)}, libsignal ${verdictName(libsignal)}` });
      return found;
    }
    if (!cliquet.ok) return found;
    if (JSON.stringify(cliquet.output) !== JSON.stringify(libsignal.output)) {
      found.push({ kind: 'output', detail: `cliquet ${JSON.stringify(cliquet.output)}, libsignal ${JSON.stringify(libsignal.output)}` });
    }
    const kept = await this.onCliquet(bytes, input, { keepState: true });
    const differences = stateDifferences(libsignal.state, kept.state);
    if (differences.length) found.push({ kind: 'state', detail: differences.join('; ') });
    const after = await this.carryOn(bytes, input);
    if (after) found.push({ kind: 'state', detail: after });
    return found;
  }

  // Delivers `bytes` then every genuine input to both sides, without a
  // reset in between; returns how they part, or null if they never do.
  async carryOn(bytes, input) {
    const sequence = [{ bytes, input }, ...this.inputs.map((genuine) => ({ bytes: genuine.bytes, input: genuine }))];
    const cliquet = [];
    const libsignal = [];
    for (const { bytes: b, input: i } of sequence) {
      const [op, params] = this.target.cliquet(b, i, this.world);
      cliquet.push(await this.cliquet.call(op, params));
      try {
        libsignal.push({ ok: true, output: await this.target.libsignal(b, i, this.bob, this.world) });
      } catch (error) {
        libsignal.push(refusal(error, this.target.fallback));
      }
    }
    const restored = await this.cliquet.call('state_restore');
    if (!restored.ok) throw new Error(`state_restore failed: ${JSON.stringify(restored)}`);
    this.bob.restore(this.snapshot);
    for (let i = 1; i < sequence.length; i++) {
      const c = cliquet[i].ok ? { ok: true, output: this.target.output(cliquet[i]) } : { ok: false, code: cliquet[i].error.code };
      const l = libsignal[i];
      if (c.ok !== l.ok || (c.ok && JSON.stringify(c.output) !== JSON.stringify(l.output))) {
        return `then genuine input ${i - 1}: cliquet ${verdictName(c)}, libsignal ${verdictName(l)}`;
      }
    }
    return null;
  }

  /** Checks that both sides accept every genuine input alike; throws if not. */
  async checkGenuine(when) {
    for (const [index, input] of this.inputs.entries()) {
      const verdicts = await this.both(input.bytes, input);
      const found = await this.judge(input.bytes, input, verdicts);
      if (!verdicts.cliquet.ok || found.length) {
        throw new Error(`${this.kind} genuine input ${index} ${when}: cliquet ${verdictName(verdicts.cliquet)}` +
          ` (${verdicts.cliquet.message ?? ''}), libsignal ${verdictName(verdicts.libsignal)}` +
          ` (${verdicts.libsignal.message ?? ''}); ${found.map((f) => `${f.kind}: ${f.detail}`).join('; ')}`);
      }
    }
  }

  /**
   * The smallest edit of the genuine input that still gives the class `c`'s
   * verdicts, from its example: the bytes where the example and its genuine
   * input differ are cut down one at a time, then put back to the genuine
   * ones, as long as the disagreement stays in its class. Examples signed or
   * sealed again are kept whole (their bytes change with every signature).
   * @returns {Promise<{at: number, genuine: string, mutant: string}|null>}
   *   at offset `at`, the genuine bytes `genuine` (hex) became `mutant`
   */
  async minimize(c) {
    const { example } = c;
    if (/^(resign|resealed)/.test(example.mutations[0])) return null;
    const input = this.inputs[example.base];
    const genuine = input.bytes;
    const keeps = async (bytes) => classKey('verdict', this.kind, await this.both(bytes, input)) === c.key;
    let mutant = Buffer.from(example.bytes, 'hex');
    const split = (bytes) => {
      let head = 0;
      while (head < bytes.length && head < genuine.length && bytes[head] === genuine[head]) head++;
      let tail = 0;
      while (tail < bytes.length - head && tail < genuine.length - head &&
        bytes[bytes.length - 1 - tail] === genuine[genuine.length - 1 - tail]) tail++;
      return { head, middle: bytes.subarray(head, bytes.length - tail), tail };
    };
    for (let budget = 400, progress = true; progress && budget > 0;) {
      progress = false;
      const { head, middle, tail } = split(mutant);
      const genuineMiddle = genuine.subarray(head, genuine.length - tail);
      const candidates = [];
      for (let i = 0; i < middle.length; i++) {
        candidates.push(Buffer.concat([mutant.subarray(0, head + i), mutant.subarray(head + i + 1)]));
        if (i < genuineMiddle.length) {
          const restored = Buffer.from(mutant);
          restored[head + i] = genuineMiddle[i];
          candidates.push(restored);
        }
      }
      for (let i = 0; i < genuineMiddle.length && i <= middle.length; i++) {
        candidates.push(Buffer.concat([mutant.subarray(0, head + i), genuineMiddle.subarray(i, i + 1), mutant.subarray(head + i)]));
      }
      for (const candidate of candidates) {
        if (budget-- <= 0) break;
        if (await keeps(candidate)) {
          mutant = candidate;
          progress = true;
          break;
        }
      }
    }
    const { head, middle, tail } = split(mutant);
    return { at: head, genuine: hex(genuine.subarray(head, genuine.length - tail)), mutant: hex(middle) };
  }

  /**
   * Makes input `index` of this kind's run from `seed`: the same seed and
   * index give the same mutations (and the same bytes, but for the kinds
   * whose mutants are signed or sealed again, which draws fresh randomness).
   */
  async mutant(seed, index) {
    const random = new Random(crypto.createHash('sha256').update(`${seed}/${this.kind}/${index}`).digest().readUInt32LE(0));
    const base = random.below(this.inputs.length);
    const donors = this.trees.filter((_, i) => i !== base);
    if (this.kind === 'sender_certificate') return { ...mutateCertificate(random, this.trees[base], donors, this.world), base };
    if (this.contents && random.chance(1, 3)) {
      const resealed = await this.resealedContent(random, base);
      if (resealed) return { ...resealed, base };
    }
    return { ...mutate(random, this.trees[base], donors), base };
  }

  /**
   * A sealed mutant whose envelope is genuine and whose content inside is
   * mutated: the content (and the sender certificate in it) as a tree,
   * sealed to Bob by libsignal, which takes only contents it can parse;
   * null for one it cannot.
   */
  async resealedContent(random, base) {
    const donors = this.contents.filter((_, i) => i !== base);
    const { bytes, mutations } = mutate(random, this.contents[base], donors);
    let usmc;
    try {
      usmc = lib.UnidentifiedSenderMessageContent.deserialize(bytes);
    } catch {
      return null;
    }
    return { bytes: await this.world[this.kind].seal(usmc), mutations: ['resealed_content', ...mutations] };
  }
}

/**
 * Runs `count` mutants of each kind in `kinds` from `seed`.
 * @param {{seed: number, count: number, kinds?: string[], onProgress?: (line: string) => void,
 *   onKind?: (figures: object) => void}} options each kind's figures go to onKind as soon as it ends
 * @returns {Promise<object[]>} per kind: inputs, acceptances by each side,
 *   agreements, disagreement classes with their counts and examples, seconds
 */
async function runCampaign({ seed, count, kinds = KINDS, onProgress = () => {}, onKind = () => {} }) {
  const world = await makeWorld();
  const results = [];
  for (const kind of kinds) {
    const run = new KindRun(kind, world);
    await run.start();
    const started = process.hrtime.bigint();
    const figures = {
      kind, inputs: 0, identical: 0, cliquetAccepted: 0, libsignalAccepted: 0, bothAccepted: 0,
      codeMismatches: {}, classes: new Map(),
    };
    try {
      await run.checkGenuine('before the run');
      for (let index = 0; index < count; index++) {
        const { bytes, mutations, base } = await run.mutant(seed, index);
        const input = run.inputs[base];
        const verdicts = await run.both(bytes, input);
        figures.inputs += 1;
        if (bytes.equals(input.bytes)) figures.identical += 1;
        if (verdicts.cliquet.ok) figures.cliquetAccepted += 1;
        if (verdicts.libsignal.ok) figures.libsignalAccepted += 1;
        if (verdicts.cliquet.ok && verdicts.libsignal.ok) figures.bothAccepted += 1;
        if (!verdicts.cliquet.ok && !verdicts.libsignal.ok && verdicts.cliquet.code !== verdicts.libsignal.code) {
          const pair = `${verdicts.cliquet.code} / ${verdicts.libsignal.code}`;
          figures.codeMismatches[pair] ??= {
            count: 0,
            example: { index, mutations, cliquet: verdicts.cliquet.message, libsignal: verdicts.libsignal.message },
          };
          figures.codeMismatches[pair].count += 1;
        }
        const needsJudging = verdicts.cliquet.ok || verdicts.libsignal.ok || verdicts.cliquet.changed || verdicts.libsignal.changed;
        const found = needsJudging ? await run.judge(bytes, input, verdicts) : [];
        for (const { kind: what, detail } of found) {
          const key = classKey(what, kind, verdicts);
          const example = {
            index, base, mutations, bytes: hex(bytes), detail,
            cliquet: verdicts.cliquet.message ?? '', libsignal: verdicts.libsignal.message ?? '',
          };
          const known = figures.classes.get(key);
          if (!known) {
            figures.classes.set(key, { key, what, count: 1, example, families: new Set([mutationFamily(mutations)]) });
          } else {
            known.count += 1;
            known.families.add(mutationFamily(mutations));
            if (example.mutations.length < known.example.mutations.length ||
              (example.mutations.length === known.example.mutations.length && example.bytes.length < known.example.bytes.length)) {
              known.example = example;
            }
          }
        }
        if ((index + 1) % 10_000 === 0) onProgress(`${kind}: ${index + 1}/${count}`);
      }
      for (const c of figures.classes.values()) {
        if (c.what === 'verdict') c.minimal = await run.minimize(c);
      }
      await run.checkGenuine('after the run');
    } finally {
      await run.close();
    }
    figures.seconds = Number(process.hrtime.bigint() - started) / 1e9;
    figures.classes = [...figures.classes.values()].map((c) => ({ ...c, families: [...c.families].sort() }));
    results.push(figures);
    onKind(figures);
  }
  return results;
}

module.exports = { runCampaign, KINDS, KindRun };
