package httpapi_test

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"cooptrade/marketplace"
	"cooptrade/workers/mail/mailtest"
)

var enquirerLink = regexp.MustCompile(`https://marketplace\.example/enquirer/data\?token=(cme_[A-Za-z0-9_-]+)&lang=(en|cy)`)

func TestEnquirerData(t *testing.T) {
	smtp := mailtest.NewServer(t)
	ts := newTestServer(t, options{SMTP: smtp, LoginsPerMinute: 100})
	c := newContract(t, ts)
	enquirerDataScenario(t, c, smtp, ts.staffToken(t))
}

// enquirerDataScenario goes through a member of the public's data as an
// enquirer: two people write to a supplier; one asks for a link (the
// same answer as for an address nobody wrote from), downloads their data
// (their words, not the other enquirer's, nor the supplier's), and with a
// second link erases it: their name, address and words are gone from the
// thread, its notifications and the database, the thread is closed with a
// note the supplier sees, and their reply address and link stop working.
func enquirerDataScenario(t *testing.T, c *contract, smtp *mailtest.Server, staff string) {
	t.Helper()
	ts := c.ts
	const robin, kit = "robin@example.net", "kit@example.net"
	const subject = "Letterpress wedding invitations"
	_, printer := ts.memberWithOwner(t, staff, "Enquirer Data Press", marketplace.StandingActive)
	offer := ts.publishedListing(t, printer, offerBody(subject))

	// Robin and Kit each write and confirm; the supplier answers Robin.
	type thread struct {
		ID               string     `json:"id"`
		Status           string     `json:"status"`
		BuyerName        string     `json:"buyer_name"`
		EnquirerErasedAt *time.Time `json:"enquirer_erased_at"`
		Messages         []struct{ Author, Body string }
	}
	write := func(name, email, body string) thread {
		t.Helper()
		var th thread
		sent := len(smtp.Messages())
		c.do(t, "POST", "/v1/listings/"+offer.ID+"/enquiries", "", map[string]any{"name": name, "email": email, "body": body}).must(t, 201).decode(t, &th)
		link := enquiryConfirmLink.FindStringSubmatch(mailTo(t, deliverAll(t, ts, smtp, sent, subject), email).Text)
		if link == nil {
			t.Fatalf("no confirmation link to %s", email)
		}
		c.do(t, "POST", "/v1/enquiries/"+th.ID+"/confirm", "", map[string]any{"token": link[2]}).must(t, 200)
		return th
	}
	robinThread := write("Robin Hale", robin, "Robin's secret plans: 120 invitations on cotton card.")
	write("Kit Marlowe", kit, "Kit's own enquiry: 40 place cards.")
	sent := len(smtp.Messages())
	c.do(t, "POST", "/v1/threads/"+robinThread.ID+"/messages", printer, map[string]any{"body": "Printer's answer: £300."}).must(t, 201)
	answer := mailTo(t, deliverAll(t, ts, smtp, sent, subject), robin)
	replyTo := strings.Trim(answer.Header.Get("Reply-To"), "<>")
	robinLink := publicLink.FindStringSubmatch(answer.Text)
	if replyTo == "" || robinLink == nil {
		t.Fatalf("no reply address or link in:\n%s", answer.Text)
	}

	// Asking: the same answer whether or not anyone wrote from the
	// address; only a writer's address gets a mail.
	mailed := len(smtp.Messages())
	nextLink := func(lang string) string {
		t.Helper()
		msgs := smtp.Wait(t, mailed+1, 10*time.Second)
		mailed = len(msgs)
		m := msgs[len(msgs)-1]
		got := enquirerLink.FindStringSubmatch(m.Text)
		if len(m.To) != 1 || m.To[0] != robin || got == nil || got[2] != lang || !strings.Contains(m.HTML, "token="+got[1]) {
			t.Fatalf("the mail to %v carries no link in %s:\n%s", m.To, lang, m.Text)
		}
		return got[1]
	}
	linkPath := "/v1/enquirer/data/link"
	unknown := c.do(t, "POST", linkPath, "", map[string]any{"email": "nobody@example.net"}).must(t, 202)
	known := c.do(t, "POST", linkPath, "", map[string]any{"email": "Robin@Example.net", "language": "cy"}).must(t, 202)
	if string(known.Body) != string(unknown.Body) {
		t.Errorf("a known address got %s, an unknown one %s; want the same", known.Body, unknown.Body)
	}
	first := nextLink("cy")
	if m := smtp.Messages()[mailed-1]; !strings.Contains(m.Subject, "ymholwr") {
		t.Errorf("the Welsh mail's subject is %q", m.Subject)
	}
	wantProblemFields(t, c.do(t, "POST", linkPath, "", map[string]any{"email": "not an address"}).must(t, 400), "email")
	wantProblemFields(t, c.doBreaking(t, "POST", linkPath, "", map[string]any{"email": robin, "language": "fr"}).must(t, 400), "language")
	wantProblemFields(t, c.do(t, "POST", "/v1/enquirer/data/export", "", map[string]any{"token": "cme_forged"}).must(t, 400), "token")

	// The export holds Robin's words and thread, not Kit's nor the
	// supplier's; the link works once.
	res := c.do(t, "POST", "/v1/enquirer/data/export", "", map[string]any{"token": first}).must(t, 200)
	if !strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("Content-Disposition %q", res.Header.Get("Content-Disposition"))
	}
	body := string(res.Body)
	for _, want := range []string{"Robin's secret plans", robinThread.ID, subject, robin} {
		if !strings.Contains(body, want) {
			t.Errorf("the export lacks %q:\n%s", want, body)
		}
	}
	for _, not := range []string{"Kit", kit, "Printer's answer", "tokenHash", "salt", "owner@"} {
		if strings.Contains(body, not) {
			t.Errorf("the export holds %q:\n%s", not, body)
		}
	}
	var export marketplace.PersonalExport
	res.decode(t, &export)
	if export.Subject.Kind != marketplace.SubjectEnquirer || len(export.Records[marketplace.EnquirerThreads]) != 1 {
		t.Errorf("export of %+v with %d threads; want the enquirer's one", export.Subject, len(export.Records[marketplace.EnquirerThreads]))
	}
	wantProblemFields(t, c.do(t, "POST", "/v1/enquirer/data/export", "", map[string]any{"token": first}).must(t, 400), "token")

	// A newer link replaces an older one; erasing uses it up.
	c.do(t, "POST", linkPath, "", map[string]any{"email": robin}).must(t, 202)
	older := nextLink("en")
	c.do(t, "POST", linkPath, "", map[string]any{"email": robin}).must(t, 202)
	second := nextLink("en")
	wantProblemFields(t, c.do(t, "POST", "/v1/enquirer/data/erase", "", map[string]any{"token": older}).must(t, 400), "token")
	c.do(t, "POST", "/v1/enquirer/data/erase", "", map[string]any{"token": second}).must(t, 204)
	wantProblemFields(t, c.do(t, "POST", "/v1/enquirer/data/erase", "", map[string]any{"token": second}).must(t, 400), "token")

	// The supplier still has the thread, closed, with the note and its
	// own words, but nothing of Robin's.
	var th thread
	c.do(t, "GET", "/v1/threads/"+robinThread.ID, printer, nil).must(t, 200).decode(t, &th)
	if th.Status != "closed" || th.EnquirerErasedAt == nil || strings.Contains(th.BuyerName, "Robin") {
		t.Errorf("after erasure the supplier sees status %q, note %v, buyer %q", th.Status, th.EnquirerErasedAt, th.BuyerName)
	}
	if len(th.Messages) != 2 || th.Messages[0].Body != "" || strings.Contains(th.Messages[0].Author, "Robin") || th.Messages[1].Body != "Printer's answer: £300." {
		t.Errorf("after erasure the messages are %+v", th.Messages)
	}
	c.do(t, "POST", "/v1/threads/"+robinThread.ID+"/messages", printer, map[string]any{"body": "Still there?"}).must(t, 409)

	// Nowhere in the database: not in threads, notifications or links.
	ctx := context.Background()
	for _, coll := range []string{"threads", "notifications", "enquirer_links", "deals"} {
		cur, err := ts.DB.Database.Collection(coll).Find(ctx, bson.D{})
		if err != nil {
			t.Fatal(err)
		}
		var docs []bson.M
		if err := cur.All(ctx, &docs); err != nil {
			t.Fatal(err)
		}
		raw, _ := json.Marshal(docs)
		if strings.Contains(string(raw), robin) || strings.Contains(string(raw), "Robin") {
			t.Errorf("%s still holds Robin's address, name or words", coll)
		}
		if coll == "threads" && !strings.Contains(string(raw), "Kit's own enquiry") {
			t.Error("Kit's enquiry went with Robin's")
		}
	}

	// Robin's reply address and link stop working; nothing is added.
	c.do(t, "POST", "/v1/inbound/mail", inboundSecret, replyMail(robin, replyTo, "after-erasure@example.net", "One more thing"), "Content-Type", "message/rfc822").must(t, 404)
	c.do(t, "GET", "/v1/threads/"+robinThread.ID+"?token="+robinLink[2], "", nil).must(t, 404)
	// An address nobody wrote from any more gets no link.
	c.do(t, "POST", linkPath, "", map[string]any{"email": robin}).must(t, 202)
	if msgs := smtp.Wait(t, mailed, time.Second); len(msgs) != mailed {
		t.Errorf("a link went to an erased address")
	}

	// Both are in the audit log, without the address.
	for _, action := range []string{"privacy.export", "privacy.erase"} {
		entries, _, err := ts.Service.Audit.FindAudit(ctx, marketplace.AuditFilter{Action: action, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, e := range entries {
			if e.Details["kind"] == string(marketplace.SubjectEnquirer) {
				found = true
				if strings.Contains(e.Subject, robin) {
					t.Errorf("the audit names the address: %+v", e)
				}
			}
		}
		if !found {
			t.Errorf("no %s of an enquirer in the audit log", action)
		}
	}
}
