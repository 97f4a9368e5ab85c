-- The start of every RedisBroker script on a channel (RedisScripts puts it before each one; the
-- layout is in docs/redis.md). KEYS[1] is the channel's meta hash: epoch, offset, history_until
-- (Redis time, ms, at which the history stream's expiry was set to fall), last_time (the
-- newest keep time, ms) and run (the run_id of the Redis process that started the epoch). KEYS[2] is its history stream: entry id OFFSET-0, fields t (keep time,
-- ms) and b (the publication's body: published_at and data).

-- This Redis process: a restart gives a new run_id. A Redis restarted from a snapshot or an
-- everysec AOF, or a replica promoted in its place, may hold an older state of a channel under
-- the same epoch; its offsets would then be handed out twice.
local function redis_run_id()
  return string.match(redis.call('INFO', 'server'), 'run_id:(%w+)')
end

-- The channel's offset and epoch. A new epoch, with offsets from 0 and no history, when the meta
-- hash is gone (never made, idle too long, evicted, flushed), when the history stream is gone
-- before the time its expiry was set to (evicted, deleted), or when the meta hash was written by
-- another Redis process (a restart, a failover: what it holds may be older than what clients
-- saw): offsets and history are lost together or not at all, and an epoch never outlives what it
-- numbered.
local function channel_state(meta, history, new_epoch, now)
  local m = redis.call('HMGET', meta, 'epoch', 'offset', 'history_until', 'run')
  local epoch, offset, history_until, run = m[1], m[2], m[3], m[4]
  local this_run = redis_run_id()
  if epoch and run ~= this_run then
    epoch = false
  end
  if epoch and history_until and tonumber(history_until) > now and redis.call('EXISTS', history) == 0 then
    epoch = false
  end
  if not epoch then
    redis.call('DEL', meta, history)
    redis.call('HSET', meta, 'epoch', new_epoch, 'offset', 0, 'run', this_run)
    return 0, new_epoch
  end
  return tonumber(offset), epoch
end

-- Keeps the meta hash idle_ms past now, and never less long than its history stream.
local function keep_meta(meta, now, idle_ms)
  local keep_until = now + idle_ms
  local history_until = tonumber(redis.call('HGET', meta, 'history_until') or 0)
  if history_until > keep_until then
    keep_until = history_until
  end
  redis.call('PEXPIREAT', meta, string.format('%d', keep_until))
end

-- Deletes the kept publications whose keep time is before cutoff (ms). Keep times never go back
-- within a channel, so these are always the oldest: what stays is contiguous. Looks at the oldest
-- entry alone first: most calls find nothing to drop.
local function drop_expired(history, cutoff)
  local count = 1
  while true do
    local batch = redis.call('XRANGE', history, '-', '+', 'COUNT', count)
    local expired = {}
    for _, entry in ipairs(batch) do
      if tonumber(entry[2][2]) >= cutoff then
        break
      end
      expired[#expired + 1] = entry[1]
    end
    if #expired > 0 then
      redis.call('XDEL', history, unpack(expired))
    end
    if #expired < count then
      return
    end
    count = 100
  end
end
