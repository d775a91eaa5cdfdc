package httpapi_test

import (
	"strings"
	"testing"
	"time"

	"cooptrade/marketplace"
	"cooptrade/search"
)

// eventually polls cond until it holds, failing the test with what after a
// generous bound (the workers run the jobs meanwhile).
func eventually(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	for until := time.Now().Add(20 * time.Second); !cond(); time.Sleep(25 * time.Millisecond) {
		if time.Now().After(until) {
			tb.Fatalf("%s: still not so after 20s", what)
		}
	}
}

// TestListingRemove removes a published, matched offer through the API, with
// the workers running: it leaves search, its new match retires, its member
// has the note in the inbox, and the audit log has the action.
func TestListingRemove(t *testing.T) {
	ts := newTestServer(t, options{Workers: 2})
	staff := ts.staffToken(t)
	_, kitchen := ts.memberWithOwner(t, staff, "Chapeltown Kitchen", marketplace.StandingActive)
	_, printer := ts.memberWithOwner(t, staff, "Leeds Print Workers", marketplace.StandingActive)
	n := ts.publishedListing(t, kitchen, need("5,000 A5 leaflets for a tenants' union"))
	o := ts.publishedListing(t, printer, offerBody("Leaflets and flyers on recycled paper"))
	matchID := marketplace.MatchID(o.ID, n.ID)

	found := func() bool {
		var res search.Result
		ts.do(t, "GET", "/v1/search?q=leaflets", "", nil).must(t, 200).decode(t, &res)
		for _, h := range res.Hits {
			if h.ID == o.ID {
				return true
			}
		}
		return false
	}
	queued := func(retired bool) *marketplace.MatchView {
		var pg struct{ Items []*marketplace.MatchView }
		path := "/v1/staff/matches"
		if retired {
			path += "?retired=true"
		}
		ts.do(t, "GET", path, staff, nil).must(t, 200).decode(t, &pg)
		for _, v := range pg.Items {
			if v.ID == matchID {
				return v
			}
		}
		return nil
	}
	eventually(t, "the offer is found in search", found)
	eventually(t, "the match is in staff's queue", func() bool { return queued(false) != nil })

	const note = "Please don't list prices that undercut the federation's agreed rates; post it again with your usual prices."
	path := "/v1/staff/listings/" + o.ID + "/remove"
	t.Run("Errors", func(t *testing.T) {
		ts.do(t, "POST", path, "", map[string]any{"note": note}).must(t, 401)
		ts.do(t, "POST", path, printer, map[string]any{"note": note}).must(t, 403)
		p := ts.do(t, "POST", path, staff, map[string]any{"note": " "}).must(t, 400).problem(t)
		if len(p.Errors) != 1 || p.Errors[0].Field != "note" {
			t.Errorf("no note: %+v", p)
		}
		ts.do(t, "POST", path, staff, map[string]any{"reason": note}).must(t, 400)
		ts.do(t, "POST", "/v1/staff/listings/0123456789abcdef01234567/remove", staff, map[string]any{"note": note}).must(t, 404)
		ts.do(t, "POST", path, staff, map[string]any{"note": note}, "If-Match", `"1"`).must(t, 412)
	})

	var removed marketplace.Listing
	res := ts.do(t, "POST", path, staff, map[string]any{"note": note}, "If-Match", `"2"`).must(t, 200)
	res.decode(t, &removed)
	if removed.Status != marketplace.StatusRemoved || removed.Version != 3 || res.Header.Get("ETag") != `"3"` {
		t.Fatalf("after removal: status %s, version %d, ETag %s", removed.Status, removed.Version, res.Header.Get("ETag"))
	}

	eventually(t, "the offer leaves search", func() bool { return !found() })
	eventually(t, "the match leaves the queue", func() bool { return queued(false) == nil })
	if v := queued(true); v == nil || !v.Retired || v.Status != marketplace.MatchNew {
		t.Fatalf("the match, retired ones included: %+v", v)
	}

	// The public no longer sees the listing; its member does, removed.
	ts.do(t, "GET", "/v1/listings/"+o.ID, "", nil).must(t, 404)
	var own marketplace.Listing
	ts.do(t, "GET", "/v1/listings/"+o.ID, printer, nil).must(t, 200).decode(t, &own)
	if own.Status != marketplace.StatusRemoved {
		t.Fatalf("the member sees its listing as %s", own.Status)
	}
	ts.do(t, "POST", "/v1/listings/"+o.ID+"/publish", printer, nil).must(t, 409)
	ts.do(t, "POST", path, staff, map[string]any{"note": note}).must(t, 409)

	// The member has the note; the other side of the match has no notice.
	removals := func(tok string) []marketplace.Notification {
		var inbox struct{ Items []marketplace.Notification }
		ts.do(t, "GET", "/v1/inbox", tok, nil).must(t, 200).decode(t, &inbox)
		var out []marketplace.Notification
		for _, it := range inbox.Items {
			if it.Type == marketplace.NotifyListingRemoved {
				out = append(out, it)
			}
		}
		return out
	}
	if got := removals(printer); len(got) != 1 || !strings.Contains(got[0].Text, note) || got[0].Data["listing_id"] != o.ID {
		t.Fatalf("the printer's removal notices: %+v", got)
	}
	if got := removals(kitchen); len(got) != 0 {
		t.Fatalf("the kitchen has removal notices: %+v", got)
	}

	var audit struct{ Items []marketplace.AuditEntry }
	ts.do(t, "GET", "/v1/staff/audit?subject=listing:"+o.ID, staff, nil).must(t, 200).decode(t, &audit)
	if len(audit.Items) != 1 || audit.Items[0].Action != "listing.remove" || audit.Items[0].Reason != note {
		t.Fatalf("audit of the listing: %+v", audit.Items)
	}
}
