//go:build !race

package encap

const raceEnabled = false
