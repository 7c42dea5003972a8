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
-- every pair's latency in microseconds; global, so that done() can copy it from each thread with thread:get
samples = {}
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
  end
end

-- percentiles over the pairs of all threads; "n/a" when no pair completed
function done(summary, latency, requests)
  local all = {}
  for _, thread in ipairs(threads) do
    local some = thread:get("samples") or {}
    for i = 1, #some do all[#all + 1] = some[i] end
  end
  local p50, p90, p99 = clock.percentiles(all)
  local seconds = summary.duration / 1e6
  io.write(string.format("RESULT pairs_per_second=%.1f p50_ms=%s p90_ms=%s p99_ms=%s pairs=%d errors=%d\n",
      summary.requests / 2 / seconds, p50, p90, p99, #all,
      summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.timeout))
end
