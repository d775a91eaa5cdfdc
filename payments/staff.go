package payments

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"cooptrade/marketplace"
)

// MemberDues is a member and its dues, as staff see them in a list.
type MemberDues struct {
	ID       string                 `json:"id"`
	Name     string                 `json:"name"`
	Slug     string                 `json:"slug"`
	Kind     marketplace.MemberKind `json:"kind"`
	Email    string                 `json:"email"`
	Standing marketplace.Standing   `json:"standing"`
	Version  int64                  `json:"version"`
	// Year and Dues: this year's approved dues (nil before approval).
	Year              int               `json:"year"`
	Dues              *Dues             `json:"dues,omitempty"`
	LabourCostsPence  *int64            `json:"labour_costs_pence,omitempty"`
	PaidThrough       *time.Time        `json:"paid_through,omitempty"`
	NextRenewal       *time.Time        `json:"next_renewal,omitempty"`
	WaiverUntil       *time.Time        `json:"waiver_until,omitempty"`
	WaiverReason      string            `json:"waiver_reason,omitempty"`
	PastDueSince      *time.Time        `json:"past_due_since,omitempty"`
	LapsesAt          *time.Time        `json:"lapses_at,omitempty"`
	CustomerID        string            `json:"customer_id,omitempty"`
	Subscription      *SubscriptionView `json:"subscription,omitempty"`
	ActionRequiredURL string            `json:"action_required_url,omitempty"`
}

func (s *Service) memberDues(m *marketplace.Member, a *Account, now time.Time) *MemberDues {
	if a == nil {
		a = &Account{MemberID: m.ID}
	}
	d := &MemberDues{
		ID: m.ID, Name: m.Name, Slug: m.Slug, Kind: m.Kind, Email: m.Email, Standing: m.Standing, Version: m.Version,
		Year: now.Year(), PaidThrough: timePtr(latest(a.PaidThrough, a.OfflinePaidThrough)),
		NextRenewal: timePtr(a.NextRenewal(now)), WaiverUntil: timePtr(a.WaiverUntil), WaiverReason: a.WaiverReason,
		PastDueSince: timePtr(a.PastDueSince), LapsesAt: timePtr(a.LapsesAt(s.grace())),
		CustomerID: a.CustomerID, Subscription: a.Subscription.view(), ActionRequiredURL: a.ActionRequiredURL,
	}
	if y, ok := a.DuesFor(s.Policy, m.Kind, now.Year()); ok {
		d.Dues, d.LabourCostsPence = &y.Dues, &y.LabourCostsPence
	}
	return d
}

// FindMemberDues lists members with their dues, newest members first, for
// staff: f selects by standing and kind. It makes two queries a page.
func (s *Service) FindMemberDues(ctx context.Context, f marketplace.MemberFilter) ([]*MemberDues, string, error) {
	members, next, err := s.Market.FindMembers(ctx, f)
	if err != nil {
		return nil, "", err
	}
	ids := make([]string, len(members))
	for i, m := range members {
		ids[i] = m.ID
	}
	accounts, err := s.Accounts.FindAccounts(ctx, ids)
	if err != nil {
		return nil, "", err
	}
	now := s.now()
	out := make([]*MemberDues, len(members))
	for i, m := range members {
		out[i] = s.memberDues(m, accounts[m.ID], now)
	}
	return out, next, nil
}

// WaiverInput is a waiver staff grant: the member is active without
// paying until the date.
type WaiverInput struct {
	Until  time.Time
	Reason string
}

// GrantWaiver lets a member be active without paying until a date, for a
// reason, replacing any earlier waiver; when it ends, the member's standing
// is what its payments make it. Staff only, audited. ECONFLICT for a
// member awaiting approval or cancelled.
func (s *Service) GrantWaiver(ctx context.Context, memberID string, in WaiverInput) (*MemberDues, error) {
	if err := requireStaff(ctx, "grant waivers"); err != nil {
		return nil, err
	}
	now := s.now()
	in.Reason = strings.TrimSpace(in.Reason)
	var fe []marketplace.FieldError
	if !in.Until.After(now) {
		fe = append(fe, marketplace.Broken("until", marketplace.RuleFuture, marketplace.RuleParams{}))
	} else if in.Until.After(now.AddDate(5, 0, 0)) {
		fe = append(fe, marketplace.Broken("until", marketplace.RuleWithinYears, marketplace.RuleParams{Max: 5}))
	}
	if rule, p := checkText(in.Reason, true); rule != "" {
		fe = append(fe, marketplace.Broken("reason", rule, p))
	}
	if len(fe) > 0 {
		return nil, marketplace.Invalid(fe...)
	}
	m, err := s.memberForStaffAction(ctx, memberID, "grant a waiver")
	if err != nil {
		return nil, err
	}
	a, err := s.updateAccount(ctx, m.ID, func(a *Account) (bool, error) {
		a.WaiverUntil, a.WaiverReason = in.Until.UTC(), in.Reason
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	s.Market.RecordAudit(ctx, "dues.waiver", "member:"+m.ID, in.Reason, map[string]string{"until": in.Until.UTC().Format(time.RFC3339)})
	m, err = s.settle(ctx, m, a, fmt.Sprintf("waiver until %s: %s", in.Until.UTC().Format(time.DateOnly), in.Reason))
	if err != nil {
		return nil, err
	}
	return s.memberDues(m, a, s.now()), nil
}

// OfflinePaymentInput is a payment made outside Stripe, for a period.
type OfflinePaymentInput struct {
	AmountPence int64
	PeriodStart time.Time
	PeriodEnd   time.Time
	// Reference is the bank's reference of the transfer; it is recorded
	// once.
	Reference string
}

// RecordOfflinePayment records dues paid outside Stripe (a bank transfer)
// for a period: the member is active until the period ends. Staff only,
// audited. ECONFLICT for a reference recorded before, or a member awaiting
// approval or cancelled.
func (s *Service) RecordOfflinePayment(ctx context.Context, memberID string, in OfflinePaymentInput) (*MemberDues, error) {
	if err := requireStaff(ctx, "record payments"); err != nil {
		return nil, err
	}
	in.Reference = strings.TrimSpace(in.Reference)
	var fe []marketplace.FieldError
	if in.AmountPence <= 0 || in.AmountPence > MaxAdjustedPence*2 {
		fe = append(fe, marketplace.Broken("amount_pence", marketplace.RulePositiveAmount, marketplace.RuleParams{Max: MaxAdjustedPence * 2}))
	}
	switch {
	case in.PeriodStart.IsZero():
		fe = append(fe, marketplace.Broken("period_start", marketplace.RuleRequired, marketplace.RuleParams{}))
	case in.PeriodEnd.IsZero():
		fe = append(fe, marketplace.Broken("period_end", marketplace.RuleRequired, marketplace.RuleParams{}))
	case !in.PeriodEnd.After(in.PeriodStart):
		fe = append(fe, marketplace.Broken("period_end", marketplace.RuleAfter, marketplace.RuleParams{Other: "period_start"}))
	case in.PeriodEnd.After(in.PeriodStart.AddDate(5, 0, 0)):
		fe = append(fe, marketplace.Broken("period_end", marketplace.RuleWithinYears, marketplace.RuleParams{Max: 5, Other: "period_start"}))
	}
	if rule, p := checkText(in.Reference, true); rule != "" {
		fe = append(fe, marketplace.Broken("reference", rule, p))
	} else if utf8.RuneCountInString(in.Reference) > 200 {
		fe = append(fe, marketplace.Broken("reference", marketplace.RuleMaxLength, marketplace.RuleParams{Max: 200}))
	}
	if len(fe) > 0 {
		return nil, marketplace.Invalid(fe...)
	}
	m, err := s.memberForStaffAction(ctx, memberID, "record a payment")
	if err != nil {
		return nil, err
	}
	now := s.now()
	p := OfflinePayment{
		AmountPence: in.AmountPence, PeriodStart: in.PeriodStart.UTC(), PeriodEnd: in.PeriodEnd.UTC(),
		Reference: in.Reference, RecordedBy: actorName(ctx), RecordedAt: now,
	}
	a, err := s.updateAccount(ctx, m.ID, func(a *Account) (bool, error) {
		for _, old := range a.OfflinePayments {
			if old.Reference == p.Reference {
				e := marketplace.Errorf(marketplace.ECONFLICT, "A payment with the reference %q was recorded on %s already.", p.Reference, old.RecordedAt.Format(time.DateOnly))
				e.Fields = []marketplace.FieldError{marketplace.Broken("reference", marketplace.RuleRecorded,
					marketplace.RuleParams{Value: old.RecordedAt.Format(time.DateOnly)})}
				return false, e
			}
		}
		a.OfflinePayments = append(a.OfflinePayments, p)
		if p.PeriodEnd.After(a.OfflinePaidThrough) {
			a.OfflinePaidThrough = p.PeriodEnd
		}
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	s.Market.RecordAudit(ctx, "dues.offline_payment", "member:"+m.ID, "", map[string]string{
		"amount_pence": strconv.FormatInt(p.AmountPence, 10), "period_start": p.PeriodStart.Format(time.RFC3339),
		"period_end": p.PeriodEnd.Format(time.RFC3339), "reference": p.Reference,
	})
	m, err = s.settle(ctx, m, a, fmt.Sprintf("%s paid offline for %s to %s (%s)", FormatPence(p.AmountPence),
		p.PeriodStart.Format(time.DateOnly), p.PeriodEnd.Format(time.DateOnly), p.Reference))
	if err != nil {
		return nil, err
	}
	return s.memberDues(m, a, s.now()), nil
}

// memberForStaffAction returns a member whose dues staff may act on: one
// approved and not cancelled.
func (s *Service) memberForStaffAction(ctx context.Context, memberID, what string) (*marketplace.Member, error) {
	m, err := s.member(ctx, memberID)
	if err != nil {
		return nil, err
	}
	switch m.Standing {
	case marketplace.StandingPending:
		return nil, marketplace.Errorf(marketplace.ECONFLICT, "The member is awaiting approval: approve its application before you %s.", what)
	case marketplace.StandingCancelled:
		return nil, marketplace.Errorf(marketplace.ECONFLICT, "The member is cancelled: set its standing first if it rejoins.")
	}
	return m, nil
}
