'use strict';
// No interop test can hang. A peer that stops answering fails the request
// it is stuck on within lib/peer.js's timeout, naming it, and every request
// queued behind it too; a test past its time limit fails and its peers are
// killed (lib/testing.js); and every test file takes test() from
// lib/testing.js, so that all of this applies to it.

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFile } = require('node:child_process');
const assert = require('node:assert/strict');
const { test } = require('../lib/testing');
const { Peer, DEFAULT_TIMEOUT_MS } = require('../lib/peer');

const FIXTURES = path.join(__dirname, '..', 'fixtures');
const MUTE_PEER = path.join(FIXTURES, 'mute-peer.js');

// "Within seconds": a request timeout any longer would let a stuck peer eat
// the CI run's budget one test at a time.
const MAX_REQUEST_TIMEOUT_MS = 15_000;

test('the request timeout is a matter of seconds', () => {
  assert.ok(DEFAULT_TIMEOUT_MS > 0 && DEFAULT_TIMEOUT_MS <= MAX_REQUEST_TIMEOUT_MS,
    `lib/peer.js's DEFAULT_TIMEOUT_MS is ${DEFAULT_TIMEOUT_MS} ms`);
});

// If the timeout were gone, the calls below would never settle and this
// test would fail on its own time limit instead.
test('a peer that stops answering fails the request it is stuck on, by name, and those behind it',
  { timeout: DEFAULT_TIMEOUT_MS + 10_000 }, async () => {
    const peer = await Peer.spawn(process.execPath, [MUTE_PEER]);
    assert.equal((await peer.ok('init', { name: 'alice', device_id: 1, registration_id: 7 })).ok, true);
    const stuck = peer.call('decrypt', { peer: { name: 'bob', device_id: 2 }, type: 'whisper', ciphertext: '33' });
    const queued = peer.call('encrypt', { peer: { name: 'bob', device_id: 2 }, plaintext: '00' });
    const expected = new RegExp(`^Error: mute-peer\\.js: decrypt \\(id 2\\): no response within ${DEFAULT_TIMEOUT_MS} ms`);
    await assert.rejects(stuck, expected);
    await assert.rejects(queued, expected);
    await assert.rejects(peer.call('capabilities'), expected, 'nothing more is sent to a peer out of step');
    assert.deepEqual(await peer.close(), { code: 0, signal: null }, 'it exits when its input ends');
  });

// node:test tells its child processes apart by NODE_TEST_CONTEXT; the
// hanging suite is a run of its own.
function withoutTestContext(env) {
  const { NODE_TEST_CONTEXT: _, ...rest } = env;
  return rest;
}

test('a test past its time limit fails, and the peers it started are killed when it ends', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cliquet-timeouts-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const pidFile = path.join(dir, 'pid');
  const { code, output } = await new Promise((resolve) => {
    execFile(process.execPath, ['--test', '--test-reporter=tap', path.join(FIXTURES, 'hanging-suite.js')],
      { env: { ...withoutTestContext(process.env), MUTE_PEER_PID_FILE: pidFile }, timeout: 60_000, killSignal: 'SIGKILL' },
      (error, stdout, stderr) => resolve({ code: error ? error.code ?? error.signal : 0, output: stdout + stderr }));
  });
  assert.notEqual(code, 'SIGKILL', `the hanging suite did not end by itself:\n${output}`);
  assert.match(output, /not ok 1 - a test that starts a peer and hangs\n[^]*?failureType: 'testTimeoutFailure'/);
  assert.match(output, /\nok 2 - the hanging test's peer was killed when it ended\n/);
  assert.match(output, /# pass 1\n# fail 0\n# cancelled 1\n/);
  assert.notEqual(code, 0, 'a timed-out test fails its file');
  const pid = Number(fs.readFileSync(pidFile, 'utf8'));
  assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' }, `the mute peer (pid ${pid}) still runs`);
});

test('every test file takes test() and describe() from lib/testing.js, not node:test', () => {
  const dirs = ['test', 'lib'].map((dir) => path.join(__dirname, '..', dir));
  const offenders = dirs.flatMap((dir) => fs.readdirSync(dir)
    .filter((name) => name.endsWith('.js'))
    .map((name) => path.join(dir, name))
    .filter((file) => file !== require.resolve('../lib/testing'))
    .filter((file) => /require\(\s*['"]node:test['"]\s*\)|from\s+['"]node:test['"]/.test(fs.readFileSync(file, 'utf8'))));
  assert.deepEqual(offenders.map((file) => path.relative(path.join(__dirname, '..'), file)), []);
});
