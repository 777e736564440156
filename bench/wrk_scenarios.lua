-- The closed-loop scenarios of `make bench`, for wrk (Debian's package), driven by
-- bench/wrkload.py:
--
--   wrk -t2 -c50 -d10s -s bench/wrk_scenarios.lua URL -- get PATHS_FILE START THREADS
--   wrk -t2 -c50 -d10s -s bench/wrk_scenarios.lua URL -- intake DATA_FILE SEED THREADS
--   wrk -t2 -c50 -d10s -s bench/wrk_scenarios.lua URL -- rate RATINGS_FILE START THREADS
--
-- (THREADS: wrk's -t again; wrk sets each thread up before it knows how many follow.)
--
-- get     GET the paths of PATHS_FILE (one a line) in turn. Thread k of n starts at line
--         START + k * (lines / n), so the threads ask for different pages (the public
--         status answers are cached per process: a benchmark of distinct lookups must
--         not repeat them).
-- intake  Window intake through the API. A thread sends POST /api/v1/cases (an
--         application built from DATA_FILE); when the answer (201) comes, the thread's
--         next request accepts that case (POST /api/v1/cases/NUMBER/accept with its
--         version) with a token of a clerk of the case's hall. A case counts once its
--         acceptance is answered 200. wrk does not say which request an answer belongs
--         to, so answers are told apart by their body ("status": "received" or
--         "accepted").
--         DATA_FILE lines, tab-separated:
--           O  hall  token  window-or-empty  item  material-ids (comma-separated)
--           A  resident-id  phone
-- rate    The window tablets' ratings: POST /rate/window/ with a paired tablet's cookie
--         and the form of one act's rating, the lines of RATINGS_FILE in turn (each an
--         act of its own; thread k starts at line START + k * (lines / n), as for get).
--         A rating counts once it is answered 201 ("accepted" in the totals).
--         RATINGS_FILE lines, tab-separated:  R  tablet-cookie  form-body
--
-- wrk's -H headers (e.g. X-Forwarded-Proto) go with every request. At the end one line
-- "WRKJSON {...}" on stdout: wrk's totals, latency percentiles and the scenario's counts.

local mode
local paths, next_path = {}, 1
local offers, applicants, hall_tokens = {}, {}, {}
local ratings, next_rating = {}, 1
local next_offer, next_applicant = 1, 1
local pending = {}          -- created cases waiting for their acceptance: {number, version, hall}
created, accepted, bad, first_error = 0, 0, 0, ""

local threads = {}
local thread_count = 0

function setup(thread)
   thread_count = thread_count + 1
   thread:set("thread_index", thread_count - 1)
   table.insert(threads, thread)
end

local function split(line)
   local out = {}
   for field in (line .. "\t"):gmatch("([^\t]*)\t") do
      table.insert(out, field)
   end
   return out
end

local function copy_headers(extra)
   local h = {}
   for k, v in pairs(wrk.headers) do
      h[k] = v
   end
   for k, v in pairs(extra) do
      h[k] = v
   end
   return h
end

function init(args)
   mode = args[1]
   local index = thread_index or 0
   local count = tonumber(args[4] or "1") or 1
   if mode == "get" then
      for line in io.lines(args[2]) do
         if line ~= "" then
            table.insert(paths, line)
         end
      end
      assert(#paths > 0, "no paths in " .. args[2])
      local start = tonumber(args[3] or "0") or 0
      next_path = (start + index * math.floor(#paths / count)) % #paths + 1
   elseif mode == "rate" then
      for line in io.lines(args[2]) do
         local f = split(line)
         if f[1] == "R" then
            table.insert(ratings, {cookie = f[2], body = f[3]})
         end
      end
      assert(#ratings > 0, "no ratings in " .. args[2])
      local start = tonumber(args[3] or "0") or 0
      next_rating = (start + index * math.floor(#ratings / count)) % #ratings + 1
   elseif mode == "intake" then
      for line in io.lines(args[2]) do
         local f = split(line)
         if f[1] == "O" then
            table.insert(offers, {
               hall = f[2], token = f[3], window = f[4], item = f[5], materials = f[6] or ""
            })
            hall_tokens[f[2]] = hall_tokens[f[2]] or {}
            table.insert(hall_tokens[f[2]], f[3])
         elseif f[1] == "A" then
            table.insert(applicants, {id = f[2], phone = f[3]})
         end
      end
      assert(#offers > 0 and #applicants > 0, "no offers or applicants in " .. args[2])
      math.randomseed((tonumber(args[3] or "1") or 1) * 1000 + index)
      next_offer = (index * 7919) % #offers + 1
      next_applicant = (index * 104729) % #applicants + 1
   else
      error("unknown scenario: " .. tostring(mode))
   end
end

local function json_string(s)
   return '"' .. s:gsub('[%c"\\]', function(c)
      return string.format("\\u%04x", c:byte())
   end) .. '"'
end

local function create_request()
   local o = offers[next_offer]
   next_offer = next_offer % #offers + 1
   local a = applicants[next_applicant]
   next_applicant = next_applicant % #applicants + 1
   local body = '{"hall":' .. json_string(o.hall)
      .. ',"item":' .. json_string(o.item)
      .. ',"applicant_kind":"person","applicant_name":"测试申请人"'
      .. ',"applicant_id_number":' .. json_string(a.id)
      .. ',"contact_phone":' .. json_string(a.phone)
      .. ',"provided_material_ids":[' .. o.materials .. ']'
      .. (o.window ~= "" and (',"window":' .. o.window) or "")
      .. "}"
   return wrk.format("POST", "/api/v1/cases", copy_headers({
      ["Authorization"] = "Bearer " .. o.token,
      ["Content-Type"] = "application/json",
      ["Accept-Language"] = "en",
   }), body)
end

function request()
   if mode == "get" then
      local path = paths[next_path]
      next_path = next_path % #paths + 1
      return wrk.format("GET", path)
   end
   if mode == "rate" then
      local r = ratings[next_rating]
      next_rating = next_rating % #ratings + 1
      return wrk.format("POST", "/rate/window/", copy_headers({
         ["Cookie"] = "ow_tablet=" .. r.cookie,
         ["Content-Type"] = "application/x-www-form-urlencoded",
         ["Accept-Language"] = "en",
      }), r.body)
   end
   local p = table.remove(pending)
   if p == nil then
      return create_request()
   end
   local tokens = hall_tokens[p.hall]
   local token = tokens[math.random(#tokens)]
   return wrk.format("POST", "/api/v1/cases/" .. p.number .. "/accept", copy_headers({
      ["Authorization"] = "Bearer " .. token,
      ["Content-Type"] = "application/json",
      ["Accept-Language"] = "en",
   }), '{"version":' .. p.version .. "}")
end

local function note_error(status, body)
   bad = bad + 1
   if first_error == "" then
      first_error = tostring(status) .. " " .. (body or ""):sub(1, 300)
   end
end

function response(status, headers, body)
   if mode == "get" then
      if status >= 400 then
         note_error(status, body)
      end
      return
   end
   if mode == "rate" then
      if status == 201 then
         accepted = accepted + 1
      else
         note_error(status, body)
      end
      return
   end
   if status == 201 then
      local number = body:match('"number"%s*:%s*"([^"]+)"')
      local version = body:match('"version"%s*:%s*(%d+)')
      local hall = body:match('"hall"%s*:%s*"([^"]+)"')
      if number and version and hall and hall_tokens[hall] then
         created = created + 1
         table.insert(pending, {number = number, version = version, hall = hall})
      else
         note_error(status, body)
      end
   elseif status == 200 and body:match('"status"%s*:%s*"accepted"') then
      accepted = accepted + 1
   else
      note_error(status, body)
   end
end

local function json_escape(s)
   return json_string(tostring(s))
end

function done(summary, latency, requests)
   local c, a, b, err = 0, 0, 0, ""
   for _, t in ipairs(threads) do
      c = c + (t:get("created") or 0)
      a = a + (t:get("accepted") or 0)
      b = b + (t:get("bad") or 0)
      local e = t:get("first_error") or ""
      if err == "" and e ~= "" then
         err = e
      end
   end
   local e = summary.errors
   io.write(string.format(
      'WRKJSON {"duration_s":%.6f,"requests":%d,"bytes":%d,'
      .. '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},'
      .. '"latency_ms":{"mean":%.3f,"max":%.3f,"p50":%.3f,"p90":%.3f,"p95":%.3f,"p99":%.3f},'
      .. '"created":%d,"accepted":%d,"bad_answers":%d,"first_error":%s}\n',
      summary.duration / 1e6, summary.requests, summary.bytes,
      e.connect, e.read, e.write, e.status, e.timeout,
      latency.mean / 1e3, latency.max / 1e3, latency:percentile(50) / 1e3,
      latency:percentile(90) / 1e3, latency:percentile(95) / 1e3, latency:percentile(99) / 1e3,
      c, a, b, json_escape(err)))
end
