'use strict';
// Reference peer for Gatehouse benchmarks (issue 6): a plain Node.js + ws server that speaks the
// subset of the Gatehouse protocol the benchmarks use (docs/protocol.md). It is a yardstick, not a
// product: keep it idiomatic and reasonably fast, and do not add features the benchmarks do not use.

const http = require('node:http');
const crypto = require('node:crypto');
const { WebSocketServer, WebSocket } = require('ws');

// ---------------------------------------------------------------------------------------------
// Configuration

function fail(message) {
  process.stderr.write(`peer: ${message}\n`);
  process.exit(2);
}

const HOST = process.env.PEER_HOST || '127.0.0.1';
const PORT = process.env.PEER_PORT === undefined || process.env.PEER_PORT === '' ? 8090 : Number(process.env.PEER_PORT);
const JWT_SECRET = process.env.PEER_JWT_SECRET;
const API_KEY = process.env.PEER_API_KEY;

if (!JWT_SECRET) fail('PEER_JWT_SECRET is required (the HS256 secret of the client tokens)');
if (!API_KEY) fail('PEER_API_KEY is required (the key of Authorization: apikey <key> on POST /api/v1/publish)');
if (!Number.isInteger(PORT) || PORT < 0 || PORT > 65535) fail(`PEER_PORT must be a port number (0 picks a free one), not '${process.env.PEER_PORT}'`);
if (!isLoopback(HOST)) fail(`PEER_HOST must be a loopback address (127.0.0.0/8, ::1 or localhost), not '${HOST}'`);

function isLoopback(host) {
  if (host === 'localhost' || host === '::1' || host === '[::1]') return true;
  const m = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  return m !== null && m.slice(1).every((n) => Number(n) <= 255);
}

// The same numbers as Gatehouse's defaults (docs/protocol.md, docs/configuration.md).
const HEARTBEAT_INTERVAL_MS = 25_000;
const CLOCK_SKEW_S = 30; // auth.jwt.clock_skew
const MAX_MESSAGE_BYTES = 64 * 1024; // limits.max_message_bytes (ws closes with 1009 past it)
const OUTBOUND_BUFFER_BYTES = 4 * 1024 * 1024; // limits.outbound_buffer
const SLOW_CONSUMER_CLOSE_WAIT_MS = 10_000; // the close frame waits this long behind the backlog
const MAX_HTTP_BODY_BYTES = 1024 * 1024;
const CHANNEL_NAME = /^[A-Za-z0-9_\-.:@#,]{1,255}$/;

// One epoch per process: there is no history, so every channel's stream starts anew on restart.
const EPOCH = crypto.randomBytes(4).toString('hex');

// ---------------------------------------------------------------------------------------------
// HS256 JWT verification (node:crypto only)

const secretKey = crypto.createSecretKey(Buffer.from(JWT_SECRET, 'utf8'));

class Refusal {
  constructor(code) {
    this.code = code;
  }
}
const TOKEN_MISSING = new Refusal('TOKEN_MISSING');
const TOKEN_INVALID = new Refusal('TOKEN_INVALID');
const TOKEN_EXPIRED = new Refusal('TOKEN_EXPIRED');

function decodeJsonPart(part) {
  try {
    const value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : null;
  } catch {
    return null;
  }
}

function isStringList(v) {
  return Array.isArray(v) && v.every((s) => typeof s === 'string');
}

/** The token's claims, or a Refusal. Rules as Gatehouse's: alg HS256, sub and exp required, nbf when present. */
function verifyJwt(token) {
  const first = token.indexOf('.');
  const second = first < 0 ? -1 : token.indexOf('.', first + 1);
  if (first <= 0 || second < 0 || token.indexOf('.', second + 1) !== -1) return TOKEN_INVALID;
  const header = decodeJsonPart(token.slice(0, first));
  if (header === null || header.alg !== 'HS256') return TOKEN_INVALID;

  // Compare the canonical base64url encoding of the expected signature with the given one, so
  // that no lenient decoding of the given text can make a second spelling of a valid signature.
  const expected = Buffer.from(
    crypto.createHmac('sha256', secretKey).update(token.slice(0, second)).digest('base64url'),
    'latin1',
  );
  const given = Buffer.from(token.slice(second + 1), 'latin1');
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return TOKEN_INVALID;

  const claims = decodeJsonPart(token.slice(first + 1, second));
  if (claims === null) return TOKEN_INVALID;
  const { sub, exp, nbf, name, roles } = claims;
  if (typeof sub !== 'string' || sub === '') return TOKEN_INVALID;
  if (typeof exp !== 'number' || !Number.isFinite(exp)) return TOKEN_INVALID;
  if (nbf !== undefined && (typeof nbf !== 'number' || !Number.isFinite(nbf))) return TOKEN_INVALID;
  if (name !== undefined && name !== null && typeof name !== 'string') return TOKEN_INVALID;
  if (roles !== undefined && roles !== null && !isStringList(roles)) return TOKEN_INVALID;
  const now = Date.now() / 1000;
  if (nbf !== undefined && now + CLOCK_SKEW_S < nbf) return TOKEN_INVALID;
  if (now - CLOCK_SKEW_S >= exp) return TOKEN_EXPIRED;
  return claims;
}

function queryToken(url) {
  const q = url.indexOf('?');
  if (q < 0) return null;
  const token = new URLSearchParams(url.slice(q + 1)).get('token');
  return token === null || token === '' ? null : token;
}

// ---------------------------------------------------------------------------------------------
// Channels: name -> { offset, subscribers }. A channel keeps its offset after its last subscriber
// leaves, so offsets go on 1, 2, 3 ... for the life of the process.

const channels = new Map();

function channelFor(name) {
  let ch = channels.get(name);
  if (ch === undefined) {
    ch = { offset: 0, subscribers: new Set() };
    channels.set(name, ch);
  }
  return ch;
}

function unsubscribeAll(ws) {
  for (const name of ws.channels) {
    const ch = channels.get(name);
    if (ch !== undefined) ch.subscribers.delete(ws);
  }
  ws.channels.clear();
}

function closeSlowConsumer(ws) {
  unsubscribeAll(ws);
  ws.close(4508, 'SLOW_CONSUMER');
  const timer = setTimeout(() => ws.terminate(), SLOW_CONSUMER_CLOSE_WAIT_MS);
  timer.unref();
  ws.once('close', () => clearTimeout(timer));
}

const TEXT = { binary: false };

/** Encodes the message frame once and hands the same bytes to every subscriber. */
function publish(name, data) {
  const ch = channelFor(name);
  const offset = ++ch.offset;
  const frame = Buffer.from(
    JSON.stringify({
      type: 'message',
      channel: name,
      offset,
      epoch: EPOCH,
      data,
      published_at: new Date().toISOString(),
    }),
    'utf8',
  );
  for (const ws of ch.subscribers) {
    if (ws.readyState !== WebSocket.OPEN) continue;
    if (ws.bufferedAmount > OUTBOUND_BUFFER_BYTES) {
      closeSlowConsumer(ws);
      continue;
    }
    ws.send(frame, TEXT);
  }
  return offset;
}

// ---------------------------------------------------------------------------------------------
// HTTP: GET /health, POST /api/v1/publish

const apiKeyDigest = crypto.createHash('sha256').update(API_KEY).digest();

const HINTS = {
  TOKEN_MISSING: 'No API key; send Authorization: apikey <key>',
  TOKEN_INVALID: 'The API key is not valid; send Authorization: apikey <key>',
  BAD_REQUEST: 'The request is not valid; send {"channel": ..., "data": ...}',
  NOT_FOUND: 'No such resource',
  METHOD_NOT_ALLOWED: 'This method is not supported on this path',
  MESSAGE_TOO_BIG: 'The request body is too large',
};

function title(code) {
  const words = code.replace(/_/g, ' ').toLowerCase();
  return words[0].toUpperCase() + words.slice(1);
}

function sendJson(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function refuse(res, status, code, hint) {
  sendJson(res, status, { error: title(code), code, hint: hint || HINTS[code] });
}

function apiKeyRefusal(header) {
  if (header === undefined || header === '') return 'TOKEN_MISSING';
  const space = header.indexOf(' ');
  if (space < 0 || header.slice(0, space).toLowerCase() !== 'apikey') return 'TOKEN_INVALID';
  const digest = crypto.createHash('sha256').update(header.slice(space + 1).trim()).digest();
  return crypto.timingSafeEqual(digest, apiKeyDigest) ? null : 'TOKEN_INVALID';
}

function handlePublish(req, res) {
  const refusal = apiKeyRefusal(req.headers.authorization);
  if (refusal !== null) {
    req.resume();
    refuse(res, 401, refusal);
    return;
  }
  const chunks = [];
  let size = 0;
  let tooBig = false;
  req.on('data', (chunk) => {
    if (tooBig) return;
    size += chunk.length;
    if (size > MAX_HTTP_BODY_BYTES) {
      tooBig = true;
      chunks.length = 0;
      return;
    }
    chunks.push(chunk);
  });
  req.on('end', () => {
    if (tooBig) {
      refuse(res, 413, 'MESSAGE_TOO_BIG');
      return;
    }
    let body;
    try {
      body = JSON.parse(chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8'));
    } catch {
      refuse(res, 400, 'BAD_REQUEST', 'Malformed JSON body');
      return;
    }
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      refuse(res, 400, 'BAD_REQUEST', 'The body must be a JSON object {"channel": ..., "data": ...}');
      return;
    }
    const { channel, data } = body;
    if (typeof channel !== 'string' || !CHANNEL_NAME.test(channel)) {
      refuse(res, 400, 'BAD_REQUEST', 'channel must be a channel name (A-Z a-z 0-9 _ - . : @ # , at most 255)');
      return;
    }
    if (data === undefined) {
      refuse(res, 400, 'BAD_REQUEST', 'data is required');
      return;
    }
    const offset = publish(channel, data);
    sendJson(res, 200, { channel, offset, epoch: EPOCH });
  });
  req.on('error', () => res.destroy());
}

const server = http.createServer((req, res) => {
  const q = req.url.indexOf('?');
  const path = q < 0 ? req.url : req.url.slice(0, q);
  if (path === '/api/v1/publish') {
    if (req.method === 'POST') {
      handlePublish(req, res);
    } else {
      req.resume();
      refuse(res, 405, 'METHOD_NOT_ALLOWED');
    }
  } else if (path === '/health') {
    req.resume();
    sendJson(res, 200, { status: 'ok' });
  } else {
    req.resume();
    refuse(res, 404, 'NOT_FOUND');
  }
});

// ---------------------------------------------------------------------------------------------
// WebSocket: /ws

const wss = new WebSocketServer({
  server,
  path: '/ws',
  perMessageDeflate: false,
  maxPayload: MAX_MESSAGE_BYTES,
});

function reply(ws, type, id, fields) {
  const msg = id === undefined || id === null ? { type, ...fields } : { type, id, ...fields };
  ws.send(JSON.stringify(msg));
}

function badRequest(ws, message, id) {
  reply(ws, 'error', id, { code: 'BAD_REQUEST', message });
}

function onMessage(data, isBinary) {
  const ws = this;
  ws.isAlive = true;
  if (isBinary) {
    ws.close(1003, 'UNSUPPORTED_DATA');
    return;
  }
  let msg;
  try {
    msg = JSON.parse(data.toString('utf8'));
  } catch {
    badRequest(ws, 'Malformed JSON; send one JSON object per text frame');
    return;
  }
  if (msg === null || typeof msg !== 'object' || Array.isArray(msg)) {
    badRequest(ws, 'A message must be a JSON object with a type');
    return;
  }
  const { id } = msg;
  switch (msg.type) {
    case 'ping':
      reply(ws, 'pong', id, { timestamp: Date.now() });
      return;
    case 'subscribe': {
      const name = msg.channel;
      if (typeof name !== 'string' || !CHANNEL_NAME.test(name)) {
        badRequest(ws, 'channel must be a channel name (A-Z a-z 0-9 _ - . : @ # , at most 255)', id);
        return;
      }
      if (ws.channels.has(name)) {
        badRequest(ws, 'Already subscribed', id);
        return;
      }
      const ch = channelFor(name);
      ch.subscribers.add(ws);
      ws.channels.add(name);
      reply(ws, 'subscribed', id, { channel: name, offset: ch.offset, epoch: EPOCH, recovered: false, publications: [] });
      return;
    }
    case 'unsubscribe': {
      const name = msg.channel;
      if (typeof name !== 'string' || !CHANNEL_NAME.test(name)) {
        badRequest(ws, 'channel must be a channel name (A-Z a-z 0-9 _ - . : @ # , at most 255)', id);
        return;
      }
      if (ws.channels.delete(name)) channels.get(name).subscribers.delete(ws);
      reply(ws, 'unsubscribed', id, { channel: name });
      return;
    }
    default:
      if (typeof msg.type !== 'string') {
        badRequest(ws, 'The message has no type', id);
      } else {
        badRequest(ws, `Unknown message type '${msg.type.slice(0, 64)}'`, id);
      }
  }
}

function onPong() {
  this.isAlive = true;
}

function onClose() {
  unsubscribeAll(this);
}

function onError() {
  // ws closes the socket itself (and emits 'close'); nothing to log per connection.
}

wss.on('connection', (ws, req) => {
  ws.on('error', onError);
  const token = queryToken(req.url);
  const claims = token === null ? TOKEN_MISSING : verifyJwt(token);
  if (claims instanceof Refusal) {
    // As Gatehouse does: complete the handshake, then say why in the close frame.
    ws.close(4401, claims.code);
    return;
  }
  ws.isAlive = true;
  ws.channels = new Set();
  ws.on('message', onMessage);
  ws.on('pong', onPong);
  ws.on('close', onClose);
  const id = crypto.randomBytes(16).toString('hex');
  ws.send(
    JSON.stringify({
      type: 'connection_established',
      connection_id: id,
      user: {
        id: claims.sub,
        name: typeof claims.name === 'string' ? claims.name : claims.sub,
        roles: Array.isArray(claims.roles) ? claims.roles : [],
      },
      expires_at: new Date(claims.exp * 1000).toISOString(),
      heartbeat_interval_ms: HEARTBEAT_INTERVAL_MS,
      server_time: Date.now(),
    }),
  );
});

// The standard ws heartbeat: ping everyone, drop whoever did not answer (or say anything) since.
const heartbeat = setInterval(() => {
  for (const ws of wss.clients) {
    if (ws.channels === undefined) continue; // refused, closing
    if (ws.isAlive === false) {
      ws.terminate();
      continue;
    }
    ws.isAlive = false;
    ws.ping();
  }
}, HEARTBEAT_INTERVAL_MS);

wss.on('close', () => clearInterval(heartbeat));

// ---------------------------------------------------------------------------------------------
// Start and stop

// Keep-alive HTTP connections stay open for 65 s, as behind a load balancer. Node's default, 5 s,
// closes a publisher's idle connection just as the next request may be on its way: the bench's
// 64 publish connections take turns, each idle 6.4 s at 10 publications a second.
server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;

server.on('error', (err) => fail(`cannot listen on ${HOST}:${PORT}: ${err.message}`));
server.listen(PORT, HOST, () => {
  const { address, port } = server.address();
  const shown = address.includes(':') ? `[${address}]` : address;
  process.stdout.write(`peer listening on http://${shown}:${port}\n`);
});

function shutdown() {
  clearInterval(heartbeat);
  for (const ws of wss.clients) ws.terminate();
  wss.close();
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
