package payments

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v76/webhook"

	"cooptrade/marketplace"
)

// Job types of payments, and the queue they go on.
const (
	// TypeStripeEvent applies a stored Stripe event.
	TypeStripeEvent = "stripe:event"
	// TypeStripeReconcile queues again the stored events not yet applied
	// (their job was lost, or its queueing failed).
	TypeStripeReconcile = "stripe:reconcile"
	// TypeDuesLapse moves members whose standing changes with the clock:
	// past_due to lapsed when the grace period ends, and members whose
	// waiver or offline payment ends.
	TypeDuesLapse = "dues:lapse"
	// TypeDuesRemind reminds members of their coming renewal.
	TypeDuesRemind = "dues:remind"

	// QueueCritical is the queue of payments' jobs.
	QueueCritical = "critical"
)

// EventPayload names the stored event a TypeStripeEvent job applies.
type EventPayload struct {
	EventID string `json:"event_id"`
}

// Receipt is what the webhook answers Stripe.
type Receipt struct {
	EventID string `json:"event_id"`
	Type    string `json:"type"`
	// Duplicate is true when the event had been received before.
	Duplicate bool `json:"duplicate"`
}

// ReceiveWebhook takes a webhook delivery: it verifies the signature of the
// raw body against WebhookSecret, stores the event by its ID and queues
// its application, which happens in the background. A delivery of an event
// stored before stores nothing (and is queued again only if it was never
// applied). EINVALID for a missing or wrong signature, when nothing is
// stored; EUNAVAILABLE without Stripe.
func (s *Service) ReceiveWebhook(ctx context.Context, payload []byte, signature string) (*Receipt, error) {
	if s.Stripe == nil || s.WebhookSecret == "" {
		return nil, errStripeOff()
	}
	if strings.TrimSpace(signature) == "" {
		return nil, marketplace.Errorf(marketplace.EINVALID, "The Stripe-Signature header is missing; nothing was stored.")
	}
	// Events are read field by field, so one rendered in another API
	// version than stripe-go's is still taken.
	ev, err := webhook.ConstructEventWithOptions(payload, signature, s.WebhookSecret,
		webhook.ConstructEventOptions{IgnoreAPIVersionMismatch: true})
	if err != nil {
		msg := "The Stripe-Signature header does not match the body; nothing was stored."
		switch {
		case errors.Is(err, webhook.ErrTooOld):
			msg = "The Stripe-Signature header is too old; nothing was stored."
		case !errors.Is(err, webhook.ErrNoValidSignature) && !errors.Is(err, webhook.ErrInvalidHeader) && !errors.Is(err, webhook.ErrNotSigned):
			// Signed, but not an event.
			msg = "The body is not a Stripe event; nothing was stored."
		}
		return nil, marketplace.Errorf(marketplace.EINVALID, "%s", msg)
	}
	// stripe-go refuses signatures older than its tolerance, by the wall
	// clock, but takes any from the future: a replay kept for later
	// needs both ends closed.
	if at, ok := signatureTime(signature); !ok || at.After(time.Now().Add(webhook.DefaultTolerance)) {
		return nil, marketplace.Errorf(marketplace.EINVALID, "The Stripe-Signature header's time is in the future; nothing was stored.")
	}
	if ev.ID == "" || ev.Type == "" {
		return nil, marketplace.Errorf(marketplace.EINVALID, "The event has no id or type; nothing was stored.")
	}
	e := &Event{
		ID: ev.ID, Type: string(ev.Type), Created: unixTime(ev.Created),
		Payload: string(payload), ReceivedAt: s.now(),
	}
	r := &Receipt{EventID: e.ID, Type: e.Type}
	err = s.Events.CreateEvent(ctx, e)
	if marketplace.ErrorCode(err) == marketplace.ECONFLICT {
		r.Duplicate = true
		s.observe(EventDuplicate)
		stored, err := s.Events.FindEventByID(ctx, e.ID)
		if err != nil {
			return nil, err
		}
		if stored.AppliedAt != nil {
			return r, nil
		}
	} else if err != nil {
		return nil, err
	} else {
		s.observe(EventReceived)
	}
	// The event is stored: if it cannot be queued now, the reconciler
	// queues it later, so Stripe is told it was received.
	if err := s.enqueueEvent(ctx, e.ID); err != nil {
		s.logger().WarnContext(ctx, "cannot queue a Stripe event; the reconciler will", "event", e.ID, "error", err)
	}
	return r, nil
}

func (s *Service) enqueueEvent(ctx context.Context, id string) error {
	payload, err := json.Marshal(EventPayload{EventID: id})
	if err != nil {
		return err
	}
	return s.Jobs.Enqueue(ctx, TypeStripeEvent, payload, QueueCritical, id)
}

// HandleStripeEvent applies a stored event (a TypeStripeEvent job). An
// event applied before is left alone, and applying one is idempotent and
// tolerates any order: the account keeps the newest state of the
// subscription, and the member's standing follows it. An event Stripe
// sends but that does not concern the dues, or names no member, is marked
// applied with what was found.
func (s *Service) HandleStripeEvent(ctx context.Context, payload []byte) error {
	var p EventPayload
	if err := json.Unmarshal(payload, &p); err != nil || p.EventID == "" {
		return marketplace.Errorf(marketplace.EINVALID, "A %s job needs an event_id.", TypeStripeEvent)
	}
	e, err := s.Events.FindEventByID(ctx, p.EventID)
	if err != nil {
		return err
	}
	if e.AppliedAt != nil {
		return nil
	}
	outcome, err := s.applyEvent(ctx, e)
	step := EventApplied
	switch marketplace.ErrorCode(err) {
	case "":
	case marketplace.EINVALID, marketplace.ENOTFOUND:
		// Applying it again would fail the same way: it is recorded as
		// refused, for people to look at, and not tried again.
		s.logger().WarnContext(ctx, "a Stripe event cannot be applied", "event", e.ID, "type", e.Type, "error", err)
		outcome = "refused: " + marketplace.ErrorMessage(err)
		step = EventRefused
	default:
		s.observe(EventFailed)
		return err
	}
	marked, err := s.Events.MarkEventApplied(ctx, e.ID, s.now(), outcome)
	if err != nil {
		s.observe(EventFailed)
	} else if marked {
		s.observe(step)
	}
	return err
}

// applyEvent applies one event and says what it did.
func (s *Service) applyEvent(ctx context.Context, e *Event) (string, error) {
	var ev stripeEvent
	if err := json.Unmarshal([]byte(e.Payload), &ev); err != nil {
		return "", marketplace.Errorf(marketplace.EINVALID, "The event is not JSON: %v", err)
	}
	obj := ev.Data.Object
	created := unixTime(ev.Created)
	switch ev.Type {
	case "checkout.session.completed":
		var cs checkoutSessionObject
		if err := json.Unmarshal(obj, &cs); err != nil {
			return "", invalidObject(ev.Type, err)
		}
		if cs.Mode != "subscription" {
			return "ignored: not a subscription", nil
		}
		memberID := cs.Metadata[MetadataMemberID]
		if memberID == "" {
			memberID = cs.ClientReferenceID
		}
		var state *Subscription
		if cs.PaymentStatus == "paid" || cs.PaymentStatus == "no_payment_required" {
			// A card payment made at once; no period is known yet, so any
			// state of the subscription with one is newer.
			state = &Subscription{ID: cs.Subscription.ID, Status: SubscriptionActive, EventCreated: created, EventID: ev.ID}
		}
		return s.applyToMember(ctx, ev, memberID, cs.Customer.ID, func(a *Account) bool {
			return state != nil && a.Observe(*state)
		})

	case "customer.subscription.created", "customer.subscription.updated", "customer.subscription.deleted":
		var sub subscriptionObject
		if err := json.Unmarshal(obj, &sub); err != nil {
			return "", invalidObject(ev.Type, err)
		}
		status := sub.Status
		if ev.Type == "customer.subscription.deleted" {
			status = SubscriptionCanceled
		}
		state := Subscription{
			ID: sub.ID, Status: status, CurrentPeriodEnd: unixTime(sub.periodEnd()),
			CancelAtPeriodEnd: sub.CancelAtPeriodEnd, EventCreated: created, EventID: ev.ID,
		}
		return s.applyToMember(ctx, ev, sub.Metadata[MetadataMemberID], sub.Customer.ID, func(a *Account) bool {
			return a.Observe(state)
		})

	case "invoice.paid", "invoice.payment_failed", "invoice.payment_action_required":
		var in invoiceObject
		if err := json.Unmarshal(obj, &in); err != nil {
			return "", invalidObject(ev.Type, err)
		}
		subID := in.subscriptionID()
		if subID == "" {
			return "ignored: not a subscription's invoice", nil
		}
		_, end := in.period()
		state := Subscription{ID: subID, CurrentPeriodEnd: unixTime(end), EventCreated: created, EventID: ev.ID}
		switch {
		case ev.Type == "invoice.paid":
			state.Status = SubscriptionActive
		case in.BillingReason == "subscription_create":
			// The first payment: the subscription stays incomplete.
			state.Status = SubscriptionIncomplete
		default:
			state.Status = SubscriptionPastDue
		}
		return s.applyToMember(ctx, ev, in.memberID(), in.Customer.ID, func(a *Account) bool {
			changed := false
			if ev.Type == "invoice.paid" && state.CurrentPeriodEnd.After(a.PaidThrough) {
				a.PaidThrough, changed = state.CurrentPeriodEnd, true
			}
			if !a.Observe(state) {
				return changed
			}
			if ev.Type == "invoice.payment_action_required" {
				a.ActionRequiredURL = in.HostedInvoiceURL
			}
			return true
		})

	case "invoice.upcoming":
		return s.applyUpcoming(ctx, ev)
	}
	return "ignored: not an event the dues need", nil
}

func invalidObject(typ string, err error) error {
	return marketplace.Errorf(marketplace.EINVALID, "The object of a %s event cannot be read: %v", typ, err)
}

// applyToMember finds the member an event is about (by the member ID in
// the metadata payments put on Stripe's objects, or else by the customer),
// records the customer, lets change update the account and moves the
// member to the standing the account implies.
func (s *Service) applyToMember(ctx context.Context, ev stripeEvent, memberID, customerID string, change func(a *Account) bool) (string, error) {
	if memberID == "" && customerID != "" {
		a, err := s.Accounts.FindAccountByCustomer(ctx, customerID)
		if marketplace.ErrorCode(err) == marketplace.ENOTFOUND {
			return "ignored: customer " + customerID + " is no member's", nil
		} else if err != nil {
			return "", err
		}
		memberID = a.MemberID
	}
	if memberID == "" {
		return "ignored: names no member", nil
	}
	m, err := s.member(ctx, memberID)
	if marketplace.ErrorCode(err) == marketplace.ENOTFOUND {
		return "ignored: member " + memberID + " does not exist", nil
	} else if err != nil {
		return "", err
	}
	took := false
	a, err := s.updateAccount(ctx, m.ID, func(a *Account) (bool, error) {
		changed := false
		if a.CustomerID == "" && customerID != "" {
			a.CustomerID, changed = customerID, true
		}
		took = change(a)
		return changed || took, nil
	})
	if err != nil {
		return "", err
	}
	before := m.Standing
	m, err = s.settle(systemContext(ctx), m, a, fmt.Sprintf("Stripe %s (%s)", ev.Type, ev.ID))
	if err != nil {
		return "", err
	}
	outcome := "applied"
	if !took {
		outcome = "older than the state held"
	}
	if m.Standing != before {
		outcome += fmt.Sprintf("; standing %s → %s", before, m.Standing)
	}
	return outcome, nil
}

// applyUpcoming sets the price of a subscription's coming renewal to the
// dues approved for the year the renewal starts in, so that each year is
// billed on the labour costs declared for it.
func (s *Service) applyUpcoming(ctx context.Context, ev stripeEvent) (string, error) {
	var in invoiceObject
	if err := json.Unmarshal(ev.Data.Object, &in); err != nil {
		return "", invalidObject(ev.Type, err)
	}
	subID := in.subscriptionID()
	if subID == "" {
		return "ignored: not a subscription's invoice", nil
	}
	memberID := in.memberID()
	if memberID == "" {
		a, err := s.Accounts.FindAccountByCustomer(ctx, in.Customer.ID)
		if marketplace.ErrorCode(err) == marketplace.ENOTFOUND {
			return "ignored: customer " + in.Customer.ID + " is no member's", nil
		} else if err != nil {
			return "", err
		}
		memberID = a.MemberID
	}
	m, err := s.member(ctx, memberID)
	if marketplace.ErrorCode(err) == marketplace.ENOTFOUND {
		return "ignored: member " + memberID + " does not exist", nil
	} else if err != nil {
		return "", err
	}
	a, err := s.findAccount(ctx, m.ID)
	if err != nil {
		return "", err
	}
	start, _ := in.period()
	if start == 0 {
		return "ignored: no period", nil
	}
	y, ok := a.DuesFor(s.Policy, m.Kind, unixTime(start).Year())
	if !ok {
		return "ignored: no dues approved", nil
	}
	var current int64 = -1
	for _, l := range in.Lines.Data {
		if l.Price != nil {
			current = l.Price.UnitAmount
		}
	}
	if current == y.Dues.NetPence {
		return "renewal price already right", nil
	}
	if err := s.syncSubscriptionPrice(ctx, subID, y.Dues.NetPence); err != nil {
		return "", err
	}
	return fmt.Sprintf("renewal price set to %s for %d", FormatPence(y.Dues.NetPence), y.Year), nil
}

// signatureTime reads the time a Stripe-Signature header was made at (its
// t= element).
func signatureTime(header string) (time.Time, bool) {
	for _, part := range strings.Split(header, ",") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(part), "t="); ok {
			sec, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return time.Time{}, false
			}
			return time.Unix(sec, 0), true
		}
	}
	return time.Time{}, false
}
