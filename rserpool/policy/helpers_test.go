package policy_test

import (
	"math/rand/v2"
	"testing"

	"github.com/mobisctp/mobisctp/rserpool/policy/policytest"
	"github.com/mobisctp/mobisctp/rserpool/wire"
)

// newPool returns a reference pool using policy t, failing the test on error.
func newPool(t *testing.T, typ wire.PolicyType, maxIncrement int) *policytest.Pool {
	t.Helper()
	p, err := policytest.NewPool(typ, maxIncrement)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// fixedRand returns the generator every test uses, so results are pinned.
func fixedRand() *rand.Rand { return rand.New(rand.NewPCG(0x5eed, 0xc0ffee)) }

// resolutions runs count resolutions of n elements each.
func resolutions(p *policytest.Pool, rng *rand.Rand, n, count int) [][]uint32 {
	out := make([][]uint32, count)
	for i := range out {
		out[i] = p.Select(rng, n)
	}
	return out
}

// firsts runs count single-element resolutions and returns the identifiers.
func firsts(p *policytest.Pool, rng *rand.Rand, count int) []uint32 {
	var out []uint32
	for _, r := range resolutions(p, rng, 1, count) {
		out = append(out, r...)
	}
	return out
}

// percent is a load (or DPF) of x percent on RFC 5356's 32-bit scale.
func percent(x float64) uint32 { return uint32(x / 100 * 0xFFFFFFFF) }
