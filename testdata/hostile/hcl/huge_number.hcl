# Printing 10^99999999 writes every digit: minutes and GiBs.
locals {
  x = upper(1e99999999)
}
