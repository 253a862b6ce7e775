-- wrk -s cart.lua: the cart page: two items in the cart, one more in the history, rotating through the
-- real item ids in $SKYLT_IDS. Run from any directory: common.lua is found beside this file.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(dir .. "common.lua")

common.page(function(id)
  return "page=cart&cart=" .. id(0) .. "%2C" .. id(1) .. "&history=" .. id(2)
end)
