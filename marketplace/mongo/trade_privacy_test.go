package mongo_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"cooptrade/marketplace"
	"cooptrade/marketplace/mongo"
)

// plantTrade plants threads, deals and quotes: the member's as a side and
// a partner, the user's as a writer in the other member's thread and, from
// the user's address, as a member of the public; others' that must stay.
func plantTrade(t *testing.T, ctx context.Context, s *mongo.Stores, p *planted, now time.Time) {
	t.Helper()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	msg := func(id string, side marketplace.Side, author, key, body string) *marketplace.ThreadMessage {
		return &marketplace.ThreadMessage{ID: id, Side: side, Author: author, AuthorKey: key, Body: body, Via: "web", Key: "web:" + id, CreatedAt: now}
	}
	// The member's enquiry to the other member, written by the user.
	must(s.Threads.CreateThread(ctx, &marketplace.Thread{ID: "gonethread1", Kind: marketplace.ThreadEnquiry, Status: marketplace.ThreadOpen,
		ListingID: p.otherListing.ID, ListingTitle: p.otherListing.Title, SupplierMemberID: p.other.ID, SupplierName: p.other.Name,
		BuyerMemberID: p.member.ID, BuyerUserID: p.user.ID, BuyerName: p.member.Name,
		People: []*marketplace.ThreadPerson{{Key: "user:" + p.user.ID, Side: marketplace.SideBuyer, UserID: p.user.ID, Name: p.user.Name,
			Salt: "threadsalt-secret-1", TokenHash: "threadtoken-secret-1"}},
		Messages: []*marketplace.ThreadMessage{msg("1", marketplace.SideBuyer, p.user.Name, "user:"+p.user.ID, "zqxmember would like bread"),
			msg("2", marketplace.SideSupplier, p.otherUser.Name, "user:"+p.otherUser.ID, "Gladly")},
		Version: 1, CreatedAt: now, UpdatedAt: now}))
	// The user wrote to the other member as a member of the public, from
	// the address of their account.
	must(s.Threads.CreateThread(ctx, &marketplace.Thread{ID: "keptthread2", Kind: marketplace.ThreadEnquiry, Status: marketplace.ThreadOpen,
		ListingID: p.otherListing.ID, ListingTitle: p.otherListing.Title, SupplierMemberID: p.other.ID, SupplierName: p.other.Name,
		BuyerName: "Zqxuser Public",
		People: []*marketplace.ThreadPerson{{Key: "public", Side: marketplace.SideBuyer, Name: "Zqxuser Public", Email: p.user.Email, Lang: "cy",
			Salt: "threadsalt-secret-2", TokenHash: "threadtoken-secret-2"},
			{Key: "user:" + p.otherUser.ID, Side: marketplace.SideSupplier, UserID: p.otherUser.ID, Name: p.otherUser.Name, Salt: "s", TokenHash: "h"}},
		Messages: []*marketplace.ThreadMessage{msg("1", marketplace.SideBuyer, "Zqxuser Public", "public", "zqxuser asks about bread"),
			msg("2", marketplace.SideSupplier, p.otherUser.Name, "user:"+p.otherUser.ID, "Fresh every morning")},
		Version: 1, CreatedAt: now, UpdatedAt: now}))
	p.secrets = append(p.secrets, "threadsalt-secret-1", "threadtoken-secret-1", "threadsalt-secret-2", "threadtoken-secret-2")
	p.gone = append(p.gone, "gonethread1")

	for _, d := range []*marketplace.Deal{
		{ID: "keptdeal1", Origin: marketplace.OriginEnquiry, ThreadID: "gonethread1", Category: "print-runs", Area: "LS",
			SupplierMemberID: p.other.ID, SupplierName: p.other.Name, BuyerMemberID: p.member.ID, BuyerName: p.member.Name,
			ValuePence: 12000, Date: "2026-11-20", What: "Bread for zqxmember's party", ReportedBy: marketplace.SideSupplier,
			Status: marketplace.DealConfirmed, ConfirmedAt: &now},
		{ID: "keptdeal2", Origin: marketplace.OriginEnquiry, ThreadID: "keptthread2", Category: "print-runs", Area: "HX",
			SupplierMemberID: p.other.ID, SupplierName: p.other.Name, BuyerName: "Zqxuser Public",
			ValuePence: 3000, Date: "2026-11-21", What: "A loaf", ReportedBy: marketplace.SideSupplier, Status: marketplace.DealDisputed,
			DisputeNote: "zqxuser says two loaves"},
	} {
		d.Version, d.CreatedAt, d.UpdatedAt = 1, now, now
		must(s.Deals.CreateDeal(ctx, d))
	}

	for _, q := range []*marketplace.Quote{
		// The member's quote to the other's need.
		{ID: "gonequote1", NeedID: p.otherListing.ID, NeedTitle: p.otherListing.Title, NeedMemberID: p.other.ID, NeedMemberName: p.other.Name,
			MemberID: p.member.ID, MemberName: p.member.Name, PricePence: 5000, PriceUnit: "job", Covers: "zqxmember covers it",
			ValidUntil: "2026-12-31", Status: marketplace.QuoteSent},
		// The other member's joint quote to a third, the member a partner.
		{ID: "keptquote2", NeedID: "third-need", NeedTitle: "Posters", NeedMemberID: "third-member", NeedMemberName: "Third Co-op",
			MemberID: p.other.ID, MemberName: p.other.Name, PricePence: 9000, PriceUnit: "job", Covers: "Posters", ValidUntil: "2026-12-31",
			Status: marketplace.QuoteSent, Parts: []*marketplace.QuotePart{
				{MemberID: p.other.ID, MemberName: p.other.Name, SharePence: 6000, Accepted: true},
				{MemberID: p.member.ID, MemberName: p.member.Name, SharePence: 3000, Accepted: true}}},
	} {
		q.Version, q.CreatedAt, q.UpdatedAt = 1, now, now
		must(s.Quotes.CreateQuote(ctx, q))
	}
	p.gone = append(p.gone, "gonequote1")

	// The mail the user had as the member of the public, and one to
	// another member of the public, which stays.
	for i, n := range []*marketplace.Notification{
		{ID: "public-to-user", To: p.user.Email, Text: "Fresh every morning"},
		{ID: "public-kept", To: "someone@example.org", Text: "Fresh every morning"},
	} {
		n.Type, n.Channel, n.Subject, n.Status, n.CreatedAt = marketplace.NotifyThreadAnswer, marketplace.ChannelEmail, "Neges newydd", marketplace.NotificationSent, now
		if _, err := s.Notifications.CreateNotification(ctx, n); err != nil {
			t.Fatalf("public notification %d: %v", i, err)
		}
	}

	// The other member heard of the member's enquiry, deal and quote.
	for i, n := range []*marketplace.Notification{
		{ID: "other-thread", Type: marketplace.NotifyEnquiryNew, Data: map[string]string{"thread_id": "gonethread1", "message_id": "1"}},
		{ID: "other-deal", Type: marketplace.NotifyDealReported, Data: map[string]string{"deal_id": "keptdeal1", "thread_id": "gonethread1"}},
		{ID: "other-quote", Type: "quote.new", Data: map[string]string{"quote_id": "gonequote1", "need_id": p.otherListing.ID}},
	} {
		n.Channel, n.MemberID, n.Subject, n.Text, n.Status, n.CreatedAt = marketplace.ChannelInbox, p.other.ID, "From Zqxmember Printers",
			"Zqxmember Printers wrote", marketplace.NotificationSent, now
		if _, err := s.Notifications.CreateNotification(ctx, n); err != nil {
			t.Fatalf("trade notification %d: %v", i, err)
		}
	}
}

// checkTradeKept checks what of trade outlives the erasure: the deals,
// for the figures, without whom they were with; the other member's thread
// with a member of the public who was the user, with the other side's
// message; the joint quote the member was a partner in.
func checkTradeKept(t *testing.T, ctx context.Context, stores *mongo.Stores, p *planted) {
	t.Helper()
	deals, err := stores.Deals.FindDealsOf(ctx, "member:"+p.other.ID)
	if err != nil || len(deals) != 2 {
		t.Fatalf("the other member's deals after erasure: %d, %v; want both", len(deals), err)
	}
	for _, d := range deals {
		switch d.ID {
		case "keptdeal1":
			if d.ValuePence != 12000 || d.Status != marketplace.DealConfirmed || !strings.HasPrefix(d.BuyerMemberID, "erased:") ||
				d.BuyerName != d.BuyerMemberID || d.SupplierMemberID != p.other.ID || d.Category != "print-runs" || d.What != "" {
				t.Errorf("the erased member's deal: %+v", d)
			}
		case "keptdeal2":
			if d.ValuePence != 3000 || !strings.HasPrefix(d.BuyerName, "erased:") || d.DisputeNote != "" || d.ThreadID != "keptthread2" {
				t.Errorf("the deal with the public who was the user: %+v", d)
			}
		}
	}
	if _, err := stores.Notifications.FindNotificationByID(ctx, "public-kept"); err != nil {
		t.Errorf("another member of the public's mail: %v", err)
	}
	if _, err := stores.Notifications.FindNotificationByID(ctx, "public-to-user"); marketplace.ErrorCode(err) != marketplace.ENOTFOUND {
		t.Errorf("the user's mail as a member of the public after erasure: %v", err)
	}
	th, err := stores.Threads.FindThreadByID(ctx, "keptthread2")
	if err != nil {
		t.Fatalf("the other member's thread with the public: %v", err)
	}
	if pub := th.Person("public"); pub == nil || !pub.Blocked || pub.Email != "" || pub.TokenHash != "" ||
		th.Messages[0].Body != "" || th.Messages[1].Body != "Fresh every morning" || th.Person("user:"+p.otherUser.ID) == nil {
		t.Errorf("the thread with the public after erasure: %+v %+v", th.People, th.Messages)
	}
	if threads, err := stores.Threads.FindThreadsOf(ctx, "member:"+p.other.ID); err != nil || len(threads) != 1 {
		t.Errorf("the other member's threads after erasure: %d, %v; want the one with the public", len(threads), err)
	}
	q, err := stores.Quotes.FindQuoteByID(ctx, "keptquote2")
	if err != nil || q.PricePence != 9000 || q.Parts[0].MemberID != p.other.ID || !strings.HasPrefix(q.Parts[1].MemberID, "erased:") {
		t.Errorf("the joint quote the member joined: %+v, %v", q, err)
	}
	if quotes, err := stores.Quotes.FindQuotesOf(ctx, "need:"+p.otherListing.ID); err != nil || len(quotes) != 0 {
		t.Errorf("the quotes to the other member's need: %d, %v; want the erased member's gone", len(quotes), err)
	}
}
