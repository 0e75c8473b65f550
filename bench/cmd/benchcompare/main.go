// Command benchcompare measures mobisctp's throughput beside pion/sctp,
// usrsctp's tsctp and raw UDP, on loopback, each as a separate server and
// client process, and prints a Markdown table. For every message size it
// runs every implementation for the same time, one cell at a time, -runs
// times in turn, and reports the median and spread of the payload
// received (Mbit/s, messages/s) and of the CPU time both processes used
// per GB. It also runs the stack's idle association memory benchmark and
// its many-association benchmarks (both ends in one process).
//
// `make bench-compare` builds the programs into bin/bench and runs it from
// the module root:
//
//	benchcompare [-bin DIR] [-time 5s] [-runs 3] [-sizes 1,100,1000,8000]
//	             [-impls ours,ours-nooffload,pion,tsctp,udp-gso,udp-gso-work,udp] [-out FILE] [-memory=false] [-multi=false]
//
// tsctp takes part if /usr/lib/usrsctp/tsctp and gcc are present. The
// numbers are only as good as the machine is quiet: the load average at
// the start and end is printed with them.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"
)

// maxSize is the largest message size: it must fit in one UDP datagram.
const maxSize = 65000

// config is the command line.
type config struct {
	bin     string
	time    time.Duration
	sizes   string
	impls   string
	runs    int
	out     string
	memory  bool
	multi   bool
	goCmd   string
	procs   int    // GOMAXPROCS of the Go processes; 0: Go's default
	pin     bool   // run their servers and clients on CPUs of their own
	command string // the whole command line, for the report
}

func main() {
	var cfg config
	flag.StringVar(&cfg.bin, "bin", "bin/bench", "`directory` holding mobisctp, pionperf and udpperf")
	flag.DurationVar(&cfg.time, "time", 5*time.Second, "sending `duration` of each cell")
	flag.StringVar(&cfg.sizes, "sizes", "1,100,1000,8000", "message `sizes` in bytes, separated by commas or spaces")
	flag.StringVar(&cfg.impls, "impls", "ours,ours-nooffload,pion,tsctp,udp-gso,udp-gso-work,udp",
		"`implementations` in table order: ours, ours-nooffload (no UDP GSO/GRO), pion, tsctp, udp-gso (sendmmsg/recvmmsg with GSO/GRO), udp-gso-work (udp-gso plus the copies and CRC32c every SCTP over UDP does), udp (sendmmsg/recvmmsg), udp1 (one send per datagram)")
	flag.IntVar(&cfg.runs, "runs", 3, "`runs` of every cell, interleaved across implementations; the table gives the median")
	flag.StringVar(&cfg.out, "out", "bench/results/compare.md", "also write the table to this `file` (empty: stdout only)")
	flag.BoolVar(&cfg.memory, "memory", true, "also run the idle association memory benchmark of ./stack")
	flag.BoolVar(&cfg.multi, "multi", true, "also run the many-association benchmarks of ./stack (MultiAssoc for -time each, Trickle10k)")
	flag.StringVar(&cfg.goCmd, "go", "go", "the go `command`, to build the stack benchmarks")
	flag.IntVar(&cfg.procs, "gomaxprocs", max(1, runtime.NumCPU()/2),
		"GOMAXPROCS of mobisctp's and udpperf's servers and clients: each of the two processes of a cell gets its half of the machine's `cores`, which is faster for both; 0 leaves Go's default, every core in each. pion/sctp always keeps Go's default, which is faster for it")
	flag.BoolVar(&cfg.pin, "pin", true,
		"with -gomaxprocs N: run mobisctp's and udpperf's clients on the first N CPUs and their servers on the next N (Linux), so that the scheduler never puts both on one core for a while, which made single runs of mobisctp at 1000 bytes up to 25% slower")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "benchcompare: unexpected argument %q\n", flag.Arg(0))
		os.Exit(2)
	}
	cfg.command = shellJoin(os.Args)
	os.Exit(run(cfg))
}

// run runs every cell and prints the report; it returns the exit status:
// 1 if a cell or the memory benchmark failed, 2 for a bad command line.
func run(cfg config) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	sizes, err := parseSizes(cfg.sizes)
	if err != nil {
		fmt.Fprintf(os.Stderr, "benchcompare: -sizes: %v\n", err)
		return 2
	}
	if cfg.procs < 0 {
		fmt.Fprintf(os.Stderr, "benchcompare: -gomaxprocs %d: must be 0 or more\n", cfg.procs)
		return 2
	}
	if cfg.runs < 1 {
		fmt.Fprintf(os.Stderr, "benchcompare: -runs %d: must be at least 1\n", cfg.runs)
		return 2
	}
	r := &report{command: cfg.command, started: time.Now(), duration: cfg.time, runs: cfg.runs, machine: machine(), procs: cfg.procs}
	impls, cleanup, err := selectImpls(cfg, r)
	if err != nil {
		fmt.Fprintf(os.Stderr, "benchcompare: %v\n", err)
		return 2
	}
	defer cleanup()

	failed := false
	r.loadStart = loadAvg()
	// Runs of one size take turns between implementations, so that a
	// change in the machine's load spreads over all of them.
	for _, size := range sizes {
		for range cfg.runs {
			for _, im := range impls {
				if ctx.Err() != nil {
					break
				}
				c := runCell(ctx, im, size, cfg.time)
				r.cells = append(r.cells, c)
				failed = failed || c.err != nil
				progress(c)
			}
		}
	}
	r.loadEnd = loadAvg()
	r.interrupted = ctx.Err() != nil
	if (cfg.memory || cfg.multi) && ctx.Err() == nil {
		r.stack = runStackBenches(ctx, cfg.goCmd, cfg.time, cfg.memory, cfg.multi)
		failed = failed || r.stack.failed()
	}

	var buf bytes.Buffer
	r.writeMarkdown(&buf)
	os.Stdout.Write(buf.Bytes())
	if cfg.out != "" {
		if err := writeFile(cfg.out, buf.Bytes()); err != nil {
			fmt.Fprintf(os.Stderr, "benchcompare: %v\n", err)
			return 1
		}
		fmt.Fprintf(os.Stderr, "written to %s\n", cfg.out)
	}
	if failed || ctx.Err() != nil {
		return 1
	}
	return 0
}

// selectImpls returns the implementations of -impls in order, noting in r
// those that cannot run here. cleanup removes what preparing them made.
func selectImpls(cfg config, r *report) (impls []*impl, cleanup func(), err error) {
	keys := strings.Split(cfg.impls, ",")
	cleanup = func() {}
	var tsctp *tsctpSetup
	if slices.Contains(keys, "tsctp") {
		if tsctp, err = prepareTsctp(); err != nil {
			r.skipped = append(r.skipped, "usrsctp tsctp: "+err.Error())
		} else {
			cleanup = tsctp.cleanup
		}
	}
	for _, tool := range []string{"mobisctp", "pionperf", "udpperf"} {
		if _, err := os.Stat(filepath.Join(cfg.bin, tool)); err != nil {
			cleanup()
			return nil, nil, fmt.Errorf("%v (build the tools first, as make bench-compare does)", err)
		}
	}
	all := implementations(cfg.bin, tsctp)
	if cfg.procs > 0 {
		for _, im := range all {
			if !im.ownProcs {
				im.env = append(im.env, fmt.Sprintf("GOMAXPROCS=%d", cfg.procs))
			}
		}
		pinImpls(cfg, all, r)
	}
	for _, key := range keys {
		switch im := all[key]; {
		case im != nil:
			impls = append(impls, im)
		case key != "tsctp":
			cleanup()
			return nil, nil, fmt.Errorf("-impls: unknown implementation %q", key)
		}
	}
	return impls, cleanup, nil
}

// pinImpls gives the processes of the implementations with -gomaxprocs
// their CPUs, if -pin says so, and records in r where they run.
func pinImpls(cfg config, all map[string]*impl, r *report) {
	if !cfg.pin {
		r.pinned = "not pinned (`-pin=false`)"
		return
	}
	client, server, err := pinCPUs(cfg.procs)
	if err != nil {
		r.pinned = "not pinned: " + err.Error()
		return
	}
	for _, im := range all {
		if !im.ownProcs {
			im.clientCPUs, im.serverCPUs = client, server
		}
	}
	r.pinned = fmt.Sprintf("clients on CPUs %v and servers on CPUs %v (`-pin`)", client, server)
}

// progress tells the user on stderr how a cell went.
func progress(c cell) {
	if c.err != nil {
		fmt.Fprintf(os.Stderr, "%-20s %6d B  failed: %v\n", c.name, c.size, c.err)
		return
	}
	fmt.Fprintf(os.Stderr, "%-20s %6d B  %8s Mbit/s %9s msg/s %8s CPU s/GB\n",
		c.name, c.size, number(c.mbps()), number(c.msgRate()), number(c.cpuPerGB()))
}

// loadAvg returns the 1, 5 and 15 minute load averages.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	avg, err := parseLoadAvg(b)
	if err != nil {
		return "unknown"
	}
	return avg
}

// machine describes the machine and toolchain.
func machine() string {
	s := fmt.Sprintf("%s/%s, %d CPUs", runtime.GOOS, runtime.GOARCH, runtime.NumCPU())
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		if m := regexp.MustCompile(`(?m)^model name\s*:\s*(.+)$`).FindSubmatch(b); m != nil {
			s += " (" + strings.TrimSpace(string(m[1])) + ")"
		}
	}
	return s + ", " + runtime.Version()
}

// writeFile writes b to name, making its directory.
func writeFile(name string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return err
	}
	return os.WriteFile(name, b, 0o644)
}

// shellJoin quotes args for a POSIX shell where they need it.
func shellJoin(args []string) string {
	quoted := make([]string, len(args))
	for i, a := range args {
		if a != "" && strings.Trim(a, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./:=,@+-") == "" {
			quoted[i] = a
		} else {
			quoted[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
	}
	return strings.Join(quoted, " ")
}
