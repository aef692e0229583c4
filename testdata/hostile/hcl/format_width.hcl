# One format() call asking for a 1 GB field width.
locals {
  p = format("%01000000000d", 1)
}
