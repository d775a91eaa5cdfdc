package marketplace

import "time"

// DuesMessage reminds a member that its dues renew soon. The dues for the
// renewal's year are known (DuesSet), known only from an earlier year
// (DuesProvisional: its labour costs are still to be declared), or not
// known at all.
type DuesMessage struct {
	Member    string
	RenewsAt  time.Time
	Year      int
	DuesState string
	// The dues in pence, with and without VAT, and the VAT.
	GrossPence, NetPence, VATPence int64
	// Automatic is whether the payment is taken by a live subscription.
	Automatic bool
	// Link is the page of the member's dues.
	Link string
}

// States of the dues a DuesMessage reminds of.
const (
	DuesSet         = "set"
	DuesProvisional = "provisional"
	DuesUndeclared  = "undeclared"
)
