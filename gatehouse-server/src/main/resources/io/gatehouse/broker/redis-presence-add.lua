-- Lists a client in a channel's presence (docs/redis.md). KEYS: [1] the channel's presence hash,
-- [2] the presence index of the node that holds the client's connection (channel -> entries),
-- [3] the channel's users hash (user id -> connections listed), [4] the channel's events pub/sub
-- channel. ARGV: [1] the connection id, [2] the entry (JSON, with its node), [3] the channel,
-- [4] the user id, [5] and [6] the join to publish when this is the user's first connection, and
-- when it is not (both empty: publish nothing).
-- Counts the entry in the node's index and its user's count only when it is new, so an entry added
-- again (the node came back after it was taken for dead) is counted once. The join goes out in the
-- same step, so joins and leaves take the channel's order in the order the counts changed.
-- Returns {connections of the user listed now}: 1 for the user's first.
local count
if redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) == 1 then
  redis.call('HINCRBY', KEYS[2], ARGV[3], 1)
  count = redis.call('HINCRBY', KEYS[3], ARGV[4], 1)
else
  count = tonumber(redis.call('HGET', KEYS[3], ARGV[4]) or '1')
end
local join = count == 1 and ARGV[5] or ARGV[6]
if join ~= '' then
  redis.call('PUBLISH', KEYS[4], join)
end
return {count}
