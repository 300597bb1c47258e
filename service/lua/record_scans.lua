-- Write one batch of scans exactly once: the raw stream entries, the per-day
-- counters, the codes' totals and the unique-guest estimates, in one atomic
-- step together with the batch's marker. Replaying a batch whose marker is
-- there (its reply was lost, or it came back from the spool twice) does nothing.
-- KEYS[1] the scan stream, KEYS[2] the batch marker, KEYS[3..] every other key
-- ARGV[1] stream length cap (0: none), ARGV[2] seconds the marker is kept,
-- ARGV[3] MessagePack {texts, counters, totals, guests} with indexes into KEYS
-- (texts: the index of the texts hash and reference, text, reference, ...),
-- ARGV[4] values per stream entry, ARGV[5] MessagePack list of the entries'
-- values, one entry after another (MessagePack: JSON decoding cost more than
-- the writes themselves)
if not redis.call('SET', KEYS[2], '1', 'NX', 'EX', ARGV[2]) then
  return 0
end
local cap = tonumber(ARGV[1])
local width = tonumber(ARGV[4])
local values = cmsgpack.unpack(ARGV[5])
local written = 0
for first = 1, #values, width do
  if cap > 0 then
    redis.call('XADD', KEYS[1], 'MAXLEN', '~', cap, '*',
      unpack(values, first, first + width - 1))
  else
    redis.call('XADD', KEYS[1], '*', unpack(values, first, first + width - 1))
  end
  written = written + 1
end
local batch = cmsgpack.unpack(ARGV[3])
local texts = batch.texts[2]
for at = 1, #texts, 2 do
  redis.call('HSETNX', KEYS[batch.texts[1]], texts[at], texts[at + 1])
end
for _, counter in ipairs(batch.counters) do
  redis.call('HINCRBY', KEYS[counter[1]], counter[2], counter[3])
end
for _, total in ipairs(batch.totals) do
  redis.call('HINCRBY', KEYS[total[1]], total[2], total[3])
  -- a late batch (from the spool, or a slower worker) never moves it back;
  -- ISO 8601 times in UTC compare as text
  local seen = redis.call('HGET', KEYS[total[1]], 'last_scan_at')
  if not seen or seen < total[4] then
    redis.call('HSET', KEYS[total[1]], 'last_scan_at', total[4])
  end
end
for _, guests in ipairs(batch.guests) do
  redis.call('PFADD', KEYS[guests[1]], unpack(guests[2]))
end
return written
