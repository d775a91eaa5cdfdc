package httpapi_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"cooptrade/marketplace"
)

func TestMatchReview(t *testing.T) {
	ts := newTestServer(t, options{})
	ctx := context.Background()
	staff := ts.staffToken(t)
	kitchenM, kitchen := ts.memberWithOwner(t, staff, "Chapeltown Kitchen", marketplace.StandingActive)
	printM, printer := ts.memberWithOwner(t, staff, "Leeds Print Workers", marketplace.StandingActive)
	_, outsider := ts.memberWithOwner(t, staff, "Somebody Else", marketplace.StandingActive)

	n := ts.publishedListing(t, kitchen, need("5,000 A5 leaflets for a tenants' union"))
	o := ts.publishedListing(t, printer, offerBody("Leaflets and flyers on recycled paper"))
	m := ts.storeMatch(t, o, n)

	t.Run("StaffQueue", func(t *testing.T) {
		var pg struct{ Items []marketplace.MatchView }
		ts.do(t, "GET", "/v1/staff/matches?status=new&category=printing-publishing&area=LS&min_score=50", staff, nil).must(t, 200).decode(t, &pg)
		if len(pg.Items) != 1 {
			t.Fatalf("queue has %d matches; want 1", len(pg.Items))
		}
		v := pg.Items[0]
		if v.ID != m.ID || v.Offer.ID != o.ID || v.Need.ID != n.ID || v.OfferMember.Name != "Leeds Print Workers" || v.NeedMember.Name != "Chapeltown Kitchen" || len(v.Reasons) != 7 {
			t.Fatalf("queue item: %+v", v)
		}
		ts.do(t, "GET", "/v1/staff/matches?area=M", staff, nil).must(t, 200).decode(t, &pg)
		if len(pg.Items) != 0 {
			t.Fatalf("filter by another area shows %d", len(pg.Items))
		}
		ts.do(t, "GET", "/v1/staff/matches?status=maybe", staff, nil).must(t, 400)
		ts.do(t, "GET", "/v1/staff/matches", printer, nil).must(t, 403)
		ts.do(t, "GET", "/v1/staff/matches", "", nil).must(t, 401)
	})

	t.Run("MembersSeeTheirOwn", func(t *testing.T) {
		for tok, want := range map[string]int{kitchen: 1, printer: 1, outsider: 0} {
			var pg struct{ Items []marketplace.MatchView }
			ts.do(t, "GET", "/v1/matches", tok, nil).must(t, 200).decode(t, &pg)
			if len(pg.Items) != want {
				t.Errorf("a member sees %d matches; want %d", len(pg.Items), want)
			}
		}
		ts.do(t, "GET", "/v1/matches/"+m.ID, outsider, nil).must(t, 404)
		ts.do(t, "GET", "/v1/matches/"+m.ID, kitchen, nil).must(t, 200)
	})

	t.Run("Introduce", func(t *testing.T) {
		ts.do(t, "POST", "/v1/staff/matches/"+m.ID+"/introduce", printer, map[string]any{}).must(t, 403)
		var v marketplace.MatchView
		ts.do(t, "POST", "/v1/staff/matches/"+m.ID+"/introduce", staff, map[string]any{"note": "They printed the tenants' flyers & posters."},
			"If-Match", `"1"`).must(t, 200).decode(t, &v)
		if v.Status != marketplace.MatchIntroduced || v.IntroducedAt == nil || v.Version != 2 {
			t.Fatalf("after introducing: %+v", v.Match)
		}
		ts.do(t, "POST", "/v1/staff/matches/"+m.ID+"/introduce", staff, nil).must(t, 409)
		// The introduction opens a thread between the two sides, which
		// only they read.
		var threads struct{ Items []marketplace.Thread }
		ts.do(t, "GET", "/v1/threads", kitchen, nil).must(t, 200).decode(t, &threads)
		if len(threads.Items) != 1 || threads.Items[0].Kind != marketplace.ThreadIntroduction || threads.Items[0].MatchID != m.ID ||
			threads.Items[0].SupplierName != "Leeds Print Workers" || threads.Items[0].BuyerName != "Chapeltown Kitchen" {
			t.Fatalf("the kitchen's threads: %+v", threads.Items)
		}
		th := threads.Items[0]
		ts.do(t, "GET", "/v1/threads/"+th.ID, outsider, nil).must(t, 404)
		ts.do(t, "GET", "/v1/threads/"+th.ID, printer, nil).must(t, 200)
		// Both sides have the introduction in their inbox, and an e-mail
		// to their owner is stored for delivery: with the link to the
		// thread and a reply address of it, and without the other side's
		// address.
		for _, side := range []struct {
			tok    string
			member *marketplace.Member
			other  string
			them   *marketplace.Member
		}{{kitchen, kitchenM, "Leeds Print Workers", printM}, {printer, printM, "Chapeltown Kitchen", kitchenM}} {
			var inbox struct{ Items []marketplace.Notification }
			ts.do(t, "GET", "/v1/inbox", side.tok, nil).must(t, 200).decode(t, &inbox)
			if len(inbox.Items) != 1 || inbox.Items[0].Type != marketplace.NotifyMatchIntroduced || !strings.Contains(inbox.Items[0].Subject, side.other) {
				t.Fatalf("inbox of %s: %+v", side.member.Name, inbox.Items)
			}
			mail, err := ts.Service.Notifications.FindNotificationByID(ctx, "intro:"+m.ID+"~user:"+ownerID(t, ts, side.member)+"~email")
			if err != nil {
				t.Fatalf("introduction e-mail to %s: %v", side.member.Name, err)
			}
			// Plain text is plain: nothing HTML-escaped.
			if !strings.Contains(mail.Text, side.other) || !strings.Contains(mail.Text, "They printed the tenants' flyers & posters.") ||
				!strings.Contains(inbox.Items[0].Text, "tenants' union") || strings.Contains(inbox.Items[0].Text+mail.Text, "&#39;") {
				t.Fatalf("introduction e-mail text:\n%s\ninbox text:\n%s", mail.Text, inbox.Items[0].Text)
			}
			if !strings.Contains(mail.HTML, "tenants&#39; flyers &amp; posters") {
				t.Fatalf("introduction e-mail HTML is not escaped:\n%s", mail.HTML)
			}
			theirs, err := ts.Service.Users.FindUserByID(ctx, ownerID(t, ts, side.them))
			if err != nil {
				t.Fatal(err)
			}
			link := "https://marketplace.example/threads/" + th.ID
			for _, text := range []string{mail.Text, mail.HTML, inbox.Items[0].Text} {
				if strings.Contains(strings.ToLower(text), strings.ToLower(theirs.Email)) || strings.Contains(text, "mailto:") {
					t.Errorf("the introduction to %s gives the other side's address:\n%s", side.member.Name, text)
				}
			}
			if !strings.Contains(mail.Text, link) || !strings.Contains(mail.HTML, `href="`+link+`"`) || inbox.Items[0].Link != link {
				t.Errorf("the introduction to %s does not link to the thread %s:\n%s\n%s", side.member.Name, link, mail.Text, mail.HTML)
			}
			if !strings.HasPrefix(mail.ReplyTo, "reply+"+th.ID+"-") {
				t.Errorf("the introduction to %s has Reply-To %q; want a reply address of the thread", side.member.Name, mail.ReplyTo)
			}
		}

		// The two write to each other in the thread, and a deal reported
		// there counts as the introduction's.
		ts.do(t, "POST", "/v1/threads/"+th.ID+"/messages", kitchen, map[string]any{"body": "Could you print 5,000 by March?"}).must(t, 201)
		ts.do(t, "POST", "/v1/threads/"+th.ID+"/messages", outsider, map[string]any{"body": "Me too"}).must(t, 404)
		var read marketplace.Thread
		ts.do(t, "GET", "/v1/threads/"+th.ID, printer, nil).must(t, 200).decode(t, &read)
		if len(read.Messages) != 1 || read.Messages[0].Body != "Could you print 5,000 by March?" {
			t.Fatalf("the printer reads: %+v", read.Messages)
		}
		var d marketplace.Deal
		ts.do(t, "POST", "/v1/threads/"+th.ID+"/deals", printer, map[string]any{"value_pence": 45000, "date": "2026-11-26", "what": "5,000 A5 leaflets"}).
			must(t, 201).decode(t, &d)
		if d.Origin != marketplace.OriginIntroduction || d.MatchID != m.ID || d.District != n.District {
			t.Errorf("the thread's deal: %+v", d)
		}
	})

	t.Run("Outcome", func(t *testing.T) {
		ts.do(t, "POST", "/v1/staff/matches/"+m.ID+"/outcome", staff, map[string]any{"outcome": "maybe"}).must(t, 400)
		ts.do(t, "POST", "/v1/staff/matches/"+m.ID+"/outcome", staff, map[string]any{"outcome": "deal", "value_pence": 45000}, "If-Match", `"1"`).must(t, 412)
		var v marketplace.MatchView
		ts.do(t, "POST", "/v1/staff/matches/"+m.ID+"/outcome", staff, map[string]any{"outcome": "deal", "value_pence": 45000}).must(t, 200).decode(t, &v)
		if v.Status != marketplace.MatchDeal || v.DealValuePence != 45000 {
			t.Fatalf("after the outcome: %+v", v.Match)
		}
	})

	t.Run("DismissNeedsReason", func(t *testing.T) {
		o2 := ts.publishedListing(t, printer, offerBody("Posters and booklets on recycled paper"))
		m2 := ts.storeMatch(t, o2, n)
		ts.do(t, "POST", "/v1/matches/"+m2.ID+"/decline", kitchen, nil).must(t, 200)
		ts.do(t, "POST", "/v1/staff/matches/"+m2.ID+"/outcome", staff, map[string]any{"outcome": "deal"}).must(t, 409)
		ts.do(t, "POST", "/v1/staff/matches/"+m2.ID+"/dismiss", staff, map[string]any{}).must(t, 400)
		var v marketplace.MatchView
		ts.do(t, "POST", "/v1/staff/matches/"+m2.ID+"/dismiss", staff, map[string]any{"reason": "The kitchen is not interested."}).must(t, 200).decode(t, &v)
		if v.Status != marketplace.MatchDismissed || len(v.Declined) != 1 {
			t.Fatalf("after dismissing: %+v", v.Match)
		}
		var pg struct{ Items []marketplace.MatchView }
		ts.do(t, "GET", "/v1/matches", kitchen, nil).must(t, 200).decode(t, &pg)
		if len(pg.Items) != 1 {
			t.Fatalf("the kitchen sees %d matches; want 1 (dismissed ones are hidden)", len(pg.Items))
		}
	})

	t.Run("Stats", func(t *testing.T) {
		var st marketplace.TradeStats
		from := ts.now.Add(-24 * time.Hour).Format(time.RFC3339)
		to := ts.now.Add(24 * time.Hour).Format(time.RFC3339)
		ts.do(t, "GET", "/v1/staff/stats?from="+from+"&to="+to, staff, nil).must(t, 200).decode(t, &st)
		want := marketplace.Funnel{Matches: 2, Introduced: 1, Deals: 1, Dismissed: 1, ValuePence: 45000}
		if diff := cmp.Diff(want, st.Totals); diff != "" {
			t.Fatalf("totals (-want +got):\n%s", diff)
		}
		for name, groups := range map[string][]marketplace.GroupFunnel{"sector": st.BySector, "area": st.ByArea,
			"region": st.ByRegion, "nation": st.ByNation, "month": st.ByMonth} {
			var sum marketplace.Funnel
			for _, g := range groups {
				sum.Matches += g.Matches
				sum.Introduced += g.Introduced
				sum.Deals += g.Deals
				sum.NoDeals += g.NoDeals
				sum.Dismissed += g.Dismissed
				sum.ValuePence += g.ValuePence
			}
			if diff := cmp.Diff(st.Totals, sum); diff != "" {
				t.Errorf("by %s does not add up to the totals (-totals +sum):\n%s", name, diff)
			}
		}
		if len(st.BySector) != 1 || st.BySector[0].Key != "printing-publishing" || len(st.ByArea) != 1 || st.ByArea[0].Key != "LS" {
			t.Fatalf("breakdowns: %+v %+v", st.BySector, st.ByArea)
		}
		if len(st.ByRegion) != 1 || st.ByRegion[0].Key != "yorkshire-humber" || st.ByRegion[0].Name != "Yorkshire and the Humber" ||
			len(st.ByNation) != 1 || st.ByNation[0].Key != "england" {
			t.Fatalf("by region and nation: %+v %+v", st.ByRegion, st.ByNation)
		}
		ts.do(t, "GET", "/v1/staff/stats?from=yesterday", staff, nil).must(t, 400)
		ts.do(t, "GET", "/v1/staff/stats?from="+to+"&to="+from, staff, nil).must(t, 400)
		ts.do(t, "GET", "/v1/staff/stats", kitchen, nil).must(t, 403)
	})

	t.Run("Audit", func(t *testing.T) {
		var pg struct{ Items []marketplace.AuditEntry }
		ts.do(t, "GET", "/v1/staff/audit?subject=match:"+m.ID, staff, nil).must(t, 200).decode(t, &pg)
		var actions []string
		for _, e := range pg.Items {
			actions = append(actions, e.Action)
		}
		if diff := cmp.Diff([]string{"match.outcome", "match.introduce"}, actions); diff != "" {
			t.Fatalf("audit of the match, newest first (-want +got):\n%s", diff)
		}
		ts.do(t, "GET", "/v1/staff/audit", kitchen, nil).must(t, 403)
	})

	// A suspended user is mailed nothing: here, the printers' owner is
	// not mailed the introduction the kitchen's owner is.
	t.Run("SuspendedNotMailed", func(t *testing.T) {
		o3 := ts.publishedListing(t, printer, offerBody("Booklets on recycled paper"))
		m3 := ts.storeMatch(t, o3, n)
		owner, err := ts.Service.Users.FindUserByID(ctx, ownerID(t, ts, printM))
		if err != nil {
			t.Fatal(err)
		}
		on := true
		if _, err := ts.Service.Users.UpdateUser(ctx, owner.ID, owner.Version, marketplace.UserChange{Suspended: &on}); err != nil {
			t.Fatal(err)
		}
		ts.do(t, "POST", "/v1/staff/matches/"+m3.ID+"/introduce", staff, map[string]any{}).must(t, 200)
		if _, err := ts.Service.Notifications.FindNotificationByID(ctx, "intro:"+m3.ID+"~user:"+ownerID(t, ts, kitchenM)+"~email"); err != nil {
			t.Errorf("the kitchen's owner is not mailed: %v", err)
		}
		if n, err := ts.Service.Notifications.FindNotificationByID(ctx, "intro:"+m3.ID+"~user:"+owner.ID+"~email"); marketplace.ErrorCode(err) != marketplace.ENOTFOUND {
			t.Errorf("the suspended owner is mailed the introduction: %+v, %v", n, err)
		}
		// Nor the deal to confirm, though the member has it in its inbox.
		var d marketplace.Deal
		ts.do(t, "POST", "/v1/matches/"+m3.ID+"/deals", kitchen, map[string]any{"value_pence": 12000, "date": "2026-11-26", "what": "Booklets"}).must(t, 201).decode(t, &d)
		if _, err := ts.Service.Notifications.FindNotificationByID(ctx, "deal:"+d.ID+"~member:"+printM.ID+"~inbox"); err != nil {
			t.Errorf("the printers have no deal to confirm in their inbox: %v", err)
		}
		if n, err := ts.Service.Notifications.FindNotificationByID(ctx, "deal:"+d.ID+"~user:"+owner.ID+"~email"); marketplace.ErrorCode(err) != marketplace.ENOTFOUND {
			t.Errorf("the suspended owner is mailed the deal: %+v, %v", n, err)
		}
	})
}

// ownerID finds the ID of the member's owner.
func ownerID(tb testing.TB, ts *testServer, m *marketplace.Member) string {
	tb.Helper()
	users, err := ts.Service.Users.FindUsersByMember(context.Background(), m.ID)
	if err != nil || len(users) != 1 {
		tb.Fatalf("users of %s: %v, %v", m.Name, users, err)
	}
	return users[0].ID
}
