package alerting

import (
	"context"
	"cooptrade/marketplace"
	"errors"
	"slices"
	"sync"
	"time"
)

// Alerts evaluates the saved searches of every user against the listings
// published, stores what each collected, and tells their users: at once
// for instant alerts, in daily or weekly digests otherwise. It uses the
// service's stores, its reading of saved searches' queries, and its
// notifications.
type Alerts struct {
	s     *marketplace.Service
	cache alertCache
}

// New returns the alerts of the service's users.
func New(s *marketplace.Service) *Alerts { return &Alerts{s: s} }

// alertCache holds the alerts of every user, compiled and indexed by the
// kinds and categories they can match, so that evaluating a listing reads
// one small counter from storage rather than every alert. It is loaded
// again whenever the store's generation changes.
type alertCache struct {
	mu   sync.Mutex
	snap *alertSnapshot
}

type alertSnapshot struct {
	gen int64
	all []*compiledAlert
	// index: kind → category ("" for any) → alerts.
	index map[marketplace.ListingKind]map[string][]*compiledAlert
}

type compiledAlert struct {
	alert *marketplace.Alert
	query marketplace.AlertQuery
}

// candidates returns the alerts that may match a listing of the kind and
// category.
func (sn *alertSnapshot) candidates(kind marketplace.ListingKind, category string) []*compiledAlert {
	byCat := sn.index[kind]
	return append(slices.Clip(byCat[""]), byCat[category]...)
}

// load returns the current alerts, compiled.
func (x *Alerts) load(ctx context.Context) (*alertSnapshot, error) {
	gen, err := x.s.Alerts.AlertGeneration(ctx)
	if err != nil {
		return nil, err
	}
	c := &x.cache
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.snap != nil && c.snap.gen == gen {
		return c.snap, nil
	}
	sn := &alertSnapshot{gen: gen, index: map[marketplace.ListingKind]map[string][]*compiledAlert{}}
	err = x.s.Alerts.WalkAlerts(ctx, func(a *marketplace.Alert) error {
		q, err := x.s.AlertEvaluator.CompileAlert(a.Query)
		if err != nil {
			// Saved when valid; the query model may have changed since.
			x.s.Log().WarnContext(ctx, "a saved search no longer compiles; it is skipped", "alert", a.ID, "error", err)
			return nil
		}
		ca := &compiledAlert{alert: a, query: q}
		sn.all = append(sn.all, ca)
		kinds, cats := q.Scope()
		for _, k := range kinds {
			if sn.index[k] == nil {
				sn.index[k] = map[string][]*compiledAlert{}
			}
			if len(cats) == 0 {
				sn.index[k][""] = append(sn.index[k][""], ca)
			}
			for _, cat := range cats {
				sn.index[k][cat] = append(sn.index[k][cat], ca)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	c.snap = sn
	return sn, nil
}

// EvaluateListing collects a visible listing for every alert it
// satisfies, and sends instant alerts at once. A listing reaches an alert
// only when it was first published after the alert was saved (strictly), and never
// the alerts of its own member's users. It is idempotent: a hit is stored
// once per alert and listing, and an instant message once per alert,
// listing and user, whatever the version.
func (x *Alerts) EvaluateListing(ctx context.Context, id string, version int64) error {
	l, err := x.s.Listings.FindListingByID(ctx, id)
	if marketplace.ErrorCode(err) == marketplace.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	m, err := x.s.Members.FindMemberByID(ctx, l.MemberID)
	if err != nil && marketplace.ErrorCode(err) != marketplace.ENOTFOUND {
		return err
	}
	if !l.VisibleTo(m) {
		return nil
	}
	sn, err := x.load(ctx)
	if err != nil {
		return err
	}
	_, err = x.collectHits(ctx, sn, l, m, true)
	return err
}

// CatchUp evaluates, in one pass over the members and the published
// listings, the listings published since the given time against every
// alert. It makes up for evaluation work lost from the queue (the embedded
// queue forgets it at a restart). Instant messages go out only for hits
// new to the store. It returns how many hits it added.
func (x *Alerts) CatchUp(ctx context.Context, since time.Time) (int, error) {
	sn, err := x.load(ctx)
	if err != nil || len(sn.all) == 0 {
		return 0, err
	}
	members := map[string]*marketplace.Member{}
	if err := x.s.Members.WalkMembers(ctx, func(m *marketplace.Member) error {
		members[m.ID] = m
		return nil
	}); err != nil {
		return 0, err
	}
	var recent []*marketplace.Listing
	if err := x.s.Listings.WalkListings(ctx, []marketplace.ListingStatus{marketplace.StatusPublished}, func(l *marketplace.Listing) error {
		if !publishedAt(l).Before(since) {
			recent = append(recent, l)
		}
		return nil
	}); err != nil {
		return 0, err
	}
	added := 0
	var errs []error
	for _, l := range recent {
		m := members[l.MemberID]
		if !l.VisibleTo(m) {
			continue
		}
		n, err := x.collectHits(ctx, sn, l, m, false)
		added += n
		errs = append(errs, err)
	}
	return added, errors.Join(errs...)
}

func publishedAt(l *marketplace.Listing) time.Time {
	if l.PublishedAt != nil {
		return *l.PublishedAt
	}
	return l.CreatedAt
}

// collectHits stores a hit of a visible listing for each alert it is new
// to and satisfies, and sends the instant ones: for every such hit when
// again is true (a retried job may have stored a hit and died before
// sending it; the message itself is stored once), otherwise for new hits
// only. It returns how many hits it stored.
func (x *Alerts) collectHits(ctx context.Context, sn *alertSnapshot, l *marketplace.Listing, m *marketplace.Member, again bool) (int, error) {
	published := publishedAt(l)
	al := &marketplace.AlertListing{Listing: l, Member: m}
	added := 0
	var errs []error
	for _, ca := range sn.candidates(l.Kind, l.Category) {
		a := ca.alert
		if a.Paused || !published.After(a.CreatedAt) || (a.MemberID != "" && a.MemberID == l.MemberID) {
			continue
		}
		if !ca.query.Matches(al) {
			continue
		}
		h := &marketplace.AlertHit{
			AlertID: a.ID, ListingID: l.ID, UserID: a.UserID, Kind: l.Kind, Title: l.Title, MemberName: m.Name,
			Area: l.Area, Remote: l.Remote, PriceMinPence: l.PriceMinPence, PriceMaxPence: l.PriceMaxPence,
			PriceUnit: l.PriceUnit, PublishedAt: published, CreatedAt: x.s.Time(),
		}
		if a.Frequency == marketplace.AlertInstant {
			h.Digest = marketplace.DigestInstant
		}
		stored, err := x.s.Alerts.CreateAlertHit(ctx, h)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if stored {
			added++
		}
		if a.Frequency == marketplace.AlertInstant && (stored || again) {
			errs = append(errs, x.sendInstant(ctx, a, h))
		}
	}
	return added, errors.Join(errs...)
}

// sendInstant tells an alert's user about one listing.
func (x *Alerts) sendInstant(ctx context.Context, a *marketplace.Alert, h *marketplace.AlertHit) error {
	u, err := x.s.Users.FindUserByID(ctx, a.UserID)
	if marketplace.ErrorCode(err) == marketplace.ENOTFOUND {
		return nil // the user is gone; so is the point
	} else if err != nil {
		return err
	}
	link := x.s.Link("/listings/" + h.ListingID)
	msg := marketplace.AlertMessage{Alert: a, Items: []marketplace.AlertItem{{Hit: h, Link: link}}, Count: 1, Link: link}
	return x.s.NotifyUser(ctx, u, marketplace.UserNotice{
		Type: marketplace.NotifyAlert, About: "alert:" + a.ID + ":" + h.ListingID, Message: msg, Unsubscribe: "alert:" + a.ID,
		Data: map[string]string{"alert_id": a.ID, "listing_id": h.ListingID},
	})
}
