#!/usr/bin/env node
'use strict';
// Differential fuzzing of cliquet against libsignal 0.103 (docs/testing.md):
//
//   CLIQUET_STATE_PEER=build/release/tools/cliquet-state-peer \
//     node interop/fuzz/differential.js --count 100000 --seed 1 [--kinds whisper,prekey] [--json FILE]
//
// For each kind of message, `count` mutants of genuine messages go to both
// implementations holding the same state; the figures and every class of
// disagreement (with its smallest example) are printed, and written as JSON
// with --json. Disagreements that docs/testing.md lists as deliberate
// (lib/known-differences.js) are counted apart; the exit status is 1 if
// any other is found.

const fs = require('node:fs');
const { runCampaign, KINDS } = require('../lib/differential');
const { explain } = require('../lib/known-differences');

const USAGE = 'usage: differential.js --count N --seed S [--kinds k1,k2] [--json FILE]\n' +
  `kinds: ${KINDS.join(', ')}\n`;

function parseArguments(args) {
  const options = { kinds: KINDS };
  for (let i = 0; i < args.length; i += 2) {
    const [name, value] = [args[i], args[i + 1]];
    if (value === undefined) return null;
    if (name === '--count') options.count = Number(value);
    else if (name === '--seed') options.seed = Number(value);
    else if (name === '--kinds') options.kinds = value.split(',');
    else if (name === '--json') options.json = value;
    else return null;
  }
  const valid = Number.isSafeInteger(options.count) && options.count > 0 && Number.isSafeInteger(options.seed) &&
    options.kinds.every((k) => KINDS.includes(k));
  return valid ? options : null;
}

async function main() {
  const options = parseArguments(process.argv.slice(2));
  if (!options) {
    process.stderr.write(USAGE);
    return 2;
  }
  const started = Date.now();
  let unexplained = 0;
  const report = (r) => {
    console.log(`${r.kind}: ${r.inputs} inputs (${r.identical} unchanged by their mutations) in ${r.seconds.toFixed(1)} s;` +
      ` accepted by cliquet ${r.cliquetAccepted}, by libsignal ${r.libsignalAccepted}, by both ${r.bothAccepted}`);
    for (const [pair, { count, example }] of Object.entries(r.codeMismatches).sort((a, b) => b[1].count - a[1].count)) {
      console.log(`  both refuse, other codes (cliquet / libsignal): ${pair}, ${count} ×; e.g. input ${example.index}` +
        ` (${example.mutations.join(' + ')}): cliquet "${example.cliquet}", libsignal "${example.libsignal}"`);
    }
    for (const c of r.classes.sort((a, b) => b.count - a.count)) {
      c.explanation = explain(r.kind, c);
      if (!c.explanation) unexplained += c.count;
      console.log(`  ${c.explanation ? `[${c.explanation}]` : '[UNEXPLAINED]'} ${c.count} × ${c.key}`);
      console.log(`      e.g. input ${c.example.index} (base ${c.example.base}, ${c.example.mutations.join(' + ')}): ${c.example.detail}`);
      console.log(`      ${c.families.length} mutation families, e.g. ${c.families.slice(0, 3).join('; ')}`);
      if (c.minimal) {
        console.log(`      minimal: at byte ${c.minimal.at} of the genuine input, ${c.minimal.genuine || '(nothing)'} -> ${c.minimal.mutant || '(nothing)'}`);
      }
      console.log(`      bytes: ${c.example.bytes}`);
    }
  };
  const results = await runCampaign({
    ...options, onProgress: (line) => process.stderr.write(`${line}\n`), onKind: report,
  });
  console.log(`seed ${options.seed}, ${options.count} per kind, ${((Date.now() - started) / 1000).toFixed(1)} s in all;` +
    ` ${unexplained} inputs with unexplained disagreements`);
  if (options.json) fs.writeFileSync(options.json, `${JSON.stringify({ seed: options.seed, count: options.count, results }, null, 1)}\n`);
  return unexplained ? 1 : 0;
}

main().then((status) => {
  process.exitCode = status;
}, (error) => {
  process.stderr.write(`differential.js: ${error.stack}\n`);
  process.exitCode = 1;
});
