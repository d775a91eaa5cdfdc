package httpapi_test

import (
	"testing"

	"cooptrade/marketplace"
)

// TestListingVisibility checks the one rule of who sees a listing
// (marketplace.Listing.ShownTo) through the API: needs only when signed in,
// nothing of a member out of good standing except to its own users and
// staff.
func TestListingVisibility(t *testing.T) {
	ts := newTestServer(t, options{})
	staff := ts.staffToken(t)
	_, kitchen := ts.memberWithOwner(t, staff, "Chapeltown Kitchen", marketplace.StandingActive)
	lapsedM, lapsed := ts.memberWithOwner(t, staff, "Lapsed Printers", marketplace.StandingActive)
	_, other := ts.memberWithOwner(t, staff, "Somebody Else", marketplace.StandingActive)
	n := ts.publishedListing(t, kitchen, need("5,000 A5 leaflets for a tenants' union"))
	o := ts.publishedListing(t, kitchen, offerBody("Community catering for events"))
	lo := ts.publishedListing(t, lapsed, offerBody("Leaflets and flyers on recycled paper"))
	ts.do(t, "PATCH", "/v1/members/"+lapsedM.ID, staff, map[string]any{"standing": "lapsed", "reason": "Dues unpaid"}).must(t, 200)

	ids := func(path, token string) map[string]bool {
		t.Helper()
		var pg struct{ Items []marketplace.Listing }
		ts.do(t, "GET", path, token, nil).must(t, 200).decode(t, &pg)
		out := map[string]bool{}
		for _, l := range pg.Items {
			out[l.ID] = true
		}
		return out
	}

	t.Run("PublicSeesOffersOnly", func(t *testing.T) {
		ts.do(t, "GET", "/v1/listings/"+n.ID, "", nil).must(t, 404).problem(t)
		ts.do(t, "GET", "/v1/listings/"+o.ID, "", nil).must(t, 200)
		p := ts.do(t, "GET", "/v1/listings?kind=need", "", nil).must(t, 400).problem(t)
		if len(p.Errors) != 1 || p.Errors[0].Field != "kind" {
			t.Fatalf("errors %+v; want kind", p.Errors)
		}
		if got := ids("/v1/listings", ""); got[n.ID] || !got[o.ID] {
			t.Fatalf("the public list shows %v; want the offer and not the need", got)
		}
	})
	t.Run("SignedInSeesNeeds", func(t *testing.T) {
		ts.do(t, "GET", "/v1/listings/"+n.ID, other, nil).must(t, 200)
		if got := ids("/v1/listings?kind=need", other); !got[n.ID] {
			t.Fatalf("a signed-in member's list of needs: %v", got)
		}
	})
	t.Run("LapsedMemberHidden", func(t *testing.T) {
		ts.do(t, "GET", "/v1/listings/"+lo.ID, "", nil).must(t, 404)
		ts.do(t, "GET", "/v1/listings/"+lo.ID, other, nil).must(t, 404)
		ts.do(t, "GET", "/v1/listings/"+lo.ID, lapsed, nil).must(t, 200)
		ts.do(t, "GET", "/v1/listings/"+lo.ID, staff, nil).must(t, 200)
		for _, tok := range []string{"", other} {
			if got := ids("/v1/listings", tok); got[lo.ID] {
				t.Errorf("a lapsed member's offer is listed")
			}
			if got := ids("/v1/listings?member="+lapsedM.ID, tok); len(got) != 0 {
				t.Errorf("a lapsed member's offers are listed by member: %v", got)
			}
		}
		if got := ids("/v1/listings?member="+lapsedM.ID, lapsed); !got[lo.ID] {
			t.Errorf("a lapsed member does not see its own offer")
		}
	})
}
