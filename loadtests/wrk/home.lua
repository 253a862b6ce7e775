-- wrk -s home.lua: the home page of a returning shopper: a three-item history, rotating through the
-- real item ids in $SKYLT_IDS. Run from any directory: common.lua is found beside this file.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(dir .. "common.lua")

common.page(function(id)
  return "page=home&history=" .. id(0) .. "%2C" .. id(1) .. "%2C" .. id(2)
end)
