-- wrk script: a Sendoso invitation per request, each to a new address (so each is a 201).
local counter = 0
local thread_id = 0

function setup(thread)
   thread:set("id", thread_id)
   thread_id = thread_id + 1
end

request = function()
   counter = counter + 1
   local body = string.format(
      '{"user":{"first_name":"Ada","last_name":"Lovelace","email":"ada.%d.%d@example.com","role":"manager","team_group_id":1234}}',
      id, counter)
   return wrk.format("POST", "/api/v3/users", {
      ["Authorization"] = "Bearer bench-token",
      ["Content-Type"] = "application/json",
   }, body)
end
