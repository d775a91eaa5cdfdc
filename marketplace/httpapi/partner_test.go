package httpapi_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"cooptrade/marketplace"
)

func TestPartnerSuggestions(t *testing.T) {
	ts := newTestServer(t, options{})
	c := newContract(t, ts)
	partnersScenario(t, c, ts.staffToken(t))
}

// partnersScenario asks for partners for a need whose tag "gold leaf" the
// lead's offers do not cover: the co-op whose offer carries it is
// suggested with the matcher's reasons; the lead, a co-op that covers
// nothing missing, one behind with its dues, a lapsed one, one already invited and one
// excluded are not; the need's member, staff and the public cannot ask.
func partnersScenario(t *testing.T, c *contract, staff string) {
	t.Helper()
	ts := c.ts
	ctx := context.Background()
	_, kitchen := ts.memberWithOwner(t, staff, "Partnered Kitchen", marketplace.StandingActive)
	leadM, lead := ts.memberWithOwner(t, staff, "Lead Letterpress", marketplace.StandingActive)
	gilders, gilder := ts.memberWithOwner(t, staff, "Gilders Together", marketplace.StandingActive)
	plainM, plain := ts.memberWithOwner(t, staff, "Plain Prints", marketplace.StandingActive)
	lateM, late := ts.memberWithOwner(t, staff, "Late Leafers", marketplace.StandingActive)
	lapsedM, lapsed := ts.memberWithOwner(t, staff, "Lapsed Leafers", marketplace.StandingActive)
	invitedM, invited := ts.memberWithOwner(t, staff, "Invited Gilding", marketplace.StandingActive)
	otherM, other := ts.memberWithOwner(t, staff, "Other Gilding", marketplace.StandingActive)
	_, pending := ts.memberWithOwner(t, staff, "Pending Gilding", marketplace.StandingPending)

	n := ts.publishedListing(t, kitchen, withValues(need("Menus and a gold leaf shop sign"), "tags", []string{"leaflets", "gold leaf"}))
	offers := []*marketplace.Listing{
		ts.publishedListing(t, lead, offerBody("Letterpress menus and leaflets")),
		ts.publishedListing(t, gilder, withValues(offerBody("Gold leaf signs, hand gilded"), "tags", []string{"gold leaf", "signs"})),
		ts.publishedListing(t, plain, offerBody("Leaflets in a day")),
		ts.publishedListing(t, late, withValues(offerBody("Gold leaf lettering"), "tags", []string{"gold leaf"})),
		ts.publishedListing(t, lapsed, withValues(offerBody("Gold leaf numbers"), "tags", []string{"gold leaf"})),
		ts.publishedListing(t, invited, withValues(offerBody("Gilded shop signs"), "tags", []string{"gold leaf"})),
		ts.publishedListing(t, other, withValues(offerBody("Gold leaf on glass"), "tags", []string{"gold leaf"})),
	}
	// What the match jobs would do: put the listings in the candidate pool.
	for _, l := range append(offers, n) {
		if err := ts.Service.MatchListing(ctx, l.ID, l.Version); err != nil {
			t.Fatal(err)
		}
	}
	// Standings change after the pool heard of the offers: behind with the
	// dues (still listed, but may not join), and lapsed.
	for id, st := range map[string]marketplace.Standing{lateM.ID: marketplace.StandingPastDue, lapsedM.ID: marketplace.StandingLapsed} {
		m, err := ts.Service.Members.FindMemberByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		m.Standing = st
		if err := ts.Service.Members.UpdateMember(ctx, m, m.Version); err != nil {
			t.Fatal(err)
		}
	}
	// A draft joint quote with one co-op: it is invited already.
	c.do(t, "POST", "/v1/listings/"+n.ID+"/joint-quotes", lead, map[string]any{
		"price_pence": 90000, "price_unit": "job", "covers": "Menus and the sign", "valid_until": "2027-01-31",
		"parts": []any{
			map[string]any{"member_id": leadM.ID, "categories": []string{"print-runs"}, "share_pence": 60000},
			map[string]any{"member_id": invitedM.ID, "categories": []string{"print-runs"}, "share_pence": 30000},
		},
	}).must(t, 201)

	path := "/v1/listings/" + n.ID + "/partners"
	var got marketplace.PartnerSuggestions
	c.do(t, "GET", path+"?exclude="+otherM.ID, lead, nil).must(t, 200).decode(t, &got)
	if want := []marketplace.NeedPart{{Kind: marketplace.PartTag, Value: "gold leaf"}}; !slices.Equal(got.Missing, want) {
		t.Fatalf("missing %+v; want %+v", got.Missing, want)
	}
	var names []string
	for _, s := range got.Suggestions {
		names = append(names, s.Member.Name)
	}
	if !slices.Equal(names, []string{gilders.Name}) {
		t.Fatalf("suggested %q; want only %q (not the lead %q, %q covering nothing missing, %q behind with dues, %q lapsed, %q invited, %q excluded)",
			names, gilders.Name, leadM.Name, plainM.Name, lateM.Name, lapsedM.Name, invitedM.Name, otherM.Name)
	}
	s := got.Suggestions[0]
	if len(s.Offers) != 1 || s.Offers[0].ID != offers[1].ID || !slices.Equal(s.Covers, got.Missing) || !slices.Equal(s.Categories, []string{"print-runs"}) {
		t.Fatalf("the suggestion: %+v", s)
	}
	reasons := map[string]marketplace.MatchReason{}
	for _, r := range s.Offers[0].Reasons {
		reasons[r.Code] = r
	}
	if r := reasons["tags"]; r.Points <= 0 || r.Detail != "Tags in common: gold leaf" {
		t.Errorf("the tags reason: %+v; reasons %+v", r, s.Offers[0].Reasons)
	}
	if s.Score < 50 || s.Offers[0].Score != s.Score {
		t.Errorf("score %v, offer's %v; want the matcher's, above its threshold", s.Score, s.Offers[0].Score)
	}

	// Without the exclusion, the other gilders are suggested too.
	c.do(t, "GET", path, lead, nil).must(t, 200).decode(t, &got)
	if len(got.Suggestions) != 2 {
		t.Errorf("%d suggestions without exclude; want 2", len(got.Suggestions))
	}
	// A co-op that covers everything the need asks for is told so.
	c.do(t, "GET", path, gilder, nil).must(t, 200).decode(t, &got)
	if len(got.Missing) != 1 || got.Missing[0].Value != "leaflets" {
		t.Errorf("the gilders miss %+v; want the leaflets", got.Missing)
	}

	// A need in a category none of the lead's offers is in: the co-op with
	// an offer in it covers the category, which the reasons say.
	signs := ts.publishedListing(t, kitchen, withValues(need("A shop sign for the kitchen"), "category", "large-format-print"))
	banners := ts.publishedListing(t, gilder, withValues(offerBody("Banners and shop signs"), "category", "large-format-print"))
	for _, l := range []*marketplace.Listing{signs, banners} {
		if err := ts.Service.MatchListing(ctx, l.ID, l.Version); err != nil {
			t.Fatal(err)
		}
	}
	c.do(t, "GET", "/v1/listings/"+signs.ID+"/partners", lead, nil).must(t, 200).decode(t, &got)
	if want := []marketplace.NeedPart{{Kind: marketplace.PartCategory, Value: "large-format-print"}}; !slices.Equal(got.Missing, want) {
		t.Fatalf("missing %+v; want %+v", got.Missing, want)
	}
	if len(got.Suggestions) == 0 || got.Suggestions[0].Member.ID != gilders.ID || got.Suggestions[0].Offers[0].ID != banners.ID ||
		!slices.Equal(got.Suggestions[0].Categories, []string{"large-format-print"}) {
		t.Fatalf("the suggestions for the sign: %+v", got.Suggestions)
	}
	if r := got.Suggestions[0].Offers[0].Reasons[0]; r.Code != "category" || r.Points != r.Max || !strings.HasPrefix(r.Detail, "Both in Large-format print") {
		t.Errorf("the category reason: %+v", r)
	}

	// Only a member that may quote on the need asks.
	c.do(t, "GET", path, kitchen, nil).must(t, 403)
	c.do(t, "GET", path, staff, nil).must(t, 403)
	c.do(t, "GET", path, pending, nil).must(t, 403)
	c.do(t, "GET", path, late, nil).must(t, 402)
	c.do(t, "GET", path, lapsed, nil).must(t, 402)
	c.doBreaking(t, "GET", path, "", nil).must(t, 401)
	c.do(t, "GET", "/v1/listings/"+offers[0].ID+"/partners", gilder, nil).must(t, 400)
	c.do(t, "GET", "/v1/listings/0123456789abcdef01234567/partners", lead, nil).must(t, 404)
}
