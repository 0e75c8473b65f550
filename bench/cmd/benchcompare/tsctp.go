package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
)

// tsctpPath is where Debian's libusrsctp-examples puts tsctp.
const tsctpPath = "/usr/lib/usrsctp/tsctp"

// noDebugSource replaces the usrsctp function that Debian's example
// programs call to switch debug output on; with it preloaded they run
// without debug output, which otherwise slows them down a lot.
const noDebugSource = `#include <stdint.h>

/* Preloaded into usrsctp's example programs: keeps debug output off. */
int usrsctp_sysctl_set_sctp_debug_on(uint32_t value)
{
	(void)value;
	return 0;
}
`

// tsctpSetup is a usrsctp tsctp ready to run, with the preload library
// built in a temporary directory.
type tsctpSetup struct {
	binary, preload, dir string
}

// prepareTsctp builds the preload library with gcc. It returns an error
// saying why tsctp cannot take part here.
func prepareTsctp() (*tsctpSetup, error) {
	if _, err := os.Stat(tsctpPath); err != nil {
		return nil, fmt.Errorf("%s missing (Debian package libusrsctp-examples)", tsctpPath)
	}
	gcc, err := exec.LookPath("gcc")
	if err != nil {
		return nil, errors.New("gcc missing, needed to build the debug-off preload library")
	}
	dir, err := os.MkdirTemp("", "benchcompare-tsctp-")
	if err != nil {
		return nil, err
	}
	t := &tsctpSetup{binary: tsctpPath, preload: filepath.Join(dir, "nodebug.so"), dir: dir}
	src := filepath.Join(dir, "nodebug.c")
	if err := os.WriteFile(src, []byte(noDebugSource), 0o644); err != nil {
		t.cleanup()
		return nil, err
	}
	if out, err := exec.Command(gcc, "-shared", "-fPIC", "-o", t.preload, src).CombinedOutput(); err != nil {
		t.cleanup()
		return nil, fmt.Errorf("gcc: %v: %s", err, lastLine(out))
	}
	return t, nil
}

// cleanup removes the temporary directory.
func (t *tsctpSetup) cleanup() { os.RemoveAll(t.dir) }

// impl describes tsctp as an implementation under comparison. Its server
// (SCTP port 5001) serves associations until it is stopped, and both
// sides need their UDP encapsulation ports given.
func (t *tsctpSetup) impl() *impl {
	return &impl{
		key: "tsctp", name: "usrsctp tsctp", ownProcs: true,
		server: func(a cellArgs) []string {
			return []string{t.binary, "-E", strconv.Itoa(a.serverPort), "-L", "127.0.0.1"}
		},
		client: func(a cellArgs) []string {
			return []string{t.binary, "-E", strconv.Itoa(a.clientPort), "-U", strconv.Itoa(a.serverPort),
				"-L", "127.0.0.1", "-T", strconv.Itoa(tsctpSeconds(a.time)), "-l", strconv.Itoa(a.size), "127.0.0.1"}
		},
		env:        []string{"LD_PRELOAD=" + t.preload},
		fixedPorts: true,
		resultLine: tsctpServerLine,
		// The server binds its UDP port before it listens for SCTP.
		notReady:    regexp.MustCompile(`usrsctp_connect: Connection refused`),
		parseServer: parseTsctpServer,
		parseClient: parseTsctpClient,
	}
}
