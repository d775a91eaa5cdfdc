package lmtp

import (
	"errors"
	"testing"

	"cooptrade/marketplace"
)

// TestReplyFor maps the use case's errors to LMTP replies: the sender's
// mistakes are permanent, the rest temporary so that the mail server
// tries again.
func TestReplyFor(t *testing.T) {
	for _, tc := range []struct {
		err  error
		code int
	}{
		{marketplace.Errorf(marketplace.ENOTFOUND, "no thread"), 550},
		{marketplace.Errorf(marketplace.EFORBIDDEN, "wrong sender"), 550},
		{marketplace.Errorf(marketplace.EINVALID, "no text"), 554},
		{marketplace.Errorf(marketplace.EPRECONDITION, "raced"), 451},
		{marketplace.Errorf(marketplace.EUNAVAILABLE, "down"), 451},
		{errors.New("mongo: connection refused"), 451},
	} {
		if got := replyFor(tc.err).Code; got != tc.code {
			t.Errorf("%v: %d; want %d", tc.err, got, tc.code)
		}
	}
}
