package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"cooptrade/marketplace"
	"cooptrade/payments"
	"cooptrade/payments/stripetest"
)

// fuzzRoutes are the routes FuzzAPIRequest sends to; {listing}, {member}
// and {match} name real things, so that bodies are read.
var fuzzRoutes = []struct{ method, path string }{
	{"GET", "/v1/search"}, {"GET", "/v1/listings"}, {"GET", "/v1/matches"}, {"GET", "/v1/staff/matches"},
	{"GET", "/v1/inbox"}, {"GET", "/v1/staff/audit"}, {"GET", "/v1/staff/stats"}, {"GET", "/v1/members"},
	{"GET", "/v1/staff/applications"}, {"GET", "/v1/dues"}, {"GET", "/v1/alerts"}, {"GET", "/unsubscribe"},
	{"POST", "/v1/listings"}, {"PATCH", "/v1/listings/{listing}"}, {"PATCH", "/v1/members/{member}"},
	{"POST", "/v1/members"}, {"POST", "/v1/alerts"}, {"PUT", "/v1/me/preferences"}, {"POST", "/v1/dues/application"},
	{"POST", "/v1/staff/matches/{match}/outcome"}, {"POST", "/v1/staff/members/{member}/offline-payment"},
	{"PUT", "/v1/members/{member}/webhook"}, {"POST", "/v1/auth/login"}, {"POST", "/unsubscribe"},
	{"GET", "/v1/listings/{listing}"}, {"GET", "/v1/members/{member}"},
}

// fuzzServer is a test server with a member, its owner, staff, listings
// and a match, for the fuzz targets.
type fuzzServer struct {
	*testServer
	pay                  *payments.Service
	owner, staff         string
	listing, member, mID string
}

func newFuzzServer(f *testing.F) *fuzzServer {
	fs := &fuzzServer{}
	fs.testServer = newTestServer(f, options{LoginsPerMinute: 1 << 30, WritesPerMinute: 1 << 30, Stripe: true})
	fs.pay = fs.Payments
	fs.staff = fs.staffToken(f)
	m, owner := fs.memberWithOwner(f, fs.staff, "Pennine Print Co-op", marketplace.StandingActive)
	_, kitchen := fs.memberWithOwner(f, fs.staff, "Chapeltown Kitchen", marketplace.StandingActive)
	n := fs.publishedListing(f, kitchen, need("5,000 A5 leaflets for a tenants' union"))
	o := fs.publishedListing(f, owner, offerBody("Leaflets and flyers on recycled paper"))
	fs.owner, fs.listing, fs.member, fs.mID = owner, o.ID, m.ID, fs.storeMatch(f, o, n).ID
	return fs
}

// FuzzAPIRequest sends requests whose query string and JSON body are made
// up, signed in as a member's owner or as staff, to routes that read
// numbers, cursors, filters and bodies. None may be answered with a 5xx,
// and every refusal is a problem.
func FuzzAPIRequest(f *testing.F) {
	fs := newFuzzServer(f)
	for i, r := range fuzzRoutes {
		f.Add(uint8(i), false, "cursor=NaN~x&limit=5", `{}`)
		if r.method != "GET" {
			f.Add(uint8(i), true, "", `{"title":{"$gt":""},"price_min_pence":1e400}`)
		}
	}
	f.Add(uint8(0), false, "q=prnting&near=LS6&radius_km=30&sort=nearest&facets=category,tags", "")
	f.Add(uint8(2), false, "min_score=NaN&cursor=100.0~65a1b2c3d4e5f60718293a4b", "")
	f.Add(uint8(12), false, "", `{"kind":"need","title":"Leaflets","category":"print-runs","postcode":"LS6 1AA","deadline":"2027-13-45"}`)
	f.Add(uint8(18), false, "", `{"year":2027,"labour_costs_pence":-9223372036854775808}`)
	f.Add(uint8(6), true, "from=2026-02-30&to=0000-01-01", "")
	f.Fuzz(func(t *testing.T, route uint8, asStaff bool, query, body string) {
		r := fuzzRoutes[int(route)%len(fuzzRoutes)]
		path := strings.NewReplacer("{listing}", fs.listing, "{member}", fs.member, "{match}", fs.mID).Replace(r.path)
		// What an HTTP client can send at all: control characters and
		// spaces escaped.
		if _, err := url.ParseQuery(query); err != nil || strings.IndexFunc(query, func(r rune) bool { return r <= ' ' || r == '#' || r >= 0x7f }) >= 0 {
			query = url.QueryEscape(query)
		}
		token := fs.owner
		if asStaff {
			token = fs.staff
		}
		var b any
		if r.method != "GET" {
			b = body
		}
		res := fs.do(t, r.method, path+"?"+query, token, b, "If-Match", "*")
		if res.Status >= 500 {
			t.Fatalf("%s %s?%s %q: %d %s", r.method, path, query, body, res.Status, res.Body)
		}
		if res.Status >= 400 && !strings.HasPrefix(res.Header.Get("Content-Type"), "application/problem+json") {
			t.Fatalf("%s %s?%s: %d without a problem", r.method, path, query, res.Status)
		}
	})
}

// stripeEventTypes are the events the dues read, and one they do not.
var stripeEventTypes = []string{
	"checkout.session.completed", "customer.subscription.created", "customer.subscription.updated",
	"customer.subscription.deleted", "invoice.paid", "invoice.payment_failed", "invoice.payment_action_required",
	"invoice.upcoming", "charge.refunded",
}

// FuzzStripeWebhook signs made-up events as Stripe would, posts them and
// applies those stored: the webhook never answers 5xx, and an event that
// cannot be applied is recorded as refused, never a crash. The event is
// built from its parts (type, times, status, whose it is) with an object
// that may be made up entirely, so that most of what is tried is read as
// far as the dues go.
func FuzzStripeWebhook(f *testing.F) {
	fs := newFuzzServer(f)
	f.Add(uint8(4), int64(1795770000), int64(1795770000), int64(1827306000), "active", true, "")
	f.Add(uint8(2), int64(-1), int64(0), int64(9223372036854775807), "past_due", true, "")
	f.Add(uint8(0), int64(0), int64(1), int64(2), "paid", false, `{"mode":"subscription","payment_status":"paid","client_reference_id":"MEMBER","customer":null,"subscription":{"id":["x"]}}`)
	f.Add(uint8(7), int64(1), int64(-62135596801), int64(253402300800), "", true, `{"subscription":"sub_1","period_end":-62135596801,"customer":"cus_1","lines":{"data":[{"period":{"start":1e300}}]}}`)
	f.Add(uint8(3), int64(1795770000), int64(0), int64(0), "canceled", true, `[]`)
	f.Fuzz(func(t *testing.T, typ uint8, created, start, end int64, status string, ours bool, object string) {
		member := "65a1b2c3d4e5f60718293a4b"
		if ours {
			member = fs.member
		}
		var obj any
		if object == "" || json.Unmarshal([]byte(strings.ReplaceAll(object, "MEMBER", member)), &obj) != nil {
			meta := map[string]any{"member_id": member}
			obj = map[string]any{
				"id": "sub_fuzz", "object": "subscription", "status": status, "mode": "subscription", "payment_status": status,
				"client_reference_id": member, "metadata": meta, "customer": "cus_fuzz", "subscription": "sub_fuzz",
				"current_period_end": end, "period_start": start, "period_end": end, "billing_reason": status,
				"subscription_details": map[string]any{"metadata": meta},
				"lines":                map[string]any{"data": []any{map[string]any{"period": map[string]any{"start": start, "end": end}}}},
			}
		}
		ev := map[string]any{
			"id": fmt.Sprintf("evt_fuzz_%d_%d_%d_%d", typ, created, start, end), "object": "event", "api_version": "2023-10-16",
			"type": stripeEventTypes[int(typ)%len(stripeEventTypes)], "created": created, "data": map[string]any{"object": obj},
		}
		body, err := json.Marshal(ev)
		if err != nil {
			t.Skip()
		}
		res := fs.do(t, "POST", "/v1/stripe/webhook", "", body, "Stripe-Signature", stripetest.Sign(body))
		if res.Status >= 500 {
			t.Fatalf("webhook %s: %d %s", body, res.Status, res.Body)
		}
		if res.Status != 200 {
			return
		}
		var receipt struct {
			EventID string `json:"event_id"`
		}
		res.decode(t, &receipt)
		job, _ := json.Marshal(payments.EventPayload{EventID: receipt.EventID})
		if err := fs.pay.HandleStripeEvent(context.Background(), job); err != nil && marketplace.ErrorCode(err) == marketplace.EINTERNAL {
			t.Fatalf("applying %s: %v", body, err)
		}
	})
}
