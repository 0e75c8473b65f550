// Package netns builds throw-away Linux network namespaces joined by veth
// pairs, for tests that need real kernel networking between hosts: links
// that can be taken down, several addresses per host. It needs root; use
// testenv to skip (locally) or fail (in CI) without it.
//
// Everything a test creates is removed in t.Cleanup, also when the test
// fails. The package is empty on other systems.
package netns
