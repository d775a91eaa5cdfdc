package httpapi_test

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"

	"cooptrade/marketplace"
	"cooptrade/workers/mail/mailtest"
)

// inboundSecret is the mail relay's secret of every test server.
const inboundSecret = "a relay secret, long enough to take"

func init() {
	openapi3filter.RegisterBodyDecoder("message/rfc822", openapi3filter.FileBodyDecoder)
}

func TestEnquiries(t *testing.T) {
	smtp := mailtest.NewServer(t)
	ts := newTestServer(t, options{SMTP: smtp})
	c := newContract(t, ts)
	staff := ts.staffToken(t)
	enquiriesScenario(t, c, smtp, staff)
}

var (
	enquiryConfirmLink = regexp.MustCompile(`https://marketplace\.example/enquiries/confirm\?thread=([0-9a-f]+)&token=([0-9a-f]{32})`)
	publicLink         = regexp.MustCompile(`https://marketplace\.example/threads/([0-9a-f]+)\?token=([0-9a-f]{32})`)
)

// deliver sends every notification waiting, as the workers would, and
// returns the mails sent since the given count.
func deliver(t *testing.T, ts *testServer, smtp *mailtest.Server, before int) []mailtest.Message {
	t.Helper()
	ctx := context.Background()
	pending, err := ts.Service.FindUndelivered(ctx, ts.now.Add(1<<40), 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range pending {
		if n.Channel != marketplace.ChannelEmail {
			continue
		}
		if err := ts.Service.DeliverNotification(ctx, n.ID, true); err != nil {
			t.Fatalf("deliver %s: %v", n.ID, err)
		}
	}
	// Only the mails of this scenario's offer: the contract's scenario
	// leaves other notifications waiting.
	var out []mailtest.Message
	for _, m := range smtp.Messages()[before:] {
		if strings.Contains(m.Subject, "Risograph leaflets") {
			out = append(out, m)
		}
	}
	return out
}

// deliverAll sends every notification waiting and returns the mails sent
// since before whose subject holds subject.
func deliverAll(t *testing.T, ts *testServer, smtp *mailtest.Server, before int, subject string) []mailtest.Message {
	t.Helper()
	deliver(t, ts, smtp, before)
	var out []mailtest.Message
	for _, m := range smtp.Messages()[before:] {
		if strings.Contains(m.Subject, subject) {
			out = append(out, m)
		}
	}
	return out
}

// mailTo returns the one mail among msgs to the address.
func mailTo(t *testing.T, msgs []mailtest.Message, addr string) mailtest.Message {
	t.Helper()
	var found []mailtest.Message
	for _, m := range msgs {
		if len(m.To) == 1 && m.To[0] == addr {
			found = append(found, m)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d mails to %s; want 1 (of %d)", len(found), addr, len(msgs))
	}
	return found[0]
}

// replyMail is a raw reply as a mail program writes it: the new text, a
// line introducing the quote, the quoted text.
func replyMail(from, to, messageID, text string) string {
	return fmt.Sprintf("From: Someone <%s>\r\nTo: %s\r\nSubject: Re: your enquiry\r\nMessage-ID: <%s>\r\n"+
		"Content-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n\r\nOn Thu, 3 Dec 2026 at 10:00, Marketplace wrote:\r\n> the earlier message\r\n> more of it\r\n",
		from, to, messageID, strings.ReplaceAll(text, "\n", "\r\n"))
}

// enquiriesScenario goes through enquiries on the contract: a member of
// the public writes about an offer and confirms its address, the supplier
// answers on the site, the public answers by mail (twice delivered, once
// added); a member enquires too; nobody else reads the threads.
func enquiriesScenario(t *testing.T, c *contract, smtp *mailtest.Server, staff string) {
	t.Helper()
	ts := c.ts
	supplier, printer := ts.memberWithOwner(t, staff, "Enquiry Printers", marketplace.StandingActive)
	_, buyer := ts.memberWithOwner(t, staff, "Enquiring Kitchen", marketplace.StandingActive)
	_, third := ts.memberWithOwner(t, staff, "Nosy Neighbours", marketplace.StandingActive)
	offer := ts.publishedListing(t, printer, offerBody("Risograph leaflets, any run"))
	path := "/v1/listings/" + offer.ID + "/enquiries"
	supplierMail := "owner@" + supplier.Slug + ".example"

	// Bad input names its field and stores nothing.
	wantProblemFields(t, c.do(t, "POST", path, "", map[string]any{"body": "Hello"}).must(t, 400), "name", "email")
	wantProblemFields(t, c.doBreaking(t, "POST", path, "", map[string]any{"name": "Sam", "email": "sam@example.org", "body": strings.Repeat("x", marketplace.MaxMessageBody+1)}).must(t, 400), "body")
	c.doBreaking(t, "POST", path, "", map[string]any{"name": "Sam", "email": map[string]any{"$gt": ""}, "body": "Hi"}).must(t, 400)
	c.do(t, "POST", path, printer, map[string]any{"body": "To myself"}).must(t, 403)
	c.do(t, "POST", path, staff, map[string]any{"body": "From staff"}).must(t, 403)
	c.do(t, "POST", "/v1/listings/0123456789abcdef01234567/enquiries", "", map[string]any{"name": "Sam", "email": "sam@example.org", "body": "Hi"}).must(t, 404)

	// A member of the public writes; the supplier hears nothing until
	// the address is confirmed.
	sent := len(smtp.Messages())
	var th struct {
		ID       string `json:"id"`
		Status   string `json:"status"`
		Side     string `json:"side"`
		Messages []struct {
			ID, Side, Author, Body, Via string
			Known                       bool
		} `json:"messages"`
	}
	wantProblemFields(t, c.doBreaking(t, "POST", path, "", map[string]any{"name": "Sam Jones", "email": "sam@example.org", "body": "Hello", "language": "fr"}).must(t, 400), "language")
	c.do(t, "POST", path, "", map[string]any{"name": "Sam Jones", "email": "Sam@Example.org", "body": "Could you print 2,000 A5 leaflets by March? See https://example.org/brief", "language": "cy"}).must(t, 201).decode(t, &th)
	if th.Status != "unconfirmed" {
		t.Fatalf("a public enquiry is %q; want unconfirmed", th.Status)
	}
	mails := deliver(t, ts, smtp, sent)
	confirm := mailTo(t, mails, "sam@example.org")
	if len(mails) != 1 {
		t.Fatalf("%d mails before the address is confirmed; want the confirmation only", len(mails))
	}
	link := enquiryConfirmLink.FindStringSubmatch(confirm.Text)
	if link == nil || link[1] != th.ID {
		t.Fatalf("no confirmation link in:\n%s", confirm.Text)
	}
	// Written in the language the writer chose, and that one only.
	if !strings.Contains(confirm.Subject, "Cadarnhewch") || strings.Contains(confirm.Text, "To send your enquiry") {
		t.Errorf("the confirmation is not in Welsh alone: %s\n%s", confirm.Subject, confirm.Text)
	}
	c.do(t, "GET", "/v1/threads/"+th.ID, printer, nil).must(t, 404)
	var unconfirmed struct{ Items []map[string]any }
	c.do(t, "GET", "/v1/threads", printer, nil).must(t, 200).decode(t, &unconfirmed)
	if len(unconfirmed.Items) != 0 {
		t.Errorf("the supplier lists an enquiry not yet confirmed")
	}
	c.do(t, "POST", "/v1/enquiries/"+th.ID+"/confirm", "", map[string]any{"token": strings.Repeat("0", 32)}).must(t, 404)
	c.do(t, "POST", "/v1/enquiries/"+th.ID+"/confirm", "", map[string]any{"token": link[2]}).must(t, 200).decode(t, &th)
	c.do(t, "POST", "/v1/enquiries/"+th.ID+"/confirm", "", map[string]any{"token": link[2]}).must(t, 200)
	if th.Status != "open" {
		t.Fatalf("a confirmed enquiry is %q; want open", th.Status)
	}
	sent = len(smtp.Messages())
	mails = deliver(t, ts, smtp, sent)
	told := mailTo(t, mails, supplierMail)
	if len(mails) != 1 {
		t.Errorf("%d mails after confirming twice; want one to the supplier", len(mails))
	}
	if strings.Contains(told.Text, "sam@example.org") || strings.Contains(string(told.Raw), "sam@example.org") {
		t.Error("the supplier's mail gives away the buyer's address")
	}
	supplierReplyTo := strings.Trim(told.Header.Get("Reply-To"), "<>")
	if !strings.HasPrefix(supplierReplyTo, "reply+"+th.ID+"-") {
		t.Fatalf("the supplier's mail has Reply-To %q; want a reply address of the thread", supplierReplyTo)
	}

	// The supplier reads it and answers on the site.
	threadPath := "/v1/threads/" + th.ID
	var list struct{ Items []map[string]any }
	c.do(t, "GET", "/v1/threads", printer, nil).must(t, 200).decode(t, &list)
	if len(list.Items) != 1 || list.Items[0]["id"] != th.ID {
		t.Fatalf("the supplier's threads: %v", list.Items)
	}
	c.do(t, "GET", threadPath, printer, nil).must(t, 200).decode(t, &th)
	if th.Side != "supplier" || len(th.Messages) != 1 || th.Messages[0].Known {
		t.Fatalf("the supplier sees %+v", th)
	}
	wantProblemFields(t, c.do(t, "POST", threadPath+"/messages", printer, map[string]any{"body": "  "}).must(t, 400), "body")
	c.do(t, "POST", threadPath+"/messages", printer, map[string]any{"body": "Yes: £420 for 2,000, in two weeks."}).must(t, 201)

	// Nobody else reads or writes it: not another member, not staff, not
	// the public without the token.
	c.do(t, "GET", threadPath, third, nil).must(t, 404)
	c.do(t, "GET", threadPath, staff, nil).must(t, 404)
	c.do(t, "GET", threadPath, "", nil).must(t, 404)
	c.do(t, "GET", threadPath+"?token="+strings.Repeat("a", 32), "", nil).must(t, 404)
	c.do(t, "POST", threadPath+"/messages", third, map[string]any{"body": "Me too"}).must(t, 404)
	c.doBreaking(t, "GET", "/v1/threads", "", nil).must(t, 401)
	c.do(t, "GET", "/v1/threads/0123456789abcdef01234567", printer, nil).must(t, 404)
	c.do(t, "GET", "/v1/threads", third, nil).must(t, 200).decode(t, &list)
	if len(list.Items) != 0 {
		t.Errorf("another member lists %d threads; want none", len(list.Items))
	}

	// The buyer hears of the answer by mail, from a reply address of its
	// own, with a link to read the thread.
	mails = deliver(t, ts, smtp, sent)
	answer := mailTo(t, mails, "sam@example.org")
	if strings.Contains(string(answer.Raw), supplierMail) {
		t.Error("the buyer's mail gives away the supplier's address")
	}
	replyTo := strings.Trim(answer.Header.Get("Reply-To"), "<>")
	if !strings.HasPrefix(replyTo, "reply+"+th.ID+"-") || replyTo == supplierReplyTo {
		t.Fatalf("the buyer's Reply-To is %q; want a reply address of its own", replyTo)
	}
	pl := publicLink.FindStringSubmatch(answer.Text)
	if pl == nil {
		t.Fatalf("no link to the thread in:\n%s", answer.Text)
	}
	c.do(t, "GET", threadPath+"?token="+pl[2], "", nil).must(t, 200).decode(t, &th)
	if th.Side != "buyer" || len(th.Messages) != 2 {
		t.Fatalf("the buyer sees %+v", th)
	}

	// The buyer answers by mail; delivered twice, it is added once, with
	// the quoted text trimmed off.
	inbound := func(raw, secret string) *response {
		return c.do(t, "POST", "/v1/inbound/mail", secret, raw, "Content-Type", "message/rfc822")
	}
	raw := replyMail("sam@example.org", replyTo, "reply-1@example.org", "Lovely, please go ahead.")
	var receipt struct {
		ThreadID string `json:"thread_id"`
		Added    bool   `json:"added"`
	}
	inbound(raw, inboundSecret).must(t, 200).decode(t, &receipt)
	if !receipt.Added || receipt.ThreadID != th.ID {
		t.Fatalf("first delivery: %+v", receipt)
	}
	inbound(raw, inboundSecret).must(t, 200).decode(t, &receipt)
	if receipt.Added {
		t.Error("the same mail delivered twice was added twice")
	}
	c.do(t, "GET", threadPath, printer, nil).must(t, 200).decode(t, &th)
	if len(th.Messages) != 3 || th.Messages[2].Body != "Lovely, please go ahead." || th.Messages[2].Via != "mail" {
		t.Fatalf("after the reply by mail: %+v", th.Messages)
	}
	// From another address, to a forged token, or without the secret:
	// nothing is added.
	inbound(replyMail("mallory@example.org", replyTo, "reply-2@example.org", "Cancel it"), inboundSecret).must(t, 403)
	inbound(replyMail("sam@example.org", "reply+"+th.ID+"-"+strings.Repeat("b", 32)+"@federation.example", "reply-3@example.org", "Cancel it"), inboundSecret).must(t, 404)
	inbound(replyMail("sam@example.org", "nobody@federation.example", "reply-4@example.org", "Hi"), inboundSecret).must(t, 404)
	inbound(raw, "not the secret").must(t, 401)
	inbound("this is not a mail", inboundSecret).must(t, 400)
	c.do(t, "GET", threadPath, printer, nil).must(t, 200).decode(t, &th)
	if len(th.Messages) != 3 {
		t.Errorf("%d messages after refused mails; want 3", len(th.Messages))
	}

	// The supplier replies by mail from its own address.
	inbound(replyMail(supplierMail, supplierReplyTo, "reply-5@example.org", "Printing tomorrow."), inboundSecret).must(t, 200)

	// A member enquires: the supplier is told at once, and the buyer's
	// side sees the thread.
	var mine struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	}
	c.do(t, "POST", path, buyer, map[string]any{"body": "Do you deliver to Chapeltown?"}).must(t, 201).decode(t, &mine)
	if mine.Status != "open" {
		t.Errorf("a member's enquiry is %q; want open", mine.Status)
	}
	c.do(t, "GET", "/v1/threads/"+mine.ID, buyer, nil).must(t, 200)
	c.do(t, "POST", "/v1/threads/"+mine.ID+"/messages", printer, map[string]any{"body": "We do."}).must(t, 201)
	c.do(t, "GET", "/v1/threads/"+mine.ID, third, nil).must(t, 404)
	c.do(t, "GET", "/v1/threads/"+mine.ID+"?token="+pl[2], "", nil).must(t, 404)

	dealsScenario(t, c, smtp, staff, dealSides{
		threadID: th.ID, publicToken: pl[2], memberThreadID: mine.ID,
		supplier: printer, buyer: buyer, third: third, offer: offer,
	})
	quotesScenario(t, c, staff, buyer, printer, third)
	jointQuoteScenario(t, c, staff, buyer, printer, third)
	moderationScenario(t, c, staff, printer, third, th.ID, pl[2])
	pagingScenario(t, c, printer)
}

// moderationScenario reports a message of the public's thread: staff see
// that thread (and no other), hide the message and suspend its sender,
// whose link stops working; both are audited.
func moderationScenario(t *testing.T, c *contract, staff, printer, third, threadID, publicToken string) {
	t.Helper()
	var list struct{ Items []map[string]any }
	c.do(t, "GET", "/v1/staff/threads", staff, nil).must(t, 200).decode(t, &list)
	if len(list.Items) != 0 {
		t.Fatalf("staff see %d threads before any report", len(list.Items))
	}
	c.do(t, "GET", "/v1/staff/threads/"+threadID, staff, nil).must(t, 404)
	c.do(t, "GET", "/v1/staff/threads", printer, nil).must(t, 403)

	report := "/v1/threads/" + threadID + "/messages/3/report"
	wantProblemFields(t, c.do(t, "POST", report, printer, map[string]any{"reason": " "}).must(t, 400), "reason")
	c.do(t, "POST", report, third, map[string]any{"reason": "Spam"}).must(t, 404)
	c.do(t, "POST", "/v1/threads/"+threadID+"/messages/99/report", printer, map[string]any{"reason": "Spam"}).must(t, 404)
	c.do(t, "POST", report, printer, map[string]any{"reason": "Abusive"}).must(t, 204)
	c.do(t, "POST", report, printer, map[string]any{"reason": "Abusive, again"}).must(t, 204)

	var rt struct {
		ID      string `json:"id"`
		Reports []map[string]any
	}
	c.do(t, "GET", "/v1/staff/threads", staff, nil).must(t, 200).decode(t, &list)
	if len(list.Items) != 1 || list.Items[0]["id"] != threadID {
		t.Fatalf("staff's reported threads: %v", list.Items)
	}
	c.do(t, "GET", "/v1/staff/threads/"+threadID, staff, nil).must(t, 200).decode(t, &rt)
	if len(rt.Reports) != 1 {
		t.Fatalf("reports: %v; want one (the same side reported twice)", rt.Reports)
	}

	hide := "/v1/staff/threads/" + threadID + "/messages/3/hide"
	c.do(t, "POST", hide, printer, map[string]any{"note": "x"}).must(t, 403)
	wantProblemFields(t, c.do(t, "POST", hide, staff, map[string]any{"note": "  "}).must(t, 400), "note")
	c.do(t, "POST", hide, staff, map[string]any{"note": "Abuse of a supplier.", "suspend_sender": true}).must(t, 200)

	var th struct {
		Messages []struct {
			Body   string
			Hidden bool
		}
	}
	c.do(t, "GET", "/v1/threads/"+threadID, printer, nil).must(t, 200).decode(t, &th)
	if m := th.Messages[2]; !m.Hidden || m.Body != "" {
		t.Fatalf("the hidden message: %+v", m)
	}
	c.do(t, "GET", "/v1/threads/"+threadID+"?token="+publicToken, "", nil).must(t, 404)
	// The suspended member of the public is mailed no more about it.
	var answer marketplace.ThreadMessage
	c.do(t, "POST", "/v1/threads/"+threadID+"/messages", printer, map[string]any{"body": "We will not answer abuse."}).must(t, 201).decode(t, &answer)
	mail := marketplace.NotificationKey("thread:"+threadID+":"+answer.ID, "public", marketplace.ChannelEmail)
	if n, err := c.ts.Service.Notifications.FindNotificationByID(context.Background(), mail); marketplace.ErrorCode(err) != marketplace.ENOTFOUND {
		t.Errorf("the suspended member of the public is mailed: %+v, %v", n, err)
	}
	var audit struct{ Items []marketplace.AuditEntry }
	c.do(t, "GET", "/v1/staff/audit?subject=thread:"+threadID, staff, nil).must(t, 200).decode(t, &audit)
	if len(audit.Items) != 2 {
		t.Errorf("audit of the thread: %+v; want hiding and suspending", audit.Items)
	}
}

// quotesScenario answers a need with quotes: the need's member sees them
// side by side, asks a question in one's thread and accepts it, which
// records a confirmed deal under "quote"; a quoting member sees only its
// own; a lapsed member reads its quote but quotes no more.
func quotesScenario(t *testing.T, c *contract, staff, kitchen, printer, third string) {
	t.Helper()
	ts := c.ts
	lapsing, lapsingOwner := ts.memberWithOwner(t, staff, "Lapsing Leaflets", marketplace.StandingActive)
	n := ts.publishedListing(t, kitchen, need("Menus printed for the kitchen's opening"))
	path := "/v1/listings/" + n.ID + "/quotes"
	quote := map[string]any{"price_pence": 45000, "price_unit": "job", "covers": "300 menus, A4, card", "valid_until": "2027-01-31", "note": "Proofs in two days."}

	wantProblemFields(t, c.doBreaking(t, "POST", path, printer, withValues(quote, "price_pence", 0, "price_unit", "parsec")).must(t, 400), "price_pence", "price_unit")
	wantProblemFields(t, c.do(t, "POST", path, printer, withValues(quote, "valid_until", "2026-01-01")).must(t, 400), "valid_until")
	c.doBreaking(t, "POST", path, printer, withValues(quote, "covers", map[string]any{"$gt": ""})).must(t, 400)
	c.do(t, "POST", path, kitchen, quote).must(t, 403)
	c.doBreaking(t, "POST", path, "", quote).must(t, 401)
	c.do(t, "POST", "/v1/listings/0123456789abcdef01234567/quotes", printer, quote).must(t, 404)

	var first, second, lapsed marketplace.Quote
	c.do(t, "POST", path, printer, quote).must(t, 201).decode(t, &first)
	c.do(t, "POST", path, third, withValues(quote, "price_pence", 39000)).must(t, 201).decode(t, &second)
	c.do(t, "POST", path, lapsingOwner, withValues(quote, "price_pence", 50000)).must(t, 201).decode(t, &lapsed)
	if first.Status != marketplace.QuoteSent || first.ThreadID == "" {
		t.Fatalf("sent: %+v", first)
	}

	// Side by side for the need's member; each quoting member its own.
	var list struct{ Items []marketplace.Quote }
	c.do(t, "GET", path, kitchen, nil).must(t, 200).decode(t, &list)
	if len(list.Items) != 3 {
		t.Fatalf("the need's member sees %d quotes; want 3", len(list.Items))
	}
	c.do(t, "GET", path, printer, nil).must(t, 200).decode(t, &list)
	if len(list.Items) != 1 || list.Items[0].ID != first.ID {
		t.Fatalf("a quoting member sees %+v; want its own only", list.Items)
	}
	c.do(t, "GET", "/v1/quotes/"+second.ID, printer, nil).must(t, 404)
	c.do(t, "GET", "/v1/threads/"+second.ThreadID, printer, nil).must(t, 404)
	c.do(t, "GET", "/v1/quotes/"+first.ID, kitchen, nil).must(t, 200)
	c.do(t, "GET", "/v1/quotes", printer, nil).must(t, 200).decode(t, &list)
	if len(list.Items) != 1 {
		t.Errorf("the printer's quotes: %d", len(list.Items))
	}

	// A lapsed member reads its quote and its thread, and quotes no more.
	c.do(t, "PATCH", "/v1/members/"+lapsing.ID, staff, map[string]any{"standing": "lapsed", "reason": "Dues unpaid"}).must(t, 200)
	c.do(t, "GET", "/v1/quotes/"+lapsed.ID, lapsingOwner, nil).must(t, 200)
	c.do(t, "GET", "/v1/threads/"+lapsed.ThreadID, lapsingOwner, nil).must(t, 200)
	c.do(t, "POST", path, lapsingOwner, quote).must(t, 402)

	// A question in the quote's thread, and its answer.
	c.do(t, "POST", "/v1/threads/"+first.ThreadID+"/messages", kitchen, map[string]any{"body": "Can the card be recycled?"}).must(t, 201)
	c.do(t, "POST", "/v1/threads/"+first.ThreadID+"/messages", printer, map[string]any{"body": "Yes, at no extra cost."}).must(t, 201)

	// Decisions: only the right side; withdrawn until accepted.
	c.do(t, "POST", "/v1/quotes/"+first.ID+"/accept", printer, nil).must(t, 403)
	c.do(t, "POST", "/v1/quotes/"+first.ID+"/withdraw", kitchen, nil).must(t, 403)
	c.do(t, "POST", "/v1/quotes/"+first.ID+"/accept", third, nil).must(t, 404)
	c.do(t, "POST", "/v1/quotes/"+second.ID+"/withdraw", third, nil).must(t, 200)
	c.do(t, "POST", "/v1/quotes/"+second.ID+"/accept", kitchen, nil).must(t, 409)
	c.do(t, "POST", "/v1/quotes/"+lapsed.ID+"/decline", kitchen, nil).must(t, 200)

	var before marketplace.TradeFigures
	c.do(t, "GET", "/v1/staff/trade?from=2026-01-01&to=2030-01-01", staff, nil).must(t, 200).decode(t, &before)
	var accepted marketplace.Quote
	c.do(t, "POST", "/v1/quotes/"+first.ID+"/accept", kitchen, nil).must(t, 200).decode(t, &accepted)
	c.do(t, "POST", "/v1/quotes/"+first.ID+"/accept", kitchen, nil).must(t, 200)
	c.do(t, "POST", "/v1/quotes/"+first.ID+"/withdraw", printer, nil).must(t, 409)
	if accepted.Status != marketplace.QuoteAccepted || accepted.DealID == "" {
		t.Fatalf("accepted: %+v", accepted)
	}
	var d marketplace.Deal
	c.do(t, "GET", "/v1/deals/"+accepted.DealID, printer, nil).must(t, 200).decode(t, &d)
	if d.Origin != marketplace.OriginQuote || d.Status != marketplace.DealConfirmed || d.ValuePence != 45000 {
		t.Fatalf("the deal of the quote: %+v", d)
	}
	var after marketplace.TradeFigures
	c.do(t, "GET", "/v1/staff/trade?from=2026-01-01&to=2030-01-01", staff, nil).must(t, 200).decode(t, &after)
	byOrigin := func(f marketplace.TradeFigures) int64 {
		for _, g := range f.ByOrigin {
			if g.Key == "quote" {
				return g.ValuePence
			}
		}
		return 0
	}
	if byOrigin(after)-byOrigin(before) != 45000 {
		t.Errorf("trade from quotes grew by %d; want 45000", byOrigin(after)-byOrigin(before))
	}
}

// dealSides are who and what the deals scenario works with.
type dealSides struct {
	threadID, publicToken, memberThreadID string
	supplier, buyer, third                string
	offer                                 *marketplace.Listing
}

// dealsScenario reports deals and answers them: one of an enquiry from a
// member of the public, confirmed through its link; one between members,
// disputed; one of an introduction, confirmed. Only the confirmed count,
// each under its origin.
func dealsScenario(t *testing.T, c *contract, smtp *mailtest.Server, staff string, x dealSides) {
	t.Helper()
	ts := c.ts
	var trade marketplace.TradeFigures
	c.do(t, "GET", "/v1/staff/trade?from=2026-01-01&to=2027-01-01", staff, nil).must(t, 200).decode(t, &trade)
	before := trade

	path := "/v1/threads/" + x.threadID + "/deals"
	good := map[string]any{"value_pence": 42000, "date": "2026-11-20", "what": "2,000 A5 leaflets"}
	wantProblemFields(t, c.doBreaking(t, "POST", path, x.supplier, map[string]any{"value_pence": 0, "date": "2026-11-20", "what": "x"}).must(t, 400), "value_pence")
	wantProblemFields(t, c.do(t, "POST", path, x.supplier, withValues(good, "date", "2030-01-01")).must(t, 400), "date")
	wantProblemFields(t, c.doBreaking(t, "POST", path, x.supplier, withValues(good, "date", "next week")).must(t, 400), "date")
	wantProblemFields(t, c.doBreaking(t, "POST", path, x.supplier, withValues(good, "what", "")).must(t, 400), "what")
	c.do(t, "POST", path, x.third, good).must(t, 404)
	sent := len(smtp.Messages())
	var d struct {
		ID, Status, Origin, Side string
	}
	c.do(t, "POST", path, x.supplier, good).must(t, 201).decode(t, &d)
	if d.Status != "reported" || d.Origin != "enquiry" || d.Side != "supplier" {
		t.Fatalf("reported: %+v", d)
	}
	// The buyer is asked by mail, with its link.
	mailTo(t, deliverAll(t, ts, smtp, sent, "2,000 A5 leaflets"), "sam@example.org")

	dealPath := "/v1/deals/" + d.ID
	c.do(t, "POST", dealPath+"/confirm", x.supplier, map[string]any{}).must(t, 403)
	c.do(t, "GET", dealPath, x.third, nil).must(t, 404)
	c.do(t, "GET", dealPath, "", nil).must(t, 404)
	c.do(t, "POST", dealPath+"/confirm", x.third, map[string]any{}).must(t, 404)
	c.do(t, "GET", dealPath+"?token="+x.publicToken, "", nil).must(t, 200).decode(t, &d)
	if d.Side != "buyer" {
		t.Errorf("the public sees its side as %q", d.Side)
	}
	c.do(t, "POST", dealPath+"/confirm", "", map[string]any{"token": x.publicToken}).must(t, 200).decode(t, &d)
	c.do(t, "POST", dealPath+"/confirm", "", map[string]any{"token": x.publicToken}).must(t, 200)
	if d.Status != "confirmed" {
		t.Fatalf("confirmed: %+v", d)
	}
	c.do(t, "POST", dealPath+"/dispute", "", map[string]any{"token": x.publicToken, "note": "Too late"}).must(t, 409)
	var list struct{ Items []map[string]any }
	c.do(t, "GET", path+"?token="+x.publicToken, "", nil).must(t, 200).decode(t, &list)
	if len(list.Items) != 1 {
		t.Errorf("the thread's deals: %v", list.Items)
	}
	c.do(t, "GET", path, x.third, nil).must(t, 404)

	// Between members: reported by the buyer, disputed by the supplier.
	var disputed struct{ ID, Status string }
	c.do(t, "POST", "/v1/threads/"+x.memberThreadID+"/deals", x.buyer, withValues(good, "value_pence", 9900, "what", "Delivery to Chapeltown")).must(t, 201).decode(t, &disputed)
	wantProblemFields(t, c.do(t, "POST", "/v1/deals/"+disputed.ID+"/dispute", x.supplier, map[string]any{}).must(t, 400), "note")
	c.do(t, "POST", "/v1/deals/"+disputed.ID+"/dispute", x.supplier, map[string]any{"note": "It was £99, not £9,900."}).must(t, 200).decode(t, &disputed)
	if disputed.Status != "disputed" {
		t.Fatalf("disputed: %+v", disputed)
	}
	c.do(t, "POST", "/v1/deals/"+disputed.ID+"/confirm", x.supplier, map[string]any{}).must(t, 409)

	// Of an introduction.
	n := ts.publishedListing(t, x.buyer, need("Risograph leaflets for the kitchen's opening"))
	m := ts.storeMatch(t, x.offer, n)
	c.do(t, "POST", "/v1/matches/"+m.ID+"/deals", x.buyer, good).must(t, 409)
	c.do(t, "POST", "/v1/staff/matches/"+m.ID+"/introduce", staff, map[string]any{}).must(t, 200)
	c.do(t, "POST", "/v1/matches/"+m.ID+"/deals", x.third, good).must(t, 404)
	var intro struct{ ID, Origin string }
	c.do(t, "POST", "/v1/matches/"+m.ID+"/deals", x.buyer, withValues(good, "value_pence", 15000)).must(t, 201).decode(t, &intro)
	c.do(t, "POST", "/v1/deals/"+intro.ID+"/confirm", x.supplier, map[string]any{}).must(t, 200)

	c.do(t, "GET", "/v1/deals", x.supplier, nil).must(t, 200).decode(t, &list)
	if len(list.Items) != 3 {
		t.Errorf("the supplier's own trade: %d deals; want 3", len(list.Items))
	}
	c.do(t, "GET", "/v1/deals", x.third, nil).must(t, 200).decode(t, &list)
	if len(list.Items) != 0 {
		t.Errorf("another member sees %d deals", len(list.Items))
	}

	// The figures count the confirmed deals only, each under its origin,
	// and every breakdown adds up to the totals.
	c.do(t, "GET", "/v1/staff/trade?from=2026-01-01&to=2027-01-01", x.supplier, nil).must(t, 403)
	c.doBreaking(t, "GET", "/v1/staff/trade?from=yesterday", staff, nil).must(t, 400)
	c.do(t, "GET", "/v1/staff/trade?from=2026-01-01&to=2027-01-01", staff, nil).must(t, 200).decode(t, &trade)
	if trade.Deals-before.Deals != 2 || trade.ValuePence-before.ValuePence != 57000 {
		t.Fatalf("the figures grew by %d deals worth %d; want 2 worth 57000", trade.Deals-before.Deals, trade.ValuePence-before.ValuePence)
	}
	origin := map[string]int64{}
	for _, g := range trade.ByOrigin {
		origin[g.Key] = g.ValuePence
	}
	if origin["enquiry"] < 42000 || origin["introduction"] < 15000 {
		t.Errorf("by origin: %+v", trade.ByOrigin)
	}
	tradeAddsUp(t, &trade)
	if got := tradeValue(trade.ByRegion, "yorkshire-humber") - tradeValue(before.ByRegion, "yorkshire-humber"); got != 57000 {
		t.Errorf("Yorkshire and the Humber grew by %d; want 57000 (%+v)", got, trade.ByRegion)
	}

	// A deal counts in its postcode district's nation and region, not its
	// area's: CH5 is in Flintshire, Wales, though most of CH is England's.
	before = trade
	welsh := &marketplace.Deal{Origin: marketplace.OriginSearch, Category: "print-runs", Area: "CH", District: "CH5",
		SupplierMemberID: "m-flint", SupplierName: "Flint Print", BuyerName: "Sam", ValuePence: 3100, Date: "2026-11-21",
		What: "Posters", ReportedBy: marketplace.SideBuyer, Status: marketplace.DealConfirmed, Version: 1, CreatedAt: ts.now, UpdatedAt: ts.now}
	if err := ts.Service.Deals.CreateDeal(context.Background(), welsh); err != nil {
		t.Fatal(err)
	}
	c.do(t, "GET", "/v1/staff/trade?from=2026-01-01&to=2027-01-01", staff, nil).must(t, 200).decode(t, &trade)
	tradeAddsUp(t, &trade)
	for name, groups := range map[string][2][]marketplace.TradeGroup{"nation": {before.ByNation, trade.ByNation}, "region": {before.ByRegion, trade.ByRegion}} {
		if got := tradeValue(groups[1], "wales") - tradeValue(groups[0], "wales"); got != 3100 {
			t.Errorf("by %s, Wales grew by %d; want 3100 (%+v)", name, got, groups[1])
		}
	}
}

// tradeAddsUp checks that every breakdown of the figures adds up to their
// totals.
func tradeAddsUp(t *testing.T, trade *marketplace.TradeFigures) {
	t.Helper()
	for name, groups := range map[string][]marketplace.TradeGroup{"origin": trade.ByOrigin, "sector": trade.BySector, "area": trade.ByArea,
		"nation": trade.ByNation, "region": trade.ByRegion, "month": trade.ByMonth, "supplier": trade.BySupplier} {
		var deals int
		var value int64
		for _, g := range groups {
			deals, value = deals+g.Deals, value+g.ValuePence
		}
		if deals != trade.Deals || value != trade.ValuePence {
			t.Errorf("by %s: %d deals worth %d; the totals are %d worth %d", name, deals, value, trade.Deals, trade.ValuePence)
		}
	}
}

// tradeValue is the value of the group with the given key.
func tradeValue(groups []marketplace.TradeGroup, key string) int64 {
	for _, g := range groups {
		if g.Key == key {
			return g.ValuePence
		}
	}
	return 0
}

// jointQuoteScenario answers a need with a quote from two co-ops: the
// partner accepts its place before the lead can send it, a member not
// invited cannot join, the need's member sees nothing until it is sent and
// then one quote with its parts; accepting it splits the deal by partner
// in the figures.
func jointQuoteScenario(t *testing.T, c *contract, staff, kitchen, printer, third string) {
	t.Helper()
	ts := c.ts
	var kitchenMe, printerMe, thirdMe marketplace.User
	c.do(t, "GET", "/v1/me", kitchen, nil).must(t, 200).decode(t, &kitchenMe)
	c.do(t, "GET", "/v1/me", printer, nil).must(t, 200).decode(t, &printerMe)
	c.do(t, "GET", "/v1/me", third, nil).must(t, 200).decode(t, &thirdMe)
	_, outsider := ts.memberWithOwner(t, staff, "Uninvited Prints", marketplace.StandingActive)
	n := ts.publishedListing(t, kitchen, need("Signs and menus for the kitchen's second site"))
	path := "/v1/listings/" + n.ID + "/joint-quotes"
	part := func(member string, share int64) map[string]any {
		return map[string]any{"member_id": member, "categories": []string{"print-runs"}, "share_pence": share}
	}
	joint := map[string]any{"price_pence": 100000, "price_unit": "job", "covers": "Menus, and signs painted", "valid_until": "2027-01-31",
		"parts": []any{part(printerMe.MemberID, 60000), part(thirdMe.MemberID, 40000)}}

	wantProblemFields(t, c.do(t, "POST", path, printer, withValues(joint, "parts", []any{part(printerMe.MemberID, 60000), part(thirdMe.MemberID, 30000)})).must(t, 400), "parts")
	c.do(t, "POST", path, printer, withValues(joint, "parts", []any{part(thirdMe.MemberID, 40000), part(printerMe.MemberID, 60000)})).must(t, 400)
	c.do(t, "POST", path, printer, withValues(joint, "parts", []any{part(printerMe.MemberID, 60000), part(kitchenMe.MemberID, 40000)})).must(t, 400)

	var q marketplace.Quote
	c.do(t, "POST", path, printer, joint).must(t, 201).decode(t, &q)
	if q.Status != marketplace.QuoteDraft || len(q.Parts) != 2 || !q.Parts[0].Accepted || q.Parts[1].Accepted {
		t.Fatalf("the draft: %+v", q)
	}
	qPath := "/v1/quotes/" + q.ID
	var inbox struct{ Items []marketplace.Notification }
	c.do(t, "GET", "/v1/inbox", third, nil).must(t, 200).decode(t, &inbox)
	invited := 0
	for _, n := range inbox.Items {
		if n.Type == marketplace.NotifyQuoteInvited && n.Data["quote_id"] == q.ID {
			invited++
		}
	}
	if invited != 1 {
		t.Errorf("the partner has %d invitations in its inbox; want 1", invited)
	}
	c.do(t, "GET", qPath, kitchen, nil).must(t, 404)
	var list struct{ Items []marketplace.Quote }
	c.do(t, "GET", "/v1/listings/"+n.ID+"/quotes", kitchen, nil).must(t, 200).decode(t, &list)
	if len(list.Items) != 0 {
		t.Fatalf("the need's member sees a draft: %+v", list.Items)
	}
	c.do(t, "POST", qPath+"/send", printer, nil).must(t, 409)
	c.do(t, "POST", qPath+"/join", outsider, nil).must(t, 404)
	c.do(t, "POST", qPath+"/join", kitchen, nil).must(t, 404)
	c.do(t, "GET", qPath, outsider, nil).must(t, 404)
	c.do(t, "GET", qPath, third, nil).must(t, 200)
	c.do(t, "POST", qPath+"/join", third, nil).must(t, 200).decode(t, &q)
	c.do(t, "POST", qPath+"/join", third, nil).must(t, 200)
	if !q.Parts[1].Accepted {
		t.Fatalf("after joining: %+v", q.Parts)
	}
	c.do(t, "POST", qPath+"/send", third, nil).must(t, 403)
	c.do(t, "POST", qPath+"/send", printer, nil).must(t, 200).decode(t, &q)
	if q.Status != marketplace.QuoteSent {
		t.Fatalf("sent: %+v", q)
	}
	c.do(t, "GET", "/v1/listings/"+n.ID+"/quotes", kitchen, nil).must(t, 200).decode(t, &list)
	if len(list.Items) != 1 || len(list.Items[0].Parts) != 2 {
		t.Fatalf("the need's member sees %+v; want one quote with its two parts", list.Items)
	}

	var before marketplace.TradeFigures
	c.do(t, "GET", "/v1/staff/trade?from=2026-01-01&to=2030-01-01", staff, nil).must(t, 200).decode(t, &before)
	c.do(t, "POST", qPath+"/accept", kitchen, nil).must(t, 200).decode(t, &q)
	var d marketplace.Deal
	c.do(t, "GET", "/v1/deals/"+q.DealID, third, nil).must(t, 200) // a partner sees its deal
	c.do(t, "GET", "/v1/deals/"+q.DealID, outsider, nil).must(t, 404)
	c.do(t, "GET", "/v1/deals/"+q.DealID, printer, nil).must(t, 200).decode(t, &d)
	if d.Origin != marketplace.OriginJointQuote || len(d.Parts) != 2 || d.Parts[1].ValuePence != 40000 {
		t.Fatalf("the joint deal: %+v", d)
	}
	var after marketplace.TradeFigures
	c.do(t, "GET", "/v1/staff/trade?from=2026-01-01&to=2030-01-01", staff, nil).must(t, 200).decode(t, &after)
	supplied := func(f marketplace.TradeFigures, member string) int64 {
		for _, g := range f.BySupplier {
			if g.Key == member {
				return g.ValuePence
			}
		}
		return 0
	}
	if supplied(after, thirdMe.MemberID)-supplied(before, thirdMe.MemberID) != 40000 || supplied(after, printerMe.MemberID)-supplied(before, printerMe.MemberID) != 60000 {
		t.Errorf("by supplier: %+v", after.BySupplier)
	}
	var total int64
	for _, g := range after.BySupplier {
		total += g.ValuePence
	}
	if total != after.ValuePence {
		t.Errorf("by supplier adds up to %d; the total is %d", total, after.ValuePence)
	}
}

// pagingScenario walks the printer's threads, deals and quotes a page at a
// time: every item once, the same as in one page, and the second page
// follows the first's cursor.
func pagingScenario(t *testing.T, c *contract, printer string) {
	t.Helper()
	for _, path := range []string{"/v1/threads", "/v1/deals", "/v1/quotes"} {
		var whole struct{ Items []struct{ ID string } }
		c.do(t, "GET", path+"?limit=100", printer, nil).must(t, 200).decode(t, &whole)
		if len(whole.Items) < 2 {
			t.Fatalf("%s: %d items; the scenario wants 2 or more", path, len(whole.Items))
		}
		var walked []string
		cursor, pages := "", 0
		for {
			var pg struct {
				Items      []struct{ ID string }
				NextCursor string `json:"next_cursor"`
			}
			q := path + "?limit=1"
			if cursor != "" {
				q += "&cursor=" + url.QueryEscape(cursor)
			}
			c.do(t, "GET", q, printer, nil).must(t, 200).decode(t, &pg)
			if len(pg.Items) > 1 {
				t.Fatalf("%s: a page of %d items; the limit is 1", q, len(pg.Items))
			}
			for _, it := range pg.Items {
				walked = append(walked, it.ID)
			}
			pages++
			if pg.NextCursor == "" || pages > 50 {
				break
			}
			cursor = pg.NextCursor
		}
		var want []string
		for _, it := range whole.Items {
			want = append(want, it.ID)
		}
		if pages < 2 || !slices.Equal(want, walked) {
			t.Errorf("%s in %d pages: %v; in one: %v", path, pages, walked, want)
		}
		wantProblemFields(t, c.do(t, "GET", path+"?cursor=not-a-cursor", printer, nil).must(t, 400), "cursor")
	}
}
