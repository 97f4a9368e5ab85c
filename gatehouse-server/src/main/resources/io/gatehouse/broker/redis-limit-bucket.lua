-- Token buckets of the limits that hold across nodes (RedisLimits; docs/redis.md, "Limits").
-- One call is one atomic step on one or more buckets. KEYS[i] is bucket i, a hash: tokens (a
-- number, may hold a fraction) and at (Redis time, ms, when tokens was right). A bucket that is
-- full has no key. ARGV holds three entries per bucket: the step (take, peek or give), the rate
-- (tokens per second) and the burst.
-- Every take and peek is checked first: when one of them has no token, nothing changes and the
-- answer is {wait in ms, the 1-based index of that bucket}; otherwise every take takes one and
-- every give gives one back (never past the burst), and the answer is {0, 0}.
local now = redis_millis()

local tokens = {}
local wait, which = 0, 0
for i = 1, #KEYS do
  local step, rate, burst = ARGV[3 * i - 2], tonumber(ARGV[3 * i - 1]), tonumber(ARGV[3 * i])
  local s = redis.call('HMGET', KEYS[i], 'tokens', 'at')
  local have, at = tonumber(s[1]), tonumber(s[2])
  if have == nil or at == nil then
    have = burst
  elseif now > at then
    have = math.min(burst, have + (now - at) * rate / 1000)
  end
  tokens[i] = have
  if step ~= 'give' and have < 1 then
    local w = math.max(1, math.ceil((1 - have) * 1000 / rate))
    if w > wait then
      wait, which = w, i
    end
  end
end
if wait > 0 then
  return {wait, which}
end

for i = 1, #KEYS do
  local step, rate, burst = ARGV[3 * i - 2], tonumber(ARGV[3 * i - 1]), tonumber(ARGV[3 * i])
  local have = tokens[i]
  if step == 'take' then
    have = have - 1
  elseif step == 'give' then
    have = math.min(burst, have + 1)
  end
  if step ~= 'peek' then
    if have >= burst then
      redis.call('DEL', KEYS[i])
    else
      redis.call('HSET', KEYS[i], 'tokens', tostring(have), 'at', now)
      -- gone once it would be full again: an idle address costs nothing
      redis.call('PEXPIRE', KEYS[i], math.ceil((burst - have) * 1000 / rate) + 1000)
    end
  end
end
return {0, 0}
