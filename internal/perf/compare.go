package perf

import (
	"errors"
	"fmt"
)

// Compare checks that received carries exactly the messages of sent: the
// same streams, each with the same message and byte counts and the same
// hash, if both sides hashed (see NoVerify). The error lists every
// difference.
func Compare(sent, received Flow) error {
	got := byStream(received)
	var errs []error
	for _, want := range sent.Streams {
		have, ok := got[want.Stream]
		switch {
		case !ok:
			errs = append(errs, fmt.Errorf("stream %d: nothing received", want.Stream))
		case !sameStream(have, want):
			errs = append(errs, fmt.Errorf("stream %d: sent %d messages, %d bytes, sha256 %s; received %d messages, %d bytes, sha256 %s",
				want.Stream, want.Messages, want.Bytes, want.SHA256, have.Messages, have.Bytes, have.SHA256))
		}
	}
	sentIDs := byStream(sent)
	for _, have := range received.Streams {
		if _, ok := sentIDs[have.Stream]; !ok {
			errs = append(errs, fmt.Errorf("stream %d: received but not sent", have.Stream))
		}
	}
	return errors.Join(errs...)
}

// sameStream compares two reports of a stream, their hashes only if
// both have one.
func sameStream(a, b StreamReport) bool {
	if a.SHA256 == "" || b.SHA256 == "" {
		a.SHA256, b.SHA256 = "", ""
	}
	return a == b
}

func byStream(f Flow) map[uint16]StreamReport {
	m := make(map[uint16]StreamReport, len(f.Streams))
	for _, s := range f.Streams {
		m[s.Stream] = s
	}
	return m
}
