locals {
  r = range(1000)
  # 1000 × 1000 × 1000: a billion elements, built one for at a time.
  x = [for i in local.r : [for j in local.r : [for k in local.r : k]]]
}
