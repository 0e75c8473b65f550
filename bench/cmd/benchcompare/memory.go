package main

import (
	"context"
	"os"
	"path/filepath"
	"time"
)

// memoryTimeout bounds building and running the idle association
// benchmark.
const memoryTimeout = 10 * time.Minute

// idleMemoryCommand is the go test command that runIdleMemory stands for.
const idleMemoryCommand = "go test -run '^$' -bench IdleAssociationMemory -benchtime 1x ./stack/"

// runIdleMemory runs the stack package's idle association benchmark once
// and returns its B/assoc. It builds the test binary first and runs it
// itself, so that stopping the harness stops the benchmark too.
func runIdleMemory(ctx context.Context, goCmd string) *memoryResult {
	m := &memoryResult{command: idleMemoryCommand}
	ctx, cancel := context.WithTimeout(ctx, memoryTimeout)
	defer cancel()
	dir, err := os.MkdirTemp("", "benchcompare-stack-")
	if err != nil {
		m.err = err
		return m
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "stack.test")
	if _, m.err = runToEnd(ctx, "go test -c", []string{goCmd, "test", "-c", "-o", bin, "./stack/"}); m.err != nil {
		return m
	}
	out, err := runToEnd(ctx, "stack.test", []string{bin, "-test.run", "^$",
		"-test.bench", "^BenchmarkIdleAssociationMemory$", "-test.benchtime", "1x"})
	if err != nil {
		m.err = err
		return m
	}
	m.bytesPerAssoc, m.err = parseIdleMemory(out)
	return m
}

// runToEnd runs argv until it exits and returns its stdout.
func runToEnd(ctx context.Context, name string, argv []string) ([]byte, error) {
	c, err := start(ctx, name, argv, nil)
	if err != nil {
		return nil, err
	}
	defer c.stop()
	if err := c.wait(ctx); err != nil {
		return nil, err
	}
	return c.stdout.Bytes(), nil
}
