// A reconnect storm with recovery (issue 15): N clients subscribe to one channel over one or more
// nodes, all drop at once, publications are made while they are away, and all reconnect at once
// subscribing with `since` {offset, epoch}: each reconnect is a handshake plus one recovery read.
// Reports how long the storm took, per-reconnect latency, and, around the reconnect phase only,
// CPU-seconds of each given process (/proc/PID/stat) and Redis commands (INFO commandstats).
// Loopback only. Needs Node.js 20.10+ (run with --experimental-websocket) and redis-cli.
//
// node --experimental-websocket bench/storm/reconnect-storm.mjs --urls http://127.0.0.1:8081,http://127.0.0.1:8082 \
//   --api-key KEY --secret "$GATEHOUSE_AUTH_JWT_SECRET" [--clients 5000] [--missed 10] [--in-flight 256] \
//   [--channel storm] [--pids node1=PID,node2=PID,redis=PID] [--redis-cli "redis-cli -p 6379"]
import { createHmac, randomUUID } from 'node:crypto';
import { execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, a, i, all) =>
  a.startsWith('--') ? [...pairs, [a.slice(2), all[i + 1]]] : pairs, []));
const urls = (args.urls ?? 'http://127.0.0.1:8081').split(',');
const publishUrl = args['publish-url'] ?? urls[0];
for (const u of [...urls, publishUrl]) {
  const host = new URL(u).hostname;
  if (!(host.startsWith('127.') || host === 'localhost' || host === '[::1]')) throw new Error(`${u} is not loopback`);
}
const clients = Number(args.clients ?? 5000);
const missed = Number(args.missed ?? 10);
const inFlight = Number(args['in-flight'] ?? 256);
const channel = args.channel ?? `storm-${randomUUID().slice(0, 8)}`;
const secret = args.secret ?? process.env.GATEHOUSE_AUTH_JWT_SECRET;
const apiKey = args['api-key'];
const pids = Object.fromEntries((args.pids ?? '').split(',').filter(Boolean).map(p => p.split('=')));
const redisCli = args['redis-cli'] ?? 'redis-cli';

const b64 = s => Buffer.from(s).toString('base64url');
function jwt(sub) {
  const head = b64(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const body = b64(JSON.stringify({ sub, jti: randomUUID(), exp: Math.floor(Date.now() / 1000) + 3600 }));
  return `${head}.${body}.${createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url')}`;
}
const cpuTicks = pid => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ').slice(11, 13)
  .reduce((a, b) => a + Number(b), 0);
const ticksPerSecond = Number(execSync('getconf CLK_TCK').toString().trim());
function commandStats() {
  const out = {};
  for (const line of execSync(`${redisCli} INFO commandstats`).toString().split('\n')) {
    const m = line.match(/^cmdstat_(\S+):calls=(\d+),usec=(\d+)/);
    if (m) out[m[1]] = { calls: Number(m[2]), usec: Number(m[3]) };
  }
  return out;
}
const snapshot = () => ({ at: process.hrtime.bigint(), redis: commandStats(),
  cpu: Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuTicks(pid)])) });

async function publish(n) {
  const r = await fetch(`${publishUrl}/api/v1/publish`, { method: 'POST',
    headers: { Authorization: `apikey ${apiKey}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ channel, data: { n } }) });
  if (r.status !== 200) throw new Error(`publish ${n}: ${r.status} ${await r.text()}`);
  return r.json();
}

// One client: connects, subscribes (with since when given), resolves with the subscribed reply.
function connect(i, token, since, onMessage) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const base = urls[i % urls.length].replace('http://', 'ws://');
    const ws = new WebSocket(`${base}/ws?token=${token}`);
    ws.onmessage = e => {
      const m = JSON.parse(e.data);
      if (m.type === 'connection_established') {
        ws.send(JSON.stringify({ type: 'subscribe', id: 1, channel, ...(since ? { since } : {}) }));
      } else if (m.type === 'subscribed') {
        resolve({ ws, reply: m, nanos: Number(process.hrtime.bigint() - started) });
      } else if (m.type === 'message') {
        onMessage(m);
      } else if (m.type === 'error') {
        reject(new Error(`client ${i}: ${m.code} ${m.message}`));
      }
    };
    ws.onclose = e => reject(new Error(`client ${i} closed: ${e.code} ${e.reason}`));
    ws.onerror = () => {};
  });
}
async function all(count, start) {
  const results = new Array(count);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(inFlight, count) }, async () => {
    while (next < count) { const i = next++; results[i] = await start(i); }
  }));
  return results;
}
const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil(p / 100 * sorted.length) - 1)];

const tokens = Array.from({ length: clients }, (_, i) => jwt(`storm-${i}`));
const last = new Array(clients).fill(null);
const track = i => m => { last[i] = { offset: m.offset, epoch: m.epoch ?? last[i]?.epoch }; };
console.log(`storm: ${clients} clients over ${urls.join(', ')}, channel ${channel}`);
let first = await all(clients, i => connect(i, tokens[i], null, track(i)));
first.forEach((c, i) => { last[i] = { offset: c.reply.offset, epoch: c.reply.epoch }; });
const before = await publish(0);
const deadline = Date.now() + 10_000;
while (last.some(l => l.offset < before.offset) && Date.now() < deadline) await new Promise(r => setTimeout(r, 20));
await Promise.all(first.map(c => new Promise(r => { c.ws.onclose = r; c.ws.close(1000); })));
first = null;
for (let n = 1; n <= missed; n++) await publish(n);
await new Promise(r => setTimeout(r, 1000)); // let the nodes finish the closes before measuring

const s0 = snapshot();
const again = await all(clients, i => connect(i, tokens[i], last[i], () => {}));
const s1 = snapshot();
const seconds = Number(s1.at - s0.at) / 1e9;
const unrecovered = again.filter(c => !c.reply.recovered || c.reply.publications.length !== missed).length;
const nanos = again.map(c => c.nanos).sort((a, b) => a - b);
console.log(`reconnects: ${clients} in ${seconds.toFixed(2)} s (${(clients / seconds).toFixed(0)}/s), ` +
  `${missed} publications recovered each; not recovered: ${unrecovered}`);
console.log(`reconnect -> subscribed ms: p50 ${(pct(nanos, 50) / 1e6).toFixed(1)} p99 ${(pct(nanos, 99) / 1e6).toFixed(1)} ` +
  `max ${(nanos[nanos.length - 1] / 1e6).toFixed(1)}`);
for (const name of Object.keys(pids)) {
  const cpu = (s1.cpu[name] - s0.cpu[name]) / ticksPerSecond;
  console.log(`cpu ${name}: ${cpu.toFixed(2)} s, ${(cpu / clients * 1e6).toFixed(0)} µs per reconnect`);
}
for (const [command, stat] of Object.entries(s1.redis)) {
  const calls = stat.calls - (s0.redis[command]?.calls ?? 0);
  const usec = stat.usec - (s0.redis[command]?.usec ?? 0);
  if (calls > 0) console.log(`redis ${command}: ${calls} calls (${(calls / clients).toFixed(2)} per reconnect), ${usec} µs`);
}
again.forEach(c => c.ws.close(1000));
setTimeout(() => process.exit(unrecovered === 0 ? 0 : 1), 500);
