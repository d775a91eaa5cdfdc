package payments_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"cooptrade/marketplace"
	"cooptrade/payments"
)

var (
	t0    = time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	p1    = time.Date(2027, 11, 27, 9, 0, 0, 0, time.UTC) // end of the first yearly period
	p2    = time.Date(2028, 11, 27, 9, 0, 0, 0, time.UTC) // end of the second
	grace = 30 * 24 * time.Hour
)

func at(d time.Duration) time.Time { return t0.Add(d) }

func TestSubscriptionNewerThan(t *testing.T) {
	state := func(status string, end, created time.Time) payments.Subscription {
		return payments.Subscription{ID: "sub_1", Status: status, CurrentPeriodEnd: end, EventCreated: created}
	}
	tests := []struct {
		name     string
		new, old payments.Subscription
		want     bool
	}{
		{"LaterPeriod", state("past_due", p2, at(0)), state("active", p1, at(time.Hour)), true},
		{"EarlierPeriod", state("active", p1, at(2*time.Hour)), state("past_due", p2, at(time.Hour)), false},
		{"SamePeriodLaterEvent", state("active", p1, at(time.Hour)), state("past_due", p1, at(0)), true},
		{"SamePeriodEarlierEvent", state("past_due", p1, at(0)), state("active", p1, at(time.Hour)), false},
		{"SameState", state("active", p1, at(0)), state("active", p1, at(0)), false},
		{"SameSecondPaidWins", state("active", p1, at(0)), state("past_due", p1, at(0)), true},
		{"SameSecondFailureLoses", state("past_due", p1, at(0)), state("active", p1, at(0)), false},
		{"AnyPeriodOverNone", state("incomplete", p1, at(0)), state("active", time.Time{}, at(time.Hour)), true},
		{"NoPeriodOverNothing", state("active", time.Time{}, at(0)), payments.Subscription{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.new.NewerThan(tt.old); got != tt.want {
				t.Errorf("NewerThan = %v; want %v", got, tt.want)
			}
		})
	}
}

func TestAccountStanding(t *testing.T) {
	enterprise, worker := marketplace.MemberEnterprise, marketplace.MemberWorker
	const (
		pending  = marketplace.StandingPending
		awaiting = marketplace.StandingAwaitingPayment
		active   = marketplace.StandingActive
		pastDue  = marketplace.StandingPastDue
		lapsed   = marketplace.StandingLapsed
		canceled = marketplace.StandingCancelled
	)
	sub := func(status string) payments.Subscription {
		return payments.Subscription{ID: "sub_1", Status: status, CurrentPeriodEnd: p1, EventCreated: t0}
	}
	now := at(10 * 24 * time.Hour)
	tests := []struct {
		name    string
		account payments.Account
		kind    marketplace.MemberKind
		current marketplace.Standing
		want    marketplace.Standing
	}{
		{"NothingYet", payments.Account{}, enterprise, awaiting, awaiting},
		{"PendingStaysPending", payments.Account{Subscription: sub("active")}, enterprise, pending, pending},
		{"CancelledStaysCancelled", payments.Account{Subscription: sub("active")}, enterprise, canceled, canceled},
		{"WorkerActiveWithoutPaying", payments.Account{}, worker, awaiting, active},
		{"Paid", payments.Account{Subscription: sub("active"), PaidThrough: p1}, enterprise, awaiting, active},
		{"Trialing", payments.Account{Subscription: sub("trialing")}, enterprise, awaiting, active},
		{"PastDueInGrace", payments.Account{Subscription: sub("past_due"), PastDueSince: now.Add(-grace + time.Second), PaidThrough: p1}, enterprise, active, pastDue},
		{"PastDueGraceOver", payments.Account{Subscription: sub("past_due"), PastDueSince: now.Add(-grace), PaidThrough: p1}, enterprise, pastDue, lapsed},
		{"UnpaidGraceOver", payments.Account{Subscription: sub("unpaid"), PastDueSince: now.Add(-2 * grace), PaidThrough: p1}, enterprise, pastDue, lapsed},
		{"CancelledSubscriptionAfterPaying", payments.Account{Subscription: sub("canceled"), PaidThrough: p1}, enterprise, active, lapsed},
		{"PausedAfterPaying", payments.Account{Subscription: sub("paused"), PaidThrough: p1}, enterprise, active, lapsed},
		{"FirstPaymentIncomplete", payments.Account{Subscription: sub("incomplete")}, enterprise, awaiting, awaiting},
		{"FirstPaymentExpired", payments.Account{Subscription: sub("incomplete_expired")}, enterprise, awaiting, awaiting},
		{"WaiverCovers", payments.Account{Subscription: sub("past_due"), PastDueSince: t0.Add(-2 * grace), WaiverUntil: now.Add(time.Hour)}, enterprise, lapsed, active},
		{"WaiverEnded", payments.Account{WaiverUntil: now}, enterprise, active, lapsed},
		{"OfflinePaymentCovers", payments.Account{OfflinePaidThrough: p1}, enterprise, awaiting, active},
		{"OfflinePaymentEnded", payments.Account{OfflinePaidThrough: now.Add(-time.Hour)}, enterprise, active, lapsed},
		{"OfflineEndedStripePays", payments.Account{OfflinePaidThrough: now.Add(-time.Hour), Subscription: sub("active")}, enterprise, active, active},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.account.Standing(tt.kind, tt.current, now, grace); got != tt.want {
				t.Errorf("Standing = %s; want %s", got, tt.want)
			}
		})
	}
}

// TestAccountObserve plays sequences of subscription states, as events
// bring them, in and out of order: the account always ends with the newest
// state, and the standing it implies.
func TestAccountObserve(t *testing.T) {
	paid1 := payments.Subscription{ID: "sub_1", Status: "active", CurrentPeriodEnd: p1, EventCreated: at(time.Minute), EventID: "evt_paid1"}
	created := payments.Subscription{ID: "sub_1", Status: "active", CurrentPeriodEnd: p1, EventCreated: at(0), EventID: "evt_created"}
	failed2 := payments.Subscription{ID: "sub_1", Status: "past_due", CurrentPeriodEnd: p2, EventCreated: p1.Add(time.Hour), EventID: "evt_failed2"}
	failed2again := payments.Subscription{ID: "sub_1", Status: "past_due", CurrentPeriodEnd: p2, EventCreated: p1.Add(4 * 24 * time.Hour), EventID: "evt_failed2b"}
	paid2 := payments.Subscription{ID: "sub_1", Status: "active", CurrentPeriodEnd: p2, EventCreated: p1.Add(5 * 24 * time.Hour), EventID: "evt_paid2"}
	deleted := payments.Subscription{ID: "sub_1", Status: "canceled", CurrentPeriodEnd: p2, EventCreated: p2.Add(time.Hour), EventID: "evt_deleted"}

	tests := []struct {
		name         string
		states       []payments.Subscription
		now          time.Time
		wantEvent    string
		wantSince    time.Time
		wantStanding marketplace.Standing
	}{
		{"InOrder", []payments.Subscription{created, paid1}, at(time.Hour), "evt_paid1", time.Time{}, marketplace.StandingActive},
		{"OutOfOrder", []payments.Subscription{paid1, created}, at(time.Hour), "evt_paid1", time.Time{}, marketplace.StandingActive},
		{"ThreeTimes", []payments.Subscription{paid1, paid1, paid1}, at(time.Hour), "evt_paid1", time.Time{}, marketplace.StandingActive},
		{"RenewalFails", []payments.Subscription{paid1, failed2}, p1.Add(2 * time.Hour), "evt_failed2", failed2.EventCreated, marketplace.StandingPastDue},
		{"RetryFailsGraceFromFirst", []payments.Subscription{paid1, failed2, failed2again}, failed2.EventCreated.Add(grace), "evt_failed2b", failed2.EventCreated, marketplace.StandingLapsed},
		{"FailureAfterNewerPaid", []payments.Subscription{paid1, paid2, failed2}, p1.Add(6 * 24 * time.Hour), "evt_paid2", time.Time{}, marketplace.StandingActive},
		{"OldPaidAfterFailure", []payments.Subscription{failed2, paid1}, p1.Add(2 * time.Hour), "evt_failed2", failed2.EventCreated, marketplace.StandingPastDue},
		{"PaidAfterLapse", []payments.Subscription{paid1, failed2, paid2}, p1.Add(60 * 24 * time.Hour), "evt_paid2", time.Time{}, marketplace.StandingActive},
		{"Deleted", []payments.Subscription{paid1, paid2, deleted}, p2.Add(2 * time.Hour), "evt_deleted", time.Time{}, marketplace.StandingLapsed},
		{"DeletedThenLateUpdate", []payments.Subscription{deleted, paid2, failed2}, p2.Add(2 * time.Hour), "evt_deleted", time.Time{}, marketplace.StandingLapsed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var a payments.Account
			a.PaidThrough = p1 // the member paid the first year
			for _, s := range tt.states {
				a.Observe(s)
			}
			if a.Subscription.EventID != tt.wantEvent {
				t.Errorf("state from %s; want from %s", a.Subscription.EventID, tt.wantEvent)
			}
			if !a.PastDueSince.Equal(tt.wantSince) {
				t.Errorf("past due since %v; want %v", a.PastDueSince, tt.wantSince)
			}
			if got := a.Standing(marketplace.MemberEnterprise, marketplace.StandingActive, tt.now, grace); got != tt.wantStanding {
				t.Errorf("standing %s; want %s", got, tt.wantStanding)
			}
		})
	}
	t.Run("SameStateTwiceChangesNothing", func(t *testing.T) {
		var a payments.Account
		if !a.Observe(paid1) {
			t.Fatal("first observation not taken")
		}
		if a.Observe(paid1) {
			t.Fatal("the same state was taken twice")
		}
	})
	t.Run("PaymentClearsActionRequired", func(t *testing.T) {
		a := payments.Account{ActionRequiredURL: "https://invoice.stripe.com/i/1"}
		a.Observe(paid1)
		if a.ActionRequiredURL != "" {
			t.Fatalf("action required URL %q after a payment", a.ActionRequiredURL)
		}
	})
}

func TestAccountRefresh(t *testing.T) {
	now := at(0)
	tests := []struct {
		name        string
		account     payments.Account
		wantReview  time.Time
		wantRenewal time.Time
	}{
		{"Nothing", payments.Account{}, time.Time{}, time.Time{}},
		{"Paying", payments.Account{Subscription: payments.Subscription{ID: "sub_1", Status: "active", CurrentPeriodEnd: p1}}, time.Time{}, p1},
		{"CancelsAtPeriodEnd", payments.Account{Subscription: payments.Subscription{ID: "sub_1", Status: "active", CurrentPeriodEnd: p1, CancelAtPeriodEnd: true}}, time.Time{}, time.Time{}},
		{"PastDue", payments.Account{Subscription: payments.Subscription{ID: "sub_1", Status: "past_due", CurrentPeriodEnd: p1}, PastDueSince: at(-time.Hour)}, at(-time.Hour).Add(grace), p1},
		{"GraceOver", payments.Account{Subscription: payments.Subscription{ID: "sub_1", Status: "past_due", CurrentPeriodEnd: p1}, PastDueSince: at(-grace)}, time.Time{}, p1},
		{"WaiverFirst", payments.Account{WaiverUntil: at(time.Hour), OfflinePaidThrough: p1}, at(time.Hour), p1},
		{"OfflineFirst", payments.Account{WaiverUntil: p2, OfflinePaidThrough: p1}, p1, p2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := tt.account
			a.Refresh(now, grace)
			if !a.ReviewAt.Equal(tt.wantReview) || !a.RenewsAt.Equal(tt.wantRenewal) {
				t.Errorf("review at %v, renews at %v; want %v, %v", a.ReviewAt, a.RenewsAt, tt.wantReview, tt.wantRenewal)
			}
		})
	}
}

func TestAccountDuesFor(t *testing.T) {
	var p payments.DuesPolicy
	d2026, _ := p.Compute(marketplace.MemberEnterprise, 500_000_00, nil)
	hardship, _ := p.Compute(marketplace.MemberEnterprise, 40_000_00, &payments.HardshipAmount{AmountPence: 25_00, Year: 1})
	standard2028, _ := p.Compute(marketplace.MemberEnterprise, 40_000_00, nil)
	a := payments.Account{Years: []payments.YearDues{
		{Year: 2026, LabourCostsPence: 500_000_00, Dues: d2026},
		{Year: 2027, LabourCostsPence: 40_000_00, Dues: hardship},
	}}
	tests := []struct {
		year   int
		want   payments.Dues
		wantOK bool
	}{
		{2025, payments.Dues{}, false},
		{2026, d2026, true},
		{2027, hardship, true},
		{2028, standard2028, true}, // hardship is for its year only
	}
	for _, tt := range tests {
		y, ok := a.DuesFor(p, marketplace.MemberEnterprise, tt.year)
		if ok != tt.wantOK {
			t.Errorf("%d: ok %v; want %v", tt.year, ok, tt.wantOK)
			continue
		}
		if diff := cmp.Diff(tt.want, y.Dues); ok && diff != "" {
			t.Errorf("%d: dues (-want +got):\n%s", tt.year, diff)
		}
	}
}
