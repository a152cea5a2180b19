/**
 * The Lua scripts (run with EVAL, so they work over TCP and Upstash REST alike). Every script
 * declares the keys it touches, and (except the polling bus's POLL) the keys of one script share a
 * hash tag, so they also run on Redis Cluster. JSON is never decoded in Lua (its number handling is lossy): records carry a
 * plain-text header the scripts compare as strings.
 */

/**
 * A read as a script: KEYS[1]; ARGV[1] the command, ARGV[2…] its other arguments. Upstash serves
 * plain reads from the nearest read replica of a global database, which may lag behind a write
 * another instance just made; a script (not EVAL_RO) runs on the primary, like every write here.
 */
export const READ = `return redis.call(ARGV[1], KEYS[1], unpack(ARGV, 2))`;

/**
 * Create-if-absent. KEYS[1] record; ARGV[1] encoded record, ARGV[2] ttl ms.
 * A key already holding exactly this record (same random write token) is our own earlier
 * attempt whose answer was lost: that counts as created, so the command may be retried.
 */
export const CREATE = `
local current = redis.call('GET', KEYS[1])
if current then
  if current == ARGV[1] then return 1 end
  return 0
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1`;

/**
 * Compare-and-set. KEYS[1] record; ARGV[1] expected version, ARGV[2] encoded record, ARGV[3] ttl ms.
 * The record starts with "<version> ", so comparing that prefix compares versions.
 */
export const UPDATE = `
local current = redis.call('GET', KEYS[1])
if not current then return 0 end
if current == ARGV[2] then return 1 end
if string.sub(current, 1, #ARGV[1] + 1) ~= ARGV[1] .. ' ' then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1`;

/**
 * Append. KEYS[1] session counter hash (n: last sequence number, t: session tag), KEYS[2] the
 * stream, KEYS[3] the session's set of stream ids; ARGV[1] a tag for a new counter, ARGV[2] the
 * stream id, ARGV[3] the message, ARGV[4] ttl ms, ARGV[5] MAXLEN ("0": unbounded), ARGV[6] a
 * random append token. Returns {tag, entry id}.
 *
 * Numbering and adding happen in one step, so entry ids follow the counter in every stream. An
 * entry among the stream's last 16 that carries the same token is this append, run before and
 * answered into the void: its id is returned and nothing is added, so an append can be retried
 * (by the store, or by a client that resends after reconnecting).
 */
export const APPEND = `
local recent = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', 16)
for _, entry in ipairs(recent) do
  if entry[2][4] == ARGV[6] then return {redis.call('HGET', KEYS[1], 't'), entry[1]} end
end
local seq = redis.call('HINCRBY', KEYS[1], 'n', 1)
redis.call('HSETNX', KEYS[1], 't', ARGV[1])
local tag = redis.call('HGET', KEYS[1], 't')
local id = string.format('%d-0', seq)
if ARGV[5] == '0' then
  redis.call('XADD', KEYS[2], id, 'm', ARGV[3], 'k', ARGV[6])
else
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[5], id, 'm', ARGV[3], 'k', ARGV[6])
end
redis.call('SADD', KEYS[3], ARGV[2])
for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], ARGV[4]) end
return {tag, id}`;

/**
 * Replay. KEYS[1] session counter hash, KEYS[2] the stream; ARGV[1] the id's session tag,
 * ARGV[2] the entry id. Nil unless the tag is this session's and the entry still exists; else
 * the entries from that one on (the first is the known one).
 */
export const REPLAY = `
if redis.call('HGET', KEYS[1], 't') ~= ARGV[1] then return false end
local entries = redis.call('XRANGE', KEYS[2], ARGV[2], '+')
local first = entries[1]
if not first or first[1] ~= ARGV[2] then return false end
return entries`;

/** Bus publish (polling bus). KEYS[1] topic stream; ARGV[1] message, ARGV[2] ttl ms, ARGV[3] MAXLEN. */
export const PUBLISH = `
redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[3], '*', 'm', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`;

/**
 * Bus poll (polling bus). KEYS topic streams; ARGV[1] COUNT, ARGV[2…] the last id seen per key.
 * Through Lua, XREAD answers arrays over every client (node-redis' RESP3 would answer a map).
 */
export const POLL = `
local args = {'XREAD', 'COUNT', ARGV[1], 'STREAMS'}
for i = 1, #KEYS do args[#args + 1] = KEYS[i] end
for i = 2, #ARGV do args[#args + 1] = ARGV[i] end
return redis.call(unpack(args))`;
