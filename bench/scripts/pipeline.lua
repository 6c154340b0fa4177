-- wrk script: keep PIPELINE_DEPTH (default 16) requests in flight on every connection.
-- wrk sends the whole batch in one write and waits for as many responses before sending the next batch.
local depth = tonumber(os.getenv("PIPELINE_DEPTH") or "16")

init = function(args)
  local batch = {}
  for i = 1, depth do
    batch[i] = wrk.format("GET", "/")
  end
  req = table.concat(batch)
end

request = function()
  return req
end
