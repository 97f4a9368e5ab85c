'use strict';
// Socket.IO peer for Gatehouse benchmarks (issue 16): a Socket.IO 4.8 server written the way Node
// teams use it, with the features the benchmarks need (a JWT on connect, subscribe to a channel,
// publish over HTTP). It is a yardstick, not a product: keep it idiomatic, and do not add features
// the benchmarks do not use. Its wire protocol is Socket.IO's (Engine.IO v4), not Gatehouse's;
// `gatehouse bench --protocol socketio` speaks it.

const http = require('node:http');
const crypto = require('node:crypto');
const { Server } = require('socket.io');

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
const HEARTBEAT_INTERVAL_MS = 25_000; // Engine.IO's pingInterval default too
const CLOCK_SKEW_S = 30; // auth.jwt.clock_skew
const MAX_MESSAGE_BYTES = 64 * 1024; // limits.max_message_bytes
const MAX_HTTP_BODY_BYTES = 1024 * 1024;
const CHANNEL_NAME = /^[A-Za-z0-9_\-.:@#,]{1,255}$/;

// One epoch per process: there is no history, so every channel's stream starts anew on restart.
const EPOCH = crypto.randomBytes(4).toString('hex');

// ---------------------------------------------------------------------------------------------
// HS256 JWT verification (node:crypto only), as the ws peer does it

const secretKey = crypto.createSecretKey(Buffer.from(JWT_SECRET, 'utf8'));

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

/** The token's claims, or the refusal code. Rules as Gatehouse's: alg HS256, sub and exp required, nbf when present. */
function verifyJwt(token) {
  const first = token.indexOf('.');
  const second = first < 0 ? -1 : token.indexOf('.', first + 1);
  if (first <= 0 || second < 0 || token.indexOf('.', second + 1) !== -1) return 'TOKEN_INVALID';
  const header = decodeJsonPart(token.slice(0, first));
  if (header === null || header.alg !== 'HS256') return 'TOKEN_INVALID';

  const expected = Buffer.from(
    crypto.createHmac('sha256', secretKey).update(token.slice(0, second)).digest('base64url'),
    'latin1',
  );
  const given = Buffer.from(token.slice(second + 1), 'latin1');
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return 'TOKEN_INVALID';

  const claims = decodeJsonPart(token.slice(first + 1, second));
  if (claims === null) return 'TOKEN_INVALID';
  const { sub, exp, nbf, name, roles } = claims;
  if (typeof sub !== 'string' || sub === '') return 'TOKEN_INVALID';
  if (typeof exp !== 'number' || !Number.isFinite(exp)) return 'TOKEN_INVALID';
  if (nbf !== undefined && (typeof nbf !== 'number' || !Number.isFinite(nbf))) return 'TOKEN_INVALID';
  if (name !== undefined && name !== null && typeof name !== 'string') return 'TOKEN_INVALID';
  if (roles !== undefined && roles !== null && !isStringList(roles)) return 'TOKEN_INVALID';
  const now = Date.now() / 1000;
  if (nbf !== undefined && now + CLOCK_SKEW_S < nbf) return 'TOKEN_INVALID';
  if (now - CLOCK_SKEW_S >= exp) return 'TOKEN_EXPIRED';
  return claims;
}

// ---------------------------------------------------------------------------------------------
// HTTP: GET /health, POST /api/v1/publish (Socket.IO takes /socket.io/ before this handler)

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

// Channel name -> its last offset (1, 2, 3 ... for the life of the process). The subscribers are
// the Socket.IO room of the same name.
const offsets = new Map();

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
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
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
    const offset = (offsets.get(channel) || 0) + 1;
    offsets.set(channel, offset);
    // One broadcast: Socket.IO encodes the packet once and writes it to every socket in the room.
    io.to(channel).emit('message', {
      type: 'message',
      channel,
      offset,
      epoch: EPOCH,
      data,
      published_at: new Date().toISOString(),
    });
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
// Socket.IO on /socket.io/, WebSocket transport only (no long-polling), compression off

const io = new Server(server, {
  path: '/socket.io/',
  transports: ['websocket'],
  serveClient: false,
  perMessageDeflate: false,
  maxHttpBufferSize: MAX_MESSAGE_BYTES,
  pingInterval: HEARTBEAT_INTERVAL_MS,
  pingTimeout: 20_000,
});

function refusal(code) {
  const err = new Error(code);
  err.data = { code };
  return err;
}

// Authentication: the token from the CONNECT packet's auth payload, else from ?token=.
io.use((socket, next) => {
  const { auth, query } = socket.handshake;
  const given = auth && typeof auth.token === 'string' && auth.token !== '' ? auth.token : query.token;
  if (typeof given !== 'string' || given === '') {
    next(refusal('TOKEN_MISSING'));
    return;
  }
  const claims = verifyJwt(given);
  if (typeof claims === 'string') {
    next(refusal(claims));
    return;
  }
  socket.data.claims = claims;
  next();
});

function badRequest(socket, message) {
  socket.emit('error', { type: 'error', code: 'BAD_REQUEST', message });
}

io.on('connection', (socket) => {
  const { claims } = socket.data;
  socket.emit('connection_established', {
    type: 'connection_established',
    connection_id: socket.id,
    user: {
      id: claims.sub,
      name: typeof claims.name === 'string' ? claims.name : claims.sub,
      roles: Array.isArray(claims.roles) ? claims.roles : [],
    },
    expires_at: new Date(claims.exp * 1000).toISOString(),
    heartbeat_interval_ms: HEARTBEAT_INTERVAL_MS,
    server_time: Date.now(),
  });

  socket.on('subscribe', (msg) => {
    const name = msg !== null && typeof msg === 'object' ? msg.channel : undefined;
    if (typeof name !== 'string' || !CHANNEL_NAME.test(name)) {
      badRequest(socket, 'channel must be a channel name (A-Z a-z 0-9 _ - . : @ # , at most 255)');
      return;
    }
    if (socket.rooms.has(name)) {
      badRequest(socket, 'Already subscribed');
      return;
    }
    socket.join(name);
    socket.emit('subscribed', {
      type: 'subscribed',
      channel: name,
      offset: offsets.get(name) || 0,
      epoch: EPOCH,
      recovered: false,
      publications: [],
    });
  });

  socket.on('unsubscribe', (msg) => {
    const name = msg !== null && typeof msg === 'object' ? msg.channel : undefined;
    if (typeof name !== 'string' || !CHANNEL_NAME.test(name) || name === socket.id) {
      badRequest(socket, 'channel must be a channel name (A-Z a-z 0-9 _ - . : @ # , at most 255)');
      return;
    }
    socket.leave(name);
    socket.emit('unsubscribed', { type: 'unsubscribed', channel: name });
  });
  // Rooms are left on disconnect by Socket.IO itself.
});

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
  io.close(); // disconnects every socket and closes the http server
  setTimeout(() => process.exit(0), 2000).unref();
  server.on('close', () => process.exit(0));
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
