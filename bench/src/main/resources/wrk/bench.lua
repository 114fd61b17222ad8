-- Load script shared by every HTTP target (platform worker, tursodb --sync-server, the ceiling,
-- the control plane). Arguments after `--`:
--   mode   read | insert | batch | get | getname
--   token  bearer token or "-" for none
--   n      read: keys are 1..n ; getname: names are <prefix>1..<prefix>n
--   close  "close" appends {"type":"close"} to the pipeline (tursodb 0.6.0 rejects it), else "noclose"
--   extra  batch: rows per batch ; getname: name prefix
-- done() prints one line "WRKJSON {...}" with requests/s, p50, p90, p99 (microseconds, of the measured samples:
-- wrk's coordinated-omission phantoms removed, see measured()) and errors.
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

-- wrk 4.x "corrects" for coordinated omission after the run (stats_correct in stats.c): for every sample at
-- n >= 2*e microseconds, with e = duration / (requests / connections) (integer divisions, as in wrk.c), it adds as many
-- phantom samples at n-e, n-2e, ... while above e. For a closed-loop benchmark (each connection sends its next request
-- when the answer came) those phantoms are requests nobody sent: they inflate p90/p99 wherever latencies vary. This
-- undoes the correction exactly, from the top down (a bucket's phantoms all lie below it), and reports percentiles of
-- the measured samples only. WRK_CONNECTIONS is set by the harness (Wrk.java) to wrk's -c.
local function measured(summary, latency)
  local conns = tonumber(os.getenv("WRK_CONNECTIONS") or "")
  local lo, hi = latency.min, latency.max
  local data = {}
  local total = 0
  -- wrk 4.1: #latency is the number of non-empty buckets, latency(i) the i-th one's value and count
  for i = 1, #latency do
    local v, c = latency(i)
    if c > 0 then data[v] = c; total = total + c end
  end
  local removed = 0
  if conns ~= nil and conns > 0 then
    local per = math.floor(summary.requests / conns)
    if per > 0 then
      local e = math.floor(summary.duration / per)
      if e > 0 then
        for v = hi, 2 * e, -1 do
          local c = data[v]
          if c ~= nil and c > 0 then
            local m = v - e
            while m > e do
              local left = (data[m] or 0) - c
              data[m] = left
              removed = removed + c
              m = m - e
            end
          end
        end
      end
    end
  end
  total = total - removed
  local function pct(p)
    local rank = math.floor(p / 100 * total + 0.5)
    if rank < 1 then rank = 1 end
    local seen = 0
    for v = lo, hi do
      local c = data[v]
      if c ~= nil and c > 0 then
        seen = seen + c
        if seen >= rank then return v end
      end
    end
    return hi
  end
  local sum = 0
  local consistent = true
  for v = lo, hi do
    local c = data[v]
    if c ~= nil then
      if c < 0 then consistent = false end
      sum = sum + c * v
    end
  end
  return {
    p50 = pct(50), p90 = pct(90), p99 = pct(99), mean = total > 0 and sum / total or 0,
    samples = total, removed = removed, consistent = consistent and conns ~= nil,
  }
end

function done(summary, latency, requests)
  local secs = summary.duration / 1e6
  local e = summary.errors
  local m = measured(summary, latency)
  io.write(string.format(
    'WRKJSON {"requests":%d,"duration_us":%d,"rps":%.3f,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f,' ..
    '"latency_samples":%d,"phantom_samples_removed":%d,"histogram_consistent":%s,' ..
    '"err_connect":%d,"err_read":%d,"err_write":%d,"err_status":%d,"err_timeout":%d}\n',
    summary.requests, summary.duration, summary.requests / secs,
    m.p50, m.p90, m.p99, latency.max, m.mean, m.samples, m.removed, tostring(m.consistent),
    e.connect, e.read, e.write, e.status, e.timeout))
end
