-- wrk script for `pnpm bench --soak`: a mix of reads, writes, logins and refused inputs, as many
-- as the server takes. Arguments (after `--`):
--   users      file with one "<access token> <email>" line per seeded user
--   tasks      highest task id each seeded user has
-- Out of 100 requests: 35 list pages, 25 single tasks, 10 renames, 10 creates, 1 login, and 19
-- that must be refused with a 4xx (malformed JSON, unknown fields, a title too long, a missing
-- task, a forged token, a bad query, JSON nested too deep). Every status is counted.
-- done() prints one line "BENCH_JSON {...}" for bench/src/wrk.ts to read.

local tokens, emails = {}, {}
local tasks
local counter = 0
-- Global, not local: done() reads it from each thread's own Lua state with thread:get.
statuses = {}
local threads = {}
local json = { ["Content-Type"] = "application/json" }

function setup(thread)
  threads[#threads + 1] = thread
end

function init(args)
  for line in io.lines(args[1]) do
    local token, email = line:match("^(%S+)%s+(%S+)$")
    if token then
      tokens[#tokens + 1] = token
      emails[#emails + 1] = email
    end
  end
  tasks = tonumber(args[2])
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 100000)
end

local function auth(i, extra)
  local headers = { ["Authorization"] = "Bearer " .. tokens[i] }
  if extra then
    for k, v in pairs(extra) do headers[k] = v end
  end
  return headers
end

local deep = string.rep('{"a":', 200) .. "1" .. string.rep("}", 200)

function request()
  counter = counter + 1
  local i = math.random(#tokens)
  local roll = math.random(100)
  local id = math.random(tasks)
  if roll <= 35 then
    return wrk.format("GET", "/api/v1/tasks", auth(i))
  elseif roll <= 60 then
    return wrk.format("GET", "/api/v1/tasks/" .. id, auth(i))
  elseif roll <= 70 then
    return wrk.format("PATCH", "/api/v1/tasks/" .. id, auth(i, json),
      '{"title":"Soaked ' .. counter .. '"}')
  elseif roll <= 80 then
    return wrk.format("POST", "/api/v1/tasks", auth(i, json),
      '{"title":"Soak task ' .. counter .. '","tags":["soak"]}')
  elseif roll <= 81 then
    return wrk.format("POST", "/api/v1/auth/login", json,
      '{"email":"' .. emails[i] .. '","password":"bench-password-1"}')
  elseif roll <= 84 then
    return wrk.format("POST", "/api/v1/tasks", auth(i, json), '{"title": "unterminated')
  elseif roll <= 87 then
    return wrk.format("POST", "/api/v1/tasks", auth(i, json), '{"title":"x","userId":"me"}')
  elseif roll <= 90 then
    return wrk.format("PATCH", "/api/v1/tasks/" .. id, auth(i, json),
      '{"title":"' .. string.rep("x", 201) .. '"}')
  elseif roll <= 93 then
    return wrk.format("GET", "/api/v1/tasks/" .. (tasks + 1000000), auth(i))
  elseif roll <= 96 then
    return wrk.format("GET", "/api/v1/tasks", { ["Authorization"] = "Bearer " .. tokens[i]:sub(1, -3) .. "xx" })
  elseif roll <= 98 then
    return wrk.format("GET", "/api/v1/tasks?limit=1000&sort=nonsense", auth(i))
  else
    return wrk.format("POST", "/api/v1/tasks", auth(i, json), deep)
  end
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local merged = {}
  for _, thread in ipairs(threads) do
    local counts = thread:get("statuses")
    for status, count in pairs(counts) do
      merged[status] = (merged[status] or 0) + count
    end
  end
  local parts = {}
  for status, count in pairs(merged) do
    parts[#parts + 1] = string.format('"%d":%d', status, count)
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"durationUs":%d,"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latencyUs":{"p50":%d,"p90":%d,"p99":%d,"mean":%.1f,"max":%d},"statuses":{%s}}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.mean, latency.max,
    table.concat(parts, ",")))
end
