-- One step of removing a dead node's presence entries. KEYS: [1] the reaping sorted set, [2] the
-- dead node's presence index (channel -> its entries there). ARGV: [1] the dead node, [2] and [3]
-- what goes before and after a channel's name to make its presence hash's key, [4] how many
-- channels this step may clear, [5] what goes after a channel's name to make its users hash's key.
-- Returns {done, channel, entry, left, channel, entry, left ...}: the entries removed, for their
-- leave events, each with how many connections of its user the channel still lists.
-- done is 1 when nothing of the node is left, or the node is alive again (then nothing is removed).
if redis.call('ZSCORE', KEYS[1], ARGV[1]) == false then
  return {1}
end
local out = {0}
local fields = redis.call('HSCAN', KEYS[2], 0, 'COUNT', tonumber(ARGV[4]))[2]
for i = 1, #fields, 2 do
  local channel = fields[i]
  local key = ARGV[2] .. channel .. ARGV[3]
  local all = redis.call('HGETALL', key)
  for j = 1, #all, 2 do
    local ok, entry = pcall(cjson.decode, all[j + 1])
    if ok and type(entry) == 'table' and entry.node == ARGV[1] then
      redis.call('HDEL', key, all[j])
      local left = 0
      if type(entry.user) == 'string' then
        local users = ARGV[2] .. channel .. ARGV[5]
        left = redis.call('HINCRBY', users, entry.user, -1)
        if left <= 0 then
          redis.call('HDEL', users, entry.user)
          left = 0
        end
      end
      out[#out + 1] = channel
      out[#out + 1] = all[j + 1]
      out[#out + 1] = left
    end
  end
  redis.call('HDEL', KEYS[2], channel)
end
if redis.call('HLEN', KEYS[2]) == 0 then
  redis.call('ZREM', KEYS[1], ARGV[1])
  out[1] = 1
end
return out
