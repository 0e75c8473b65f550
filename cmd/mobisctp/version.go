package main

import (
	"context"
	"fmt"
	"runtime/debug"
	"strings"
)

// runVersion prints the module version and the VCS state the binary was
// built from, as the Go toolchain recorded them.
func runVersion(_ context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "mobisctp version", "")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		fmt.Fprintln(e.stderr, "mobisctp version: the binary carries no build information")
		return exitFail
	}
	fmt.Fprintln(e.stdout, versionLine(info))
	return exitOK
}

// versionLine says "mobisctp VERSION (REVISION[, modified], TIME) GO OS/ARCH"
// with what info has: `go install ...@v1.2.3` records the version, a build
// in a checkout the VCS revision.
func versionLine(info *debug.BuildInfo) string {
	version := info.Main.Version
	if version == "" {
		version = "(devel)"
	}
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	var vcs []string
	if rev := settings["vcs.revision"]; rev != "" {
		vcs = append(vcs, rev[:min(12, len(rev))])
		if settings["vcs.modified"] == "true" {
			vcs = append(vcs, "modified")
		}
		if t := settings["vcs.time"]; t != "" {
			vcs = append(vcs, t)
		}
	}
	line := "mobisctp " + version
	if len(vcs) > 0 {
		line += " (" + strings.Join(vcs, ", ") + ")"
	}
	return fmt.Sprintf("%s %s %s/%s", line, info.GoVersion, settings["GOOS"], settings["GOARCH"])
}
