-- A monotonic clock in microseconds for wrk's LuaJIT, and percentiles of samples for a RESULT line.
local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clock, bench_timespec *ts);
]]
local ts = ffi.new("bench_timespec")

local clock = {}

function clock.micros()
  ffi.C.clock_gettime(1, ts)
  return tonumber(ts.tv_sec) * 1e6 + tonumber(ts.tv_nsec) / 1e3
end

-- p50, p90 and p99 in ms of samples in microseconds, as text with three decimals ("n/a" without samples).
function clock.percentiles(samples)
  if #samples == 0 then return "n/a", "n/a", "n/a" end
  local sorted = {}
  for i = 1, #samples do sorted[i] = samples[i] end
  table.sort(sorted)
  local function at(q) return string.format("%.3f", sorted[math.max(1, math.ceil(q * #sorted))] / 1000) end
  return at(0.50), at(0.90), at(0.99)
end

return clock
