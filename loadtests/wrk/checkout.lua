-- wrk -s checkout.lua: the checkout page: three items in the cart and 10.00 left to free shipping, rotating
-- through the real item ids in $SKYLT_IDS. Run from any directory: common.lua is found beside this file.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(dir .. "common.lua")

common.page(function(id)
  return "page=checkout&cart=" .. id(0) .. "%2C" .. id(1) .. "%2C" .. id(2) .. "&free_shipping_gap=10"
end)
