'use strict';
// A short run of the differential fuzzer (interop/fuzz/differential.js,
// docs/testing.md): 600 mutants of each kind of message, from a fixed seed,
// fed to cliquet (cliquet-state-peer) and libsignal 0.103 holding the same
// state. Every disagreement must be one that docs/testing.md lists as
// deliberate; both sides must accept every genuine message alike before
// and after the run (the engine checks), and the same seed must make the
// same mutants. And the checks can fail: a genuine message changes both
// sides' stores, each side sees it, and both are put back after it.

const { test } = require('../lib/testing');
const assert = require('node:assert/strict');
const { runCampaign, KINDS, KindRun } = require('../lib/differential');
const { explain } = require('../lib/known-differences');
const { makeWorld } = require('../lib/diff-world');

const SEED = 20;
const COUNT = 600;

test(`${COUNT} mutants of each kind: cliquet and libsignal 0.103 disagree only where docs/testing.md says`,
  { timeout: 5 * 60_000 }, async () => {
    const results = await runCampaign({ seed: SEED, count: COUNT });
    assert.deepEqual(results.map((r) => r.kind), KINDS);
    for (const r of results) {
      assert.equal(r.inputs, COUNT, r.kind);
      // Mutants that change nothing are the genuine message: both accept them.
      assert.ok(r.bothAccepted >= r.identical, `${r.kind}: ${r.bothAccepted} accepted by both, ${r.identical} unchanged`);
      const unexplained = r.classes.filter((c) => !explain(r.kind, c));
      assert.deepEqual(unexplained.map((c) => `${c.count} × ${c.key}: input ${c.example.index}, ${c.example.bytes}`), [],
        `${r.kind}: disagreements docs/testing.md does not list`);
    }
  });

test('the same seed and index make the same mutant', async () => {
  const world = await makeWorld();
  for (const kind of KINDS) {
    const run = new KindRun(kind, world);
    for (const index of [0, 1, 999]) {
      const a = await run.mutant(SEED, index);
      const b = await run.mutant(SEED, index);
      assert.deepEqual(a.mutations, b.mutations, `${kind} ${index}`);
      // Signed or sealed again: fresh randomness in the signature or the envelope.
      const again = /^(resign|resealed)/.test(a.mutations[0] ?? '');
      assert.ok(a.bytes.equals(b.bytes) || again, `${kind} ${index}`);
    }
  }
});

test('both sides see the change a genuine message makes, and are put back after it', async () => {
  const world = await makeWorld();
  for (const kind of ['prekey', 'whisper', 'sender_key']) {
    const run = new KindRun(kind, world);
    await run.start();
    try {
      const [input] = run.inputs;
      for (let round = 0; round < 2; round++) {
        const { cliquet, libsignal } = await run.both(input.bytes, input);
        assert.ok(cliquet.ok && libsignal.ok, `${kind}: the genuine message, round ${round}`);
        assert.deepEqual(cliquet.output, libsignal.output);
        assert.ok(cliquet.changed && libsignal.changed, `${kind}: each side saw its stores change`);
      }
    } finally {
      await run.close();
    }
  }
});
