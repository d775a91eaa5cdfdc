package message

import (
	"strings"

	"cooptrade/marketplace"
)

// alert is an AlertMessage as its templates show it.
type alert struct {
	marketplace.AlertMessage
	// Instant is an alert of one listing, First; otherwise a digest of a
	// day, or of a week (Weekly).
	Instant bool
	Weekly  bool
	First   *marketplace.AlertHit
	Lines   []alertLine
}

// alertLine is one listing as an alert shows it.
type alertLine struct {
	Kind                       marketplace.ListingKind
	Title, Member, Place, Link string
	Price                      string
}

func newAlert(m marketplace.AlertMessage, lang string) alert {
	a := alert{AlertMessage: m, Weekly: m.Digest == marketplace.AlertWeekly}
	for _, it := range m.Items {
		h := it.Hit
		place := h.Area
		if h.Remote {
			remote := ", UK-wide or remote"
			if lang == marketplace.LangWelsh {
				remote = ", ledled y DU neu o bell"
			}
			place = strings.TrimPrefix(place+remote, ", ")
		}
		a.Lines = append(a.Lines, alertLine{Kind: h.Kind, Title: h.Title, Member: h.MemberName, Place: place,
			Price: priceRange(lang, h.PriceMinPence, h.PriceMaxPence, h.PriceUnit), Link: it.Link})
	}
	if m.Digest == "" && len(m.Items) > 0 {
		a.Instant, a.First = true, m.Items[0].Hit
	}
	return a
}

// priceRange writes a price range in pounds: "£400–£600 per job".
func priceRange(lang string, lo, hi int64, unit string) string {
	if lo == 0 && hi == 0 {
		return ""
	}
	out := marketplace.Pounds(hi)
	if lo != hi && lo > 0 {
		out = marketplace.Pounds(lo) + "–" + marketplace.Pounds(hi)
	}
	if unit != "" {
		out += " " + perUnit(lang, unit)
	}
	return out
}
