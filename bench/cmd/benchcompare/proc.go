package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"time"
)

// child is a process the harness started. Every child is stopped by the
// code that started it (stop, deferred), also when a cell fails; as a
// backstop, on Linux the kernel kills it if the harness dies.
type child struct {
	name           string
	cmd            *exec.Cmd
	stdout, stderr *output
	done           chan struct{} // closed once it exited and its output is complete
	err            error         // from Wait; valid once done is closed
}

// start starts argv with env added to the harness's environment, on cpus
// if any are given. The child is killed when ctx is done.
func start(ctx context.Context, name string, argv, env []string, cpus []int) (*child, error) {
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = sysProcAttr()
	cmd.WaitDelay = time.Second // do not wait for pipes held by a grandchild
	c := &child{name: name, cmd: cmd, stdout: newOutput(), stderr: newOutput(), done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = c.stdout, c.stderr
	run := cmd.Start
	if cpus != nil {
		run = func() error { return startOn(cmd, cpus) }
	}
	if err := run(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	go func() {
		c.err = cmd.Wait()
		close(c.done)
	}()
	return c, nil
}

// stop kills the child unless it has exited, and waits until it has.
func (c *child) stop() {
	select {
	case <-c.done:
		return
	default:
	}
	_ = c.cmd.Process.Kill() // fails only if it has just exited
	<-c.done
}

// wait waits until the child exits and says whether it failed.
func (c *child) wait(ctx context.Context) error {
	select {
	case <-c.done:
		return c.failure()
	case <-ctx.Done():
		return fmt.Errorf("%s: %w", c.name, ctx.Err())
	}
}

// failure describes how the exited child failed, with the last line of
// its stderr, or returns nil if it succeeded.
func (c *child) failure() error {
	if c.err == nil {
		return nil
	}
	if last := lastLine(c.stderr.Bytes()); last != "" {
		return fmt.Errorf("%s: %v: %s", c.name, c.err, last)
	}
	return fmt.Errorf("%s: %w", c.name, c.err)
}

// await waits until re matches what the child wrote to out (its stdout or
// stderr) and returns the submatches. It fails if the child exits first.
func (c *child) await(ctx context.Context, out *output, re *regexp.Regexp) ([]string, error) {
	exited := false
	for {
		text, changed := out.snapshot()
		if m := re.FindStringSubmatch(text); m != nil {
			return m, nil
		}
		if exited {
			if err := c.failure(); err != nil {
				return nil, err
			}
			return nil, fmt.Errorf("%s exited without printing %q", c.name, re)
		}
		select {
		case <-changed:
		case <-c.done:
			exited = true // look once more: the output is complete now
		case <-ctx.Done():
			return nil, fmt.Errorf("%s: waiting for %q: %w", c.name, re, ctx.Err())
		}
	}
}

// cpu returns the user and system CPU time the child used; valid once it
// exited.
func (c *child) cpu() time.Duration {
	ps := c.cmd.ProcessState
	return ps.UserTime() + ps.SystemTime()
}

// output collects what a child writes and tells waiters when it grows.
type output struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	changed chan struct{} // closed and replaced by every write
}

func newOutput() *output { return &output{changed: make(chan struct{})} }

func (o *output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.buf.Write(p)
	close(o.changed)
	o.changed = make(chan struct{})
	return len(p), nil
}

// snapshot returns the output so far and a channel closed by the next
// write.
func (o *output) snapshot() (string, <-chan struct{}) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String(), o.changed
}

// Bytes returns a copy of the output so far.
func (o *output) Bytes() []byte {
	o.mu.Lock()
	defer o.mu.Unlock()
	return bytes.Clone(o.buf.Bytes())
}

// lastLine returns the last non-empty line of b.
func lastLine(b []byte) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}
