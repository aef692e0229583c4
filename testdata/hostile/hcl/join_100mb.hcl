# 10^6 strings of 100 bytes joined: a 100 MB string.
locals {
  k   = range(1000)
  big = join("", flatten([for a in local.k : [for b in local.k : "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"]]))
}
