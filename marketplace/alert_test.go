package marketplace_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"cooptrade/marketplace"
	"cooptrade/search"
)

func TestDigestPeriod(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tc := range []struct {
		freq       marketplace.AlertFrequency
		now        string
		start, end string
		key        string
	}{
		{marketplace.AlertDaily, "2026-11-27T07:00:00Z", "2026-11-26T00:00:00Z", "2026-11-27T00:00:00Z", "day:2026-11-26"},
		{marketplace.AlertDaily, "2026-11-27T23:59:59Z", "2026-11-26T00:00:00Z", "2026-11-27T00:00:00Z", "day:2026-11-26"},
		{marketplace.AlertDaily, "2026-12-01T00:00:00Z", "2026-11-30T00:00:00Z", "2026-12-01T00:00:00Z", "day:2026-11-30"},
		// A time in another zone is taken in UTC.
		{marketplace.AlertDaily, "2026-11-27T01:00:00+02:00", "2026-11-25T00:00:00Z", "2026-11-26T00:00:00Z", "day:2026-11-25"},
		// 2026-11-30 is a Monday.
		{marketplace.AlertWeekly, "2026-11-30T07:00:00Z", "2026-11-23T00:00:00Z", "2026-11-30T00:00:00Z", "week:2026-11-23"},
		{marketplace.AlertWeekly, "2026-12-06T23:00:00Z", "2026-11-23T00:00:00Z", "2026-11-30T00:00:00Z", "week:2026-11-23"},
		{marketplace.AlertWeekly, "2026-12-07T00:00:00Z", "2026-11-30T00:00:00Z", "2026-12-07T00:00:00Z", "week:2026-11-30"},
		{marketplace.AlertWeekly, "2026-11-27T07:00:00Z", "2026-11-16T00:00:00Z", "2026-11-23T00:00:00Z", "week:2026-11-16"},
	} {
		start, end, key := marketplace.DigestPeriod(tc.freq, at(tc.now))
		if !start.Equal(at(tc.start)) || !end.Equal(at(tc.end)) || key != tc.key {
			t.Errorf("DigestPeriod(%s, %s) = %s, %s, %q; want %s, %s, %q", tc.freq, tc.now, start, end, key, tc.start, tc.end, tc.key)
		}
	}
}

func TestSeedQuery(t *testing.T) {
	for _, tc := range []struct {
		offer *marketplace.Listing
		want  url.Values
	}{
		{&marketplace.Listing{Kind: marketplace.KindOffer, Category: "print-runs", Area: "LS", RadiusKM: 60},
			url.Values{"kind": {"need"}, "category": {"print-runs"}, "near": {"LS"}, "radius_km": {"60"}, "remote": {"true"}}},
		{&marketplace.Listing{Kind: marketplace.KindOffer, Category: "print-runs", District: "LS25", Area: "LS", RadiusKM: 10},
			url.Values{"kind": {"need"}, "category": {"print-runs"}, "near": {"LS25"}, "radius_km": {"10"}, "remote": {"true"}}},
		{&marketplace.Listing{Kind: marketplace.KindOffer, Category: "web-development", Area: "M", Remote: true, RadiusKM: 100},
			url.Values{"kind": {"need"}, "category": {"web-development"}}},
		{&marketplace.Listing{Kind: marketplace.KindOffer, Category: "office-cleaning", Area: "EH", RadiusKM: 5000},
			url.Values{"kind": {"need"}, "category": {"office-cleaning"}, "near": {"EH"}, "radius_km": {"1000"}, "remote": {"true"}}},
	} {
		q := marketplace.SeedQuery(tc.offer)
		got, err := url.ParseQuery(q)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("SeedQuery of a %s offer (-want +got):\n%s", tc.offer.Category, diff)
		}
		if _, err := search.ParseSavedQuery(q); err != nil {
			t.Errorf("the seeded query %q is not a valid search: %v", q, err)
		}
	}
}

func TestWebhookSecretSealing(t *testing.T) {
	key, err := marketplace.WebhookSealKey([]byte("service secret"))
	if err != nil {
		t.Fatal(err)
	}
	secret, err := marketplace.NewWebhookSecret()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(secret, marketplace.WebhookSecretPrefix) || len(secret) < 40 {
		t.Fatalf("secret %q", secret)
	}
	sealed, err := marketplace.SealWebhookSecret(key, "member-1", secret)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := marketplace.SealWebhookSecret(key, "member-1", secret)
	if sealed == again || strings.Contains(sealed, secret[len(marketplace.WebhookSecretPrefix):]) {
		t.Fatalf("sealed %q: want it random each time and not to hold the secret", sealed)
	}
	if got, err := marketplace.OpenWebhookSecret(key, "member-1", sealed); err != nil || got != secret {
		t.Fatalf("opened %q, %v; want the secret", got, err)
	}
	other, _ := marketplace.WebhookSealKey([]byte("another secret"))
	// One character in the middle changed (every bit of it is data).
	mid, flip := len(sealed)/2, "A"
	if sealed[mid] == 'A' {
		flip = "Q"
	}
	tampered := sealed[:mid] + flip + sealed[mid+1:]
	for name, open := range map[string]func() (string, error){
		"AnotherKey":    func() (string, error) { return marketplace.OpenWebhookSecret(other, "member-1", sealed) },
		"AnotherMember": func() (string, error) { return marketplace.OpenWebhookSecret(key, "member-2", sealed) },
		"Tampered":      func() (string, error) { return marketplace.OpenWebhookSecret(key, "member-1", tampered) },
		"Garbage":       func() (string, error) { return marketplace.OpenWebhookSecret(key, "member-1", "v1.!!!") },
	} {
		if got, err := open(); err == nil {
			t.Errorf("%s: opened %q", name, got)
		}
	}
	if _, err := marketplace.WebhookSealKey(nil); marketplace.ErrorCode(err) != marketplace.EUNAVAILABLE {
		t.Errorf("a key from no secret: %v; want unavailable", err)
	}
}
