import { test } from 'node:test';
import assert from 'node:assert/strict';
import { REFUSAL_CODES } from '../refusal-codes.js';
import { Backoff } from '../backoff.js';
import { ClosePolicy, STABLE_AFTER_MS, parseCloseReason, parseRefusalBody } from '../close-policy.js';

function policy(random = () => 0.999999) {
  const clock = { t: 0 };
  return { clock, policy: new ClosePolicy(new Backoff(random), () => clock.t) };
}

test('a close reason is CODE or CODE retry_after_ms=N; anything else is no refusal', () => {
  assert.deepEqual(parseCloseReason('TOKEN_EXPIRED'), { code: 'TOKEN_EXPIRED', retryAfterMs: 0 });
  assert.deepEqual(parseCloseReason('RATE_LIMITED retry_after_ms=4000'), { code: 'RATE_LIMITED', retryAfterMs: 4000 });
  for (const reason of ['', null, undefined, 'going away', 'NOT_A_CODE', 'TOKEN_EXPIRED  x', 'token_expired']) {
    assert.equal(parseCloseReason(reason), null, String(reason));
  }
});

test('a refusal body is read by its code and retry_after_ms', () => {
  assert.deepEqual(parseRefusalBody({ error: 'x', code: 'TOKEN_REVOKED', hint: 'h' }), { code: 'TOKEN_REVOKED', retryAfterMs: 0 });
  assert.deepEqual(parseRefusalBody({ code: 'RATE_LIMITED', retry_after_ms: 1500 }), { code: 'RATE_LIMITED', retryAfterMs: 1500 });
  assert.equal(parseRefusalBody({ user: {} }), null);
  assert.equal(parseRefusalBody(null), null);
});

test('every code of the table gets its table action on an established connection', () => {
  for (const [code, entry] of Object.entries(REFUSAL_CODES)) {
    const { policy: p } = policy();
    p.onConnected();
    const decision = p.onClose({ code, retryAfterMs: 0 });
    assert.equal(decision.action, entry.action, code);
    assert.equal(decision.code, code);
    assert.equal(decision.hint, entry.hint);
  }
});

test('CONNECTION_REPLACED before connection_established is a retry with backoff; after it, stop', () => {
  const { policy: p } = policy();
  const replaced = { code: 'CONNECTION_REPLACED', retryAfterMs: 0 };
  assert.deepEqual(p.onClose(replaced), { action: 'retry', delayMs: 500, code: 'CONNECTION_REPLACED', hint: REFUSAL_CODES.CONNECTION_REPLACED.hint });
  assert.equal(p.onClose(replaced).delayMs, 1000, 'backs off');
  p.onConnected();
  assert.equal(p.onClose(replaced).action, 'stop');
  assert.equal(p.onClose(replaced).action, 'retry', 'the next socket was not established');
  for (const [code, entry] of Object.entries(REFUSAL_CODES)) {
    if (code === 'CONNECTION_REPLACED') continue;
    const { policy: q } = policy();
    assert.equal(q.onClose({ code, retryAfterMs: 0 }).action, entry.action, `${code} before connection_established`);
  }
});

test('a close without a refusal code is a retry with backoff', () => {
  const { policy: p } = policy();
  assert.deepEqual(p.onClose(null), { action: 'retry', delayMs: 500, code: null, hint: null });
  assert.equal(p.onClose(null).delayMs, 1000);
});

test('refresh_then_retry twice without a connect in between is log_in', () => {
  for (const [code, entry] of Object.entries(REFUSAL_CODES)) {
    if (entry.action !== 'refresh_then_retry') continue;
    const { policy: p } = policy();
    assert.equal(p.onClose({ code, retryAfterMs: 0 }).action, 'refresh_then_retry');
    assert.equal(p.onClose({ code, retryAfterMs: 0 }).action, 'log_in', code);
    const { policy: q } = policy();
    q.onClose({ code, retryAfterMs: 0 });
    q.onConnected();
    assert.equal(q.onClose({ code, retryAfterMs: 0 }).action, 'refresh_then_retry', `${code} after a connect`);
  }
});

test('refresh_then_retry of another code before a connect is log_in too (refresh once in all)', () => {
  const codes = Object.keys(REFUSAL_CODES).filter((c) => REFUSAL_CODES[c].action === 'refresh_then_retry');
  for (const first of codes) {
    for (const second of codes) {
      const { policy: p } = policy();
      assert.equal(p.onClose({ code: first, retryAfterMs: 0 }).action, 'refresh_then_retry');
      p.onClose(null); // a plain retry in between does not count as a connect
      const decision = p.onClose({ code: second, retryAfterMs: 0 });
      assert.deepEqual(decision, { action: 'log_in', delayMs: 0, code: second, hint: REFUSAL_CODES[second].hint }, `${first} then ${second}`);
    }
  }
});

test('the backoff starts over only after a connection that lasted 5 s', () => {
  const { clock, policy: p } = policy();
  p.onClose(null);
  p.onClose(null);
  p.onConnected();
  clock.t += STABLE_AFTER_MS - 1;
  assert.equal(p.onClose(null).delayMs, 2000, 'closed right after establishing: keeps backing off');
  p.onConnected();
  clock.t += STABLE_AFTER_MS;
  assert.equal(p.onClose(null).delayMs, 500, 'stable for 5 s: starts over');
});

test('recheck (onRestart) starts over', () => {
  const { policy: p } = policy();
  p.onClose({ code: 'TOKEN_EXPIRED', retryAfterMs: 0 });
  p.onClose(null);
  p.onRestart();
  assert.equal(p.onClose(null).delayMs, 500);
  assert.equal(p.onClose({ code: 'TOKEN_EXPIRED', retryAfterMs: 0 }).action, 'refresh_then_retry');
});
