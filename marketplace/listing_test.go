package marketplace_test

import (
	"testing"
	"time"

	"cooptrade/marketplace"
)

func TestListing_ApplyDefaults(t *testing.T) {
	for _, tc := range []struct {
		name string
		l    marketplace.Listing
		want int
	}{
		{"Offer", marketplace.Listing{Kind: marketplace.KindOffer}, marketplace.DefaultRadiusKM},
		{"OfferWithRadius", marketplace.Listing{Kind: marketplace.KindOffer, RadiusKM: 12}, 12},
		{"RemoteOffer", marketplace.Listing{Kind: marketplace.KindOffer, Remote: true}, 0},
		{"Need", marketplace.Listing{Kind: marketplace.KindNeed}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.l.ApplyDefaults()
			if tc.l.RadiusKM != tc.want {
				t.Errorf("RadiusKM = %d; want %d", tc.l.RadiusKM, tc.want)
			}
		})
	}
}

func TestListing_Publish(t *testing.T) {
	now := time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)
	at := func(d time.Duration) *time.Time { t := now.Add(d); return &t }
	day := 24 * time.Hour
	for _, tc := range []struct {
		name               string
		expires, deadline  *time.Time
		published, wantExp *time.Time
	}{
		{"Default", nil, nil, nil, at(marketplace.DefaultListingTTL)},
		{"OwnExpiry", at(200 * day), nil, nil, at(200 * day)},
		{"PastExpiry", at(-day), nil, nil, at(marketplace.DefaultListingTTL)},
		{"Deadline", nil, at(30 * day), nil, at(30 * day)},
		{"DeadlineAfterExpiry", at(10 * day), at(30 * day), nil, at(10 * day)},
		{"PastDeadline", nil, at(-day), nil, at(marketplace.DefaultListingTTL)},
		{"Republished", nil, nil, at(-100 * day), at(marketplace.DefaultListingTTL)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := &marketplace.Listing{Status: marketplace.StatusDraft, ExpiresAt: tc.expires, Deadline: tc.deadline, PublishedAt: tc.published}
			l.Publish(now)
			if l.Status != marketplace.StatusPublished {
				t.Errorf("Status = %s", l.Status)
			}
			if !l.ExpiresAt.Equal(*tc.wantExp) {
				t.Errorf("ExpiresAt = %v; want %v", l.ExpiresAt, tc.wantExp)
			}
			wantPub := now
			if tc.published != nil {
				wantPub = *tc.published
			}
			if l.PublishedAt == nil || !l.PublishedAt.Equal(wantPub) {
				t.Errorf("PublishedAt = %v; want %v", l.PublishedAt, wantPub)
			}
		})
	}
}
