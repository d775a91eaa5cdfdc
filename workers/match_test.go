package workers_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"cooptrade/cmd/marketplace/app/apptest"
	"cooptrade/marketplace"
	"cooptrade/marketplace/matching"
	"cooptrade/marketplace/mongo"
	"cooptrade/workers"
	"cooptrade/workers/redistest"
)

// matchEnv is the env with a staff context for making members.
type matchEnv struct {
	*env
	matches *mongo.MatchStore
	staff   context.Context
	now     time.Time
}

func setupMatching(tb testing.TB) *matchEnv { return setupMatchingWith(tb, apptest.Options{}) }

func setupMatchingWith(tb testing.TB, opt apptest.Options) *matchEnv {
	tb.Helper()
	e := setupWith(tb, opt)
	me := &matchEnv{env: e, matches: e.app.Stores.Matches, now: time.Now().UTC()}
	me.staff = marketplace.NewContextWithUser(context.Background(), marketplace.SystemUser("test"))
	return me
}

func (me *matchEnv) member(tb testing.TB, name, postcode string) (*marketplace.Member, context.Context) {
	tb.Helper()
	m := &marketplace.Member{Kind: marketplace.MemberEnterprise, Name: name, Email: "hello@example.coop",
		Postcode: postcode, Standing: marketplace.StandingActive}
	if err := me.service.CreateMember(me.staff, m); err != nil {
		tb.Fatal(err)
	}
	return m, marketplace.NewContextWithUser(context.Background(), &marketplace.User{ID: "u-" + m.ID, MemberID: m.ID, Role: marketplace.RoleOwner})
}

func (me *matchEnv) publish(tb testing.TB, ctx context.Context, l *marketplace.Listing) *marketplace.Listing {
	tb.Helper()
	if err := me.service.CreateListing(ctx, l); err != nil {
		tb.Fatal(err)
	}
	p, err := me.service.PublishListing(ctx, l.ID, l.Version)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

func leafletNeed() *marketplace.Listing {
	d := time.Now().Add(60 * 24 * time.Hour)
	return &marketplace.Listing{Kind: marketplace.KindNeed, Title: "5,000 A5 leaflets for a tenants' union",
		Description: "Full colour, recycled paper, delivered in Leeds.", Category: "print-runs",
		Tags: []string{"leaflets", "recycled paper"}, Postcode: "LS6 1AA",
		PriceMinPence: 40000, PriceMaxPence: 60000, PriceUnit: "job", Deadline: &d}
}

func leafletOffer(postcode string, radius int) *marketplace.Listing {
	return &marketplace.Listing{Kind: marketplace.KindOffer, Title: "Leaflets and flyers on recycled paper",
		Description: "Short and long runs, full colour, delivered.", Category: "print-runs",
		Tags: []string{"leaflets", "recycled paper"}, Postcode: postcode, RadiusKM: radius,
		PriceMinPence: 30000, PriceMaxPence: 50000, PriceUnit: "job"}
}

func TestMatchListing(t *testing.T) {
	me := setupMatching(t)
	ctx := context.Background()
	_, kitchen := me.member(t, "Chapeltown Kitchen", "LS7 3AA")
	_, printers := me.member(t, "Leeds Print Workers", "LS9 8AB")
	_, london := me.member(t, "Hackney Print Co-op", "E8 1AA")

	need := me.publish(t, kitchen, leafletNeed())
	offer := me.publish(t, printers, leafletOffer("LS9 8AB", 50))
	far := me.publish(t, london, leafletOffer("E8 1AA", 30))

	// Matching the need finds the Leeds printer, not the London one.
	for _, l := range []*marketplace.Listing{need, offer, far} {
		if err := me.service.MatchListing(ctx, l.ID, l.Version); err != nil {
			t.Fatal(err)
		}
	}
	ms, _, err := me.matches.FindMatches(ctx, marketplace.MatchFilter{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 1 || ms[0].ID != marketplace.MatchID(offer.ID, need.ID) {
		t.Fatalf("matches %+v; want exactly the Leeds printer and the need", ms)
	}
	if ms[0].Score < matching.MatchWeights.Threshold || len(ms[0].Reasons) != 7 {
		t.Fatalf("match %+v lacks score or reasons", ms[0])
	}
	got, _ := me.listings.FindListingByID(ctx, need.ID)
	if got.MatchedVersion != need.Version {
		t.Fatalf("matched version %d; want %d", got.MatchedVersion, need.Version)
	}

	t.Run("MatchingAgainChangesNothing", func(t *testing.T) {
		if err := me.service.MatchListing(ctx, need.ID, need.Version); err != nil {
			t.Fatal(err)
		}
		again, _, _ := me.matches.FindMatches(ctx, marketplace.MatchFilter{Limit: 10})
		if len(again) != 1 || again[0].Score != ms[0].Score {
			t.Fatalf("after matching again: %+v", again)
		}
	})

	t.Run("ClosingRetires", func(t *testing.T) {
		closed, err := me.service.CloseListing(printers, offer.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		if err := me.service.MatchListing(ctx, closed.ID, closed.Version); err != nil {
			t.Fatal(err)
		}
		open, _, _ := me.matches.FindMatches(ctx, marketplace.MatchFilter{Limit: 10})
		if len(open) != 0 {
			t.Fatalf("open matches after closing the offer: %+v", open)
		}
		all, _, _ := me.matches.FindMatches(ctx, marketplace.MatchFilter{Limit: 10, IncludeRetired: true})
		if len(all) != 1 || !all[0].Retired {
			t.Fatalf("retired matches: %+v", all)
		}
	})

	t.Run("LapsedMemberIsNotMatched", func(t *testing.T) {
		_, late := me.member(t, "Late Payers Print", "LS2 7AA")
		lateOffer := me.publish(t, late, leafletOffer("LS2 7AA", 40))
		m := marketplace.UserFromContext(late).MemberID
		if _, err := me.service.ChangeStanding(me.staff, m, marketplace.StandingLapsed, "unpaid"); err != nil {
			t.Fatal(err)
		}
		if err := me.service.MatchListing(ctx, lateOffer.ID, lateOffer.Version); err != nil {
			t.Fatal(err)
		}
		if err := me.service.MatchListing(ctx, need.ID, need.Version); err != nil {
			t.Fatal(err)
		}
		open, _, _ := me.matches.FindMatches(ctx, marketplace.MatchFilter{Limit: 10})
		if len(open) != 0 {
			t.Fatalf("a lapsed member's offer was matched: %+v", open)
		}
	})
}

// TestSharedPoolAcrossProcesses checks that two processes' pools see each
// other's listings: each Put is visible to the other's next Counterparts.
func TestSharedPoolAcrossProcesses(t *testing.T) {
	rs := redistest.New(t)
	empty := func(context.Context) ([]matching.Candidate, error) { return nil, nil }
	a := workers.NewSharedPool(workers.NewRedisClient(rs.Opt()), empty)
	b := workers.NewSharedPool(workers.NewRedisClient(rs.Opt()), empty)
	ctx := context.Background()
	now := time.Now()
	need := leafletNeed()
	need.ID, need.MemberID, need.Status, need.Version, need.PublishedAt = "need1", "m1", marketplace.StatusPublished, 2, &now
	need.Normalize()
	offer := leafletOffer("LS9 8AB", 50)
	offer.ID, offer.MemberID, offer.Status, offer.Version, offer.PublishedAt = "offer1", "m2", marketplace.StatusPublished, 2, &now
	offer.Normalize()

	if err := a.Put(ctx, need, true); err != nil {
		t.Fatal(err)
	}
	if err := b.Put(ctx, offer, true); err != nil {
		t.Fatal(err)
	}
	fromA, err := a.Counterparts(ctx, offer)
	if err != nil {
		t.Fatal(err)
	}
	fromB, err := b.Counterparts(ctx, offer)
	if err != nil {
		t.Fatal(err)
	}
	for name, got := range map[string][]matching.Candidate{"a": fromA, "b": fromB} {
		if len(got) != 1 || got[0].Listing.ID != "need1" || !got[0].Words["leaflet"] {
			t.Fatalf("pool %s: counterparts of the offer = %+v; want the need, with its words", name, got)
		}
	}
	// Closing travels too.
	closed := *need
	closed.Status = marketplace.StatusClosed
	if err := b.Put(ctx, &closed, true); err != nil {
		t.Fatal(err)
	}
	if got, _ := a.Counterparts(ctx, offer); len(got) != 0 {
		t.Fatalf("pool a still offers the closed need: %+v", got)
	}
	// A third process starting now loads storage and then the stream.
	c := workers.NewSharedPool(workers.NewRedisClient(rs.Opt()), func(context.Context) ([]matching.Candidate, error) {
		return []matching.Candidate{matching.NewCandidate(offer, true)}, nil
	})
	if got, _ := c.Counterparts(ctx, need); len(got) != 1 || got[0].Listing.ID != "offer1" {
		t.Fatalf("a new process's counterparts of the need = %+v; want the offer", got)
	}
}

// TestMatchStandsWhileBestOfEitherSide checks that a match stays open while
// it is among the best of either listing: a need keeps a good supplier when
// the supplier, matched again, has more than MaxMatchesPerListing better
// needs.
func TestMatchStandsWhileBestOfEitherSide(t *testing.T) {
	me := setupMatching(t)
	ctx := context.Background()
	_, printers := me.member(t, "Leeds Print Workers", "LS9 8AB")
	_, far := me.member(t, "Mancunian Tenants", "M1 1AA")
	offer := me.publish(t, printers, leafletOffer("LS9 8AB", 400))
	weaker := leafletNeed()
	weaker.Postcode, weaker.Deadline, weaker.Tags = "M1 1AA", nil, []string{"leaflets"}
	weaker = me.publish(t, far, weaker)
	if err := me.service.MatchListing(ctx, weaker.ID, weaker.Version); err != nil {
		t.Fatal(err)
	}
	id := marketplace.MatchID(offer.ID, weaker.ID)
	if m, err := me.matches.FindMatchByID(ctx, id); err != nil || m.Retired {
		t.Fatalf("the weaker need's match: %+v, %v", m, err)
	}

	// More than enough better needs for the offer.
	for i := range marketplace.MaxMatchesPerListing {
		_, kitchen := me.member(t, fmt.Sprintf("Kitchen %d", i), "LS7 3AA")
		n := me.publish(t, kitchen, leafletNeed())
		if err := me.service.MatchListing(ctx, n.ID, n.Version); err != nil {
			t.Fatal(err)
		}
	}
	if err := me.service.MatchListing(ctx, offer.ID, offer.Version); err != nil {
		t.Fatal(err)
	}
	best, _, err := me.matches.FindMatches(ctx, marketplace.MatchFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(best) != marketplace.MaxMatchesPerListing+1 {
		t.Errorf("%d open matches; want the offer's %d best and the weaker need's", len(best), marketplace.MaxMatchesPerListing)
	}
	m, err := me.matches.FindMatchByID(ctx, id)
	if err != nil || m.Retired {
		t.Fatalf("the weaker need lost its supplier when the supplier was matched again: %+v, %v", m, err)
	}
	for _, b := range best {
		if b.ID != id && b.Score <= m.Score {
			t.Fatalf("match %s scores %.1f, not above the weaker need's %.1f: the test proves nothing", b.ID, b.Score, m.Score)
		}
	}
}
