package marketplace

import (
	"context"
	"time"
)

// ThreadQuote is the thread of a quote: the need's member asks, the
// quoting member answers.
const ThreadQuote ThreadKind = "quote"

// Notification types of quotes.
const (
	NotifyQuoteNew      = "quote.new"      // a member quoted for the member's need
	NotifyQuoteAccepted = "quote.accepted" // the need's member accepted the member's quote
	NotifyQuoteInvited  = "quote.invited"  // a lead invited the member to a joint quote
)

// QuoteStatus is where a quote has got to.
type QuoteStatus string

// Statuses of a quote.
const (
	QuoteDraft     QuoteStatus = "draft" // a joint quote waiting for its partners
	QuoteSent      QuoteStatus = "sent"
	QuoteAccepted  QuoteStatus = "accepted"
	QuoteDeclined  QuoteStatus = "declined"
	QuoteWithdrawn QuoteStatus = "withdrawn"
)

// Bounds of a quote's words, in characters.
const (
	MaxQuoteCovers = 2000
	MaxQuoteNote   = 5000
)

// Quote is a member's answer to a need with a price. The need's member
// sees every quote to it side by side; a quoting member sees only its own.
type Quote struct {
	ID             string `json:"id"`
	NeedID         string `json:"need_id"`
	NeedTitle      string `json:"need_title"`
	NeedMemberID   string `json:"need_member_id"`
	NeedMemberName string `json:"need_member_name"`
	// MemberID is the quoting member.
	MemberID   string `json:"member_id"`
	MemberName string `json:"member_name"`

	PricePence int64  `json:"price_pence"`
	PriceUnit  string `json:"price_unit"`
	Covers     string `json:"covers"`
	ValidUntil string `json:"valid_until"` // 2006-01-02
	Note       string `json:"note"`

	Status QuoteStatus `json:"status"`
	// Parts are a joint quote's parts, the lead's first: who does what
	// and for what share of the price. Empty for a quote from one member.
	Parts []*QuotePart `json:"parts,omitempty"`
	// ThreadID is the quote's thread, for questions and answers.
	ThreadID string `json:"thread_id"`
	// DealID is the deal accepting the quote recorded.
	DealID string `json:"deal_id,omitempty"`

	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// QuoteInput is what a member sends with a quote.
type QuoteInput struct {
	PricePence int64  `json:"price_pence"`
	PriceUnit  string `json:"price_unit"`
	Covers     string `json:"covers"`
	ValidUntil string `json:"valid_until"`
	Note       string `json:"note"`
}

// QuotePart is one member's part of a joint quote.
type QuotePart struct {
	MemberID   string   `json:"member_id"`
	MemberName string   `json:"member_name"`
	Categories []string `json:"categories"`
	SharePence int64    `json:"share_pence"`
	// Accepted is whether the member took its place; the lead's part is
	// accepted from the start.
	Accepted bool `json:"accepted"`
}

// PartInput is a part of a joint quote as the lead proposes it.
type PartInput struct {
	MemberID   string   `json:"member_id"`
	Categories []string `json:"categories"`
	SharePence int64    `json:"share_pence"`
}

// JointQuoteInput is a joint quote: the quote, and its parts, the lead's
// own first.
type JointQuoteInput struct {
	QuoteInput
	Parts []PartInput `json:"parts"`
}

// MaxQuoteParts bounds how many members answer a need together.
const MaxQuoteParts = 6

// Joint reports whether the quote is from several members.
func (q *Quote) Joint() bool { return len(q.Parts) > 0 }

// Part returns the part of the member, or nil.
func (q *Quote) Part(memberID string) *QuotePart {
	for _, p := range q.Parts {
		if p.MemberID == memberID {
			return p
		}
	}
	return nil
}

// QuoteStore keeps quotes.
type QuoteStore interface {
	// CreateQuote stores a new quote and gives it its ID.
	CreateQuote(ctx context.Context, q *Quote) error
	// FindQuoteByID returns ENOTFOUND when there is none.
	FindQuoteByID(ctx context.Context, id string) (*Quote, error)
	// UpdateQuote stores q, whose Version is one more than the stored
	// one's; EPRECONDITION when the stored quote changed meanwhile.
	UpdateQuote(ctx context.Context, q *Quote) error
	// FindQuotesOf returns the quotes of "need:<id>" or "member:<id>" (the
	// quoting member), oldest first.
	FindQuotesOf(ctx context.Context, key string) ([]*Quote, error)
	// FindQuotes returns a page of the quotes of f.Key, oldest first, and
	// the cursor of the next page ("" at the end); EINVALID for a cursor
	// it did not give out.
	FindQuotes(ctx context.Context, f QuoteFilter) ([]*Quote, string, error)
}

// QuoteFilter selects the quotes of "need:<id>" or "member:<id>", a page
// at a time.
type QuoteFilter struct {
	Key    string
	Cursor string
	Limit  int
}

// QuoteNotice tells a member of a quote: a new one to its need, or its
// own accepted.
type QuoteNotice struct {
	Quote    *Quote
	Accepted bool
	// Invited is set for a partner invited to a joint quote.
	Invited bool
	Link    string
}

// MessageLink implements Message.
func (m QuoteNotice) MessageLink() string { return m.Link }
