//go:build !amd64

package crc32c

import "testing"

// eachPath runs f once: there is only hash/crc32 here.
func eachPath(t *testing.T, f func(t *testing.T)) { t.Run("fallback", f) }
