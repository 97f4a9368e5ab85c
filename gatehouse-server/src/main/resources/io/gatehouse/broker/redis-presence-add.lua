-- Lists a client in a channel's presence (docs/redis.md). KEYS: [1] the channel's presence hash,
-- [2] the presence index of the node that holds the client's connection (channel -> entries).
-- ARGV: [1] the connection id, [2] the entry (JSON, with its node), [3] the channel.
-- Counts the entry in the node's index only when it is new, so an entry added again (the node
-- came back after it was taken for dead) is counted once.
if redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) == 1 then
  redis.call('HINCRBY', KEYS[2], ARGV[3], 1)
end
return {}
