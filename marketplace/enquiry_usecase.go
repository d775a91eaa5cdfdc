package marketplace

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Notification types of threads.
const (
	NotifyEnquiryNew   = "enquiry.new"   // someone wrote to the member about an offer
	NotifyThreadAnswer = "thread.answer" // the other side answered in a thread
)

// EnquiryInput is what someone writes to the supplier of an offer. A
// signed-in user gives the body only; a member of the public gives a name
// and an e-mail address too, which is confirmed by a link before the
// supplier is told.
type EnquiryInput struct {
	Name  string `json:"name"`
	Email string `json:"email"`
	Body  string `json:"body"`
	// Language is the one a member of the public's mails are written in
	// (en, the default, or cy): the web form gives the page's.
	Language string `json:"language"`
}

// publicEnquirer is what a member of the public gives about themselves.
type publicEnquirer struct {
	Name  string `json:"name" validate:"required,max=120"`
	Email string `json:"email" validate:"required,email,max=254"`
}

// checkBody checks the body of a message: plain text of at most
// MaxMessageBody characters.
func checkBody(body string, fe *fieldErrors) string {
	body = strings.TrimSpace(strings.ReplaceAll(body, "\r\n", "\n"))
	switch {
	case body == "":
		fe.broke("body", RuleRequired, RuleParams{})
	case utf8.RuneCountInString(body) > MaxMessageBody:
		fe.broke("body", RuleMaxLength, RuleParams{Max: MaxMessageBody})
	case hasControl(body, true):
		fe.broke("body", RuleControl, RuleParams{})
	}
	return body
}

// StartEnquiry writes to the supplier of a published offer: it opens a
// thread with the first message. A signed-in member's enquiry is told to
// the supplier at once; a member of the public's waits until its address
// is confirmed by the link mailed to it (ConfirmEnquiry).
//
// It returns ENOTFOUND for an offer the writer may not see, EINVALID for
// bad input or a listing that is not a published offer, EFORBIDDEN for
// staff and for a member writing about its own offer.
func (s *Service) StartEnquiry(ctx context.Context, listingID string, in EnquiryInput) (*Thread, error) {
	me := UserFromContext(ctx)
	if me.IsStaff() {
		return nil, Errorf(EFORBIDDEN, "Staff do not enquire; members and the public do.")
	}
	var fe fieldErrors
	body := checkBody(in.Body, &fe)
	who := publicEnquirer{Name: strings.TrimSpace(in.Name), Email: strings.ToLower(strings.TrimSpace(in.Email))}
	if me == nil {
		checkShape(who, &fe)
		if hasControl(who.Name, false) {
			fe.broke("name", RuleControl, RuleParams{})
		}
		if in.Language == "" {
			in.Language = LangEnglish
		} else if !IsLanguage(in.Language) {
			fe.broke("language", RuleOneOf, RuleParams{Options: Languages})
		}
	}
	l, m, err := s.offerToEnquire(ctx, listingID)
	if err != nil {
		return nil, err
	}
	if err := fe.err(); err != nil {
		return nil, err
	}
	if me.BelongsTo(l.MemberID) {
		return nil, Errorf(EFORBIDDEN, "This is your own offer.")
	}
	now := s.now()
	t := &Thread{
		ID: newThreadID(), Kind: ThreadEnquiry, Status: ThreadOpen, ListingID: l.ID, ListingTitle: l.Title,
		SupplierMemberID: m.ID, SupplierName: m.Name, Version: 1, CreatedAt: now, UpdatedAt: now,
	}
	author := &ThreadPerson{Side: SideBuyer, Salt: newSalt()}
	if me != nil {
		t.BuyerUserID, t.BuyerMemberID = me.ID, me.MemberID
		author.Key, author.UserID, author.Name = "user:"+me.ID, me.ID, me.Name
		t.BuyerName = me.Name
		if buyer, err := s.Members.FindMemberByID(ctx, me.MemberID); err == nil {
			t.BuyerName = buyer.Name
		}
	} else {
		t.Status = ThreadUnconfirmed
		author.Key, author.Name, author.Email, author.Lang = "public", who.Name, who.Email, in.Language
		t.BuyerName = who.Name
	}
	author.TokenHash = ReplyTokenHash(ReplyToken(s.Secret, t.ID, author))
	t.People = []*ThreadPerson{author}
	msg := &ThreadMessage{ID: "1", Side: SideBuyer, Author: author.Name, AuthorKey: author.Key, Body: body,
		Via: "web", Known: me != nil, Key: "web:1", CreatedAt: now}
	t.Messages = []*ThreadMessage{msg}
	if err := s.Threads.CreateThread(ctx, t); err != nil {
		return nil, err
	}
	if t.Status == ThreadUnconfirmed {
		token := ReplyToken(s.Secret, t.ID, author)
		err = s.mailPublic(ctx, "thread:"+t.ID+":confirm", NotifyEnquiryNew, author, "",
			EnquiryConfirmMessage{Name: author.Name, Title: t.ListingTitle, Supplier: t.SupplierName,
				Link: s.link("/enquiries/confirm?thread=" + t.ID + "&token=" + token)},
			map[string]string{"thread_id": t.ID})
	} else {
		err = s.tellSide(ctx, t, msg)
	}
	if err != nil {
		// The thread is stored; the reconciler of deliveries does not know
		// it, so say so in the log rather than fail the writer.
		s.logger().WarnContext(ctx, "cannot tell of an enquiry", "thread", t.ID, "error", err)
	}
	return t.For(), nil
}

// offerToEnquire returns a published offer the viewer may see, and its
// member.
func (s *Service) offerToEnquire(ctx context.Context, listingID string) (*Listing, *Member, error) {
	l, err := s.Listings.FindListingByID(ctx, listingID)
	if err != nil {
		return nil, nil, err
	}
	m, err := s.Members.FindMemberByID(ctx, l.MemberID)
	if err != nil && ErrorCode(err) != ENOTFOUND {
		return nil, nil, err
	}
	if m == nil || !l.ShownTo(UserFromContext(ctx), m) {
		return nil, nil, Errorf(ENOTFOUND, "No such listing.")
	}
	if l.Kind != KindOffer || !l.VisibleTo(m) {
		return nil, nil, Invalid(Broken("listing_id", RuleOffersOnly, RuleParams{Hint: ": enquiries go to published offers"}))
	}
	return l, m, nil
}

// ConfirmEnquiry confirms the address of a member of the public who wrote
// an enquiry, with the token its link carries, and tells the supplier.
// Confirming twice is confirming once. ENOTFOUND for a wrong token.
func (s *Service) ConfirmEnquiry(ctx context.Context, threadID, token string) (*Thread, error) {
	var first *ThreadMessage
	t, err := s.changeThread(ctx, threadID, func(t *Thread) (bool, error) {
		p := t.PersonByToken(token)
		if p == nil || p.Key != "public" {
			return false, Errorf(ENOTFOUND, "No such enquiry.")
		}
		if t.Status != ThreadUnconfirmed {
			return false, nil
		}
		t.Status, first = ThreadOpen, t.Messages[0]
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	if first != nil {
		if err := s.tellSide(ctx, t, first); err != nil {
			return nil, err
		}
	}
	return t.For(), nil
}

// threadFor returns a thread and the person reading it: a signed-in user
// of either side, or whoever holds a person's token (the member of the
// public reads through the link mailed to it). Anyone else gets
// ENOTFOUND, as if there were no such thread.
func (s *Service) threadFor(ctx context.Context, id, token string) (*Thread, *ThreadPerson, error) {
	t, err := s.Threads.FindThreadByID(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if t.Status == ThreadUnconfirmed {
		// Nobody reads an enquiry whose writer has not confirmed its
		// address: not the supplier, who has not been told of it.
		return nil, nil, Errorf(ENOTFOUND, "No such thread.")
	}
	me := UserFromContext(ctx)
	if side, ok := t.SideOf(me); ok {
		p := t.Person("user:" + me.ID)
		if p == nil {
			p = &ThreadPerson{Key: "user:" + me.ID, Side: side, UserID: me.ID, Name: me.Name}
		}
		return t, p, nil
	}
	if token != "" && t.Status == ThreadOpen {
		if p := t.PersonByToken(token); p != nil {
			return t, p, nil
		}
	}
	return nil, nil, Errorf(ENOTFOUND, "No such thread.")
}

// FindThread returns a thread to one of its parties (see threadFor).
func (s *Service) FindThread(ctx context.Context, id, token string) (*Thread, Side, error) {
	t, p, err := s.threadFor(ctx, id, token)
	if err != nil {
		return nil, "", err
	}
	return t.For(), p.Side, nil
}

// FindMyThreads returns every thread of the signed-in user's member (and
// its own), last changed first.
func (s *Service) FindMyThreads(ctx context.Context) ([]*Thread, error) {
	ts, _, err := s.myThreads(ctx, "", 0)
	return ts, err
}

// FindMyThreadPage returns a page of FindMyThreads: at most limit threads
// (the default page size when 0) after cursor, and the cursor of the next
// page ("" on the last).
func (s *Service) FindMyThreadPage(ctx context.Context, cursor string, limit int) ([]*Thread, string, error) {
	return s.myThreads(ctx, cursor, clampLimit(limit))
}

// myThreads pages FindMyThreads (all when limit is 0).
func (s *Service) myThreads(ctx context.Context, cursor string, limit int) ([]*Thread, string, error) {
	me := UserFromContext(ctx)
	if me == nil {
		return nil, "", Errorf(EUNAUTHORIZED, "Sign in first.")
	}
	parties := []string{"user:" + me.ID}
	if me.MemberID != "" {
		parties = append(parties, "member:"+me.MemberID)
	}
	ts, next, err := s.Threads.FindThreads(ctx, ThreadFilter{Parties: parties, Open: true, Cursor: cursor, Limit: limit})
	if err != nil {
		return nil, "", err
	}
	all := []*Thread{}
	for _, t := range ts {
		if _, ok := t.SideOf(me); ok {
			all = append(all, t.For())
		}
	}
	return all, next, nil
}

// PostThreadMessage adds a message to a thread from one of its parties,
// on the site or the API, and tells the other side.
func (s *Service) PostThreadMessage(ctx context.Context, id, token, body string) (*Thread, *ThreadMessage, error) {
	var fe fieldErrors
	body = checkBody(body, &fe)
	t, p, err := s.threadFor(ctx, id, token)
	if err != nil {
		return nil, nil, err
	}
	if err := fe.err(); err != nil {
		return nil, nil, err
	}
	if t.Status == ThreadClosed {
		return nil, nil, Errorf(ECONFLICT, "The thread is closed: the person who wrote it erased their data.")
	}
	if t.Status != ThreadOpen {
		return nil, nil, Errorf(ECONFLICT, "The enquiry is not confirmed yet.")
	}
	msg := &ThreadMessage{Side: p.Side, Author: p.Name, AuthorKey: p.Key, Body: body, Via: "web", Known: p.UserID != ""}
	t, added, err := s.addMessage(ctx, t.ID, msg)
	if err != nil {
		return nil, nil, err
	}
	if added {
		if err := s.tellSide(ctx, t, msg); err != nil {
			return nil, nil, err
		}
	}
	return t.For(), msg, nil
}

// ReceiveReplyMail adds a reply by mail to its thread: the mail must be
// addressed to a reply address of the thread and come from the address of
// the person that reply address is for. The same mail delivered twice adds
// one message; added says whether this delivery added it.
//
// EINVALID for a mail that cannot be read or has no text, ENOTFOUND when
// it is addressed to no thread (or with a wrong token), EFORBIDDEN when
// its sender is not the person the address is for.
func (s *Service) ReceiveReplyMail(ctx context.Context, raw []byte) (t *Thread, added bool, err error) {
	return s.ReceiveReplyMailTo(ctx, raw, "")
}

// ReceiveReplyMailTo is ReceiveReplyMail for a mail delivered to a known
// envelope recipient (an LMTP RCPT): that address, not the headers, names
// the thread. An empty recipient reads the headers.
func (s *Service) ReceiveReplyMailTo(ctx context.Context, raw []byte, recipient string) (t *Thread, added bool, err error) {
	if len(raw) > MaxInboundMail {
		return nil, false, Invalid(Broken("message", RuleMaxLength, RuleParams{Max: MaxInboundMail}))
	}
	in, err := ParseInboundMail(raw)
	if err != nil {
		return nil, false, err
	}
	recipients := in.Recipients
	if recipient != "" {
		recipients = []string{recipient}
	}
	var threadID, token string
	for _, r := range recipients {
		if id, tok, ok := ParseReplyAddress(r); ok {
			threadID, token = id, tok
			break
		}
	}
	if threadID == "" {
		return nil, false, Errorf(ENOTFOUND, "The mail is addressed to no thread.")
	}
	t, err = s.Threads.FindThreadByID(ctx, threadID)
	if err != nil {
		return nil, false, err
	}
	p := t.PersonByToken(token)
	if p == nil || t.Status != ThreadOpen {
		return nil, false, Errorf(ENOTFOUND, "The mail is addressed to no thread.")
	}
	from := p.Email
	if p.UserID != "" {
		u, err := s.Users.FindUserByID(ctx, p.UserID)
		if err != nil || u.Suspended {
			return nil, false, Errorf(EFORBIDDEN, "The sender may not write to this thread.")
		}
		if _, ok := t.SideOf(u); !ok {
			return nil, false, Errorf(EFORBIDDEN, "The sender may not write to this thread.")
		}
		from, p.Name = u.Email, u.Name
	}
	if !strings.EqualFold(from, in.From) {
		return nil, false, Errorf(EFORBIDDEN, "The mail does not come from the person the reply address is for.")
	}
	var fe fieldErrors
	body := checkBody(in.Text, &fe)
	if err := fe.err(); err != nil {
		return nil, false, err
	}
	msg := &ThreadMessage{Side: p.Side, Author: p.Name, AuthorKey: p.Key, Body: body, Via: "mail",
		Known: p.UserID != "", Key: "mail:" + in.MessageID}
	t, added, err = s.addMessage(ctx, t.ID, msg)
	if err != nil || !added {
		return t, added, err
	}
	return t, true, s.tellSide(ctx, t, msg)
}

// addMessage appends msg to a thread unless a message with its key is
// there; it gives msg its ID, time and key.
func (s *Service) addMessage(ctx context.Context, id string, msg *ThreadMessage) (*Thread, bool, error) {
	added := false
	t, err := s.changeThread(ctx, id, func(t *Thread) (bool, error) {
		if msg.Key != "" && t.HasMessageKey(msg.Key) {
			return false, nil
		}
		msg.ID = strconv.Itoa(len(t.Messages) + 1)
		if msg.Key == "" {
			msg.Key = "web:" + msg.ID
		}
		msg.CreatedAt = s.now()
		t.Messages = append(t.Messages, msg)
		added = true
		return true, nil
	})
	return t, added, err
}

// changeThread reads a thread, lets change change it, and stores it,
// again from a fresh read when another write came first. change reports
// whether it changed anything.
func (s *Service) changeThread(ctx context.Context, id string, change func(*Thread) (bool, error)) (*Thread, error) {
	for attempt := 0; ; attempt++ {
		t, err := s.Threads.FindThreadByID(ctx, id)
		if err != nil {
			return nil, err
		}
		changed, err := change(t)
		if err != nil || !changed {
			return t, err
		}
		t.Version++
		t.UpdatedAt = s.now()
		err = s.Threads.UpdateThread(ctx, t)
		if ErrorCode(err) == EPRECONDITION && attempt < 5 {
			continue
		}
		return t, err
	}
}

// threadPerson returns the user's person in the thread, adding it (with
// its own reply token) the first time the user is mailed about it.
func (s *Service) threadPerson(ctx context.Context, t *Thread, u *User, side Side) (*ThreadPerson, error) {
	key := "user:" + u.ID
	if p := t.Person(key); p != nil {
		return p, nil
	}
	fresh, err := s.changeThread(ctx, t.ID, func(t *Thread) (bool, error) {
		if t.Person(key) != nil {
			return false, nil
		}
		p := &ThreadPerson{Key: key, Side: side, UserID: u.ID, Name: u.Name, Salt: newSalt()}
		p.TokenHash = ReplyTokenHash(ReplyToken(s.Secret, t.ID, p))
		t.People = append(t.People, p)
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	*t = *fresh
	return t.Person(key), nil
}

// replyAddress is a reply address on the service's reply domain, or ""
// when replies by mail are not taken.
func (s *Service) replyAddress(threadID, token string) string {
	if s.ReplyDomain == "" {
		return ""
	}
	return ReplyAddress(s.ReplyDomain, threadID, token)
}

// ThreadLink is the link to a thread a person reads it by: with the token
// for the member of the public.
func ThreadLink(threadID, token string) string {
	if token == "" {
		return "/threads/" + threadID
	}
	return "/threads/" + threadID + "?token=" + url.QueryEscape(token)
}

func newSalt() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// newThreadID returns an ID for a thread: 24 hex digits, like the stores'
// IDs, made up here so that the first reply token can be derived from it
// before the thread is stored.
func newThreadID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
