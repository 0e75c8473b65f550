package main

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
)

// openUDPSockets counts the UDP sockets this process has open: its file
// descriptors that are sockets listed in /proc/self/net/udp or udp6. It
// returns -1 if /proc cannot tell.
func openUDPSockets() int {
	inodes := map[string]bool{}
	for _, table := range []string{"/proc/self/net/udp", "/proc/self/net/udp6"} {
		if err := socketInodes(table, inodes); err != nil {
			return -1
		}
	}
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return -1
	}
	n := 0
	for _, fd := range fds {
		link, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name()))
		if err == nil && inodes[strings.TrimSuffix(strings.TrimPrefix(link, "socket:["), "]")] {
			n++
		}
	}
	return n
}

// socketInodes adds the inodes of the sockets listed in a /proc/net
// table (the tenth column) to inodes.
func socketInodes(table string, inodes map[string]bool) error {
	f, err := os.Open(table)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan() // the header
	for sc.Scan() {
		if fields := strings.Fields(sc.Text()); len(fields) > 9 {
			inodes[fields[9]] = true
		}
	}
	return sc.Err()
}
