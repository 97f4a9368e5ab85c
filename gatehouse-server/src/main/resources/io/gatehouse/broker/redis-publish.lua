-- Publishes on a channel in one atomic step: the next offset, the history entry, the PUBLISH.
-- ARGV: [1] an epoch for a new stream, [2] history size (0 keeps none), [3] history ttl (ms),
-- [4] how long an idle channel keeps its offsets (ms), [5] the publisher's clock (ms),
-- [6] the body (published_at, data), [7] the pub/sub channel, [8] the publisher's origin tag.
-- Returns {offset, epoch}.
local meta, history = KEYS[1], KEYS[2]
local now = redis_millis()
local last, epoch = channel_state(meta, history, ARGV[1], now)
-- The offset is written after the history entry: a script stops at the first command that fails
-- without undoing what came before, so an XADD that fails (a key of the wrong type) must leave the
-- offset as it was, or the offset it took would be a gap that no history fills.
local offset = last + 1
local size = tonumber(ARGV[2])
if size > 0 then
  local ttl = tonumber(ARGV[3])
  local keep_time = tonumber(ARGV[5])
  local last_time = tonumber(redis.call('HGET', meta, 'last_time') or 0)
  if last_time > keep_time then
    -- A publisher whose clock is behind another's: the entry is kept as if published with it.
    keep_time = last_time
  end
  redis.call('XADD', history, 'MAXLEN', size, string.format('%d-0', offset),
    't', string.format('%d', keep_time), 'b', ARGV[6])
  local history_until = now + ttl
  redis.call('PEXPIREAT', history, string.format('%d', history_until))
  redis.call('HSET', meta, 'history_until', string.format('%d', history_until),
    'last_time', string.format('%d', keep_time))
  drop_expired(history, keep_time - ttl)
end
redis.call('HSET', meta, 'offset', string.format('%d', offset))
keep_meta(meta, now, tonumber(ARGV[4]))
redis.call('PUBLISH', ARGV[7], string.format('p %s %d %s %s', ARGV[8], offset, epoch, ARGV[6]))
return {offset, epoch}
