// Package cputime reads the CPU time of the running process, for
// benchmarks that report CPU cost beside wall-clock speed.
package cputime
