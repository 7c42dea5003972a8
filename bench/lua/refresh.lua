-- POSTs refreshes to the service (or the alternative), spread over REPOSITORIES repositories, all with one
-- token; or, with DISTINCT_TOKENS set, each request with a token of its own until that many were sent, then the
-- last one again (THREADS: the -t given to wrk; wrk has no way to end a run before its duration).
local repositories = tonumber(os.getenv("REPOSITORIES") or "1")
local distinct = tonumber(os.getenv("DISTINCT_TOKENS") or "0")
-- each thread sends its share of the distinct tokens; wrk gives a thread no way to know how many there are
local threads_count = tonumber(os.getenv("THREADS") or "1")
local prefix = os.getenv("URL_PREFIX") or "/api/v1/clusters/default/namespaces/kubeapps/apprepositories/"
local suffix = os.getenv("URL_SUFFIX") or "/refresh"
local threads, counter = {}, 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

sent = 0 -- global, so that done() can read it with thread:get
function request()
  local token = "bench-token"
  if distinct > 0 then
    if sent < distinct / threads_count then sent = sent + 1 end
    token = "bench-token-" .. id .. "-" .. sent
  end
  local repo = "repo-" .. math.random(0, repositories - 1)
  return wrk.format("POST", prefix .. repo .. suffix,
      { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }, '{"type":"PUSH_ARTIFACT"}')
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local tokens = 0
  for _, thread in ipairs(threads) do tokens = tokens + (thread:get("sent") or 0) end
  io.write(string.format("RESULT requests_per_second=%.1f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f requests=%d errors=%d"
      .. " distinct_tokens=%d\n",
      summary.requests / seconds, latency:percentile(50) / 1000, latency:percentile(90) / 1000,
      latency:percentile(99) / 1000, summary.requests,
      summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.timeout, tokens))
end
