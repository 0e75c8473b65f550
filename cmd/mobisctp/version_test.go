package main

import (
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestVersionCommand(t *testing.T) {
	code, stdout, stderr := runArgs(t.Context(), "version")
	require.Equal(t, exitOK, code, stderr)
	assert.True(t, strings.HasPrefix(stdout, "mobisctp "), stdout)
	assert.Contains(t, stdout, runtime.Version())
}

func TestVersionLine(t *testing.T) {
	info := &debug.BuildInfo{
		GoVersion: "go1.26.0",
		Main:      debug.Module{Path: "github.com/mobisctp/mobisctp", Version: "v1.2.3"},
		Settings: []debug.BuildSetting{
			{Key: "GOOS", Value: "linux"}, {Key: "GOARCH", Value: "arm64"},
			{Key: "vcs.revision", Value: "0123456789abcdef0123"},
			{Key: "vcs.time", Value: "2026-12-06T18:00:00Z"},
			{Key: "vcs.modified", Value: "true"},
		},
	}
	assert.Equal(t, "mobisctp v1.2.3 (0123456789ab, modified, 2026-12-06T18:00:00Z) go1.26.0 linux/arm64", versionLine(info))
	info.Main.Version, info.Settings = "", info.Settings[:2]
	assert.Equal(t, "mobisctp (devel) go1.26.0 linux/arm64", versionLine(info))
}
