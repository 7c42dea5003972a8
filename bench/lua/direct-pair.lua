-- The client a user would write without the service: GET the AppRepository, PUT it back with
-- spec.resyncRequests + 1 and the resourceVersion it read. One connection per thread, one repository per thread,
-- so that pairs never conflict. Pair latencies are measured here, wrk's own are per request.
package.path = "bench/lua/?.lua;" .. package.path
local clock = require("clock")

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

local path, version, started
local samples = {}
local headers = { ["Authorization"] = "Bearer bench-token", ["Content-Type"] = "application/json" }

function init(args)
  path = "/apis/kubeapps.com/v1alpha1/namespaces/kubeapps/apprepositories/repo-" .. (id - 1)
end

function request()
  if version == nil then
    started = clock.micros()
    return wrk.format("GET", path, headers)
  end
  local body = '{"apiVersion":"kubeapps.com/v1alpha1","kind":"AppRepository","metadata":{"name":"repo-' .. (id - 1)
      .. '","namespace":"kubeapps","resourceVersion":"' .. version .. '"},"spec":{"type":"helm",'
      .. '"url":"https://charts.example.com","resyncRequests":' .. (resync + 1) .. '}}'
  return wrk.format("PUT", path, headers, body)
end

function response(status, headers, body)
  if version == nil then
    version = string.match(body, '"resourceVersion":"(%d+)"')
    resync = tonumber(string.match(body, '"resyncRequests":(%d+)'))
  else
    version = nil
    samples[#samples + 1] = clock.micros() - started
    if #samples % 200 == 0 then clock.publish(samples) end
  end
end

function done(summary, latency, requests)
  local pairs, p50s, p90s, p99s = 0, 0, 0, 0
  for _, thread in ipairs(threads) do
    local n = thread:get("count") or 0
    pairs = pairs + n
    p50s = p50s + (thread:get("p50") or 0) * n
    p90s = p90s + (thread:get("p90") or 0) * n
    p99s = p99s + (thread:get("p99") or 0) * n
  end
  local seconds = summary.duration / 1e6
  io.write(string.format("RESULT pairs_per_second=%.1f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f pairs=%d errors=%d\n",
      summary.requests / 2 / seconds, p50s / pairs, p90s / pairs, p99s / pairs, pairs,
      summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.timeout))
end
