package marketplace

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	texttemplate "text/template"
	"time"
)

// CreateAlert saves a search for the signed-in user. The query, which is
// required, is checked as GET /v1/search would check it (field errors are
// named "query.<param>");
// the frequency defaults to daily and the name to a description of the
// query. A user keeps at most MaxAlertsPerUser alerts (ECONFLICT beyond).
func (s *Service) CreateAlert(ctx context.Context, in NewAlert) (*Alert, error) {
	me := UserFromContext(ctx)
	if me == nil {
		return nil, Errorf(EUNAUTHORIZED, "Sign in first.")
	}
	in.Query = normalizeAlertQuery(in.Query)
	in.Name = strings.Join(strings.Fields(in.Name), " ")
	if in.Frequency == "" {
		in.Frequency = AlertDaily
	}
	var fe fieldErrors
	var q AlertQuery
	switch {
	case in.Query == "":
		fe.add("query", "is required: the query string of a search, such as q=leaflets&kind=need")
	case len(in.Query) > MaxAlertQueryLen:
		fe.add("query", "must be at most %d characters", MaxAlertQueryLen)
	default:
		var err error
		if q, err = s.AlertEvaluator.CompileAlert(in.Query); err != nil {
			if ErrorCode(err) != EINVALID {
				return nil, err
			}
			for _, f := range ErrorFields(err) {
				fe.add("query."+f.Field, "%s", f.Message)
			}
			if len(ErrorFields(err)) == 0 {
				fe.add("query", "%s", ErrorMessage(err))
			}
		}
	}
	checkAlertFields(&fe, &in.Name, &in.Frequency)
	if err := fe.err(); err != nil {
		return nil, err
	}
	if in.Name == "" {
		in.Name = truncate(q.Describe(), 120)
	}
	mine, err := s.Alerts.FindAlertsByUser(ctx, me.ID)
	if err != nil {
		return nil, err
	}
	if len(mine) >= MaxAlertsPerUser {
		return nil, Errorf(ECONFLICT, "You have %d saved searches, the most one person may keep; delete one first.", len(mine))
	}
	now := s.now()
	a := &Alert{UserID: me.ID, MemberID: me.MemberID, Name: in.Name, Query: in.Query, Frequency: in.Frequency,
		Version: 1, CreatedAt: now, UpdatedAt: now}
	if err := s.Alerts.CreateAlert(ctx, a); err != nil {
		return nil, err
	}
	return a, nil
}

// checkAlertFields checks (and tidies) the fields of an alert a user may
// set besides its query.
func checkAlertFields(fe *fieldErrors, name *string, freq *AlertFrequency) {
	if name != nil {
		*name = strings.Join(strings.Fields(*name), " ")
		if len([]rune(*name)) > 120 {
			fe.add("name", "must be at most 120 characters")
		} else if hasControl(*name, false) {
			fe.add("name", "must not contain control characters")
		}
	}
	if freq != nil && !freq.Valid() {
		fe.add("frequency", "must be one of: instant, daily, weekly")
	}
}

// FindMyAlerts returns the signed-in user's alerts, newest first.
func (s *Service) FindMyAlerts(ctx context.Context) ([]*Alert, error) {
	me := UserFromContext(ctx)
	if me == nil {
		return nil, Errorf(EUNAUTHORIZED, "Sign in first.")
	}
	return s.Alerts.FindAlertsByUser(ctx, me.ID)
}

// FindAlert returns one of the signed-in user's alerts; others' alerts are
// ENOTFOUND.
func (s *Service) FindAlert(ctx context.Context, id string) (*Alert, error) {
	me := UserFromContext(ctx)
	if me == nil {
		return nil, Errorf(EUNAUTHORIZED, "Sign in first.")
	}
	a, err := s.Alerts.FindAlertByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if a.UserID != me.ID {
		return nil, Errorf(ENOTFOUND, "No such alert.")
	}
	return a, nil
}

// UpdateAlert renames, pauses, resumes or changes the frequency of one of
// the signed-in user's alerts. version is the version the caller read (0:
// the current one); a stale one gets EPRECONDITION.
func (s *Service) UpdateAlert(ctx context.Context, id string, version int64, upd AlertUpdate) (*Alert, error) {
	a, err := s.FindAlert(ctx, id)
	if err != nil {
		return nil, err
	}
	if version == 0 {
		version = a.Version
	} else if version != a.Version {
		return nil, Errorf(EPRECONDITION, "The alert has changed since version %d; fetch it again.", version)
	}
	var fe fieldErrors
	checkAlertFields(&fe, upd.Name, upd.Frequency)
	if upd.Name != nil && *upd.Name == "" {
		fe.add("name", "must not be empty")
	}
	if err := fe.err(); err != nil {
		return nil, err
	}
	set(&a.Name, upd.Name)
	set(&a.Frequency, upd.Frequency)
	set(&a.Paused, upd.Paused)
	a.UpdatedAt = s.now()
	if err := s.Alerts.UpdateAlert(ctx, a, version); err != nil {
		return nil, err
	}
	return a, nil
}

// DeleteAlert deletes one of the signed-in user's alerts and what it
// collected.
func (s *Service) DeleteAlert(ctx context.Context, id string) error {
	a, err := s.FindAlert(ctx, id)
	if err != nil {
		return err
	}
	return s.Alerts.DeleteAlert(ctx, a.ID)
}

// SeedAlerts saves, for each published offer of the signed-in user's
// member, a search for the needs its offer could answer: needs in the
// offer's category that it reaches (within its radius of its postcode
// area, or UK-wide and remote needs; anywhere for a UK-wide offer). An offer
// that already has such an alert of the user's is passed over, so seeding
// twice adds nothing. It returns the alerts it saved.
func (s *Service) SeedAlerts(ctx context.Context, freq AlertFrequency) ([]*Alert, error) {
	me := UserFromContext(ctx)
	if me == nil {
		return nil, Errorf(EUNAUTHORIZED, "Sign in first.")
	}
	if me.MemberID == "" {
		return nil, Errorf(EFORBIDDEN, "Only users of a member have offers to seed alerts from.")
	}
	if freq == "" {
		freq = AlertDaily
	}
	var fe fieldErrors
	checkAlertFields(&fe, nil, &freq)
	if err := fe.err(); err != nil {
		return nil, err
	}
	mine, err := s.Alerts.FindAlertsByUser(ctx, me.ID)
	if err != nil {
		return nil, err
	}
	seeded := map[string]bool{}
	for _, a := range mine {
		if a.SourceListingID != "" {
			seeded[a.SourceListingID] = true
		}
	}
	var offers []*Listing
	cursor := ""
	for {
		page, next, err := s.Listings.FindListings(ctx, ListingFilter{MemberID: me.MemberID, Kind: KindOffer,
			Statuses: []ListingStatus{StatusPublished}, Cursor: cursor, Limit: MaxPageSize})
		if err != nil {
			return nil, err
		}
		for _, l := range page {
			if !seeded[l.ID] {
				offers = append(offers, l)
			}
		}
		if next == "" {
			break
		}
		cursor = next
	}
	room := MaxAlertsPerUser - len(mine)
	if len(offers) > 0 && room <= 0 {
		return nil, Errorf(ECONFLICT, "You have %d saved searches, the most one person may keep; delete some first.", len(mine))
	}
	created := []*Alert{}
	for _, o := range offers {
		if len(created) == room {
			break
		}
		query := SeedQuery(o)
		if _, err := s.AlertEvaluator.CompileAlert(query); err != nil {
			return created, fmt.Errorf("marketplace: seed an alert from listing %s: %w", o.ID, err)
		}
		now := s.now()
		a := &Alert{UserID: me.ID, MemberID: me.MemberID, Name: truncate("Needs for your offer: "+o.Title, 120),
			Query: query, Frequency: freq, SourceListingID: o.ID, Version: 1, CreatedAt: now, UpdatedAt: now}
		if err := s.Alerts.CreateAlert(ctx, a); err != nil {
			return created, err
		}
		created = append(created, a)
	}
	return created, nil
}

// SeedQuery is the saved search for the needs an offer could answer: needs
// in its category within its radius of its postcode area, UK-wide and
// remote needs included; for a UK-wide or remote offer, needs in its
// category anywhere.
func SeedQuery(o *Listing) string {
	v := url.Values{"kind": {string(KindNeed)}, "category": {o.Category}}
	if !o.Remote && o.Area != "" {
		v.Set("near", o.Area)
		v.Set("radius_km", strconv.Itoa(min(max(o.RadiusKM, 1), MaxRadiusKM)))
		v.Set("remote", "true")
	}
	return v.Encode()
}

// UnsubscribeAlert implements AlertUnsubscriber: it pauses the alert, so
// that it collects and sends nothing more (neither e-mail nor inbox items),
// until its user resumes it. An alert already deleted is no error: nothing
// more will come of it either.
func (s *Service) UnsubscribeAlert(ctx context.Context, userID, alertID string) (string, error) {
	a, err := s.Alerts.FindAlertByID(ctx, alertID)
	if ErrorCode(err) == ENOTFOUND {
		return "This saved search no longer exists; nothing more will be sent for it.", nil
	} else if err != nil {
		return "", err
	}
	if a.UserID != userID {
		return "", Invalid(FieldError{Field: "token", Message: "is not a valid unsubscribe link"})
	}
	if !a.Paused {
		version := a.Version
		a.Paused, a.UpdatedAt = true, s.now()
		if err := s.Alerts.UpdateAlert(ctx, a, version); err != nil {
			return "", err
		}
	}
	return fmt.Sprintf("Your saved search %q is paused: you will get no more e-mails or inbox items from it. You can resume or delete it among your alerts.", a.Name), nil
}

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
	index map[ListingKind]map[string][]*compiledAlert
}

type compiledAlert struct {
	alert *Alert
	query AlertQuery
}

// candidates returns the alerts that may match a listing of the kind and
// category.
func (sn *alertSnapshot) candidates(kind ListingKind, category string) []*compiledAlert {
	byCat := sn.index[kind]
	return append(slices.Clip(byCat[""]), byCat[category]...)
}

// loadAlerts returns the current alerts, compiled.
func (s *Service) loadAlerts(ctx context.Context) (*alertSnapshot, error) {
	gen, err := s.Alerts.AlertGeneration(ctx)
	if err != nil {
		return nil, err
	}
	c := &s.alertCache
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.snap != nil && c.snap.gen == gen {
		return c.snap, nil
	}
	sn := &alertSnapshot{gen: gen, index: map[ListingKind]map[string][]*compiledAlert{}}
	err = s.Alerts.WalkAlerts(ctx, func(a *Alert) error {
		q, err := s.AlertEvaluator.CompileAlert(a.Query)
		if err != nil {
			// Saved when valid; the query model may have changed since.
			s.logger().WarnContext(ctx, "a saved search no longer compiles; it is skipped", "alert", a.ID, "error", err)
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

// EvaluateListingAlerts collects a visible listing for every alert it
// satisfies, and sends instant alerts at once. A listing reaches an alert
// only when it was first published after the alert was saved (strictly), and never
// the alerts of its own member's users. It is idempotent: a hit is stored
// once per alert and listing, and an instant message once per alert,
// listing and user, whatever the version.
func (s *Service) EvaluateListingAlerts(ctx context.Context, id string, version int64) error {
	l, err := s.Listings.FindListingByID(ctx, id)
	if ErrorCode(err) == ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	m, err := s.Members.FindMemberByID(ctx, l.MemberID)
	if err != nil && ErrorCode(err) != ENOTFOUND {
		return err
	}
	if !l.VisibleTo(m) {
		return nil
	}
	sn, err := s.loadAlerts(ctx)
	if err != nil {
		return err
	}
	_, err = s.collectHits(ctx, sn, l, m, true)
	return err
}

// CatchUpAlerts evaluates, in one pass over the members and the published
// listings, the listings published since the given time against every
// alert. It makes up for evaluation work lost from the queue (the embedded
// queue forgets it at a restart). Instant messages go out only for hits
// new to the store. It returns how many hits it added.
func (s *Service) CatchUpAlerts(ctx context.Context, since time.Time) (int, error) {
	sn, err := s.loadAlerts(ctx)
	if err != nil || len(sn.all) == 0 {
		return 0, err
	}
	members := map[string]*Member{}
	if err := s.Members.WalkMembers(ctx, func(m *Member) error {
		members[m.ID] = m
		return nil
	}); err != nil {
		return 0, err
	}
	var recent []*Listing
	if err := s.Listings.WalkListings(ctx, []ListingStatus{StatusPublished}, func(l *Listing) error {
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
		n, err := s.collectHits(ctx, sn, l, m, false)
		added += n
		errs = append(errs, err)
	}
	return added, errors.Join(errs...)
}

func publishedAt(l *Listing) time.Time {
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
func (s *Service) collectHits(ctx context.Context, sn *alertSnapshot, l *Listing, m *Member, again bool) (int, error) {
	published := publishedAt(l)
	al := &AlertListing{Listing: l, Member: m}
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
		h := &AlertHit{
			AlertID: a.ID, ListingID: l.ID, UserID: a.UserID, Kind: l.Kind, Title: l.Title, MemberName: m.Name,
			Area: l.Area, Remote: l.Remote, PriceMinPence: l.PriceMinPence, PriceMaxPence: l.PriceMaxPence,
			PriceUnit: l.PriceUnit, PublishedAt: published, CreatedAt: s.now(),
		}
		if a.Frequency == AlertInstant {
			h.Digest = DigestInstant
		}
		stored, err := s.Alerts.CreateAlertHit(ctx, h)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if stored {
			added++
		}
		if a.Frequency == AlertInstant && (stored || again) {
			errs = append(errs, s.sendInstantAlert(ctx, a, h))
		}
	}
	return added, errors.Join(errs...)
}

// sendInstantAlert tells an alert's user about one listing.
func (s *Service) sendInstantAlert(ctx context.Context, a *Alert, h *AlertHit) error {
	u, err := s.Users.FindUserByID(ctx, a.UserID)
	if ErrorCode(err) == ENOTFOUND {
		return nil // the user is gone; so is the point
	} else if err != nil {
		return err
	}
	item := s.digestItem(h)
	msg := alertMessage{Alert: a, Items: []digestItem{item}, Intro: "A new listing matches your saved search.",
		Link: item.Link}
	subject := "New " + string(h.Kind) + " for your saved search: " + h.Title
	return s.notifyUser(ctx, u, NotifyAlert, "alert:"+a.ID+":"+h.ListingID, truncate(subject, 200), msg,
		"alert:"+a.ID, map[string]string{"alert_id": a.ID, "listing_id": h.ListingID})
}

// SendAlertDigests sends each alert of the frequency (daily or weekly) one
// digest of the hits it collected before the end of the period now falls
// after (see DigestPeriod) that no digest carried yet: the newest
// MaxDigestItems of them, and how many more there were. An alert that
// found nothing sends nothing. Hits are marked with the period before the
// digest is stored, and the digest is stored under a key of the alert and
// the period, so a job run twice, or retried after dying halfway, sends
// each digest once and each hit in one digest only. A run that was missed
// is made up by the next: hits wait until a digest carries them. It returns
// how many alerts had something to send.
func (s *Service) SendAlertDigests(ctx context.Context, freq AlertFrequency) (int, error) {
	if freq != AlertDaily && freq != AlertWeekly {
		return 0, Errorf(EINVALID, "Digests are daily or weekly, not %q.", freq)
	}
	start, end, period := DigestPeriod(freq, s.now())
	sn, err := s.loadAlerts(ctx)
	if err != nil {
		return 0, err
	}
	alerts := map[string]*Alert{}
	var ids []string
	for _, ca := range sn.all {
		if a := ca.alert; a.Frequency == freq && !a.Paused {
			alerts[a.ID] = a
			ids = append(ids, a.ID)
		}
	}
	if len(ids) == 0 {
		return 0, nil
	}
	hits, err := s.Alerts.FindAlertHits(ctx, AlertHitFilter{AlertIDs: ids, Digests: []string{"", period}, Before: end})
	if err != nil {
		return 0, err
	}
	var fresh []string
	byAlert := map[string][]*AlertHit{}
	for _, h := range hits {
		if h.Digest == "" {
			fresh = append(fresh, AlertHitID(h.AlertID, h.ListingID))
		}
		byAlert[h.AlertID] = append(byAlert[h.AlertID], h)
	}
	if len(fresh) > 0 {
		if err := s.Alerts.MarkAlertHits(ctx, fresh, period); err != nil {
			return 0, err
		}
	}
	sent := 0
	var errs []error
	for _, id := range ids {
		hs := byAlert[id]
		if len(hs) == 0 {
			continue
		}
		errs = append(errs, s.sendDigest(ctx, alerts[id], hs, freq, period, start, end))
		sent++
	}
	return sent, errors.Join(errs...)
}

// sendDigest tells an alert's user about the listings of one period.
func (s *Service) sendDigest(ctx context.Context, a *Alert, hits []*AlertHit, freq AlertFrequency, period string, start, end time.Time) error {
	u, err := s.Users.FindUserByID(ctx, a.UserID)
	if ErrorCode(err) == ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	sort.Slice(hits, func(i, j int) bool {
		if !hits[i].PublishedAt.Equal(hits[j].PublishedAt) {
			return hits[i].PublishedAt.After(hits[j].PublishedAt)
		}
		return hits[i].ListingID > hits[j].ListingID
	})
	shown := hits[:min(len(hits), MaxDigestItems)]
	msg := alertMessage{Alert: a, More: len(hits) - len(shown), Link: s.link("/search?" + a.Query)}
	for _, h := range shown {
		msg.Items = append(msg.Items, s.digestItem(h))
	}
	what := "new listing"
	if len(hits) != 1 {
		what = "new listings"
	}
	span := "on " + start.Format("Monday 2 January")
	if freq == AlertWeekly {
		span = "in the week of " + start.Format("2 January")
	}
	msg.Intro = fmt.Sprintf("%d %s matched your saved search %s.", len(hits), what, span)
	subject := fmt.Sprintf("%d %s for your saved search: %s", len(hits), what, a.Name)
	return s.notifyUser(ctx, u, NotifyAlert, "alert:"+a.ID+":"+period, truncate(subject, 200), msg, "alert:"+a.ID,
		map[string]string{"alert_id": a.ID, "period": period, "count": strconv.Itoa(len(hits)),
			"period_start": start.Format(time.RFC3339), "period_end": end.Format(time.RFC3339)})
}

// notifyUser sends one notification to one user: an inbox item and an
// e-mail, each if the user wants it, the e-mail with an unsubscribe link
// for the subject (see UnsubscribeToken).
func (s *Service) notifyUser(ctx context.Context, u *User, typ, about, subject string, msg renderable, unsubscribe string, data map[string]string) error {
	text, html := msg.render()
	link := msg.link()
	prefs, err := s.Preferences.FindPreferences(ctx, u.ID)
	if err != nil {
		return err
	}
	if prefs.Wants(u, typ, ChannelInbox) {
		if err := s.notify(ctx, &Notification{
			ID: NotificationKey(about, "user:"+u.ID, ChannelInbox), Type: typ, Channel: ChannelInbox,
			MemberID: u.MemberID, UserID: u.ID, Subject: subject, Text: text, Link: link, Data: data,
		}); err != nil {
			return err
		}
	}
	if prefs.Wants(u, typ, ChannelEmail) && u.Email != "" {
		unsub := s.unsubscribeLink(u.ID, unsubscribe)
		if err := s.notify(ctx, &Notification{
			ID: NotificationKey(about, "user:"+u.ID, ChannelEmail), Type: typ, Channel: ChannelEmail,
			MemberID: u.MemberID, UserID: u.ID, To: u.Email, Subject: subject,
			Text: text + "\n\nTo stop the e-mails of this saved search: " + unsub + "\n",
			HTML: html + `<p style="color:#555;font-size:13px">To stop the e-mails of this saved search, <a href="` + template.HTMLEscapeString(unsub) + `">unsubscribe</a>.</p>`,
			Link: link, Unsubscribe: unsub, Data: data,
		}); err != nil {
			return err
		}
	}
	return nil
}

// digestItem is one listing as a message shows it.
type digestItem struct {
	Kind   ListingKind
	Title  string
	Member string
	Place  string
	Price  string
	Link   string
}

func (s *Service) digestItem(h *AlertHit) digestItem {
	place := h.Area
	if h.Remote {
		place = strings.TrimPrefix(place+", UK-wide or remote", ", ")
	}
	return digestItem{Kind: h.Kind, Title: h.Title, Member: h.MemberName, Place: place,
		Price: formatPrice(h.PriceMinPence, h.PriceMaxPence, h.PriceUnit), Link: s.link("/listings/" + h.ListingID)}
}

// formatPrice writes a price range in pounds: "£400–£600 per job".
func formatPrice(lo, hi int64, unit string) string {
	if lo == 0 && hi == 0 {
		return ""
	}
	out := Pounds(hi)
	if lo != hi && lo > 0 {
		out = Pounds(lo) + "–" + Pounds(hi)
	}
	if unit != "" {
		out += " per " + unit
	}
	return out
}

// alertMessage is an instant alert (one item) or a digest.
type alertMessage struct {
	Alert *Alert
	Intro string
	Items []digestItem
	More  int
	Link  string
}

func (m alertMessage) link() string { return m.Link }

// alertText is plain text: it is written with text/template, so that
// nothing is HTML-escaped in it.
var alertText = texttemplate.Must(texttemplate.New("alert-text").Parse(`{{.Intro}}

Saved search: {{.Alert.Name}}
{{range .Items}}
- {{.Title}} ({{.Kind}}{{if .Member}}, {{.Member}}{{end}}{{if .Place}}, {{.Place}}{{end}}{{if .Price}}, {{.Price}}{{end}})
  {{.Link}}
{{end}}{{if .More}}
…and {{.More}} more: {{.Link}}
{{end}}`))

var alertHTML = template.Must(template.New("alert-html").Parse(`<p>{{.Intro}}</p>
<p>Saved search: <strong>{{.Alert.Name}}</strong></p>
<ul>{{range .Items}}<li><a href="{{.Link}}">{{.Title}}</a> ({{.Kind}}{{if .Member}}, {{.Member}}{{end}}{{if .Place}}, {{.Place}}{{end}}{{if .Price}}, {{.Price}}{{end}})</li>{{end}}</ul>
{{if .More}}<p>…and <a href="{{.Link}}">{{.More}} more</a>.</p>{{end}}`))

func (m alertMessage) render() (string, string) {
	var b strings.Builder
	text := ""
	if err := alertText.Execute(&b, m); err != nil {
		text = "(this message could not be written: " + err.Error() + ")"
	} else {
		text = b.String()
	}
	return text, execute(alertHTML, m)
}

// truncate cuts s to at most n runes.
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return strings.TrimSpace(string(r[:n-1])) + "…"
}
