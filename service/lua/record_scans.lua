-- Write one batch of scans exactly once: the raw stream entries, the per-day
-- counters, the codes' totals and the unique-guest estimates, in one atomic
-- step together with the batch's marker. Replaying a batch whose marker is
-- there (its reply was lost, or it came back from the spool twice) does nothing.
-- KEYS[1] the scan stream, KEYS[2] the batch marker, KEYS[3..] every other key
-- ARGV[1] JSON {entries, counters, totals, guests}, indexes into KEYS
-- ARGV[2] stream length cap (0: none), ARGV[3] seconds the marker is kept
if not redis.call('SET', KEYS[2], '1', 'NX', 'EX', ARGV[3]) then
  return 0
end
local batch = cjson.decode(ARGV[1])
local cap = tonumber(ARGV[2])
for _, fields in ipairs(batch.entries) do
  if cap > 0 then
    redis.call('XADD', KEYS[1], 'MAXLEN', '~', cap, '*', unpack(fields))
  else
    redis.call('XADD', KEYS[1], '*', unpack(fields))
  end
end
for _, counter in ipairs(batch.counters) do
  redis.call('HINCRBY', KEYS[counter[1]], counter[2], counter[3])
end
for _, total in ipairs(batch.totals) do
  redis.call('HINCRBY', KEYS[total[1]], total[2], total[3])
  redis.call('HSET', KEYS[total[1]], 'last_scan_at', total[4])
end
for _, guests in ipairs(batch.guests) do
  redis.call('PFADD', KEYS[guests[1]], unpack(guests[2]))
end
return #batch.entries
