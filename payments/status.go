package payments

import (
	"context"
	"time"

	"cooptrade/marketplace"
)

// Status is what a member sees of its dues.
type Status struct {
	MemberID string                 `json:"member_id"`
	Kind     marketplace.MemberKind `json:"kind"`
	Standing marketplace.Standing   `json:"standing"`
	// Year is this year; Dues is what the member pays for it, once
	// approved (nil before).
	Year int   `json:"year"`
	Dues *Dues `json:"dues,omitempty"`
	// NextRenewal is when the member next pays.
	NextRenewal  *time.Time `json:"next_renewal,omitempty"`
	PaidThrough  *time.Time `json:"paid_through,omitempty"`
	WaiverUntil  *time.Time `json:"waiver_until,omitempty"`
	PastDueSince *time.Time `json:"past_due_since,omitempty"`
	// LapsesAt is when a past-due member lapses unless it pays.
	LapsesAt     *time.Time        `json:"lapses_at,omitempty"`
	Subscription *SubscriptionView `json:"subscription,omitempty"`
	// ActionRequiredURL is where the member confirms a payment its bank
	// holds for authentication.
	ActionRequiredURL string           `json:"action_required_url,omitempty"`
	OfflinePayments   []OfflinePayment `json:"offline_payments"`
	Applications      []*Application   `json:"applications"`
	// Invoices are the member's invoices in Stripe, newest first.
	Invoices []Invoice `json:"invoices"`
	// StripeEnabled is false when the service takes no payment by Stripe.
	StripeEnabled bool `json:"stripe_enabled"`
	// InvoicesUnavailable is true when Stripe did not answer for them.
	InvoicesUnavailable bool `json:"invoices_unavailable,omitempty"`
	// NextStepCode says what the member should do now (StepPay…), if
	// anything, and NextStep says it in English.
	NextStepCode string `json:"next_step_code,omitempty"`
	NextStep     string `json:"next_step,omitempty"`
}

// SubscriptionView is the member's subscription as people see it.
type SubscriptionView struct {
	ID                string     `json:"id"`
	Status            string     `json:"status"`
	CurrentPeriodEnd  *time.Time `json:"current_period_end,omitempty"`
	CancelAtPeriodEnd bool       `json:"cancel_at_period_end"`
}

// Live reports whether the subscription still collects payments (see
// Subscription.Live); false for none.
func (v *SubscriptionView) Live() bool {
	return v != nil && Subscription{Status: v.Status}.Live()
}

func (s Subscription) view() *SubscriptionView {
	if s.ID == "" {
		return nil
	}
	return &SubscriptionView{ID: s.ID, Status: s.Status, CurrentPeriodEnd: timePtr(s.CurrentPeriodEnd), CancelAtPeriodEnd: s.CancelAtPeriodEnd}
}

// FindStatus returns the dues of the signed-in user's member, or, for
// staff, of the member named (memberID may be empty for members' users).
func (s *Service) FindStatus(ctx context.Context, memberID string) (*Status, error) {
	me := marketplace.UserFromContext(ctx)
	if me == nil {
		return nil, marketplace.Errorf(marketplace.EUNAUTHORIZED, "Sign in first.")
	}
	if memberID == "" {
		memberID = me.MemberID
	}
	switch {
	case memberID == "":
		return nil, marketplace.Invalid(marketplace.FieldError{Field: "member", Message: "is required: name the member whose dues to show"})
	case !me.IsStaff() && !me.BelongsTo(memberID):
		return nil, marketplace.Errorf(marketplace.EFORBIDDEN, "Only the member's users and federation staff can see its dues.")
	}
	m, err := s.member(ctx, memberID)
	if err != nil {
		return nil, err
	}
	a, err := s.findAccount(ctx, m.ID)
	if err != nil {
		return nil, err
	}
	apps, _, err := s.Applications.FindApplications(ctx, ApplicationFilter{MemberID: m.ID, Limit: marketplace.MaxPageSize})
	if err != nil {
		return nil, err
	}
	now := s.now()
	st := &Status{
		MemberID: m.ID, Kind: m.Kind, Standing: m.Standing, Year: now.Year(),
		NextRenewal: timePtr(a.NextRenewal(now)), PaidThrough: timePtr(latest(a.PaidThrough, a.OfflinePaidThrough)),
		WaiverUntil: timePtr(a.WaiverUntil), PastDueSince: timePtr(a.PastDueSince), LapsesAt: timePtr(a.LapsesAt(s.grace())),
		ActionRequiredURL: a.ActionRequiredURL, OfflinePayments: a.OfflinePayments, Applications: apps,
		Invoices: []Invoice{}, StripeEnabled: s.Stripe != nil,
	}
	if st.OfflinePayments == nil {
		st.OfflinePayments = []OfflinePayment{}
	}
	if y, ok := a.DuesFor(s.Policy, m.Kind, now.Year()); ok {
		st.Dues = &y.Dues
	}
	st.Subscription = a.Subscription.view()
	if s.Stripe != nil && a.CustomerID != "" {
		inv, err := s.invoices(ctx, a.CustomerID)
		if err != nil {
			// The rest of the status is worth showing without them.
			s.logger().WarnContext(ctx, "cannot list a member's invoices", "member", m.ID, "error", err)
			st.InvoicesUnavailable = true
		} else {
			st.Invoices = inv
		}
	}
	pending := false
	for _, app := range apps {
		pending = pending || app.Status == ApplicationPending
	}
	st.NextStepCode = NextStep(st, pending)
	st.NextStep = StepMessage(st.NextStepCode)
	return st, nil
}

func latest(ts ...time.Time) time.Time {
	var l time.Time
	for _, t := range ts {
		if t.After(l) {
			l = t
		}
	}
	return l
}
