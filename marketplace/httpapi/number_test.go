package httpapi_test

import (
	"net/url"
	"strings"
	"sync"
	"testing"

	"cooptrade/marketplace"
)

// TestNumbersMustBeFinite sends numbers that parse but are not numbers
// (NaN, infinities) or are out of range, in query parameters and cursors.
// Each is refused with a problem naming the field, and none reaches the
// database, where a NaN in a filter once closed FerretDB's connection and
// failed other people's requests at the same moment.
func TestNumbersMustBeFinite(t *testing.T) {
	ts := newTestServer(t, options{})
	staff := ts.staffToken(t)
	kitchenM, kitchen := ts.memberWithOwner(t, staff, "Chapeltown Kitchen", marketplace.StandingActive)
	_, printer := ts.memberWithOwner(t, staff, "Leeds Print Workers", marketplace.StandingActive)
	n := ts.publishedListing(t, kitchen, need("5,000 A5 leaflets for a tenants' union"))
	o := ts.publishedListing(t, printer, offerBody("Leaflets and flyers on recycled paper"))
	ts.storeMatch(t, o, n)
	_ = kitchenM

	hostile := []struct{ path, field string }{}
	for _, path := range []string{"/v1/matches", "/v1/staff/matches"} {
		for _, cursor := range []string{"NaN~x", "nan~65a1b2c3d4e5f60718293a4b", "+Inf~x", "-Inf~65a1b2c3d4e5f60718293a4b", "Infinity~x", "1e400~x", "-1~x", "101~x", "0x1p-2~x"} {
			hostile = append(hostile, struct{ path, field string }{path + "?cursor=" + url.QueryEscape(cursor), "cursor"})
		}
		for _, score := range []string{"NaN", "Inf", "-Inf", "1e309", "-0.5", "100.5"} {
			hostile = append(hostile, struct{ path, field string }{path + "?min_score=" + url.QueryEscape(score), "min_score"})
		}
	}
	hostile = append(hostile,
		struct{ path, field string }{"/v1/inbox?cursor=" + url.QueryEscape("NaN~x"), "cursor"},
		struct{ path, field string }{"/v1/inbox?cursor=" + url.QueryEscape("99999999999999999999~65a1b2c3d4e5f60718293a4b"), "cursor"},
	)
	for _, h := range hostile {
		t.Run(strings.ReplaceAll(h.path, "/", "_"), func(t *testing.T) {
			tok := kitchen
			if strings.Contains(h.path, "/staff/") {
				tok = staff
			}
			p := ts.do(t, "GET", h.path, tok, nil).must(t, 400).problem(t)
			if len(p.Errors) == 0 || p.Errors[0].Field != h.field {
				t.Fatalf("errors %+v; want the field %q", p.Errors, h.field)
			}
		})
	}

	// A real cursor still pages.
	t.Run("RealCursor", func(t *testing.T) {
		var pg struct {
			Items      []marketplace.MatchView
			NextCursor string `json:"next_cursor"`
		}
		ts.do(t, "GET", "/v1/matches?limit=1", kitchen, nil).must(t, 200).decode(t, &pg)
		if len(pg.Items) != 1 {
			t.Fatalf("%d matches; want 1", len(pg.Items))
		}
		ts.do(t, "GET", "/v1/staff/matches?min_score=0&cursor="+url.QueryEscape("100.0~65a1b2c3d4e5f60718293a4b"), staff, nil).must(t, 200)
	})

	// Hostile requests while others read: none of the others fails.
	t.Run("OthersUnharmed", func(t *testing.T) {
		var wg sync.WaitGroup
		failures := make(chan string, 400)
		for w := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range 25 {
					if w%2 == 0 {
						res := ts.do(t, "GET", "/v1/matches?cursor=NaN~x", kitchen, nil)
						if res.Status != 400 {
							failures <- "hostile: " + string(res.Body)
						}
						continue
					}
					if res := ts.do(t, "GET", "/v1/listings/"+o.ID, "", nil); res.Status != 200 {
						failures <- "reader: " + string(res.Body)
					}
				}
			}()
		}
		wg.Wait()
		close(failures)
		for f := range failures {
			t.Error(f)
		}
	})
}
