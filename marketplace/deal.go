package marketplace

import (
	"context"
	"time"
)

// DealOrigin is how the trade behind a deal started.
type DealOrigin string

// Origins of deals.
const (
	OriginSearch       DealOrigin = "search"       // the buyer found the supplier by searching
	OriginEnquiry      DealOrigin = "enquiry"      // a thread begun on an offer
	OriginQuote        DealOrigin = "quote"        // a quote to a need
	OriginJointQuote   DealOrigin = "joint_quote"  // a quote from several co-ops together
	OriginIntroduction DealOrigin = "introduction" // a match staff introduced
)

// DealOrigins are the origins, in the order the figures show them.
var DealOrigins = []DealOrigin{OriginSearch, OriginEnquiry, OriginQuote, OriginJointQuote, OriginIntroduction}

// DealStatus is where the confirmation of a deal has got to.
type DealStatus string

// Statuses of a deal. Only confirmed deals count in the figures.
const (
	DealReported  DealStatus = "reported"  // one side said so; the other has not answered
	DealConfirmed DealStatus = "confirmed" // both sides agree
	DealDisputed  DealStatus = "disputed"  // the other side says otherwise
)

// NotifyDealReported is the notification that the other side reported a
// deal, for the reader to confirm or dispute.
const NotifyDealReported = "deal.reported"

// MaxDealWhat bounds what a deal was, in characters.
const MaxDealWhat = 500

// Deal is trade one side reported and the other confirms or disputes. It
// remembers how it started (Origin) and what it started from (a thread,
// a match).
type Deal struct {
	ID       string     `json:"id"`
	Origin   DealOrigin `json:"origin"`
	ThreadID string     `json:"thread_id,omitempty"`
	MatchID  string     `json:"match_id,omitempty"`
	// ListingID is the offer (or need) the trade started from, and
	// Category its category, which gives the deal its sector.
	ListingID string `json:"listing_id,omitempty"`
	Category  string `json:"category,omitempty"`
	Area      string `json:"area,omitempty"`
	// District is the postcode district of that listing (the need's, for
	// an introduction), which gives the deal its UK nation and region.
	District string `json:"district,omitempty"`

	SupplierMemberID string `json:"supplier_member_id"`
	SupplierName     string `json:"supplier_name"`
	// BuyerMemberID is empty when the buyer is a member of the public.
	BuyerMemberID string `json:"buyer_member_id,omitempty"`
	BuyerName     string `json:"buyer_name"`

	ValuePence int64 `json:"value_pence"`
	// Parts split a joint quote's deal between its suppliers.
	Parts      []DealPart `json:"parts,omitempty"`
	Date       string     `json:"date"` // 2006-01-02, when the trade was agreed
	What       string     `json:"what"`
	ReportedBy Side       `json:"reported_by"`
	Status     DealStatus `json:"status"`
	// DisputeNote is what the other side said when it disputed the deal.
	DisputeNote string     `json:"dispute_note,omitempty"`
	ConfirmedAt *time.Time `json:"confirmed_at,omitempty"`

	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// SideOf returns the side a signed-in viewer takes in the deal, or false.
func (d *Deal) SideOf(viewer *User) (Side, bool) {
	switch {
	case viewer.BelongsTo(d.SupplierMemberID):
		return SideSupplier, true
	case viewer.BelongsTo(d.BuyerMemberID):
		return SideBuyer, true
	}
	for _, p := range d.Parts {
		if viewer.BelongsTo(p.MemberID) {
			return SideSupplier, true // a partner of a joint quote
		}
	}
	return "", false
}

// Parties returns the keys a deal is found under (DealStore.FindDealsOf).
func (d *Deal) Parties() []string {
	parties := []string{"member:" + d.SupplierMemberID}
	if d.BuyerMemberID != "" {
		parties = append(parties, "member:"+d.BuyerMemberID)
	}
	if d.ThreadID != "" {
		parties = append(parties, "thread:"+d.ThreadID)
	}
	for _, p := range d.Parts[min(1, len(d.Parts)):] {
		parties = append(parties, "member:"+p.MemberID)
	}
	return parties
}

// DealPart is one supplier's share of a deal.
type DealPart struct {
	MemberID   string `json:"member_id"`
	MemberName string `json:"member_name"`
	ValuePence int64  `json:"value_pence"`
}

// DealStore keeps deals.
type DealStore interface {
	// CreateDeal stores a new deal and gives it its ID.
	CreateDeal(ctx context.Context, d *Deal) error
	// FindDealByID returns ENOTFOUND when there is none.
	FindDealByID(ctx context.Context, id string) (*Deal, error)
	// UpdateDeal stores d, whose Version is one more than the stored
	// one's; EPRECONDITION when the stored deal changed meanwhile.
	UpdateDeal(ctx context.Context, d *Deal) error
	// FindDealsOf returns the deals of "member:<id>" or "thread:<id>",
	// newest first.
	FindDealsOf(ctx context.Context, party string) ([]*Deal, error)
	// FindDeals returns a page of the deals of f.Party, newest first, and
	// the cursor of the next page ("" at the end); EINVALID for a cursor
	// it did not give out.
	FindDeals(ctx context.Context, f DealFilter) ([]*Deal, string, error)
	// WalkDeals calls fn with every deal, for the figures.
	WalkDeals(ctx context.Context, fn func(*Deal) error) error
}

// DealFilter selects the deals of a party ("member:<id>" or
// "thread:<id>"), a page at a time.
type DealFilter struct {
	Party  string
	Cursor string
	Limit  int
}

// DealInput is what a side reports of a deal. Token is a member of the
// public's link token.
type DealInput struct {
	ValuePence int64  `json:"value_pence"`
	Date       string `json:"date"`
	What       string `json:"what"`
	Token      string `json:"token"`
}

// DealNotice asks one side to confirm or dispute the deal the other
// reported.
type DealNotice struct {
	Deal     *Deal
	Reporter string
	Link     string
}

// MessageLink implements Message.
func (m DealNotice) MessageLink() string { return m.Link }

// TradeGroup is the confirmed trade of one origin, sector, area or month:
// how many deals and their value.
type TradeGroup struct {
	Key        string `json:"key"`
	Name       string `json:"name,omitempty"`
	Deals      int    `json:"deals"`
	ValuePence int64  `json:"value_pence"`
}

// TradeFigures are the confirmed deals agreed in a period, in total and by
// origin, sector, UK nation, region, postcode area and month; each
// breakdown adds up to the totals.
type TradeFigures struct {
	From       time.Time    `json:"from"`
	To         time.Time    `json:"to"`
	Deals      int          `json:"deals"`
	ValuePence int64        `json:"value_pence"`
	ByOrigin   []TradeGroup `json:"by_origin"`
	BySector   []TradeGroup `json:"by_sector"`
	ByArea     []TradeGroup `json:"by_area"`
	ByNation   []TradeGroup `json:"by_nation"`
	// ByRegion is by the nine English regions, Wales, Scotland and
	// Northern Ireland.
	ByRegion []TradeGroup `json:"by_region"`
	ByMonth  []TradeGroup `json:"by_month"`
	// BySupplier splits the value by supplying member (a joint quote's
	// deal by its parts); Key is the member's ID, Name its name.
	BySupplier []TradeGroup `json:"by_supplier"`
}
