package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"
)

// portTaken reports whether some socket is bound to the UDP port, from the
// kernel's socket tables. Binding the port to find out, as elsewhere,
// could take it for a moment just when the server binds it: usrsctp then
// runs without its UDP socket, and the cell waits in vain (the likely
// cause of one tsctp cell in a bench-compare that failed so).
func portTaken(port int) bool {
	for _, table := range []string{"/proc/net/udp", "/proc/net/udp6"} {
		if bound, err := boundIn(table, port); err == nil && bound {
			return true
		}
	}
	return false
}

// boundIn reports whether a socket in table (the format of /proc/net/udp)
// has local port port.
func boundIn(table string, port int) (bool, error) {
	f, err := os.Open(table)
	if err != nil {
		return false, err
	}
	defer f.Close()
	suffix := fmt.Sprintf(":%04X", port)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) > 1 && strings.HasSuffix(fields[1], suffix) {
			return true, nil
		}
	}
	return false, sc.Err()
}
