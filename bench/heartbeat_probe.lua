-- wrk script for bench/topology.py's capacity probe: closed-loop heartbeats, one learner per
-- wrk thread (run with as many threads as connections), a new sequence number every beat so
-- that none is ignored as a repeat.
--   wrk -t N -c N -d S -s heartbeat_probe.lua URL -- PATH MODULE STEP SESSION:CSRF ...
local threads = {}
local count = 0

function setup(thread)
   count = count + 1
   thread:set("index", count)
   table.insert(threads, thread)
end

function init(args)
   path, module_id, step_id = args[1], args[2], args[3]
   local learner = args[3 + ((index - 1) % (#args - 3)) + 1]
   local session, csrf = learner:match("([^:]+):([^:]+)")
   headers = {
      ["Content-Type"] = "application/json",
      ["Cookie"] = "sessionid=" .. session .. "; csrftoken=" .. csrf,
      ["X-CSRFToken"] = csrf,
   }
   session_id = string.format("probe-%d-%d", index, math.random(100000, 999999))
   seq = 0
end

function request()
   seq = seq + 1
   local body = string.format(
      '{"module_id": %s, "step_id": "%s", "session_id": "%s", "seq": %d, '
         .. '"ranges": [[0, 1]], "position": 1, "duration": 30}',
      module_id, step_id, session_id, seq)
   return wrk.format("POST", path, headers, body)
end

function done(summary, latency, requests)
   local errors = summary.errors
   io.write(string.format(
      'WRK {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, '
         .. '"non_2xx": %d, "socket_errors": %d}\n',
      summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
      errors.status, errors.connect + errors.read + errors.write + errors.timeout))
end
