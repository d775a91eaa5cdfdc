package alerting_test

import (
	"context"
	"cooptrade/cmd/marketplace/app"
	"cooptrade/cmd/marketplace/app/apptest"
	"cooptrade/marketplace"
	"cooptrade/search"
	"fmt"
	"testing"
	"time"
)

// BenchmarkEvaluateListing measures evaluating one new listing
// against 1,000 saved searches on FerretDB, as the listing:alerts job does
// (the listing and its member read, the alerts' generation read, the
// compiled alerts tried in memory), next to reading and compiling every
// alert for each listing, which is what the cache saves.
func BenchmarkEvaluateListing(b *testing.B) {
	ctx := context.Background()
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	a := apptest.Open(b, apptest.Options{Knobs: app.Knobs{Now: func() time.Time { return now }}})
	svc := a.Service
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
			if err := a.Alerts.EvaluateListing(ctx, l.ID, l.Version); err != nil {
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
