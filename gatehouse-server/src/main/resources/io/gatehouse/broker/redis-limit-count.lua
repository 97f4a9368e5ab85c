-- Open-connection counts of the limits that hold across nodes (RedisLimits; docs/redis.md,
-- "Limits"). KEYS[1] is the deployment's node liveness, a sorted set: member a node id, score the
-- Redis time (ms) until which that node counts as alive. KEYS[2..] are counts, each a hash:
-- field a node id, value that node's open connections. A node's count counts while its liveness
-- has not expired (this node's own always does: it is running); the field of a node dead for
-- longer than the grace, or absent from the set, is deleted.
-- ARGV: [1] acquire or release, [2] this node's id, [3] the counts' expiry (ms), [4] the grace
-- (ms), [5..] the maximum of each count (acquire).
-- acquire: when a count is at its maximum, changes nothing and answers {its 1-based index among
-- the counts}; otherwise adds one of this node to each and answers {0}. release: takes one of
-- this node from each; answers {0}.
local mode, node, expiry, grace = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])

if mode == 'release' then
  for i = 2, #KEYS do
    if redis.call('HINCRBY', KEYS[i], node, -1) <= 0 then
      redis.call('HDEL', KEYS[i], node)
    end
  end
  return {0}
end

local now = redis_millis()
local alive = {}
local function liveness(n)
  if n == node then
    return 'alive'
  end
  if alive[n] == nil then
    local score = tonumber(redis.call('ZSCORE', KEYS[1], n))
    if score ~= nil and score >= now then
      alive[n] = 'alive'
    elseif score ~= nil and score >= now - grace then
      alive[n] = 'dead'
    else
      alive[n] = 'gone'
    end
  end
  return alive[n]
end

for i = 2, #KEYS do
  local max = tonumber(ARGV[3 + i])
  local fields = redis.call('HGETALL', KEYS[i])
  local open = 0
  for j = 1, #fields, 2 do
    local state = liveness(fields[j])
    if state == 'alive' then
      open = open + tonumber(fields[j + 1])
    elseif state == 'gone' then
      redis.call('HDEL', KEYS[i], fields[j])
    end
  end
  if open >= max then
    return {i - 1}
  end
end
for i = 2, #KEYS do
  redis.call('HINCRBY', KEYS[i], node, 1)
  redis.call('PEXPIRE', KEYS[i], expiry)
end
return {0}
