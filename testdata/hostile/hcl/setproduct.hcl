# A product of three 1000-element sets: 10^9 tuples.
locals {
  p = setproduct(range(1000), range(1000), range(1000))
}
