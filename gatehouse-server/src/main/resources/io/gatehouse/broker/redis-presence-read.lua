-- A channel's presence: the entries whose node is alive (its score in the nodes sorted set, the
-- Redis time until which its heartbeat holds, is not past). KEYS: [1] the channel's presence hash,
-- [2] the nodes sorted set. Returns the entries (JSON).
local now = redis_millis()
local alive = {}
local out = {}
local entries = redis.call('HVALS', KEYS[1])
for i = 1, #entries do
  local ok, entry = pcall(cjson.decode, entries[i])
  local node = ok and type(entry) == 'table' and entry.node or nil
  if node == nil then
    out[#out + 1] = entries[i]
  else
    if alive[node] == nil then
      local until_ms = redis.call('ZSCORE', KEYS[2], node)
      alive[node] = until_ms and tonumber(until_ms) >= now or false
    end
    if alive[node] then
      out[#out + 1] = entries[i]
    end
  end
end
return out
