//go:build linux

package interop

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mobisctp/mobisctp/internal/testenv"
)

// usrsctpDir is where Debian's libusrsctp-examples installs the programs.
const usrsctpDir = "/usr/lib/usrsctp"

// Bounds of the waits on a peer program.
const (
	readyTimeout = 5 * time.Second  // to bind its UDP socket
	exitTimeout  = 15 * time.Second // to exit once its work is done
	tailLines    = 30               // of its output shown on failure
)

// proc is a peer program started by a test. Its standard output and error
// (usrsctp's debug output included) go to NAME.out in the test's artifact
// directory; the tail of that file is logged if the test fails. The test
// kills it when it ends, if it is still running.
type proc struct {
	t      *testing.T
	name   string
	cmd    *exec.Cmd
	output string        // path of the output file
	exited chan struct{} // closed when the process has exited
	err    error         // its exit status, set before exited is closed
}

// program is a usrsctp example program, or another program built on
// usrsctp, to run.
type program struct {
	name  string // file name in usrsctpDir
	path  string // where the program is, if not in usrsctpDir
	args  []string
	stdin *os.File // nil for none
	// follow runs it under stdbuf -oL, so that its output reaches the
	// file line by line and the test can follow it while it runs (a
	// program killed at the end would lose what stdio buffered).
	follow bool
}

// startUsrsctp starts prog in p.
func startUsrsctp(t *testing.T, p place, prog program) *proc {
	t.Helper()
	path := prog.path
	if path == "" {
		path = testenv.File(t, filepath.Join(usrsctpDir, prog.name), "usrsctp example program "+prog.name+" (package libusrsctp-examples)")
	}
	argv := append([]string{path}, prog.args...)
	if prog.follow {
		argv = append([]string{testenv.Tool(t, "stdbuf"), "-oL"}, argv...)
	}
	out, err := os.Create(filepath.Join(t.ArtifactDir(), prog.name+".out"))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close() // the child has its own descriptor
	pr := &proc{t: t, name: prog.name, output: out.Name(), exited: make(chan struct{})}
	pr.cmd = exec.Command(argv[0], argv[1:]...)
	pr.cmd.Stdin, pr.cmd.Stdout, pr.cmd.Stderr = prog.stdin, out, out
	// Should the test binary die without running its cleanups, the
	// kernel kills the program.
	pr.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := within(p, pr.cmd.Start); err != nil {
		t.Fatalf("starting %s: %v", prog.name, err)
	}
	go func() {
		pr.err = pr.cmd.Wait()
		close(pr.exited)
	}()
	t.Cleanup(pr.stop)
	t.Logf("started %s", strings.Join(pr.cmd.Args, " "))
	return pr
}

// stop kills the program if it still runs, waits for it, and shows the
// end of its output if the test failed.
func (pr *proc) stop() {
	select {
	case <-pr.exited:
	default:
		_ = pr.cmd.Process.Kill()
		<-pr.exited
	}
	if pr.t.Failed() {
		pr.t.Logf("last lines of %s's output (%s):\n%s", pr.name, pr.output, pr.tail(tailLines))
	}
}

// waitUDP waits until the program has bound a UDP socket to port, which
// usrsctp does when it starts up.
func (pr *proc) waitUDP(port int) {
	pr.t.Helper()
	want := fmt.Appendf(nil, ":%04X", port)
	deadline := time.Now().Add(readyTimeout)
	for {
		for _, table := range []string{"udp", "udp6"} {
			// The tables as seen from the program's namespace.
			b, err := os.ReadFile(fmt.Sprintf("/proc/%d/net/%s", pr.cmd.Process.Pid, table))
			if err == nil && boundIn(b, want) {
				return
			}
		}
		select {
		case <-pr.exited:
			pr.t.Fatalf("%s exited before binding UDP port %d: %v", pr.name, port, pr.err)
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			pr.t.Fatalf("%s did not bind UDP port %d within %v", pr.name, port, readyTimeout)
		}
	}
}

// boundIn reports whether a /proc/net/udp table has a socket whose local
// address (second column, "ADDR:PORT" in hexadecimal) ends in port.
func boundIn(table, port []byte) bool {
	for _, line := range bytes.Split(table, []byte("\n")) {
		if f := bytes.Fields(line); len(f) > 1 && bytes.HasSuffix(f[1], port) {
			return true
		}
	}
	return false
}

// state says whether the program runs, or how it ended.
func (pr *proc) state() string {
	select {
	case <-pr.exited:
		if pr.err == nil {
			return "exited with status 0"
		}
		return "exited: " + pr.err.Error()
	default:
		return "running"
	}
}

// wait waits for the program to exit by itself and fails the test if it
// does not, or if it fails.
func (pr *proc) wait() {
	pr.t.Helper()
	select {
	case <-pr.exited:
		if pr.err != nil {
			pr.t.Errorf("%s: %v", pr.name, pr.err)
		}
	case <-time.After(exitTimeout):
		pr.t.Errorf("%s still running %v after the end of the transfer", pr.name, exitTimeout)
	}
}

// await reads the program's output as it grows, passing each complete
// line to done until done returns true. It returns an error if that does
// not happen before the program exits or within exitTimeout.
func (pr *proc) await(done func(line string) bool) error {
	f, err := os.Open(pr.output)
	if err != nil {
		return err
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 64<<10)
	var partial []byte
	deadline := time.Now().Add(exitTimeout)
	for exited := false; ; {
		line, err := r.ReadSlice('\n')
		switch {
		case err == nil:
			full := string(append(partial, line...))
			partial = partial[:0]
			if done(strings.TrimSuffix(full, "\n")) {
				return nil
			}
			continue
		case errors.Is(err, bufio.ErrBufferFull):
			partial = append(partial, line...)
			continue
		case !errors.Is(err, io.EOF):
			return err
		}
		partial = append(partial, line...) // at the end of what was written so far
		if exited {
			return fmt.Errorf("%s exited (%v)", pr.name, pr.err)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s: timeout after %v", pr.name, exitTimeout)
		}
		select {
		case <-pr.exited:
			exited = true // read what it wrote last, then give up
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// lines returns the lines of the program's output that satisfy keep.
func (pr *proc) lines(keep func(string) bool) []string {
	f, err := os.Open(pr.output)
	if err != nil {
		pr.t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if keep(sc.Text()) {
			out = append(out, sc.Text())
		}
	}
	if err := sc.Err(); err != nil {
		pr.t.Fatalf("reading %s's output: %v", pr.name, err)
	}
	return out
}

// outputHas reports whether the program printed line.
func (pr *proc) outputHas(line string) bool {
	return len(pr.lines(func(l string) bool { return l == line })) > 0
}

// tail returns the last n lines of the output.
func (pr *proc) tail(n int) string {
	all := pr.lines(func(string) bool { return true })
	return strings.Join(all[max(0, len(all)-n):], "\n")
}
