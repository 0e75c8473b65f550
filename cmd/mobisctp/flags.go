package main

import (
	"errors"
	"flag"
	"fmt"
	"time"

	"github.com/mobisctp/mobisctp/internal/perf"
)

// newFlagSet returns a flag set for the command prog that reports errors
// instead of exiting. Its Usage prints the one-line synopsis: after a bad
// flag that and the error are all; --help adds every flag (parseFlags).
func newFlagSet(e *env, prog, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(prog, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() { fmt.Fprintf(e.stderr, "usage: %s %s\n", prog, synopsis) }
	return fs
}

// parseFlags parses args. When the command must not go on, ok is false and
// code is its exit status: 0 after --help, which lists every flag, 2 for a
// bad flag or a stray argument, after the error and the synopsis.
func parseFlags(fs *flag.FlagSet, args []string) (code int, ok bool) {
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprintf(fs.Output(), "\nflags:\n")
		fs.PrintDefaults()
		return exitOK, false
	case err != nil:
		fmt.Fprintf(fs.Output(), "run '%s --help' for every flag\n", fs.Name())
		return exitUsage, false
	case fs.NArg() > 0:
		return usageError(fs, "unexpected argument %q", fs.Arg(0)), false
	}
	return exitOK, true
}

// usageError prints a message about the command line and returns the
// usage exit status.
func usageError(fs *flag.FlagSet, format string, args ...any) int {
	fmt.Fprintf(fs.Output(), "%s: %s\n", fs.Name(), fmt.Sprintf(format, args...))
	fmt.Fprintf(fs.Output(), "run '%s --help' for every flag\n", fs.Name())
	return exitUsage
}

// isSet reports whether the command line set the named flag.
func isSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// checkPort rejects a port flag outside lowest..65535.
func checkPort(fs *flag.FlagSet, name string, port, lowest int) error {
	if port < lowest || port > 65535 {
		return fmt.Errorf("--%s %d: a port must be between %d and 65535", name, port, lowest)
	}
	return nil
}

// checkSending checks the flags that perf client and mobile share for
// what a sender sends: --time or --bytes, --size and --connect-timeout.
func checkSending(fs *flag.FlagSet, duration time.Duration, bytes, size byteSize, connectTimeout time.Duration) error {
	switch {
	case isSet(fs, "time") && isSet(fs, "bytes"):
		return errors.New("--time and --bytes exclude each other: give a time or a byte budget")
	case duration <= 0:
		return fmt.Errorf("--time %v: must be positive", duration)
	case isSet(fs, "bytes") && bytes <= 0:
		return fmt.Errorf("--bytes %d: must be positive", bytes)
	case size < 1 || size > perf.MaxMessageSize:
		return fmt.Errorf("--size %d: must be between 1 and %d", size, perf.MaxMessageSize)
	case connectTimeout <= 0:
		return fmt.Errorf("--connect-timeout %v: must be positive", connectTimeout)
	}
	return nil
}
