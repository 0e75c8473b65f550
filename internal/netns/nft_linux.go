package netns

import (
	"os/exec"
	"strings"
)

// filterTable is the nftables table that Filter adds rules to, one per
// namespace, so that ClearFilters removes them all and nothing else.
const filterTable = "inet mobisctp"

// Filter adds an nftables rule to a chain on hook (prerouting, output,
// ...) of the namespace's filter table, made on first use. The chain runs
// before conntrack (priority -300), so a drop rule cuts a flow at once. A
// rule nft refuses fails the test.
func (ns *NS) Filter(hook, rule string) {
	ns.t.Helper()
	ns.nft("table "+filterTable+" {\n chain "+hook+" {\n  type filter hook "+hook+" priority -300;\n  "+rule+"\n }\n}\n", rule)
}

// ClearFilters removes every rule Filter added to the namespace.
func (ns *NS) ClearFilters() {
	ns.t.Helper()
	ns.nft("delete table "+filterTable+"\n", "delete table "+filterTable)
}

// nft loads script into the namespace's nftables; what names it in an
// error.
func (ns *NS) nft(script, what string) {
	ns.t.Helper()
	cmd := exec.Command("ip", "netns", "exec", ns.Name, "nft", "-f", "-")
	cmd.Stdin = strings.NewReader(script)
	if out, err := cmd.CombinedOutput(); err != nil {
		ns.t.Errorf("nft %s: %v\n%s", what, err, strings.TrimSpace(string(out)))
	}
}
