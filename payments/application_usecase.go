package payments

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"cooptrade/marketplace"
)

// ApplicationInput is what a member's owner sends to declare its labour
// costs for a year of dues, or to ask for hardship dues.
type ApplicationInput struct {
	// Year is the year of dues (default: this year). The dues of a year are
	// worked out on the labour costs of the year before.
	Year int `json:"year"`
	// LabourCostsPence is the previous year's payroll plus members'
	// drawings, in pence. Required of enterprise members (0 for a start-up
	// with no previous year).
	LabourCostsPence *int64 `json:"labour_costs_pence"`
	// Hardship, when set, asks to pay what the member can instead.
	Hardship *HardshipInput `json:"hardship"`
}

// HardshipInput is a request for hardship dues.
type HardshipInput struct {
	// AmountPence is what the member can pay a year, before VAT.
	AmountPence int64 `json:"amount_pence"`
	// Reason says why, for staff.
	Reason string `json:"reason"`
}

// maxReason bounds reasons and notes.
const maxReason = 2000

// Apply records the signed-in owner's application for its member's dues:
// a declaration of labour costs, or a request for hardship dues. A pending
// application for the same year is replaced. Staff review it before any
// payment is asked. EINVALID names the fields at fault.
func (s *Service) Apply(ctx context.Context, in ApplicationInput) (*Application, error) {
	m, err := s.ownMember(ctx, "apply for its dues")
	if err != nil {
		return nil, err
	}
	if m.Standing == marketplace.StandingCancelled {
		return nil, marketplace.Errorf(marketplace.EFORBIDDEN, "Your membership is cancelled; contact federation staff to rejoin.")
	}
	now := s.now()
	if in.Year == 0 {
		in.Year = now.Year()
	}
	var fe []marketplace.FieldError
	if in.Year < now.Year() || in.Year > now.Year()+1 {
		fe = append(fe, marketplace.Broken("year", marketplace.RuleEither,
			marketplace.RuleParams{Options: []string{strconv.Itoa(now.Year()), strconv.Itoa(now.Year() + 1)}}))
	}
	var labour int64
	switch {
	case in.LabourCostsPence != nil:
		labour = *in.LabourCostsPence
	case m.Kind == marketplace.MemberEnterprise:
		fe = append(fe, marketplace.Broken("labour_costs_pence", marketplace.RuleRequired, marketplace.RuleParams{
			Hint: ": the previous year's payroll plus members' drawings, in pence (0 for a start-up with no previous year)"}))
	}
	reason := ""
	if in.Hardship != nil {
		reason = strings.TrimSpace(in.Hardship.Reason)
		if rule, p := checkText(reason, true); rule != "" {
			fe = append(fe, marketplace.Broken("hardship.reason", rule, p))
		}
	}
	if len(fe) > 0 {
		return nil, marketplace.Invalid(fe...)
	}

	a, err := s.findAccount(ctx, m.ID)
	if err != nil {
		return nil, err
	}
	var hardship *HardshipAmount
	kind := ApplicationDeclaration
	if in.Hardship != nil {
		kind = ApplicationHardship
		hardship = &HardshipAmount{AmountPence: in.Hardship.AmountPence, Year: a.hardshipYearsBefore(in.Year) + 1}
	}
	dues, err := s.Policy.Compute(m.Kind, labour, hardship)
	if err != nil {
		return nil, renameHardshipYear(err, s.Policy)
	}

	app := &Application{
		MemberID: m.ID, Year: in.Year, Kind: kind, LabourCostsPence: labour,
		Reason: reason, Dues: dues, Status: ApplicationPending,
	}
	if hardship != nil {
		app.HardshipAmountPence = hardship.AmountPence
	}
	pending, _, err := s.Applications.FindApplications(ctx, ApplicationFilter{MemberID: m.ID, Year: in.Year, Status: ApplicationPending, Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(pending) > 0 {
		old := pending[0]
		app.ID, app.CreatedAt, app.UpdatedAt = old.ID, old.CreatedAt, now
		app.Version = old.Version
		if err := s.Applications.UpdateApplication(ctx, app, old.Version); err != nil {
			return nil, err
		}
		return app, nil
	}
	app.Version, app.CreatedAt, app.UpdatedAt = 1, now, now
	if err := s.Applications.CreateApplication(ctx, app); err != nil {
		return nil, err
	}
	return app, nil
}

// renameHardshipYear names the input field for Compute's "hardship.year":
// the member does not send the year count, it asks for too many years.
func renameHardshipYear(err error, p DuesPolicy) error {
	fields := marketplace.ErrorFields(err)
	if fields == nil {
		return err
	}
	out := make([]marketplace.FieldError, 0, len(fields))
	for _, f := range fields {
		if f.Field == "hardship.year" {
			f = marketplace.Broken("hardship", marketplace.RuleHardshipYears, marketplace.RuleParams{
				Max: int64(p.withDefaults().HardshipYears), Hint: "; ask staff for a waiver instead"})
		}
		out = append(out, f)
	}
	return marketplace.Invalid(out...)
}

// checkText returns the rule a reason or a note breaks, or "".
func checkText(s string, required bool) (string, marketplace.RuleParams) {
	switch {
	case required && s == "":
		return marketplace.RuleRequired, marketplace.RuleParams{}
	case utf8.RuneCountInString(s) > maxReason:
		return marketplace.RuleMaxLength, marketplace.RuleParams{Max: maxReason}
	}
	for _, r := range s {
		if unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' {
			return marketplace.RuleControl, marketplace.RuleParams{}
		}
	}
	return "", marketplace.RuleParams{}
}

// Decision is staff's decision on an application.
type Decision struct {
	// Status is approved, adjusted or refused.
	Status ApplicationStatus
	// AmountPence is the yearly amount before VAT that staff set when they
	// adjust.
	AmountPence int64
	// Notes say why; required to adjust or refuse.
	Notes string
}

// DecideApplication records staff's decision on a pending application.
// Approving (or adjusting) sets the member's dues for the year, moves a
// pending member to awaiting_payment (an approved worker member, who pays
// nothing, to active; other standings are left as they are) and, when the
// member already pays by subscription, sets the amount of its next renewal. Staff only; ECONFLICT when the
// application was decided already; every decision goes to the audit log.
func (s *Service) DecideApplication(ctx context.Context, id string, d Decision) (*Application, error) {
	if err := requireStaff(ctx, "decide on applications"); err != nil {
		return nil, err
	}
	d.Notes = strings.TrimSpace(d.Notes)
	var fe []marketplace.FieldError
	if rule, p := checkText(d.Notes, d.Status != ApplicationApproved); rule != "" {
		fe = append(fe, marketplace.Broken("notes", rule, p))
	}
	app, err := s.Applications.FindApplicationByID(ctx, id)
	if err != nil {
		return nil, err
	}
	m, err := s.member(ctx, app.MemberID)
	if err != nil {
		return nil, err
	}
	dues := app.Dues
	switch d.Status {
	case ApplicationApproved, ApplicationRefused:
	case ApplicationAdjusted:
		if m.Kind == marketplace.MemberWorker {
			return nil, marketplace.Errorf(marketplace.ECONFLICT, "Worker members pay no dues, so there is no amount to adjust; approve or refuse the application.")
		}
		adjusted, err := s.Policy.Adjusted(d.AmountPence, app.Dues.StandardNetPence)
		if err != nil {
			fe = append(fe, marketplace.ErrorFields(err)...)
		}
		dues = adjusted
	default:
		return nil, marketplace.Invalid(marketplace.Broken("status", marketplace.RuleEither, marketplace.RuleParams{Options: []string{"approved", "adjusted", "refused"}}))
	}
	if len(fe) > 0 {
		return nil, marketplace.Invalid(fe...)
	}
	if app.Status != ApplicationPending {
		return nil, marketplace.Errorf(marketplace.ECONFLICT, "This application was %s already.", app.Status)
	}

	// The account first: writing the same year again is harmless, so a
	// decision interrupted after it is simply made again.
	var a *Account
	if d.Status != ApplicationRefused {
		a, err = s.updateAccount(ctx, m.ID, func(a *Account) (bool, error) {
			a.setYear(YearDues{Year: app.Year, LabourCostsPence: app.LabourCostsPence, Dues: dues, ApplicationID: app.ID})
			return true, nil
		})
		if err != nil {
			return nil, err
		}
	}
	now := s.now()
	version := app.Version
	app.Status, app.Dues, app.StaffNotes = d.Status, dues, d.Notes
	app.DecidedBy, app.DecidedAt, app.UpdatedAt = actorName(ctx), &now, now
	if err := s.Applications.UpdateApplication(ctx, app, version); err != nil {
		return nil, err
	}
	action := map[ApplicationStatus]string{
		ApplicationApproved: "dues.application.approve",
		ApplicationAdjusted: "dues.application.adjust",
		ApplicationRefused:  "dues.application.refuse",
	}[d.Status]
	s.Market.RecordAudit(ctx, action, "member:"+m.ID, d.Notes, map[string]string{
		"application": app.ID, "year": strconv.Itoa(app.Year), "net_pence": strconv.FormatInt(dues.NetPence, 10),
	})
	if d.Status == ApplicationRefused {
		return app, nil
	}

	// Approval admits a pending member; any other standing is left to the
	// member's payments (a member staff set active by hand keeps it).
	if m.Standing == marketplace.StandingPending {
		to := marketplace.StandingAwaitingPayment
		if m.Kind == marketplace.MemberWorker {
			to = marketplace.StandingActive
		}
		if _, err := s.Market.ChangeStanding(ctx, m.ID, to, fmt.Sprintf("dues application for %d %s", app.Year, d.Status)); err != nil {
			return nil, err
		}
	}
	if s.Stripe != nil && a.Subscription.Live() && m.Kind == marketplace.MemberEnterprise {
		// The amount of the next renewal follows the approval at once; if
		// Stripe cannot be reached now, invoice.upcoming sets it before the
		// renewal.
		if err := s.syncRenewalPrice(ctx, m, a); err != nil {
			s.logger().WarnContext(ctx, "cannot set the amount of the next renewal in Stripe; invoice.upcoming will",
				"member", m.ID, "subscription", a.Subscription.ID, "error", err)
		}
	}
	return app, nil
}

// FindApplications lists applications, newest first. Staff only; members
// see their own in their dues status.
func (s *Service) FindApplications(ctx context.Context, f ApplicationFilter) ([]*Application, string, error) {
	if err := requireStaff(ctx, "list dues applications"); err != nil {
		return nil, "", err
	}
	if f.Status != "" && !f.Status.Valid() {
		return nil, "", marketplace.Invalid(marketplace.Broken("status", marketplace.RuleEither, marketplace.RuleParams{Options: []string{"pending", "approved", "adjusted", "refused"}}))
	}
	f.Limit = clampLimit(f.Limit)
	return s.Applications.FindApplications(ctx, f)
}
