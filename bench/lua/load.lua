-- wrk script for `pnpm bench`. Arguments (after `--`):
--   scenario   list | project | get | create | patch | login | path
--   users      file with one "<access token> <email>" line per seeded user
--   arg        get/patch: highest task id to pick from; project: the project number to list;
--              path: the request path (with query)
-- Each request picks a random user, so the load spreads over many owners and rows.
-- done() prints one line "BENCH_JSON {...}" for bench/src/wrk.ts to read.

local scenario, arg
local tokens, emails = {}, {}
local counter = 0
local json = { ["Content-Type"] = "application/json" }

function init(args)
  scenario = args[1]
  for line in io.lines(args[2]) do
    local token, email = line:match("^(%S+)%s+(%S+)$")
    if token then
      tokens[#tokens + 1] = token
      emails[#emails + 1] = email
    end
  end
  arg = args[3]
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 100000)
end

local function auth(i, extra)
  local headers = { ["Authorization"] = "Bearer " .. tokens[i] }
  if extra then
    for k, v in pairs(extra) do headers[k] = v end
  end
  return headers
end

function request()
  counter = counter + 1
  local i = math.random(#tokens)
  if scenario == "list" then
    return wrk.format("GET", "/api/v1/tasks", auth(i))
  elseif scenario == "project" then
    return wrk.format("GET", "/api/v1/tasks?project=" .. arg, auth(i))
  elseif scenario == "get" then
    return wrk.format("GET", "/api/v1/tasks/" .. math.random(tonumber(arg)), auth(i))
  elseif scenario == "patch" then
    return wrk.format("PATCH", "/api/v1/tasks/" .. math.random(tonumber(arg)), auth(i, json),
      '{"title":"Renamed by the bench ' .. counter .. '"}')
  elseif scenario == "create" then
    return wrk.format("POST", "/api/v1/tasks", auth(i, json),
      '{"title":"Bench task ' .. counter .. '","priority":"medium","tags":["bench"]}')
  elseif scenario == "login" then
    return wrk.format("POST", "/api/v1/auth/login", { ["Content-Type"] = "application/json" },
      '{"email":"' .. emails[i] .. '","password":"bench-password-1"}')
  else
    return wrk.format("GET", arg, auth(1))
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"durationUs":%d,"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latencyUs":{"p50":%d,"p90":%d,"p99":%d,"mean":%.1f,"max":%d}}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.mean, latency.max))
end
