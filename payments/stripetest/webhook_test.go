package stripetest_test

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/webhook"

	"cooptrade/payments/stripetest"
)

func TestSign(t *testing.T) {
	created := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	payload := stripetest.Event{
		ID:      "evt_1",
		Type:    "invoice.paid",
		Created: created,
		Object: map[string]any{
			"id":           "in_1",
			"object":       "invoice",
			"customer":     "cus_1",
			"subscription": "sub_1",
			"status":       "paid",
		},
	}.Payload(t)

	ev, err := webhook.ConstructEventWithOptions(payload, stripetest.Sign(payload), stripetest.WebhookSecret, webhook.ConstructEventOptions{})
	if err != nil {
		t.Fatalf("ConstructEventWithOptions: %v", err)
	}
	type summary struct {
		ID, Type, APIVersion string
		Created              int64
		Customer             any
	}
	want := summary{ID: "evt_1", Type: "invoice.paid", APIVersion: stripe.APIVersion, Created: created.Unix(), Customer: "cus_1"}
	got := summary{ID: ev.ID, Type: string(ev.Type), APIVersion: ev.APIVersion, Created: ev.Created, Customer: ev.Data.Object["customer"]}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("event mismatch (-want +got):\n%s", diff)
	}
}

func TestSignPayload_ErrRejected(t *testing.T) {
	payload := stripetest.Event{ID: "evt_2", Type: "customer.subscription.deleted", Created: time.Now(), Object: map[string]any{"id": "sub_1", "object": "subscription"}}.Payload(t)
	tests := []struct {
		name    string
		payload []byte
		header  string
		want    error
	}{
		{"WrongSecret", payload, stripetest.SignPayload(payload, "whsec_other", time.Now()), webhook.ErrNoValidSignature},
		{"AlteredBody", bytes.Replace(payload, []byte("sub_1"), []byte("sub_2"), 1), stripetest.Sign(payload), webhook.ErrNoValidSignature},
		{"TooOld", payload, stripetest.SignPayload(payload, stripetest.WebhookSecret, time.Now().Add(-10*time.Minute)), webhook.ErrTooOld},
		{"NoHeader", payload, "", webhook.ErrNotSigned},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := webhook.ConstructEventWithOptions(tt.payload, tt.header, stripetest.WebhookSecret, webhook.ConstructEventOptions{})
			if !errors.Is(err, tt.want) {
				t.Errorf("ConstructEventWithOptions: err = %v; want %v", err, tt.want)
			}
		})
	}
}
