-- Create a code unless its slug is taken, with the first entry of its history.
-- Both keys share the slug's hash tag, so this is atomic on a Redis Cluster too.
-- KEYS[1] the code's hash, KEYS[2] its history list
-- ARGV[1] the history entry (JSON); ARGV[2..] field, value, field, value, ...
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('RPUSH', KEYS[2], ARGV[1])
return 1
