// Package config holds the two pieces every configuration struct of the
// module uses: filling in defaults and naming the first field that cannot
// work.
package config

import "fmt"

// Default sets *p to def if *p is the zero value.
func Default[T comparable](p *T, def T) {
	var zero T
	if *p == zero {
		*p = def
	}
}

// Check is one validity rule: Bad says it is broken, Field names the field
// and Why says what it must be.
type Check struct {
	Bad   bool
	Field string
	Why   string
}

// Validate returns an error for the first broken check, as
// "PREFIX: config FIELD WHY", or nil.
func Validate(prefix string, checks ...Check) error {
	for _, c := range checks {
		if c.Bad {
			return fmt.Errorf("%s: config %s %s", prefix, c.Field, c.Why)
		}
	}
	return nil
}
