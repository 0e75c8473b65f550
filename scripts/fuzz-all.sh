#!/bin/sh
# Runs every native fuzz target in the module for the given time each.
set -eu
time=${1:-30s}
for pkg in $(go list ./...); do
	dir=$(go list -f '{{.Dir}}' "$pkg")
	for t in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/func //' | sort -u); do
		echo "== $pkg $t"
		go test -run '^$' -fuzz "^$t\$" -fuzztime "$time" "$pkg"
	done
done
