package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
)

// Exit statuses.
const (
	exitOK    = 0
	exitFail  = 1
	exitUsage = 2
)

// command is one subcommand: its name, a one-line summary for the usage
// text, and what runs it with the arguments that follow the name.
type command struct {
	name, summary string
	run           func(ctx context.Context, e *env, args []string) int
}

// dispatch runs the command of table that args[0] names; prog is the
// command line so far, for messages.
func dispatch(ctx context.Context, e *env, prog string, table []command, args []string) int {
	if len(args) == 0 {
		fmt.Fprintf(e.stderr, "%s: missing command\n", prog)
		usage(e.stderr, prog, table)
		return exitUsage
	}
	name, rest := args[0], args[1:]
	switch name {
	case "help", "-h", "-help", "--help":
		if len(rest) > 0 { // help CMD is CMD --help
			return dispatch(ctx, e, prog, table, []string{rest[0], "--help"})
		}
		usage(e.stdout, prog, table)
		return exitOK
	}
	for _, c := range table {
		if c.name == name {
			return c.run(ctx, e, rest)
		}
	}
	fmt.Fprintf(e.stderr, "%s: unknown command %q\n", prog, name)
	usage(e.stderr, prog, table)
	return exitUsage
}

// usage lists the commands of table.
func usage(w io.Writer, prog string, table []command) {
	fmt.Fprintf(w, "usage: %s <command> [arguments]\n\ncommands:\n", prog)
	tw := tabwriter.NewWriter(w, 0, 0, 3, ' ', 0)
	for _, c := range table {
		fmt.Fprintf(tw, "  %s\t%s\n", c.name, c.summary)
	}
	fmt.Fprintf(tw, "  help\tshow this text; help <command> shows the command's\n")
	tw.Flush()
}
