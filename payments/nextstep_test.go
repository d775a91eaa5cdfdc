package payments_test

import (
	"testing"

	"cooptrade/marketplace"
	"cooptrade/payments"
)

// TestNextStep checks the one decision of what a member should do next
// about its dues, and that the API words every step.
func TestNextStep(t *testing.T) {
	dues := &payments.Dues{NetPence: 15000}
	live := &payments.SubscriptionView{ID: "sub_1", Status: "past_due"}
	enterprise := func(st marketplace.Standing) payments.Status {
		return payments.Status{Kind: marketplace.MemberEnterprise, Standing: st, StripeEnabled: true}
	}
	for name, tc := range map[string]struct {
		st      payments.Status
		pending bool
		want    string
	}{
		"Cancelled":         {st: enterprise(marketplace.StandingCancelled), want: payments.StepCancelled},
		"Worker":            {st: payments.Status{Kind: marketplace.MemberWorker, Standing: marketplace.StandingPending}, want: payments.StepWorker},
		"PendingApplied":    {st: enterprise(marketplace.StandingPending), pending: true, want: payments.StepReview},
		"PendingNotApplied": {st: enterprise(marketplace.StandingPending), want: payments.StepDeclare},
		"Active":            {st: enterprise(marketplace.StandingActive), want: ""},
		"ActiveApplied":     {st: enterprise(marketplace.StandingActive), pending: true, want: payments.StepReview},
		"AwaitingNoDues":    {st: enterprise(marketplace.StandingAwaitingPayment), want: payments.StepDeclare},
		"AwaitingApplied":   {st: enterprise(marketplace.StandingAwaitingPayment), pending: true, want: payments.StepReview},
		"AwaitingDues":      {st: func() payments.Status { s := enterprise(marketplace.StandingAwaitingPayment); s.Dues = dues; return s }(), want: payments.StepPay},
		"AwaitingNoStripe": {st: func() payments.Status {
			s := enterprise(marketplace.StandingAwaitingPayment)
			s.Dues, s.StripeEnabled = dues, false
			return s
		}(), want: payments.StepPayOffline},
		"PastDueLive": {st: func() payments.Status {
			s := enterprise(marketplace.StandingPastDue)
			s.Dues, s.Subscription = dues, live
			return s
		}(), want: payments.StepUpdateCard},
		"PastDueBankConfirm": {st: func() payments.Status {
			s := enterprise(marketplace.StandingPastDue)
			s.Dues, s.ActionRequiredURL = dues, "https://bank.example"
			return s
		}(), want: payments.StepConfirm},
	} {
		t.Run(name, func(t *testing.T) {
			if got := payments.NextStep(&tc.st, tc.pending); got != tc.want {
				t.Errorf("NextStep = %q, want %q", got, tc.want)
			}
		})
	}
	for _, step := range payments.Steps {
		if payments.StepMessage(step) == "" {
			t.Errorf("step %q has no English wording", step)
		}
	}
}
