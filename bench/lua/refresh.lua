-- POSTs refreshes to the service (or the alternative), spread over REPOSITORIES repositories, all with one
-- token; or, with DISTINCT_TOKENS set, each request with a token of its own until that many were sent, then the
-- last one again (THREADS: the -t given to wrk; wrk has no way to end a run before its duration). TOKEN_PREFIX
-- starts each distinct token, so that runs with different prefixes never send the same one.
local repositories = tonumber(os.getenv("REPOSITORIES") or "1")
local distinct = tonumber(os.getenv("DISTINCT_TOKENS") or "0")
-- each thread sends its share of the distinct tokens; wrk gives a thread no way to know how many there are
local threads_count = tonumber(os.getenv("THREADS") or "1")
local token_prefix = os.getenv("TOKEN_PREFIX") or "bench-token-"
local prefix = os.getenv("URL_PREFIX") or "/api/v1/clusters/default/namespaces/kubeapps/apprepositories/"
local suffix = os.getenv("URL_SUFFIX") or "/refresh"
local threads, counter = {}, 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

-- LuaJIT seeds every thread's generator alike: unseeded, wrk's threads would ask for the same repositories in the
-- same order, and meet on one repository far more often than independent senders do
function init(args)
  math.randomseed(id)
end

local share
sent = 0 -- global, so that done() can read it with thread:get
function request()
  local token = "bench-token"
  if distinct > 0 then
    -- thread id of threads_count sends every threads_count-th token: the shares add up to distinct exactly
    share = share or (distinct >= id and math.floor((distinct - id) / threads_count) + 1 or 0)
    if sent < share then sent = sent + 1 end
    if sent > 0 then token = token_prefix .. id .. "-" .. sent end
  end
  local repo = "repo-" .. math.random(0, repositories - 1)
  return wrk.format("POST", prefix .. repo .. suffix,
      { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }, '{"type":"PUSH_ARTIFACT"}')
end

-- wrk's latency percentiles, of the requests it completed; "n/a" when it completed none
function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local tokens = 0
  for _, thread in ipairs(threads) do tokens = tokens + (thread:get("sent") or 0) end
  local function ms(q)
    return summary.requests > 0 and string.format("%.3f", latency:percentile(q) / 1000) or "n/a"
  end
  io.write(string.format("RESULT requests_per_second=%.1f p50_ms=%s p90_ms=%s p99_ms=%s requests=%d errors=%d"
      .. " distinct_tokens=%d\n",
      summary.requests / seconds, ms(50), ms(90), ms(99), summary.requests,
      summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.timeout, tokens))
end
