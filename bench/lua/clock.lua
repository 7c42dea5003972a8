-- A monotonic clock in microseconds for wrk's LuaJIT, and percentiles that the main state can read.
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

-- Publishes p50/p90/p99 (ms) and the count of the samples as globals of the calling thread's state.
function clock.publish(samples)
  local sorted = {}
  for i = 1, #samples do sorted[i] = samples[i] end
  table.sort(sorted)
  local function at(q) return sorted[math.max(1, math.ceil(q * #sorted))] / 1000 end
  p50, p90, p99, count = at(0.50), at(0.90), at(0.99), #sorted
end

return clock
