package marketplace_test

import (
	"testing"

	"cooptrade/marketplace"
)

// TestStandingPostBlock checks the one rule of who may post listings: an
// active member only, and why the others may not.
func TestStandingPostBlock(t *testing.T) {
	for st, want := range map[marketplace.Standing]string{
		marketplace.StandingActive:          "",
		marketplace.StandingPending:         marketplace.PostBlockPending,
		marketplace.StandingAwaitingPayment: marketplace.PostBlockDues,
		marketplace.StandingPastDue:         marketplace.PostBlockDues,
		marketplace.StandingLapsed:          marketplace.PostBlockDues,
		marketplace.StandingCancelled:       marketplace.PostBlockCancelled,
	} {
		if got := st.PostBlock(); got != want {
			t.Errorf("%s: PostBlock() = %q, want %q", st, got, want)
		}
		if got := st.MayPost(); got != (want == "") {
			t.Errorf("%s: MayPost() = %v", st, got)
		}
	}
}
