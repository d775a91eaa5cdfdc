package marketplace

import (
	"cmp"
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
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
		fe.broke("query", RuleRequired, RuleParams{Hint: ": the query string of a search, such as q=leaflets&kind=need"})
	case len(in.Query) > MaxAlertQueryLen:
		fe.broke("query", RuleMaxLength, RuleParams{Max: MaxAlertQueryLen})
	default:
		var err error
		if q, err = s.AlertEvaluator.CompileAlert(in.Query); err != nil {
			if ErrorCode(err) != EINVALID {
				return nil, err
			}
			for _, f := range ErrorFields(err) {
				f.Field = "query." + f.Field
				fe = append(fe, f)
			}
			if len(ErrorFields(err)) == 0 {
				fe = append(fe, FieldError{Field: "query", Message: ErrorMessage(err), Rule: RuleInvalid})
			}
		}
	}
	checkAlertFields(&fe, &in.Name, &in.Frequency)
	if err := fe.err(); err != nil {
		return nil, err
	}
	if in.Name == "" {
		in.Name = Truncate(q.Describe(), 120)
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
			fe.broke("name", RuleMaxLength, RuleParams{Max: 120})
		} else if hasControl(*name, false) {
			fe.broke("name", RuleControl, RuleParams{})
		}
	}
	if freq != nil && !freq.Valid() {
		fe.broke("frequency", RuleOneOf, RuleParams{Options: []string{"instant", "daily", "weekly"}})
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
		fe.broke("name", RuleNotEmpty, RuleParams{})
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
// district, or UK-wide and remote needs; anywhere for a UK-wide offer). An offer
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
		a := &Alert{UserID: me.ID, MemberID: me.MemberID, Name: Truncate("Needs for your offer: "+o.Title, 120),
			Query: query, Frequency: freq, SourceListingID: o.ID, Version: 1, CreatedAt: now, UpdatedAt: now}
		if err := s.Alerts.CreateAlert(ctx, a); err != nil {
			return created, err
		}
		created = append(created, a)
	}
	return created, nil
}

// SeedQuery is the saved search for the needs an offer could answer: needs
// in its category within its radius of its postcode district (of its area,
// for an offer stored before places were districts), UK-wide and remote
// needs included; for a UK-wide or remote offer, needs in its category
// anywhere.
func SeedQuery(o *Listing) string {
	v := url.Values{"kind": {string(KindNeed)}, "category": {o.Category}}
	if place := cmp.Or(o.District, o.Area); !o.Remote && place != "" {
		v.Set("near", place)
		v.Set("radius_km", strconv.Itoa(min(max(o.RadiusKM, 1), MaxRadiusKM)))
		v.Set("remote", "true")
	}
	return v.Encode()
}

// UnsubscribeAlert implements AlertUnsubscriber: it pauses the alert, so
// that it collects and sends nothing more (neither e-mail nor inbox items),
// until its user resumes it. An alert already deleted is no error: nothing
// more will come of it either.
func (s *Service) UnsubscribeAlert(ctx context.Context, userID, alertID string) (Unsubscribed, error) {
	a, err := s.Alerts.FindAlertByID(ctx, alertID)
	if ErrorCode(err) == ENOTFOUND {
		return Unsubscribed{What: UnsubscribedAlertGone}, nil
	} else if err != nil {
		return Unsubscribed{}, err
	}
	if a.UserID != userID {
		return Unsubscribed{}, Invalid(Broken("token", RuleUnsubscribe, RuleParams{}))
	}
	if !a.Paused {
		version := a.Version
		a.Paused, a.UpdatedAt = true, s.now()
		if err := s.Alerts.UpdateAlert(ctx, a, version); err != nil {
			return Unsubscribed{}, err
		}
	}
	return Unsubscribed{What: UnsubscribedAlert, AlertName: a.Name}, nil
}

// Truncate cuts s to at most n runes, ending it with "…" when cut.
func Truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return strings.TrimSpace(string(r[:n-1])) + "…"
}
