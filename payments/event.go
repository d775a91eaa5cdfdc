package payments

import (
	"context"
	"encoding/json"
	"time"
)

// Event is a Stripe webhook event as it was received: stored by its ID
// before it is applied, so that a delivery made again is recognised.
type Event struct {
	ID      string    `json:"id"`
	Type    string    `json:"type"`
	Created time.Time `json:"created"`
	// Payload is the body Stripe signed, unchanged.
	Payload    string    `json:"-"`
	ReceivedAt time.Time `json:"received_at"`
	// AppliedAt is when the event was applied (or found to need nothing);
	// nil while it waits. Outcome says what applying it did.
	AppliedAt *time.Time `json:"applied_at,omitempty"`
	Outcome   string     `json:"outcome,omitempty"`
}

// EventStore keeps the Stripe events received.
type EventStore interface {
	// CreateEvent stores a new event; ECONFLICT when one with its ID is
	// stored already.
	CreateEvent(ctx context.Context, e *Event) error
	// FindEventByID returns ENOTFOUND when there is no such event.
	FindEventByID(ctx context.Context, id string) (*Event, error)
	// FindUnappliedEvents returns up to limit events received before t and
	// not yet applied, oldest first.
	FindUnappliedEvents(ctx context.Context, before time.Time, limit int) ([]*Event, error)
	// MarkEventApplied records that the event was applied at t, unless it
	// was already; it reports whether this call marked it.
	MarkEventApplied(ctx context.Context, id string, t time.Time, outcome string) (bool, error)
}

// ObjectStore remembers the IDs of the Stripe objects the service creates
// once and reuses (the VAT tax rate, the dues product), by a key of its
// own.
type ObjectStore interface {
	// FindObjectID returns ENOTFOUND when nothing is stored under key.
	FindObjectID(ctx context.Context, key string) (string, error)
	// SaveObjectID stores id under key unless an ID is stored there already,
	// and returns the ID stored under key after the call.
	SaveObjectID(ctx context.Context, key, id string) (string, error)
}

// The parts of Stripe's objects that applying events needs. They are read
// from the raw JSON rather than through stripe-go's types, so that events
// rendered in a newer API version than stripe-go's are still understood:
// where a newer version moved a field, both places are read.

type stripeEvent struct {
	ID      string `json:"id"`
	Type    string `json:"type"`
	Created int64  `json:"created"`
	Data    struct {
		Object json.RawMessage `json:"object"`
	} `json:"data"`
}

type checkoutSessionObject struct {
	ID                string            `json:"id"`
	Mode              string            `json:"mode"`
	Status            string            `json:"status"`
	PaymentStatus     string            `json:"payment_status"`
	Customer          expandable        `json:"customer"`
	Subscription      expandable        `json:"subscription"`
	ClientReferenceID string            `json:"client_reference_id"`
	Metadata          map[string]string `json:"metadata"`
}

type subscriptionObject struct {
	ID                string            `json:"id"`
	Customer          expandable        `json:"customer"`
	Status            string            `json:"status"`
	CurrentPeriodEnd  int64             `json:"current_period_end"`
	CancelAtPeriodEnd bool              `json:"cancel_at_period_end"`
	Metadata          map[string]string `json:"metadata"`
	Items             struct {
		Data []struct {
			ID               string `json:"id"`
			CurrentPeriodEnd int64  `json:"current_period_end"`
		} `json:"data"`
	} `json:"items"`
}

// periodEnd is the end of the current period: on the subscription up to
// API version 2025-03-31, on its items after.
func (s *subscriptionObject) periodEnd() int64 {
	end := s.CurrentPeriodEnd
	for _, it := range s.Items.Data {
		end = max(end, it.CurrentPeriodEnd)
	}
	return end
}

type invoiceObject struct {
	ID                  string     `json:"id"`
	Customer            expandable `json:"customer"`
	Subscription        expandable `json:"subscription"`
	BillingReason       string     `json:"billing_reason"`
	Status              string     `json:"status"`
	HostedInvoiceURL    string     `json:"hosted_invoice_url"`
	PeriodEnd           int64      `json:"period_end"`
	SubscriptionDetails struct {
		Metadata map[string]string `json:"metadata"`
	} `json:"subscription_details"`
	Parent struct {
		SubscriptionDetails struct {
			Subscription expandable        `json:"subscription"`
			Metadata     map[string]string `json:"metadata"`
		} `json:"subscription_details"`
	} `json:"parent"`
	Lines struct {
		Data []struct {
			Period struct {
				Start int64 `json:"start"`
				End   int64 `json:"end"`
			} `json:"period"`
			Price *struct {
				UnitAmount int64 `json:"unit_amount"`
			} `json:"price"`
			Amount int64 `json:"amount"`
		} `json:"data"`
	} `json:"lines"`
}

// subscriptionID is the subscription the invoice bills, wherever the API
// version put it.
func (in *invoiceObject) subscriptionID() string {
	if in.Subscription.ID != "" {
		return in.Subscription.ID
	}
	return in.Parent.SubscriptionDetails.Subscription.ID
}

func (in *invoiceObject) memberID() string {
	if id := in.SubscriptionDetails.Metadata[MetadataMemberID]; id != "" {
		return id
	}
	return in.Parent.SubscriptionDetails.Metadata[MetadataMemberID]
}

// period is the service period the invoice bills: its lines' (the
// invoice's own period_end is the end of the previous period for a
// subscription's invoices).
func (in *invoiceObject) period() (start, end int64) {
	for _, l := range in.Lines.Data {
		if start == 0 || (l.Period.Start != 0 && l.Period.Start < start) {
			start = l.Period.Start
		}
		end = max(end, l.Period.End)
	}
	if end == 0 {
		end = in.PeriodEnd
	}
	return start, end
}

// expandable is an ID that Stripe may send expanded into its object.
type expandable struct {
	ID string
}

func (e *expandable) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '{' {
		var o struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(b, &o); err != nil {
			return err
		}
		e.ID = o.ID
		return nil
	}
	if string(b) == "null" {
		e.ID = ""
		return nil
	}
	return json.Unmarshal(b, &e.ID)
}

func unixTime(s int64) time.Time {
	if s == 0 {
		return time.Time{}
	}
	return time.Unix(s, 0).UTC()
}
