-- wrk script for the reliability benchmark: each request takes a random path
-- from the file $PATHS; responses are counted per second and status, and
-- Varnish hits are counted. At the end, one SUMMARY line (latencies in ms)
-- and one SECOND line per second and status:
--   SUMMARY <tab> duration_s requests p50 p99 max errors_connect errors_read errors_timeout hits
--   SECOND <tab> unix_second status count
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  paths = {}
  for line in io.lines(os.getenv("PATHS")) do
    if line ~= "" then paths[#paths + 1] = line end
  end
  math.randomseed(os.time() + #threads * 7919 + math.floor(os.clock() * 1e6))
  counts = {}
  hits = 0
end

function request()
  return wrk.format("GET", paths[math.random(#paths)])
end

function response(status, headers, body)
  local key = os.time() .. " " .. status
  counts[key] = (counts[key] or 0) + 1
  if headers["X-Varnish-Cache"] == "HIT" then hits = hits + 1 end
end

function done(summary, latency, requests)
  local total, hit_total = {}, 0
  for _, t in ipairs(threads) do
    for key, n in pairs(t:get("counts")) do total[key] = (total[key] or 0) + n end
    hit_total = hit_total + (t:get("hits") or 0)
  end
  local e = summary.errors
  io.write(string.format("SUMMARY\t%.3f\t%d\t%.3f\t%.3f\t%.3f\t%d\t%d\t%d\t%d\n",
    summary.duration / 1e6, summary.requests,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    e.connect, e.read, e.timeout, hit_total))
  for key, n in pairs(total) do
    local second, status = key:match("(%d+) (%d+)")
    io.write(string.format("SECOND\t%s\t%s\t%d\n", second, status, n))
  end
end
