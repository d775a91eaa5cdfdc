package stripetest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v76"
)

// WebhookSecret is the signing secret of the test webhook endpoint: what
// STRIPE_WEBHOOK_SECRET holds in tests.
const WebhookSecret = "whsec_test_cooptrade"

// SignPayload returns the Stripe-Signature header that Stripe would send
// with payload, signed with secret at time at: "t=<unix seconds>,v1=<hex
// HMAC-SHA256 of "<t>.<payload>" keyed by the secret>". Sign the exact
// bytes sent as the request body.
func SignPayload(payload []byte, secret string, at time.Time) string {
	t := strconv.FormatInt(at.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(t))
	mac.Write([]byte("."))
	mac.Write(payload)
	return "t=" + t + ",v1=" + hex.EncodeToString(mac.Sum(nil))
}

// Sign returns the Stripe-Signature header of payload signed with
// WebhookSecret now.
func Sign(payload []byte) string {
	return SignPayload(payload, WebhookSecret, time.Now())
}

// Event is a webhook event as Stripe sends it, for tests to sign and post.
type Event struct {
	// ID is the event's id, evt_…; the same ID is the same event
	// delivered again.
	ID string
	// Type is the event type, such as "invoice.paid".
	Type string
	// Created is when the event happened; Stripe orders nothing, so a test
	// of events out of order gives them different times.
	Created time.Time
	// Object is data.object: a map, or a stripe-go type such as
	// *stripe.Invoice, encoded as JSON.
	Object any
	// PreviousAttributes is data.previous_attributes of *.updated events.
	PreviousAttributes map[string]any
}

// Payload returns the event as the JSON body of a webhook request, with
// the API version of stripe-go v76 (stripe.APIVersion, 2023-10-16), so that
// stripe-go's webhook package accepts it. It fails the test if the object
// cannot be encoded.
func (e Event) Payload(tb testing.TB) []byte {
	tb.Helper()
	data := map[string]any{"object": e.Object}
	if e.PreviousAttributes != nil {
		data["previous_attributes"] = e.PreviousAttributes
	}
	b, err := json.Marshal(map[string]any{
		"id":               e.ID,
		"object":           "event",
		"api_version":      stripe.APIVersion,
		"created":          e.Created.Unix(),
		"type":             e.Type,
		"livemode":         false,
		"pending_webhooks": 1,
		"request":          map[string]any{"id": nil, "idempotency_key": nil},
		"data":             data,
	})
	if err != nil {
		tb.Fatalf("stripetest: encode event %s: %v", e.ID, err)
	}
	return b
}
