package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"cooptrade/marketplace"
	"cooptrade/payments"
)

// Dues is the members' dues as the API uses them: applications and staff's
// decisions, payment through Stripe, Stripe's webhook, waivers and offline
// payments. payments.Service satisfies it.
type Dues interface {
	Apply(ctx context.Context, in payments.ApplicationInput) (*payments.Application, error)
	FindStatus(ctx context.Context, memberID string) (*payments.Status, error)
	Checkout(ctx context.Context) (*payments.Session, error)
	Portal(ctx context.Context) (*payments.Session, error)
	ReceiveWebhook(ctx context.Context, payload []byte, signature string) (*payments.Receipt, error)
	FindMemberDues(ctx context.Context, f marketplace.MemberFilter) ([]*payments.MemberDues, string, error)
	FindApplications(ctx context.Context, f payments.ApplicationFilter) ([]*payments.Application, string, error)
	DecideApplication(ctx context.Context, id string, d payments.Decision) (*payments.Application, error)
	GrantWaiver(ctx context.Context, memberID string, in payments.WaiverInput) (*payments.MemberDues, error)
	RecordOfflinePayment(ctx context.Context, memberID string, in payments.OfflinePaymentInput) (*payments.MemberDues, error)
}

var _ Dues = (*payments.Service)(nil)

// handleDuesApply records the owner's declaration of labour costs or
// request for hardship dues.
func (s *Server) handleDuesApply(c *fiber.Ctx) error {
	var in payments.ApplicationInput
	if err := decodeBody(c, &in); err != nil {
		return err
	}
	app, err := s.cfg.Dues.Apply(c.UserContext(), in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(app)
}

// handleDuesView shows the member its dues; staff name the member with
// ?member=.
func (s *Server) handleDuesView(c *fiber.Ctx) error {
	st, err := s.cfg.Dues.FindStatus(c.UserContext(), query(c, "member"))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(st)
}

// handleDuesCheckout starts a Stripe Checkout of the year's dues.
func (s *Server) handleDuesCheckout(c *fiber.Ctx) error {
	sess, err := s.cfg.Dues.Checkout(c.UserContext())
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(fiber.StatusCreated).JSON(sess)
}

// handleDuesPortal opens a Stripe Billing Portal session.
func (s *Server) handleDuesPortal(c *fiber.Ctx) error {
	sess, err := s.cfg.Dues.Portal(c.UserContext())
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(fiber.StatusCreated).JSON(sess)
}

// handleStripeWebhook takes Stripe's webhook deliveries. The signature is
// checked on the raw body, so the body is not decoded here.
func (s *Server) handleStripeWebhook(c *fiber.Ctx) error {
	payload := bytes.Clone(c.Body())
	r, err := s.cfg.Dues.ReceiveWebhook(c.UserContext(), payload, strings.Clone(c.Get("Stripe-Signature")))
	if err != nil {
		return err
	}
	return c.JSON(r)
}

// handleStaffMembers lists members with their dues, ?standing=&kind=.
func (s *Server) handleStaffMembers(c *fiber.Ctx) error {
	limit, err := limitParam(c)
	if err != nil {
		return err
	}
	items, next, err := s.cfg.Dues.FindMemberDues(c.UserContext(), marketplace.MemberFilter{
		Standing: marketplace.Standing(query(c, "standing")),
		Kind:     marketplace.MemberKind(query(c, "kind")),
		Cursor:   query(c, "cursor"),
		Limit:    limit,
	})
	if err != nil {
		return err
	}
	return c.JSON(page[*payments.MemberDues]{Items: items, NextCursor: next})
}

// handleStaffApplications lists dues applications, ?status=&member=.
func (s *Server) handleStaffApplications(c *fiber.Ctx) error {
	limit, err := limitParam(c)
	if err != nil {
		return err
	}
	f := payments.ApplicationFilter{
		MemberID: query(c, "member"),
		Status:   payments.ApplicationStatus(query(c, "status")),
		Cursor:   query(c, "cursor"),
		Limit:    limit,
	}
	if y := c.Query("year"); y != "" {
		if f.Year, err = strconv.Atoi(y); err != nil {
			return marketplace.Invalid(marketplace.FieldError{Field: "year", Message: "must be a year, like 2027"})
		}
	}
	items, next, err := s.cfg.Dues.FindApplications(c.UserContext(), f)
	if err != nil {
		return err
	}
	return c.JSON(page[*payments.Application]{Items: items, NextCursor: next})
}

type decisionInput struct {
	Notes       string `json:"notes"`
	AmountPence *int64 `json:"amount_pence"`
}

// handleApplicationDecision approves, adjusts or refuses an application.
func (s *Server) handleApplicationDecision(status payments.ApplicationStatus) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var in decisionInput
		if len(bytes.TrimSpace(c.Body())) > 0 || status != payments.ApplicationApproved {
			if err := decodeBody(c, &in); err != nil {
				return err
			}
		}
		d := payments.Decision{Status: status, Notes: in.Notes}
		switch {
		case status == payments.ApplicationAdjusted && in.AmountPence == nil:
			return marketplace.Invalid(marketplace.FieldError{Field: "amount_pence", Message: "is required: the yearly amount before VAT, in pence"})
		case status != payments.ApplicationAdjusted && in.AmountPence != nil:
			return marketplace.Invalid(marketplace.FieldError{Field: "amount_pence", Message: "is only for adjusting an application"})
		case in.AmountPence != nil:
			d.AmountPence = *in.AmountPence
		}
		app, err := s.cfg.Dues.DecideApplication(c.UserContext(), param(c, "id"), d)
		if err != nil {
			return err
		}
		return c.JSON(app)
	}
}

type waiverInput struct {
	Until  json.RawMessage `json:"until"`
	Reason string          `json:"reason"`
}

// handleStaffWaiver lets a member be active without paying until a date.
func (s *Server) handleStaffWaiver(c *fiber.Ctx) error {
	var in waiverInput
	if err := decodeBody(c, &in); err != nil {
		return err
	}
	until, err := requiredTime("until", in.Until)
	if err != nil {
		return err
	}
	d, err := s.cfg.Dues.GrantWaiver(c.UserContext(), param(c, "id"), payments.WaiverInput{Until: until, Reason: in.Reason})
	if err != nil {
		return err
	}
	return c.JSON(d)
}

type offlinePaymentInput struct {
	AmountPence int64           `json:"amount_pence"`
	PeriodStart json.RawMessage `json:"period_start"`
	PeriodEnd   json.RawMessage `json:"period_end"`
	Reference   string          `json:"reference"`
}

// handleStaffOfflinePayment records dues paid by bank transfer for a
// period.
func (s *Server) handleStaffOfflinePayment(c *fiber.Ctx) error {
	var in offlinePaymentInput
	if err := decodeBody(c, &in); err != nil {
		return err
	}
	start, err := requiredTime("period_start", in.PeriodStart)
	if err != nil {
		return err
	}
	end, err := requiredTime("period_end", in.PeriodEnd)
	if err != nil {
		return err
	}
	if len(in.PeriodStart) > 0 && in.PeriodStart[0] == '"' && !bytes.ContainsRune(in.PeriodStart, 'T') {
		// A date starts the period at the start of its day.
		start = start.Truncate(24 * time.Hour)
	}
	d, err := s.cfg.Dues.RecordOfflinePayment(c.UserContext(), param(c, "id"), payments.OfflinePaymentInput{
		AmountPence: in.AmountPence, PeriodStart: start, PeriodEnd: end, Reference: in.Reference,
	})
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(d)
}

// requiredTime reads a date (the end of that day, UTC) or an RFC 3339 time
// that must be there.
func requiredTime(field string, raw json.RawMessage) (time.Time, error) {
	_, t, err := parseTime(field, raw)
	if err != nil {
		return time.Time{}, err
	}
	if t == nil {
		return time.Time{}, marketplace.Invalid(marketplace.FieldError{Field: field, Message: "is required: a date (2027-03-01) or an RFC 3339 time"})
	}
	return *t, nil
}
