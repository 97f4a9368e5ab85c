'use strict';
// Protocol self-check of the ws peer. Exits 0 only when every check passes.
//
//   node smoke.js                  starts server.js itself (127.0.0.1, a free port, fresh secrets)
//   PEER_URL=http://127.0.0.1:8090 PEER_JWT_SECRET=... PEER_API_KEY=... node smoke.js
//                                  checks a peer that is already running
//   PEER_START='python3 server.py' PEER_DIR=../fastapi node smoke.js
//                                  starts another peer with that shell command in PEER_DIR, with
//                                  PEER_HOST, PEER_PORT (a free loopback port), PEER_JWT_SECRET and
//                                  PEER_API_KEY set, and waits for GET /health to answer 200
//
// Sends only to the peer's address (loopback) and stops by itself (a 30 s guard).

const crypto = require('node:crypto');
const path = require('node:path');
const net = require('node:net');
const { spawn } = require('node:child_process');
const WebSocket = require('ws');

const TIMEOUT_MS = 5000;
let passed = 0;
let failed = 0;

function check(name, ok, detail) {
  if (ok) {
    passed++;
    console.log(`ok   ${name}`);
  } else {
    failed++;
    console.log(`FAIL ${name}${detail === undefined ? '' : `: ${detail}`}`);
  }
}

function b64url(value) {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
}

function jwt(claims, secret, header = { alg: 'HS256', typ: 'JWT' }) {
  const input = `${b64url(header)}.${b64url(claims)}`;
  return `${input}.${crypto.createHmac('sha256', secret).update(input).digest('base64url')}`;
}

function withTimeout(promise, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), TIMEOUT_MS);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** A client whose frames queue up until next() takes them. */
function connect(wsUrl) {
  const ws = new WebSocket(wsUrl, { perMessageDeflate: false });
  const frames = [];
  const waiters = [];
  ws.on('message', (data) => {
    const msg = JSON.parse(data.toString());
    if (waiters.length) waiters.shift()(msg);
    else frames.push(msg);
  });
  const closed = new Promise((resolve) =>
    ws.on('close', (code, reason) => {
      const why = { code, reason: reason.toString() };
      // Whoever still waits for a frame hears why none will come.
      for (const w of waiters.splice(0)) w({ type: '(closed)', ...why });
      resolve(why);
    }),
  );
  ws.on('error', () => {});
  return {
    ws,
    closed,
    next(what = 'a frame') {
      if (frames.length) return Promise.resolve(frames.shift());
      return withTimeout(new Promise((resolve) => waiters.push(resolve)), what);
    },
    pending: () => frames.length,
    send: (obj) => ws.send(typeof obj === 'string' ? obj : JSON.stringify(obj)),
  };
}

async function startPeer() {
  const secret = crypto.randomBytes(32).toString('hex');
  const key = crypto.randomBytes(24).toString('hex');
  const child = spawn(process.execPath, [path.join(__dirname, 'server.js')], {
    env: { ...process.env, PEER_HOST: '127.0.0.1', PEER_PORT: '0', PEER_JWT_SECRET: secret, PEER_API_KEY: key },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await withTimeout(
    new Promise((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
        const m = /peer listening on (http:\/\/\S+)/.exec(out);
        if (m) resolve(m[1]);
      });
      child.on('exit', (code) => reject(new Error(`server.js exited with ${code}`)));
    }),
    'server.js to listen',
  );
  return { url, secret, key, child };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** Starts `exec <command>` with sh in dir on a free loopback port; ready once GET /health is 200. */
async function startCommand(command, dir) {
  const secret = crypto.randomBytes(32).toString('hex');
  const key = crypto.randomBytes(24).toString('hex');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn('/bin/sh', ['-c', `exec ${command}`], {
    cwd: dir,
    env: { ...process.env, PEER_HOST: '127.0.0.1', PEER_PORT: String(port), PEER_JWT_SECRET: secret, PEER_API_KEY: key },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  let exited = null;
  child.on('exit', (code, signal) => { exited = signal || code; });
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (exited !== null) throw new Error(`'${command}' exited with ${exited} before GET /health answered`);
    try {
      if ((await fetch(`${url}/health`)).status === 200) return { url, secret, key, child };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`'${command}' did not answer GET /health on ${url} within 20 s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** SIGTERM, then SIGKILL if the peer is still there after 5 s. */
function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

async function main() {
  let peer;
  if (process.env.PEER_URL) {
    if (!process.env.PEER_JWT_SECRET || !process.env.PEER_API_KEY) {
      throw new Error('with PEER_URL, set PEER_JWT_SECRET and PEER_API_KEY too');
    }
    peer = { url: process.env.PEER_URL.replace(/\/$/, ''), secret: process.env.PEER_JWT_SECRET, key: process.env.PEER_API_KEY };
  } else if (process.env.PEER_START) {
    peer = await startCommand(process.env.PEER_START, process.env.PEER_DIR || process.cwd());
  } else {
    peer = await startPeer();
  }
  const guard = setTimeout(() => {
    console.log('FAIL the whole check took over 30 s');
    if (peer.child) peer.child.kill('SIGKILL');
    process.exit(1);
  }, 30_000);
  guard.unref();

  try {
    await run(peer);
  } finally {
    if (peer.child) await stopChild(peer.child);
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 && passed > 0 ? 0 : 1);
}

async function run({ url, secret, key }) {
  const wsBase = `${url.replace(/^http/, 'ws')}/ws`;
  const now = Math.floor(Date.now() / 1000);
  const publishUrl = `${url}/api/v1/publish`;
  const publish = (body, auth = `apikey ${key}`) =>
    fetch(publishUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...(auth === null ? {} : { Authorization: auth }) },
      body: JSON.stringify(body),
    });

  const health = await fetch(`${url}/health`);
  check('GET /health answers 200', health.status === 200, health.status);

  // Accepted connection.
  const token = jwt({ sub: 'alice', name: 'Alice', roles: ['reader'], exp: now + 3600, nbf: now - 5 }, secret);
  const a = connect(`${wsBase}?token=${encodeURIComponent(token)}`);
  const hello = await a.next('connection_established');
  check('valid HS256 token gets connection_established', hello.type === 'connection_established', JSON.stringify(hello));
  check(
    'connection_established carries user, expiry and heartbeat',
    typeof hello.connection_id === 'string' && hello.connection_id.length > 0 &&
      hello.user && hello.user.id === 'alice' && hello.user.name === 'Alice' &&
      JSON.stringify(hello.user.roles) === '["reader"]' &&
      hello.expires_at === new Date((now + 3600) * 1000).toISOString() &&
      hello.heartbeat_interval_ms === 25000 && Math.abs(hello.server_time - Date.now()) < 5000,
    JSON.stringify(hello),
  );

  a.send({ type: 'ping', id: 7 });
  const pong = await a.next('pong');
  check('ping gets pong {timestamp} with the id', pong.type === 'pong' && pong.id === 7 && typeof pong.timestamp === 'number', JSON.stringify(pong));

  const channel = `smoke-${crypto.randomBytes(4).toString('hex')}`;
  a.send({ type: 'subscribe', channel, id: 'sub-1' });
  const sub = await a.next('subscribed');
  check(
    'subscribe gets subscribed {channel, offset, epoch, recovered:false, publications:[]}',
    sub.type === 'subscribed' && sub.id === 'sub-1' && sub.channel === channel && sub.offset === 0 &&
      typeof sub.epoch === 'string' && sub.epoch.length > 0 && sub.recovered === false &&
      Array.isArray(sub.publications) && sub.publications.length === 0,
    JSON.stringify(sub),
  );

  a.send({ type: 'subscribe', channel });
  const again = await a.next('error for a second subscribe');
  check('a second subscribe to the same channel gets error BAD_REQUEST', again.type === 'error' && again.code === 'BAD_REQUEST', JSON.stringify(again));

  // Publish and fan-out.
  const res1 = await publish({ channel, data: { hello: 'world', n: 1 } });
  const body1 = await res1.json();
  check(
    'POST /api/v1/publish answers 200 {channel, offset 1, epoch}',
    res1.status === 200 && body1.channel === channel && body1.offset === 1 && body1.epoch === sub.epoch,
    `${res1.status} ${JSON.stringify(body1)}`,
  );
  const msg1 = await a.next('message frame');
  check(
    'the subscriber receives the message frame',
    msg1.type === 'message' && msg1.channel === channel && msg1.offset === 1 && msg1.epoch === sub.epoch &&
      JSON.stringify(msg1.data) === '{"hello":"world","n":1}' && !Number.isNaN(Date.parse(msg1.published_at)),
    JSON.stringify(msg1),
  );
  const res2 = await publish({ channel, data: 'second' });
  const body2 = await res2.json();
  const msg2 = await a.next('second message frame');
  check('offsets count up per channel', body2.offset === 2 && msg2.offset === 2 && msg2.data === 'second', `${JSON.stringify(body2)} ${JSON.stringify(msg2)}`);

  // A second subscriber sees the channel's current offset.
  const b = connect(`${wsBase}?token=${encodeURIComponent(jwt({ sub: 'bob', exp: now + 600 }, secret))}`);
  const helloB = await b.next('connection_established for bob');
  check('name defaults to sub and roles to []', helloB.user && helloB.user.name === 'bob' && JSON.stringify(helloB.user.roles) === '[]', JSON.stringify(helloB));
  b.send({ type: 'subscribe', channel });
  const subB = await b.next('subscribed for bob');
  check('subscribed reports the channel\'s newest offset', subB.offset === 2 && !('id' in subB), JSON.stringify(subB));

  // Bad input keeps the connection.
  a.send('{not json');
  const e1 = await a.next('error for malformed JSON');
  check('malformed JSON gets error BAD_REQUEST', e1.type === 'error' && e1.code === 'BAD_REQUEST' && typeof e1.message === 'string', JSON.stringify(e1));
  a.send({ type: 'get_stats', id: 3 });
  const e2 = await a.next('error for an unknown type');
  check('unknown type gets error BAD_REQUEST with the id', e2.type === 'error' && e2.code === 'BAD_REQUEST' && e2.id === 3, JSON.stringify(e2));

  // Unsubscribe: bob still gets the next publication, alice does not.
  a.send({ type: 'unsubscribe', channel, id: 'u' });
  const unsub = await a.next('unsubscribed');
  check('unsubscribe gets unsubscribed', unsub.type === 'unsubscribed' && unsub.channel === channel && unsub.id === 'u', JSON.stringify(unsub));
  await publish({ channel, data: 3 });
  const msgB = await b.next('message for bob');
  a.send({ type: 'ping' });
  const afterUnsub = await a.next('pong after unsubscribe');
  check('after unsubscribe only the remaining subscriber receives', msgB.offset === 3 && afterUnsub.type === 'pong', `${JSON.stringify(msgB)} ${JSON.stringify(afterUnsub)}`);

  // Server API refusals.
  const wrongKey = await publish({ channel, data: 1 }, 'apikey not-the-key');
  const wrongBody = await wrongKey.json();
  check('a wrong API key gets 401 TOKEN_INVALID', wrongKey.status === 401 && wrongBody.code === 'TOKEN_INVALID' && typeof wrongBody.hint === 'string', `${wrongKey.status} ${JSON.stringify(wrongBody)}`);
  const noKey = await publish({ channel, data: 1 }, null);
  const noKeyBody = await noKey.json();
  check('no API key gets 401 TOKEN_MISSING', noKey.status === 401 && noKeyBody.code === 'TOKEN_MISSING', `${noKey.status} ${JSON.stringify(noKeyBody)}`);
  const bad = await publish({ data: 1 });
  check('a publish without channel gets 400', bad.status === 400 && (await bad.json()).code === 'BAD_REQUEST', bad.status);

  // Handshake refusals: the upgrade completes, then close 4401 with the code as the reason.
  const refusals = [
    ['no token', wsBase, 'TOKEN_MISSING'],
    ['an empty token', `${wsBase}?token=`, 'TOKEN_MISSING'],
    ['a garbage token', `${wsBase}?token=garbage`, 'TOKEN_INVALID'],
    ['a token signed with another secret', `${wsBase}?token=${jwt({ sub: 'eve', exp: now + 600 }, 'another-secret')}`, 'TOKEN_INVALID'],
    ['an alg:none token', `${wsBase}?token=${b64url({ alg: 'none' })}.${b64url({ sub: 'eve', exp: now + 600 })}.`, 'TOKEN_INVALID'],
    ['a token without exp', `${wsBase}?token=${jwt({ sub: 'eve' }, secret)}`, 'TOKEN_INVALID'],
    ['a token not valid yet', `${wsBase}?token=${jwt({ sub: 'eve', exp: now + 600, nbf: now + 300 }, secret)}`, 'TOKEN_INVALID'],
    ['an expired token', `${wsBase}?token=${jwt({ sub: 'eve', exp: now - 3600 }, secret)}`, 'TOKEN_EXPIRED'],
  ];
  for (const [what, wsUrl, reason] of refusals) {
    const c = connect(wsUrl);
    let opened = false;
    c.ws.on('open', () => { opened = true; });
    const { code, reason: got } = await withTimeout(c.closed, `the close for ${what}`);
    check(`${what} is upgraded then closed 4401 ${reason}`, opened && code === 4401 && got === reason && c.pending() === 0, `opened=${opened} ${code} ${got}`);
  }

  a.ws.close();
  b.ws.close();
  await Promise.all([a.closed, b.closed]);
}

main().catch((err) => {
  console.log(`FAIL ${err.message}`);
  console.log(`${passed} passed, ${failed + 1} failed`);
  process.exit(1);
});
