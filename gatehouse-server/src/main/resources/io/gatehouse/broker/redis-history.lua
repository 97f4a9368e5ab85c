-- Kept publications and the position, read at one instant. ARGV: [1] an epoch for a new stream,
-- [2] idle keep (ms), [3] since (an offset, or -1 for the newest), [4] limit (0 reads none),
-- [5] cutoff: entries kept before it (ms, the reader's clock minus the ttl) are expired.
-- Returns {offset, epoch, entries}: after since oldest first, or the newest newest first.
local meta, history = KEYS[1], KEYS[2]
local now = redis_millis()
local offset, epoch = channel_state(meta, history, ARGV[1], now)
keep_meta(meta, now, tonumber(ARGV[2]))
local limit = tonumber(ARGV[4])
local entries = {}
if limit > 0 then
  drop_expired(history, tonumber(ARGV[5]))
  local since = tonumber(ARGV[3])
  if since >= 0 then
    entries = redis.call('XRANGE', history, string.format('%d-0', since + 1), '+', 'COUNT', limit)
  else
    entries = redis.call('XREVRANGE', history, '+', '-', 'COUNT', limit)
  end
end
return {offset, epoch, entries}
