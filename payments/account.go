package payments

import (
	"context"
	"time"

	"cooptrade/marketplace"
)

// Stripe's subscription statuses, as it spells them.
const (
	SubscriptionActive            = "active"
	SubscriptionTrialing          = "trialing"
	SubscriptionPastDue           = "past_due"
	SubscriptionUnpaid            = "unpaid"
	SubscriptionIncomplete        = "incomplete"
	SubscriptionIncompleteExpired = "incomplete_expired"
	SubscriptionCanceled          = "canceled"
	SubscriptionPaused            = "paused"
)

// Subscription is a state of a member's Stripe subscription, as an event
// showed it. Events arrive late, twice or out of order, so each state
// carries what orders it: the end of the period it is about, then the time
// Stripe created the event.
type Subscription struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	// CurrentPeriodEnd is the end of the period the state is about: the
	// subscription's current period, or the period an invoice paid for.
	// It is zero when the event did not say (a completed Checkout).
	CurrentPeriodEnd  time.Time `json:"current_period_end"`
	CancelAtPeriodEnd bool      `json:"cancel_at_period_end"`
	// EventCreated and EventID name the event the state came from.
	EventCreated time.Time `json:"event_created"`
	EventID      string    `json:"event_id"`
}

// NewerThan reports whether s is a newer state of the subscription than
// old: it is about a later period, or about the same period and was seen
// in a later event. Of two states of the same period seen in the same
// second, a paid one wins, since Stripe only records a payment after the
// attempts that failed. A state is never newer than itself, so applying an
// event again changes nothing.
func (s Subscription) NewerThan(old Subscription) bool {
	if c := s.CurrentPeriodEnd.Compare(old.CurrentPeriodEnd); c != 0 {
		return c > 0
	}
	if c := s.EventCreated.Compare(old.EventCreated); c != 0 {
		return c > 0
	}
	return paidStatus(s.Status) && !paidStatus(old.Status)
}

// Live reports whether the subscription still bills the member: it is
// neither ended nor abandoned.
func (s Subscription) Live() bool {
	switch s.Status {
	case SubscriptionActive, SubscriptionTrialing, SubscriptionPastDue, SubscriptionUnpaid:
		return true
	}
	return false
}

func paidStatus(status string) bool {
	return status == SubscriptionActive || status == SubscriptionTrialing
}

func pastDueStatus(status string) bool {
	return status == SubscriptionPastDue || status == SubscriptionUnpaid
}

// YearDues is the dues staff approved for a member for one year.
type YearDues struct {
	Year int `json:"year"`
	// LabourCostsPence is the previous year's labour costs the member
	// declared.
	LabourCostsPence int64 `json:"labour_costs_pence"`
	Dues             Dues  `json:"dues"`
	// ApplicationID is the application the dues were approved on.
	ApplicationID string `json:"application_id"`
}

// OfflinePayment is dues paid outside Stripe (a bank transfer), recorded by
// staff for a period.
type OfflinePayment struct {
	AmountPence int64     `json:"amount_pence"`
	PeriodStart time.Time `json:"period_start"`
	PeriodEnd   time.Time `json:"period_end"`
	Reference   string    `json:"reference"`
	RecordedBy  string    `json:"recorded_by"`
	RecordedAt  time.Time `json:"recorded_at"`
}

// Account is what payments keeps about one member: the dues approved per
// year, its Stripe customer and the newest state of its subscription,
// waivers and payments made outside Stripe. The member's standing is kept
// on the member; Standing works out what it should be.
type Account struct {
	MemberID   string `json:"member_id"`
	CustomerID string `json:"customer_id,omitempty"`
	// Subscription is the newest state of the subscription seen in Stripe's
	// events (zero: none yet).
	Subscription Subscription `json:"subscription"`
	// PastDueSince is when the subscription first became past due after
	// being paid; zero unless it is past due now.
	PastDueSince time.Time `json:"past_due_since"`
	// PaidThrough is the end of the latest period paid through Stripe.
	PaidThrough time.Time `json:"paid_through"`
	// ActionRequiredURL is where the member confirms a payment its bank
	// holds for authentication (SCA); empty once paid.
	ActionRequiredURL string `json:"action_required_url,omitempty"`
	// WaiverUntil is when a waiver granted by staff ends.
	WaiverUntil  time.Time `json:"waiver_until"`
	WaiverReason string    `json:"waiver_reason,omitempty"`
	// OfflinePaidThrough is the end of the latest period paid offline.
	OfflinePaidThrough time.Time        `json:"offline_paid_through"`
	OfflinePayments    []OfflinePayment `json:"offline_payments"`
	Years              []YearDues       `json:"years"`
	// RemindedFor is the renewal date of which the member was last reminded.
	RemindedFor time.Time `json:"reminded_for"`
	// ReviewAt is when the standing may next change by the clock alone (a
	// grace period or a waiver ending); zero for never. RenewsAt is the
	// next renewal, for reminders. Both are kept by Refresh.
	ReviewAt  time.Time `json:"review_at"`
	RenewsAt  time.Time `json:"renews_at"`
	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Observe records a state of the subscription seen in an event, unless the
// account already holds a newer one (see Subscription.NewerThan). It
// reports whether the state was taken. A subscription that falls past due
// starts the grace period at the event's time; one paid again ends it.
func (a *Account) Observe(s Subscription) bool {
	if !s.NewerThan(a.Subscription) {
		return false
	}
	if pastDueStatus(s.Status) {
		if !pastDueStatus(a.Subscription.Status) || a.PastDueSince.IsZero() {
			a.PastDueSince = s.EventCreated
		}
	} else {
		a.PastDueSince = time.Time{}
	}
	if paidStatus(s.Status) {
		a.ActionRequiredURL = ""
	}
	a.Subscription = s
	return true
}

// everPaid reports whether the member has ever been in good standing
// through payments: a member whose payments stop has lapsed, one that
// never paid is awaiting payment.
func (a *Account) everPaid() bool {
	return !a.PaidThrough.IsZero() || !a.OfflinePaidThrough.IsZero() || !a.WaiverUntil.IsZero() ||
		!a.Subscription.CurrentPeriodEnd.IsZero() && a.Subscription.Status != SubscriptionIncomplete &&
			a.Subscription.Status != SubscriptionIncompleteExpired
}

// Standing is the standing the account implies at now for a member of the
// given kind and current standing, with a grace period after a failed
// payment. It is the state machine of membership dues:
//
//   - pending and cancelled are for staff to leave; payments never moves a
//     member out of them, nor an approved worker member (who pays nothing)
//     out of active;
//   - a waiver or an offline payment that covers now makes the member
//     active, whatever Stripe says;
//   - otherwise Stripe's newest state decides: a paid subscription is
//     active; a past-due one is past_due until the grace period after the
//     first failure ends, then lapsed; one that ended (cancelled, paused,
//     expired) is lapsed; with none yet, or one whose first payment is not
//     made, the member is awaiting payment (or lapsed, if it paid before).
func (a *Account) Standing(kind marketplace.MemberKind, current marketplace.Standing, now time.Time, grace time.Duration) marketplace.Standing {
	switch {
	case current == marketplace.StandingPending || current == marketplace.StandingCancelled:
		return current
	case kind == marketplace.MemberWorker:
		return marketplace.StandingActive
	case a.WaiverUntil.After(now) || a.OfflinePaidThrough.After(now):
		return marketplace.StandingActive
	}
	switch s := a.Subscription.Status; {
	case paidStatus(s):
		return marketplace.StandingActive
	case pastDueStatus(s):
		if !a.PastDueSince.IsZero() && !now.Before(a.PastDueSince.Add(grace)) {
			return marketplace.StandingLapsed
		}
		return marketplace.StandingPastDue
	}
	if a.everPaid() {
		return marketplace.StandingLapsed
	}
	return marketplace.StandingAwaitingPayment
}

// LapsesAt is when a past-due member lapses, or zero when it is not past due.
func (a *Account) LapsesAt(grace time.Duration) time.Time {
	if !pastDueStatus(a.Subscription.Status) || a.PastDueSince.IsZero() {
		return time.Time{}
	}
	return a.PastDueSince.Add(grace)
}

// NextRenewal is when the member next pays: the end of the subscription's
// period while it bills, or else the end of a waiver or of a period paid
// offline that is still to come. Zero when none is known.
func (a *Account) NextRenewal(now time.Time) time.Time {
	if a.Subscription.Live() && !a.Subscription.CancelAtPeriodEnd && a.Subscription.CurrentPeriodEnd.After(now) {
		return a.Subscription.CurrentPeriodEnd
	}
	var t time.Time
	for _, c := range []time.Time{a.WaiverUntil, a.OfflinePaidThrough} {
		if c.After(now) && c.After(t) {
			t = c
		}
	}
	return t
}

// Refresh sets ReviewAt and RenewsAt for now: the first moment after now
// at which Standing may give another answer without any event (the end of
// a grace period, of a waiver, of a period paid offline), and the next
// renewal.
func (a *Account) Refresh(now time.Time, grace time.Duration) {
	var next time.Time
	for _, c := range []time.Time{a.LapsesAt(grace), a.WaiverUntil, a.OfflinePaidThrough} {
		if c.After(now) && (next.IsZero() || c.Before(next)) {
			next = c
		}
	}
	a.ReviewAt = next
	a.RenewsAt = a.NextRenewal(now)
}

// DuesFor returns the dues approved for a year: the newest approved on or
// before it. Hardship dues are for the year they were granted only; in a
// later year without an approval of its own the member pays the normal
// dues on the labour costs it declared then. ok is false when no dues were
// approved for the year or any before it.
func (a *Account) DuesFor(p DuesPolicy, kind marketplace.MemberKind, year int) (YearDues, bool) {
	var best YearDues
	found := false
	for _, y := range a.Years {
		if y.Year <= year && (!found || y.Year > best.Year) {
			best, found = y, true
		}
	}
	if !found {
		return YearDues{}, false
	}
	if best.Year != year && best.Dues.Basis == DuesHardship {
		if d, err := p.Compute(kind, best.LabourCostsPence, nil); err == nil {
			best.Dues = d
		}
	}
	return best, true
}

// setYear records the dues approved for a year, replacing an earlier
// approval for the same year.
func (a *Account) setYear(y YearDues) {
	for i := range a.Years {
		if a.Years[i].Year == y.Year {
			a.Years[i] = y
			return
		}
	}
	a.Years = append(a.Years, y)
}

// hardshipYearsBefore counts the years before year in which the member was
// granted hardship dues.
func (a *Account) hardshipYearsBefore(year int) int {
	n := 0
	for _, y := range a.Years {
		if y.Year < year && y.Dues.Basis == DuesHardship {
			n++
		}
	}
	return n
}

// AccountStore keeps the members' accounts.
type AccountStore interface {
	// FindAccount returns ENOTFOUND when the member has no account yet.
	FindAccount(ctx context.Context, memberID string) (*Account, error)
	// FindAccountByCustomer returns the account of a Stripe customer, or
	// ENOTFOUND.
	FindAccountByCustomer(ctx context.Context, customerID string) (*Account, error)
	// FindAccounts returns the accounts of the given members, by member ID,
	// in one query; members without one are left out.
	FindAccounts(ctx context.Context, memberIDs []string) (map[string]*Account, error)
	// FindAccountsToReview returns up to limit accounts whose ReviewAt is
	// set and at or before t.
	FindAccountsToReview(ctx context.Context, t time.Time, limit int) ([]*Account, error)
	// FindAccountsRenewing returns up to limit accounts whose RenewsAt is
	// after from and at or before to.
	FindAccountsRenewing(ctx context.Context, from, to time.Time, limit int) ([]*Account, error)
	// SaveAccount writes a if the stored version is still version (0: there
	// is none yet) and sets a.Version to the new version. It returns
	// EPRECONDITION when someone else wrote first.
	SaveAccount(ctx context.Context, a *Account, version int64) error
}
