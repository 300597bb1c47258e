-- Change one field of a code and append the change to its history, atomically,
-- so that two changes at once still leave a history whose "from" and "to" chain.
-- KEYS[1] the code's hash, KEYS[2] its history list
-- ARGV[1] field, ARGV[2] new value, ARGV[3] time of the change,
-- ARGV[4] the history entry (JSON) that gets "from" and "to" filled in here
-- returns {status, old value}: status is ok, same (nothing to do) or missing
local old = redis.call('HGET', KEYS[1], ARGV[1])
if not old then
  return {'missing', ''}
end
if old == ARGV[2] then
  return {'same', old}
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2], 'updated_at', ARGV[3])
local entry = cjson.decode(ARGV[4])
entry['from'] = old
entry['to'] = ARGV[2]
redis.call('RPUSH', KEYS[2], cjson.encode(entry))
return {'ok', old}
