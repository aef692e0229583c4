# A 100 MB string joined six times over: refused before join() allocates it.
locals {
  k    = range(1000)
  s    = join("", [for a in local.k : "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"])
  ten  = [for a in local.k : local.s]
  big  = join("", local.ten)
  big2 = join("", [local.big, local.big, local.big, local.big, local.big, local.big])
}
