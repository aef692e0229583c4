package sim

import "patchbay/stdlib"

// cat is the catalog the run's protocol timers and limits come from.
func cat() *stdlib.Catalog { return stdlib.Default() }

func catInt(key string) int { return int(cat().Int(key)) }
