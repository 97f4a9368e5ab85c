import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mask, maskValue } from '../mask.js';

const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSIsImV4cCI6OTk5OTk5OTk5OX0.c2lnbmF0dXJlLXBhcnQ';
const GHT = 'ght_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_xy';

test('a value keeps only its first four characters', () => {
  assert.equal(maskValue('abcdefgh'), 'abcd…');
  assert.equal(maskValue('abc'), '…');
});

test('JWTs and ght_ tokens anywhere in a text are masked', () => {
  const out = mask(`token ${JWT} and ${GHT}.`);
  assert.ok(!out.includes(JWT.slice(5)), out);
  assert.ok(!out.includes(GHT.slice(5)), out);
  assert.ok(out.includes('eyJh…') && out.includes('ght_…'), out);
});

test('token= and csrf_token= in URLs are masked, other parameters stay', () => {
  const out = mask('ws://h/ws?token=secretvalue123&instance=abc&csrf_token=csrfvalue456');
  assert.equal(out, 'ws://h/ws?token=secr…&instance=abc&csrf_token=csrf…');
});

test('the bearer subprotocol is masked, in a string and in a list', () => {
  assert.equal(mask(['gatehouse.v1', 'gatehouse.bearer.tok_abcdef']), 'gatehouse.v1, gatehouse.bearer.tok_…');
  assert.equal(mask('gatehouse.v1, gatehouse.bearer.' + JWT), 'gatehouse.v1, gatehouse.bearer.eyJh…');
});

test('JSON token fields are masked', () => {
  assert.equal(mask('{"type":"refresh","token":"abcdefghij"}'), '{"type":"refresh","token":"abcd…"}');
});

test('nothing else is touched', () => {
  assert.equal(mask('state connecting -> connected'), 'state connecting -> connected');
  assert.equal(mask(null), '');
});
