-- The start of every RedisBroker script (RedisScripts puts it first).

-- Redis's own clock in milliseconds: key expiries run on it.
local function redis_millis()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

