-- A channel's position, creating its epoch if it has none yet (so that the first publication
-- gets the epoch read here). ARGV: [1] an epoch for a new stream, [2] idle keep (ms).
-- Returns {offset, epoch}.
local now = redis_millis()
local offset, epoch = channel_state(KEYS[1], KEYS[2], ARGV[1], now)
keep_meta(KEYS[1], now, tonumber(ARGV[2]))
return {offset, epoch}
