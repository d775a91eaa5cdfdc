package marketplace_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"cooptrade/cmd/marketplace/app"
	"cooptrade/cmd/marketplace/app/apptest"
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

// BenchmarkEvaluateListingAlerts measures evaluating one new listing
// against 1,000 saved searches on FerretDB, as the listing:alerts job does
// (the listing and its member read, the alerts' generation read, the
// compiled alerts tried in memory), next to reading and compiling every
// alert for each listing, which is what the cache saves.
func BenchmarkEvaluateListingAlerts(b *testing.B) {
	ctx := context.Background()
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	svc := apptest.Open(b, apptest.Options{Knobs: app.Knobs{Now: func() time.Time { return now }}}).Service
	m := &marketplace.Member{Kind: marketplace.MemberEnterprise, Name: "Leeds Print Workers", Email: "hello@example.coop",
		Postcode: "LS9 8AB", Standing: marketplace.StandingActive, Version: 1, CreatedAt: now, UpdatedAt: now}
	m.Normalize()
	if err := svc.Members.CreateMember(ctx, m); err != nil {
		b.Fatal(err)
	}
	published := now.Add(time.Hour)
	l := &marketplace.Listing{MemberID: m.ID, Kind: marketplace.KindOffer, Title: "Leaflets and flyers on recycled paper",
		Description: "Short and long runs, full colour, delivered.", Category: "print-runs", Tags: []string{"leaflets"},
		Postcode: "LS9 8AB", RadiusKM: 50, Status: marketplace.StatusPublished, Version: 1,
		CreatedAt: published, UpdatedAt: published, PublishedAt: &published}
	l.Normalize()
	if err := svc.Listings.CreateListing(ctx, l); err != nil {
		b.Fatal(err)
	}
	// Words no listing has, in every category: each alert is tried, none
	// matches, so nothing is stored or sent while timing.
	var cats []string
	for _, s := range marketplace.Taxonomy.Sectors {
		for _, c := range s.Categories {
			cats = append(cats, c.Slug)
		}
	}
	const alerts = 1000
	for i := range alerts {
		q := fmt.Sprintf("q=zebra%d&near=LS&radius_km=50", i)
		if i%2 == 0 {
			q += "&category=" + cats[i%len(cats)]
		}
		a := &marketplace.Alert{UserID: fmt.Sprintf("user%d", i), Name: "alert", Query: q, Frequency: marketplace.AlertInstant,
			Version: 1, CreatedAt: now, UpdatedAt: now}
		if err := svc.Alerts.CreateAlert(ctx, a); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("Cached", func(b *testing.B) {
		for b.Loop() {
			if err := svc.EvaluateListingAlerts(ctx, l.ID, l.Version); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ReadEveryAlert", func(b *testing.B) {
		for b.Loop() {
			got, err := svc.Listings.FindListingByID(ctx, l.ID)
			if err != nil {
				b.Fatal(err)
			}
			member, err := svc.Members.FindMemberByID(ctx, got.MemberID)
			if err != nil {
				b.Fatal(err)
			}
			al := &marketplace.AlertListing{Listing: got, Member: member}
			err = svc.Alerts.WalkAlerts(ctx, func(a *marketplace.Alert) error {
				q, err := search.AlertEvaluator{}.CompileAlert(a.Query)
				if err != nil {
					return err
				}
				q.Matches(al)
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
}
