'use strict';
// A driver for any program that speaks the peer protocol
// (/work/shared/spec/PEER_PROTOCOL.md): one JSON request per line on stdin,
// one JSON response per line on stdout, matched by id.
//
//   const { Peer } = require('../lib/peer');
//   const alice = await Peer.spawn(process.env.CLIQUET_PEER);
//   const { identity_key } = await alice.ok('init', { name: 'alice', device_id: 1, registration_id: 7 });
//   const r = await alice.call('verify', { ... });  // resolves even when r.ok is false
//   await alice.close();
//
// call() resolves with the whole response, failures included, so that tests
// can check error codes; ok() throws a PeerError on a failure. A call rejects
// only when the process dies, answers out of order or with something that
// is not a response, or does not answer within the timeout.
//
// No wait on a peer is unbounded: the request at the head of the queue must
// be answered within timeoutMs of reaching it (of being sent, or of the
// answer before it), or every pending call rejects naming that request.
// Every process started here is killed when this process exits, and a test
// that runs its body in trackPeers() (lib/testing.js does) kills the ones it
// started when it ends.

const { AsyncLocalStorage } = require('node:async_hooks');
const { spawn } = require('node:child_process');
const { basename } = require('node:path');
const readline = require('node:readline');

// Every request the tests make is answered in well under a second; this
// leaves room for a loaded machine or a debug build, and still fails a test
// whose peer stopped answering within seconds.
const DEFAULT_TIMEOUT_MS = 10_000;

// Every peer whose process has not ended yet.
const running = new Set();
process.on('exit', () => {
  for (const peer of running) peer.child.kill('SIGKILL');
});

// The set, if any, that the code now running adds the peers it starts to.
const owners = new AsyncLocalStorage();

/**
 * Runs `body` so that every peer started by it, or by anything it starts
 * in turn, is added to `peers`.
 * @param {Set<Peer>} peers
 * @param {() => any} body
 */
function trackPeers(peers, body) {
  return owners.run(peers, body);
}

/** The peers whose processes are still running. */
const livePeers = () => new Set(running);

/**
 * How failures name a peer: its program (the script, for one run by node)
 * and arguments, paths shortened to their last part.
 */
function describeCommand(program, args) {
  const words = program === process.execPath && args.length > 0 ? args : [program, ...args];
  return words.map((word) => (word.includes('/') ? basename(word) : word)).join(' ');
}

class PeerError extends Error {
  constructor(op, response) {
    const { code, message } = response.error || {};
    super(`${op} failed: ${code}: ${message}`);
    this.name = 'PeerError';
    this.op = op;
    this.code = code;
    this.response = response;
  }
}

class Peer {
  // Starts `path` with `args` and resolves once the process is running.
  static spawn(path, args = [], options = {}) {
    if (!path) {
      return Promise.reject(new Error('Peer.spawn: no program path (is CLIQUET_PEER set?)'));
    }
    return new Promise((resolve, reject) => {
      const child = spawn(path, args, { stdio: ['pipe', 'pipe', 'pipe'], ...options.spawnOptions });
      child.once('error', reject);
      child.once('spawn', () => {
        child.removeListener('error', reject);
        resolve(new Peer(child, describeCommand(path, args), options));
      });
    });
  }

  /**
   * @param {import('node:child_process').ChildProcess} child
   * @param {string} name what failures call it
   * @param {{timeoutMs?: number}} [options]
   */
  constructor(child, name, options = {}) {
    this.name = name;
    this.child = child;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.nextId = 1;
    // Requests awaiting their response, oldest first: the protocol answers
    // in request order, so each line belongs to the head of this queue.
    this.queue = [];
    this.headTimer = null;    // runs while the head of the queue waits
    this.stderr = '';
    this.exited = null;       // { code, signal } once the process has ended
    this.failure = null;      // the first protocol violation seen

    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => {
      // Keep the tail only: enough to explain a crash, bounded in size.
      this.stderr = (this.stderr + chunk).slice(-16_384);
    });
    child.stdin.on('error', () => {}); // a dead peer is reported through 'close'

    this.lines = readline.createInterface({ input: child.stdout, crlfDelay: Infinity });
    this.lines.on('line', (line) => this.onLine(line));
    running.add(this);
    owners.getStore()?.add(this);
    child.on('close', (code, signal) => {
      running.delete(this);
      this.exited = { code, signal };
      this.failAll(new Error(`${name} exited (code ${code}, signal ${signal})` +
        (this.stderr ? `; stderr: ${this.stderr.trim()}` : '')));
    });
  }

  onLine(line) {
    const waiter = this.queue.shift();
    if (!waiter) {
      this.violation(`unrequested output: ${line.slice(0, 200)}`);
      return;
    }
    this.startHeadTimer();
    let response;
    try {
      response = JSON.parse(line);
    } catch (e) {
      waiter.reject(this.violation(`not JSON on stdout: ${JSON.stringify(line.slice(0, 200))}`));
      return;
    }
    if (response === null || typeof response !== 'object' || Array.isArray(response)) {
      waiter.reject(this.violation(`response is not an object: ${line.slice(0, 200)}`));
      return;
    }
    if (waiter.id !== undefined && response.id !== waiter.id) {
      waiter.reject(this.violation(`expected the response to id ${waiter.id}, got ${line.slice(0, 200)}`));
      return;
    }
    waiter.resolve(response);
  }

  violation(message) {
    this.failure ??= new Error(`${this.name}: ${message}`);
    this.failAll(this.failure);
    return this.failure;
  }

  failAll(error) {
    clearTimeout(this.headTimer);
    for (const waiter of this.queue.splice(0)) waiter.reject(error);
  }

  // (Re)starts the wait for the request now at the head of the queue.
  startHeadTimer() {
    clearTimeout(this.headTimer);
    const head = this.queue[0];
    if (!head) return;
    this.headTimer = setTimeout(() => {
      // A lost response leaves the queue out of step; nothing after it
      // can be trusted.
      this.violation(`${head.what}: no response within ${this.timeoutMs} ms`);
    }, this.timeoutMs);
  }

  send(line, id, what) {
    if (this.failure) return Promise.reject(this.failure);
    if (this.exited) return Promise.reject(new Error(`${this.name} has exited`));
    return new Promise((resolve, reject) => {
      this.queue.push({ id, what, resolve, reject });
      if (this.queue.length === 1) this.startHeadTimer();
      this.child.stdin.write(line + '\n');
    });
  }

  // Sends one request and resolves with its response, ok or not.
  call(op, params = {}) {
    const id = this.nextId++;
    return this.send(JSON.stringify({ ...params, id, op }), id, `${op} (id ${id})`);
  }

  // Sends `line` verbatim (for malformed-request tests) and resolves with
  // the response, whatever its id. The line must not be blank (the protocol
  // answers nothing to a blank line) and must not contain a newline.
  raw(line) {
    if (/^[ \t\r]*$/.test(line) || line.includes('\n')) {
      return Promise.reject(new Error('Peer.raw: the line must be one non-blank line'));
    }
    return this.send(line, undefined, `raw line ${JSON.stringify(line.slice(0, 40))}`);
  }

  // Like call(), but throws a PeerError when the peer reports a failure.
  async ok(op, params = {}) {
    const response = await this.call(op, params);
    if (response.ok !== true) throw new PeerError(op, response);
    return response;
  }

  // Ends input and waits for the process to exit; resolves with its exit
  // status. Kills it if it does not exit within the timeout.
  close() {
    if (this.exited) return Promise.resolve(this.exited);
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.child.kill('SIGKILL'), this.timeoutMs);
      this.child.once('close', (code, signal) => {
        clearTimeout(timer);
        resolve({ code, signal });
      });
      this.child.stdin.end();
    });
  }

  // Ends the process at once (for crash-durability tests).
  kill(signal = 'SIGKILL') {
    if (this.exited) return Promise.resolve(this.exited);
    return new Promise((resolve) => {
      this.child.once('close', (code, sig) => resolve({ code, signal: sig }));
      this.child.kill(signal);
    });
  }
}

// Hex helpers shared by the tests: the protocol carries bytes as hex.
const hex = (bytes) => Buffer.from(bytes).toString('hex');
const unhex = (text) => Buffer.from(text, 'hex');

module.exports = { Peer, PeerError, trackPeers, livePeers, hex, unhex, DEFAULT_TIMEOUT_MS };
