-- Load script shared by every HTTP target (platform worker, tursodb --sync-server, the ceiling,
-- the control plane). Arguments after `--`:
--   mode   read | insert | batch | get | getname
--   token  bearer token or "-" for none
--   n      read: keys are 1..n ; getname: names are <prefix>1..<prefix>n
--   close  "close" appends {"type":"close"} to the pipeline (tursodb 0.6.0 rejects it), else "noclose"
--   extra  batch: rows per batch ; getname: name prefix
-- done() prints one line "WRKJSON {...}" with requests/s, p50, p99 (microseconds) and errors.
local mode, token, n, close, extra
local counter = 1

local function tail()
  if close then return ',{"type":"close"}]}' end
  return ']}'
end

local thread_no = 0
function setup(thread)
  thread_no = thread_no + 1
  thread:set("tid", thread_no)
end

function init(args)
  mode = args[1]
  token = args[2]
  n = tonumber(args[3])
  close = args[4] == "close"
  extra = args[5]
  math.randomseed(os.time() * 131 + (tid or 0) * 7919)
  if token ~= nil and token ~= "-" then
    wrk.headers["Authorization"] = "Bearer " .. token
  end
  if mode == "get" or mode == "getname" then
    wrk.method = "GET"
    return
  end
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  if mode == "insert" then
    wrk.body = '{"baton":null,"requests":[{"type":"execute","stmt":{"sql":"INSERT INTO w(v) VALUES (?)","args":[{"type":"text","value":"bench-value-0123456789"}]}}' .. tail()
  elseif mode == "batch" then
    local rows = tonumber(extra)
    local steps = {'{"stmt":{"sql":"BEGIN"}}'}
    for i = 1, rows do
      steps[#steps + 1] = '{"stmt":{"sql":"INSERT INTO w(v) VALUES (?)","args":[{"type":"text","value":"bench-value-0123456789"}]}}'
    end
    steps[#steps + 1] = '{"stmt":{"sql":"COMMIT"}}'
    wrk.body = '{"baton":null,"requests":[{"type":"batch","batch":{"steps":[' .. table.concat(steps, ",") .. ']}}' .. tail()
  end
end

function request()
  if mode == "read" then
    local k = math.random(1, n)
    local body = '{"baton":null,"requests":[{"type":"execute","stmt":{"sql":"SELECT v FROM kv WHERE k = ?","args":[{"type":"integer","value":"' .. k .. '"}]}}' .. tail()
    return wrk.format(nil, nil, nil, body)
  elseif mode == "getname" then
    local i = math.random(1, n)
    return wrk.format(nil, wrk.path .. extra .. i, nil, nil)
  end
  return wrk.format()
end

function done(summary, latency, requests)
  local secs = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%d,"duration_us":%d,"rps":%.3f,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f,' ..
    '"err_connect":%d,"err_read":%d,"err_write":%d,"err_status":%d,"err_timeout":%d}\n',
    summary.requests, summary.duration, summary.requests / secs,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean,
    e.connect, e.read, e.write, e.status, e.timeout))
end
