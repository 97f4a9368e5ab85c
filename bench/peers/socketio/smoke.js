'use strict';
// Protocol self-check of the Socket.IO peer. Exits 0 only when every check passes.
//
//   node smoke.js                  starts server.js itself (127.0.0.1, a free port, fresh secrets)
//   PEER_URL=http://127.0.0.1:8090 PEER_JWT_SECRET=... PEER_API_KEY=... node smoke.js
//                                  checks a peer that is already running
//
// Talks with socket.io-client (as a Node team's client would) and, for the exact frames that
// `gatehouse bench --protocol socketio` reads, with a raw WebSocket. Sends only to the peer's
// address (loopback) and stops by itself (a 30 s guard).

const crypto = require('node:crypto');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { io } = require('socket.io-client');
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

/** A socket.io-client socket whose events queue up until next(event) takes them. */
function connect(url, options) {
  const socket = io(url, { transports: ['websocket'], reconnection: false, forceNew: true, ...options });
  const queues = new Map();
  const waiters = new Map();
  socket.onAny((event, payload) => deliver(event, payload));
  socket.on('connect_error', (err) => deliver('connect_error', err));
  function deliver(event, payload) {
    const w = waiters.get(event);
    if (w && w.length) w.shift()(payload);
    else {
      if (!queues.has(event)) queues.set(event, []);
      queues.get(event).push(payload);
    }
  }
  return {
    socket,
    next(event) {
      const q = queues.get(event);
      if (q && q.length) return Promise.resolve(q.shift());
      return withTimeout(
        new Promise((resolve) => {
          if (!waiters.has(event)) waiters.set(event, []);
          waiters.get(event).push(resolve);
        }),
        event,
      );
    },
    pending: (event) => (queues.get(event) || []).length,
  };
}

/** A raw WebSocket on /socket.io/: its text frames, in order. */
function raw(wsUrl) {
  const ws = new WebSocket(wsUrl, { perMessageDeflate: false });
  const frames = [];
  const waiters = [];
  ws.on('message', (data) => {
    const text = data.toString();
    if (waiters.length) waiters.shift()(text);
    else frames.push(text);
  });
  ws.on('error', () => {});
  return {
    ws,
    next: (what) => (frames.length ? Promise.resolve(frames.shift()) : withTimeout(new Promise((r) => waiters.push(r)), what)),
    send: (text) => ws.send(text),
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

async function main() {
  let peer;
  if (process.env.PEER_URL) {
    if (!process.env.PEER_JWT_SECRET || !process.env.PEER_API_KEY) {
      throw new Error('with PEER_URL, set PEER_JWT_SECRET and PEER_API_KEY too');
    }
    peer = { url: process.env.PEER_URL.replace(/\/$/, ''), secret: process.env.PEER_JWT_SECRET, key: process.env.PEER_API_KEY };
  } else {
    peer = await startPeer();
  }
  const guard = setTimeout(() => {
    console.log('FAIL the whole check took over 30 s');
    if (peer.child) peer.child.kill('SIGTERM');
    process.exit(1);
  }, 30_000);
  guard.unref();

  try {
    await run(peer);
  } finally {
    if (peer.child) peer.child.kill('SIGTERM');
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 && passed > 0 ? 0 : 1);
}

async function run({ url, secret, key }) {
  const now = Math.floor(Date.now() / 1000);
  const publish = (body, auth = `apikey ${key}`) =>
    fetch(`${url}/api/v1/publish`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...(auth === null ? {} : { Authorization: auth }) },
      body: JSON.stringify(body),
    });

  const health = await fetch(`${url}/health`);
  check('GET /health answers 200', health.status === 200, health.status);

  // Accepted connection, token in the auth payload.
  const token = jwt({ sub: 'alice', name: 'Alice', roles: ['reader'], exp: now + 3600, nbf: now - 5 }, secret);
  const a = connect(url, { auth: { token } });
  const hello = await a.next('connection_established');
  check(
    'a valid HS256 token in auth gets the connection_established event',
    hello.type === 'connection_established' && hello.connection_id === a.socket.id &&
      hello.user && hello.user.id === 'alice' && hello.user.name === 'Alice' &&
      JSON.stringify(hello.user.roles) === '["reader"]' &&
      hello.expires_at === new Date((now + 3600) * 1000).toISOString() &&
      hello.heartbeat_interval_ms === 25000 && Math.abs(hello.server_time - Date.now()) < 5000,
    JSON.stringify(hello),
  );

  const channel = `smoke-${crypto.randomBytes(4).toString('hex')}`;
  a.socket.emit('subscribe', { channel });
  const sub = await a.next('subscribed');
  check(
    'subscribe gets subscribed {channel, offset, epoch, recovered:false, publications:[]}',
    sub.type === 'subscribed' && sub.channel === channel && sub.offset === 0 && typeof sub.epoch === 'string' &&
      sub.epoch.length > 0 && sub.recovered === false && Array.isArray(sub.publications) && sub.publications.length === 0,
    JSON.stringify(sub),
  );
  a.socket.emit('subscribe', { channel });
  const again = await a.next('error');
  check('a second subscribe to the same channel gets error BAD_REQUEST', again.code === 'BAD_REQUEST', JSON.stringify(again));
  a.socket.emit('subscribe', { channel: 'no spaces' });
  const bad = await a.next('error');
  check('an invalid channel name gets error BAD_REQUEST', bad.code === 'BAD_REQUEST', JSON.stringify(bad));

  const res1 = await publish({ channel, data: { hello: 'world', n: 1 } });
  const body1 = await res1.json();
  check(
    'POST /api/v1/publish answers 200 {channel, offset 1, epoch}',
    res1.status === 200 && body1.channel === channel && body1.offset === 1 && body1.epoch === sub.epoch,
    `${res1.status} ${JSON.stringify(body1)}`,
  );
  const msg1 = await a.next('message');
  check(
    'the subscriber receives the message event with the Gatehouse frame object',
    msg1.type === 'message' && msg1.channel === channel && msg1.offset === 1 && msg1.epoch === sub.epoch &&
      JSON.stringify(msg1.data) === '{"hello":"world","n":1}' && !Number.isNaN(Date.parse(msg1.published_at)),
    JSON.stringify(msg1),
  );

  // Token in the query instead; a second subscriber sees the channel's current offset.
  const b = connect(url, { query: { token: jwt({ sub: 'bob', exp: now + 600 }, secret) } });
  const helloB = await b.next('connection_established');
  check('a token in ?token= is accepted; name defaults to sub, roles to []', helloB.user && helloB.user.name === 'bob' && JSON.stringify(helloB.user.roles) === '[]', JSON.stringify(helloB));
  b.socket.emit('subscribe', { channel });
  const subB = await b.next('subscribed');
  check("subscribed reports the channel's newest offset", subB.offset === 1, JSON.stringify(subB));

  a.socket.emit('unsubscribe', { channel });
  await a.next('unsubscribed');
  const res2 = await publish({ channel, data: 'second' });
  const body2 = await res2.json();
  const msgB = await b.next('message');
  check('offsets count up; after unsubscribe only the remaining subscriber receives', body2.offset === 2 && msgB.offset === 2 && a.pending('message') === 0, `${JSON.stringify(body2)} ${JSON.stringify(msgB)}`);

  // The exact frames the bench reads.
  const wsUrl = `${url.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`;
  const r = raw(`${wsUrl}&token=${encodeURIComponent(jwt({ sub: 'carol', exp: now + 600 }, secret))}`);
  const open = await r.next('Engine.IO open');
  const openInfo = open.startsWith('0') ? JSON.parse(open.slice(1)) : {};
  check('raw: the server opens with 0{sid, pingInterval 25000, pingTimeout}', typeof openInfo.sid === 'string' && openInfo.pingInterval === 25000 && typeof openInfo.pingTimeout === 'number', open);
  r.send(`40${JSON.stringify({ token: jwt({ sub: 'carol', exp: now + 600 }, secret) })}`);
  const connected = await r.next('Socket.IO connect');
  check('raw: CONNECT with the auth payload is answered 40{sid}', /^40\{"sid":"[^"]+"\}$/.test(connected), connected);
  const established = await r.next('connection_established event');
  check('raw: then 42["connection_established",{...}]', established.startsWith('42["connection_established",{"type":"connection_established"'), established);
  r.send(`42${JSON.stringify(['subscribe', { channel }])}`);
  const subscribed = await r.next('subscribed event');
  check('raw: 42["subscribe",{channel}] is answered 42["subscribed",{...}]', subscribed.startsWith('42["subscribed",{"type":"subscribed"'), subscribed);
  await publish({ channel, data: { sent_ns: 5, seq: 0 } });
  const message = await r.next('message event');
  check('raw: a publication arrives as 42["message",{"type":"message",...,"data":{...}}]', message.startsWith('42["message",{"type":"message"') && message.includes('"data":{"sent_ns":5,"seq":0}'), message);
  r.ws.close();

  // Refusals: CONNECT_ERROR 44{"message":CODE,"data":{"code":CODE}}.
  const refusals = [
    ['no token', {}, 'TOKEN_MISSING'],
    ['an empty token', { auth: { token: '' } }, 'TOKEN_MISSING'],
    ['a garbage token', { auth: { token: 'garbage' } }, 'TOKEN_INVALID'],
    ['a token signed with another secret', { auth: { token: jwt({ sub: 'eve', exp: now + 600 }, 'another-secret') } }, 'TOKEN_INVALID'],
    ['an alg:none token', { auth: { token: `${b64url({ alg: 'none' })}.${b64url({ sub: 'eve', exp: now + 600 })}.` } }, 'TOKEN_INVALID'],
    ['a token without exp', { auth: { token: jwt({ sub: 'eve' }, secret) } }, 'TOKEN_INVALID'],
    ['a token not valid yet', { auth: { token: jwt({ sub: 'eve', exp: now + 600, nbf: now + 300 }, secret) } }, 'TOKEN_INVALID'],
    ['an expired token', { query: { token: jwt({ sub: 'eve', exp: now - 3600 }, secret) } }, 'TOKEN_EXPIRED'],
  ];
  for (const [what, options, code] of refusals) {
    const c = connect(url, options);
    const err = await c.next('connect_error');
    check(`${what} gets connect_error ${code}`, err.message === code && err.data && err.data.code === code && c.pending('connection_established') === 0, `${err.message} ${JSON.stringify(err.data)}`);
    c.socket.close();
  }
  const refused = raw(`${wsUrl}&token=garbage`);
  await refused.next('Engine.IO open');
  refused.send('40{"token":"garbage"}');
  const connectError = await refused.next('connect error');
  check('raw: a refusal is 44{"message":"TOKEN_INVALID","data":{"code":"TOKEN_INVALID"}}', connectError === '44{"message":"TOKEN_INVALID","data":{"code":"TOKEN_INVALID"}}', connectError);
  refused.ws.close();

  // Server API refusals.
  const wrongKey = await publish({ channel, data: 1 }, 'apikey not-the-key');
  const wrongBody = await wrongKey.json();
  check('a wrong API key gets 401 TOKEN_INVALID', wrongKey.status === 401 && wrongBody.code === 'TOKEN_INVALID', `${wrongKey.status} ${JSON.stringify(wrongBody)}`);
  const noKey = await publish({ channel, data: 1 }, null);
  check('no API key gets 401 TOKEN_MISSING', noKey.status === 401 && (await noKey.json()).code === 'TOKEN_MISSING', noKey.status);
  const noChannel = await publish({ data: 1 });
  check('a publish without channel gets 400', noChannel.status === 400 && (await noChannel.json()).code === 'BAD_REQUEST', noChannel.status);

  a.socket.close();
  b.socket.close();
}

main().catch((err) => {
  console.log(`FAIL ${err.message}`);
  console.log(`${passed} passed, ${failed + 1} failed`);
  process.exit(1);
});
