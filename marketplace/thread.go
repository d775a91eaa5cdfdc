package marketplace

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"strings"
	"time"
)

// MaxMessageBody bounds the body of a message in a thread, in characters.
const MaxMessageBody = 10_000

// ThreadKind says what a thread is about.
type ThreadKind string

// Kinds of thread.
const (
	// ThreadEnquiry is someone writing to the supplier of an offer.
	ThreadEnquiry ThreadKind = "enquiry"
	// ThreadIntroduction is the conversation staff open when they
	// introduce the two sides of a match: the offer's member is the
	// supplier, the need's the buyer.
	ThreadIntroduction ThreadKind = "introduction"
)

// ThreadStatus is where a thread has got to.
type ThreadStatus string

// Statuses of a thread.
const (
	// ThreadUnconfirmed is an enquiry from a member of the public whose
	// address is not confirmed yet: the supplier has not been told of it.
	ThreadUnconfirmed ThreadStatus = "unconfirmed"
	// ThreadOpen is a thread both sides read and answer.
	ThreadOpen ThreadStatus = "open"
	// ThreadClosed is a thread no one writes in any more: the member of
	// the public who wrote it erased their data (EnquirerErasedAt).
	ThreadClosed ThreadStatus = "closed"
)

// Side is one of the two sides of a thread.
type Side string

// Sides of a thread.
const (
	SideBuyer    Side = "buyer"    // who wrote first
	SideSupplier Side = "supplier" // the member written to
)

// Other returns the other side.
func (s Side) Other() Side {
	if s == SideBuyer {
		return SideSupplier
	}
	return SideBuyer
}

// Thread is a conversation between two sides that the marketplace relays:
// each reads and answers on the site or by replying to the notification
// mail, and neither learns the other's address. The supplier side is a
// member (all its users); the buyer side is a member (when the person who
// wrote belongs to one), a user, or a member of the public known by a
// confirmed address.
type Thread struct {
	ID     string       `json:"id"`
	Kind   ThreadKind   `json:"kind"`
	Status ThreadStatus `json:"status"`
	// ListingID is the offer enquired about, and ListingTitle its title
	// when the thread began.
	ListingID    string `json:"listing_id"`
	ListingTitle string `json:"listing_title"`
	// MatchID is the match an introduction's thread was opened for.
	MatchID string `json:"match_id,omitempty"`

	SupplierMemberID string `json:"supplier_member_id"`
	SupplierName     string `json:"supplier_name"`
	// BuyerMemberID is set when the buyer is a member; BuyerUserID is the
	// user who wrote; a member of the public has neither.
	BuyerMemberID string `json:"buyer_member_id,omitempty"`
	BuyerUserID   string `json:"-"`
	BuyerName     string `json:"buyer_name"`

	// People are those who have a reply address for the thread, each
	// with its own token; their addresses are never shown.
	People   []*ThreadPerson  `json:"-"`
	Messages []*ThreadMessage `json:"messages"`
	// Reports are the messages people reported to staff; a thread with
	// any is shown to staff (and only then).
	Reports []*ThreadReport `json:"-"`
	// EnquirerErasedAt is when the member of the public who wrote erased
	// their data: the supplier's note of why the thread is closed and
	// their words are gone.
	EnquirerErasedAt *time.Time `json:"enquirer_erased_at,omitempty"`

	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// ThreadPerson is one person taking part in a thread: a user, or the
// member of the public who wrote. Its reply token is derived from the
// service's secret and Salt, and stored only as TokenHash.
type ThreadPerson struct {
	Key  string // "user:<id>", or "public" for the member of the public
	Side Side
	// UserID is the user; empty for the member of the public, whose
	// name and address are Name and Email.
	UserID string
	Name   string
	Email  string
	// Lang is the language of the member of the public's mails.
	Lang      string
	Salt      string
	TokenHash string
	// Blocked is set when staff suspended the person: its token and
	// reply address stop working.
	Blocked bool
}

// ThreadReport is a message someone reported to staff, and why.
type ThreadReport struct {
	MessageID string    `json:"message_id"`
	Side      Side      `json:"side"`
	Reason    string    `json:"reason"`
	At        time.Time `json:"at"`
}

// Reported reports whether anyone reported a message of the thread.
func (t *Thread) Reported() bool { return len(t.Reports) > 0 }

// Message returns the message with the ID, or nil.
func (t *Thread) Message(id string) *ThreadMessage {
	for _, m := range t.Messages {
		if m.ID == id {
			return m
		}
	}
	return nil
}

// ThreadMessage is one message of a thread.
type ThreadMessage struct {
	ID     string `json:"id"`
	Side   Side   `json:"side"`
	Author string `json:"author"`
	// AuthorKey names the ThreadPerson who wrote it.
	AuthorKey string `json:"-"`
	Body      string `json:"body"`
	// Via is how it came: "web" (the site or the API) or "mail".
	Via string `json:"via"`
	// Known is whether the author is a user of the federation: links in
	// messages of unknown senders are never made clickable.
	Known bool `json:"known"`
	// Key makes a message idempotent: a mail's Message-ID, so that the
	// same mail delivered twice adds one message.
	Key       string    `json:"-"`
	Hidden    bool      `json:"hidden,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// ThreadStore keeps threads.
type ThreadStore interface {
	// CreateThread stores a new thread, giving it its ID when it has none.
	CreateThread(ctx context.Context, t *Thread) error
	// FindThreadByID returns ENOTFOUND when there is none.
	FindThreadByID(ctx context.Context, id string) (*Thread, error)
	// UpdateThread stores t, whose Version is one more than the stored
	// one's; EPRECONDITION when the stored thread changed meanwhile.
	UpdateThread(ctx context.Context, t *Thread) error
	// FindThreadsOf returns the threads a party takes part in, newest
	// first: "member:<id>" or "user:<id>"; "reported" names the threads
	// with a report.
	FindThreadsOf(ctx context.Context, party string) ([]*Thread, error)
	// FindThreads returns a page of the threads of f's parties, last
	// changed first, and the cursor of the next page ("" at the end);
	// EINVALID for a cursor it did not give out.
	FindThreads(ctx context.Context, f ThreadFilter) ([]*Thread, string, error)
}

// ThreadFilter selects the threads of some parties ("member:<id>",
// "user:<id>"), each once, a page at a time.
type ThreadFilter struct {
	Parties []string
	// Open leaves out the enquiries not confirmed yet.
	Open   bool
	Cursor string
	Limit  int
}

// SideOf returns the side viewer takes in the thread, or false when the
// viewer is no party to it.
func (t *Thread) SideOf(viewer *User) (Side, bool) {
	switch {
	case viewer == nil:
		return "", false
	case viewer.BelongsTo(t.SupplierMemberID):
		return SideSupplier, true
	case viewer.BelongsTo(t.BuyerMemberID), t.BuyerUserID != "" && viewer.ID == t.BuyerUserID:
		return SideBuyer, true
	}
	return "", false
}

// Parties returns the keys the thread is found under (ThreadStore.FindThreadsOf).
func (t *Thread) Parties() []string {
	parties := []string{"member:" + t.SupplierMemberID}
	if t.BuyerMemberID != "" {
		parties = append(parties, "member:"+t.BuyerMemberID)
	} else if t.BuyerUserID != "" {
		parties = append(parties, "user:"+t.BuyerUserID)
	}
	if t.Reported() {
		parties = append(parties, "reported")
	}
	return parties
}

// Person returns the person with the key, or nil.
func (t *Thread) Person(key string) *ThreadPerson {
	for _, p := range t.People {
		if p.Key == key {
			return p
		}
	}
	return nil
}

// HasMessageKey reports whether a message with the idempotency key is in
// the thread.
func (t *Thread) HasMessageKey(key string) bool {
	for _, m := range t.Messages {
		if m.Key == key {
			return true
		}
	}
	return false
}

// For returns the thread as a party sees it: hidden messages without
// their words.
func (t *Thread) For() *Thread {
	c := *t
	c.Messages = make([]*ThreadMessage, len(t.Messages))
	for i, m := range t.Messages {
		mc := *m
		if mc.Hidden {
			mc.Body = ""
		}
		c.Messages[i] = &mc
	}
	return &c
}

// ReplyToken returns a person's token for a thread: what their reply
// address and their link to the thread carry. It is derived from the
// service's secret and the person's salt, so the database keeps only its
// hash (ReplyTokenHash).
func ReplyToken(secret []byte, threadID string, p *ThreadPerson) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte("thread-reply\n" + threadID + "\n" + p.Key + "\n" + p.Salt))
	return hex.EncodeToString(mac.Sum(nil)[:16])
}

// ReplyTokenHash is what is stored of a reply token.
func ReplyTokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// PersonByToken returns the person whose reply token is token, or nil.
func (t *Thread) PersonByToken(token string) *ThreadPerson {
	if len(token) != 32 {
		return nil
	}
	h := ReplyTokenHash(strings.ToLower(token))
	for _, p := range t.People {
		if subtle.ConstantTimeCompare([]byte(h), []byte(p.TokenHash)) == 1 && !p.Blocked {
			return p
		}
	}
	return nil
}

// ReplyAddress is the address a person's replies to a thread go to:
// reply+<thread>-<token>@domain.
func ReplyAddress(domain, threadID, token string) string {
	return "reply+" + threadID + "-" + token + "@" + domain
}

// ParseReplyAddress reads a thread and a token from a reply address's
// local part; ok is false for any other address.
func ParseReplyAddress(addr string) (threadID, token string, ok bool) {
	local, _, found := strings.Cut(strings.ToLower(strings.TrimSpace(addr)), "@")
	if !found {
		return "", "", false
	}
	rest, found := strings.CutPrefix(local, "reply+")
	if !found {
		return "", "", false
	}
	threadID, token, found = strings.Cut(rest, "-")
	if !found || threadID == "" || len(token) != 32 || strings.Trim(token, "0123456789abcdef") != "" {
		return "", "", false
	}
	return threadID, token, true
}

// EnquiryConfirmMessage asks a member of the public who wrote an enquiry
// to confirm its address.
type EnquiryConfirmMessage struct {
	Name, Title, Supplier string
	Link                  string
}

// ThreadNotice tells one side of a thread of a message from the other:
// a new enquiry (New) or an answer.
type ThreadNotice struct {
	New bool
	// Title is the offer's; Author who wrote (a person, or a member).
	Title, Author string
	Body          string
	// Known is whether the author is a user of the federation.
	Known bool
	Link  string
}

// MessageLink implements Message.
func (m EnquiryConfirmMessage) MessageLink() string { return m.Link }

// MessageLink implements Message.
func (m ThreadNotice) MessageLink() string { return m.Link }
