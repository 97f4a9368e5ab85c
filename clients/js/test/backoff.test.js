import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Backoff, BASE_MS, CAP_MS } from '../backoff.js';

test('the n-th delay is drawn from [0, min(cap, base * 2^n)] (full jitter)', () => {
  const highest = new Backoff(() => 0.999999);
  const lowest = new Backoff(() => 0);
  const ceilings = [];
  for (let n = 0; n < 10; n++) {
    ceilings.push(highest.next());
    assert.equal(lowest.next(), 0);
  }
  assert.deepEqual(ceilings, [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000]);
  assert.equal(BASE_MS, 500);
  assert.equal(CAP_MS, 30000);
});

test('every delay stays within its bounds for any random draw', () => {
  let seed = 42;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const backoff = new Backoff(random);
  for (let n = 0; n < 200; n++) {
    const delay = backoff.next();
    assert.ok(delay >= 0 && delay <= Math.min(CAP_MS, BASE_MS * 2 ** n), `delay ${delay} at ${n}`);
  }
});

test('retry_after_ms is a floor, never a ceiling', () => {
  const backoff = new Backoff(() => 0);
  assert.equal(backoff.next(4000), 4000);
  const high = new Backoff(() => 0.999999);
  high.next();
  high.next();
  assert.equal(high.next(100), 2000);
});

test('reset starts the ranges over', () => {
  const backoff = new Backoff(() => 0.999999);
  for (let n = 0; n < 5; n++) backoff.next();
  backoff.reset();
  assert.equal(backoff.next(), 500);
});

test('the attempt counter stops at the cap instead of growing for ever', () => {
  const backoff = new Backoff(() => 0.999999);
  for (let n = 0; n < 10_000; n++) backoff.next();
  assert.equal(backoff.next(), CAP_MS);
  assert.ok(backoff.attempt < 10);
});
