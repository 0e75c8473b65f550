//go:build race

package testenv

// RaceEnabled reports a build with the race detector, under which
// sync.Pool drops items at random, so allocation counts and pool reuse
// are meaningless.
const RaceEnabled = true
