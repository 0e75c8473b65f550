// Command mobisctp is the mobisctp tool: one binary with a subcommand per
// job. It only parses flags and wires packages together; the logic lives
// in the packages it calls.
package main

import (
	"context"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// commands is the table of subcommands: adding one is adding a line.
var commands = []command{
	{"perf", "measure SCTP throughput: perf server, perf client", runPerf},
	{"registrar", "RSerPool registrar: serve ASAP to pool elements and pool users, log the handlespace's changes", runRegistrar},
	{"hsdump", "print a registrar's handlespace: pools, elements, policies, addresses, owners, lifetimes", runHsdump},
	{"pe", "RSerPool pool element: register with a registrar and serve echo, discard, daytime or chargen", runPE},
	{"pu", "RSerPool pool user: a terminal to a pool that fails over when its element fails", runPU},
	{"mobile", "a mobile node: send, receive or echo over one association that lives on while both ends move; prints each handover step, writes a timeline plot", runMobile},
	{"demo", "two mobile nodes and a registrar: both move at once, the association lives on (demo pool: pool failover on loopback)", runDemoCommand},
	{"version", "print the version and the source revision the binary was built from", runVersion},
}

// env is what a command prints to; tests replace it.
type env struct {
	stdout, stderr io.Writer
}

func main() {
	// The first SIGINT or SIGTERM stops the command cleanly; a second one
	// kills the process, since stop restores the default handling.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	context.AfterFunc(ctx, stop)
	code := run(ctx, &env{stdout: os.Stdout, stderr: os.Stderr}, os.Args[1:])
	stop()
	os.Exit(code)
}

// run runs the command line args (without the program name) and returns
// the exit status: 0 success, 1 failure, 2 bad usage.
func run(ctx context.Context, e *env, args []string) int {
	return dispatch(ctx, e, "mobisctp", commands, args)
}
