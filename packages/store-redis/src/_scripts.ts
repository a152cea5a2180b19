/**
 * The Lua scripts, for what must happen in one step (or, with `primaryReads`, on the primary).
 * They go by EVALSHA, with EVAL when the server answers NOSCRIPT (see `Commands.eval`), over TCP
 * and Upstash REST alike. Every script declares the keys it touches, and (except the polling
 * bus's POLL) the keys of one script share a hash tag, so they also run on Redis Cluster. JSON is
 * never decoded in Lua (its number handling is lossy): records carry a plain-text header the
 * scripts compare as strings. Reads that need neither go as plain commands.
 */

/**
 * A read as a script, only with `primaryReads`: KEYS[1]; ARGV[1] the command, ARGV[2…] its other
 * arguments. Upstash serves plain reads from the nearest read replica of a global database, which
 * may lag behind a write another instance just made; a script (not EVAL_RO) runs on the primary,
 * like every write here. Its reply has the plain command's shape (RESP2, whatever the client).
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
 * Append. KEYS[1] session counter hash (n: last sequence number, t: session tag, b: bytes in the
 * ledger), KEYS[2] the stream, KEYS[3] the session's set of stream ids, KEYS[4] the session's
 * ledger; ARGV[1] a tag for a new counter, ARGV[2] the stream id, ARGV[3] the message, ARGV[4]
 * ttl ms, ARGV[5] events kept per stream ("0": unbounded), ARGV[6] a random append token, ARGV[7]
 * bytes kept per session. Returns {tag, entry id}.
 *
 * Numbering and adding happen in one step, so entry ids follow the counter in every stream. An
 * entry among the stream's last 16 that carries the same token is this append, run before and
 * answered into the void: its id is returned and nothing is added or counted, so an append can be
 * retried (by the store, or by a client that resends after reconnecting).
 *
 * The ledger is a sorted set with one member "<n> <bytes> <stream id>" (score n) per stored
 * event, and b is the sum of its bytes (the message's UTF-8 length). Past ARGV[5] events, the
 * stream's oldest entries go, with their ledger members. Then, while b is over ARGV[7] and the
 * ledger holds more than the new event, the session's oldest event goes (ZPOPMIN, XDEL from its
 * stream, whose key shares the hash tag and is rebuilt from KEYS[2]); a stream left empty is
 * deleted and leaves the set.
 */
export const APPEND = `
local recent = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', 16)
for _, entry in ipairs(recent) do
  if entry[2][4] == ARGV[6] then return {redis.call('HGET', KEYS[1], 't'), entry[1]} end
end
local seq = string.format('%d', redis.call('HINCRBY', KEYS[1], 'n', 1))
redis.call('HSETNX', KEYS[1], 't', ARGV[1])
local tag = redis.call('HGET', KEYS[1], 't')
local id = seq .. '-0'
redis.call('XADD', KEYS[2], id, 'm', ARGV[3], 'k', ARGV[6])
redis.call('SADD', KEYS[3], ARGV[2])
redis.call('ZADD', KEYS[4], seq, seq .. ' ' .. #ARGV[3] .. ' ' .. ARGV[2])
local total = redis.call('HINCRBY', KEYS[1], 'b', #ARGV[3])
local over = tonumber(ARGV[5]) > 0 and redis.call('XLEN', KEYS[2]) - tonumber(ARGV[5]) or 0
if over > 0 then
  for _, entry in ipairs(redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', over)) do
    redis.call('XDEL', KEYS[2], entry[1])
    local size = #entry[2][2]
    local member = string.match(entry[1], '^(%d+)') .. ' ' .. size .. ' ' .. ARGV[2]
    if redis.call('ZREM', KEYS[4], member) == 1 then total = total - size end
  end
end
local freed = 0
if total > tonumber(ARGV[7]) then
  local base = string.sub(KEYS[2], 1, #KEYS[2] - #ARGV[2])
  while total > tonumber(ARGV[7]) and redis.call('ZCARD', KEYS[4]) > 1 do
    local oldest = redis.call('ZPOPMIN', KEYS[4])[1]
    local n, size, stream = string.match(oldest, '^(%d+) (%d+) (.+)$')
    local key = base .. stream
    redis.call('XDEL', key, n .. '-0')
    if redis.call('XLEN', key) == 0 then
      redis.call('DEL', key)
      redis.call('SREM', KEYS[3], stream)
    end
    total = total - tonumber(size)
  end
end
redis.call('HSET', KEYS[1], 'b', total)
for i = 1, 4 do redis.call('PEXPIRE', KEYS[i], ARGV[4]) end
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

/**
 * Trim one stream. KEYS[1] session counter hash, KEYS[2] the stream, KEYS[3] the set of stream
 * ids, KEYS[4] the ledger; ARGV[1] the stream id. Reads the stream in pages of 256 entries and
 * takes each entry's ledger member (rebuilt from its id and message length) out of the ledger and
 * its bytes out of b, then deletes the stream. Returns the bytes taken out.
 */
export const TRIM_STREAM = `
local removed = 0
local from = '-'
while true do
  local entries = redis.call('XRANGE', KEYS[2], from, '+', 'COUNT', 256)
  if #entries == 0 then break end
  local n
  for _, entry in ipairs(entries) do
    n = string.match(entry[1], '^(%d+)')
    local size = #entry[2][2]
    removed = removed + redis.call('ZREM', KEYS[4], n .. ' ' .. size .. ' ' .. ARGV[1]) * size
  end
  from = string.format('%d-0', tonumber(n) + 1)
end
redis.call('DEL', KEYS[2])
redis.call('SREM', KEYS[3], ARGV[1])
if removed > 0 and redis.call('HEXISTS', KEYS[1], 'b') == 1 then
  redis.call('HINCRBY', KEYS[1], 'b', -removed)
end
return removed`;

/**
 * Trim a session. KEYS[1] session counter hash, KEYS[2] the set of stream ids, KEYS[3] the
 * ledger, KEYS[4…] stream keys; ARGV the stream ids of KEYS[4…]. When the set names a stream not
 * in ARGV (the caller's list is stale, or empty on a first call), deletes nothing and returns the
 * set's members. Else deletes the streams, the set and the ledger, drops b (the counter and tag
 * stay, so no id is handed out twice) and returns an empty array.
 */
export const TRIM_SESSION = `
local given = {}
for _, id in ipairs(ARGV) do given[id] = true end
local members = redis.call('SMEMBERS', KEYS[2])
for _, id in ipairs(members) do
  if not given[id] then return members end
end
for i = 2, #KEYS, 500 do redis.call('DEL', unpack(KEYS, i, math.min(i + 499, #KEYS))) end
redis.call('HDEL', KEYS[1], 'b')
return {}`;

/** Bus publish (polling bus). KEYS[1] topic stream; ARGV[1] message, ARGV[2] ttl ms, ARGV[3] MAXLEN. */
export const PUBLISH = `
redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[3], '*', 'm', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`;

/**
 * Bus poll (polling bus), only with `primaryReads` (else a plain XREAD). KEYS topic streams;
 * ARGV[1] COUNT, ARGV[2…] the last id seen per key. `unpack` refuses a few thousand values: the
 * bus sends at most 1000 keys per call.
 */
export const POLL = `
local args = {'XREAD', 'COUNT', ARGV[1], 'STREAMS'}
for i = 1, #KEYS do args[#args + 1] = KEYS[i] end
for i = 2, #ARGV do args[#args + 1] = ARGV[i] end
return redis.call(unpack(args))`;

/**
 * Rate-limit take (GCRA, as `takeToken` in `@portico/core`). KEYS[1] the bucket; ARGV[1] limit,
 * ARGV[2] periodMs, ARGV[3] burst, ARGV[4] cost. The bucket is one string: its theoretical arrival
 * time `tat` in epoch ms (absent: a full bucket). `now` is Redis's clock (`TIME`, ms with the
 * microseconds as a fraction), so every instance takes by one clock (Redis 5+ replicates a
 * script's effects, not the script, so a write after `TIME` is allowed). Admitted: sets the new
 * `tat` (`%.17g`: the exact double) with `PX` until the bucket is full again. Returns {allowed
 * (1/0), remaining, retryAfterMs, resetAfterMs}, floored and ceiled here with `takeToken`'s 1e-6
 * slack: a Lua number becomes an integer reply by truncation. Not repeatable: run twice, it takes
 * twice.
 */
export const TAKE = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000
local interval = tonumber(ARGV[2]) / tonumber(ARGV[1])
local capacity = tonumber(ARGV[3]) * interval
local tat = tonumber(redis.call('GET', KEYS[1]))
local from = now
if tat and tat >= now then from = tat end
local later = from + tonumber(ARGV[4]) * interval
local ahead = later - now
if ahead > capacity + 1e-6 then
  return {0, math.max(0, math.floor((capacity - (from - now)) / interval + 1e-6)),
    math.ceil(ahead - capacity - 1e-6), math.ceil(from - now - 1e-6)}
end
redis.call('SET', KEYS[1], string.format('%.17g', later), 'PX', string.format('%.0f', math.max(1, math.ceil(ahead))))
return {1, math.max(0, math.floor((capacity - ahead) / interval + 1e-6)), 0, math.ceil(ahead - 1e-6)}`;
