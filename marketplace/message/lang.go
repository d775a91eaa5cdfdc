package message

import (
	"fmt"
	"strconv"
	"time"

	"cooptrade/marketplace"
)

// english and welsh are the functions the templates of each language
// call: words for listing kinds, dates, prices and match reasons.
var (
	english = map[string]any{
		"kind":      func(k marketplace.ListingKind) string { return enKinds[k] },
		"kindTitle": func(k marketplace.ListingKind) string { return enKindTitles[k] },
		"date":      enDate,
		"dayMonth":  func(t time.Time) string { return t.Format("2 January") },
		"onDay":     func(t *time.Time) string { return "on " + enDay(t) },
		"onWeekday": func(t time.Time) string { return "on " + t.Format("Monday 2 January") },
		"clock":     func(t time.Time) string { return t.Format("15:04") },
		"pounds":    marketplace.FormatPence,
		"reason":    func(r marketplace.MatchReason) string { return r.Detail },
		"per":       func(unit string) string { return perUnit(marketplace.LangEnglish, unit) },
		"isoDate":   func(day string) string { return isoDate(day, enDate) },
	}
	welsh = map[string]any{
		"kind":      func(k marketplace.ListingKind) string { return cyKinds[k] },
		"kindTitle": func(k marketplace.ListingKind) string { return cyKindTitles[k] },
		"date":      cyDate,
		"dayMonth":  func(t time.Time) string { return strconv.Itoa(t.Day()) + " " + cyMonths[t.Month()-1] },
		// "ddydd Llun": the soft mutation of a day said as when.
		"onDay": func(t *time.Time) string { return cyDay(t) },
		"onWeekday": func(t time.Time) string {
			return "d" + cyWeekdays[t.Weekday()] + " " + strconv.Itoa(t.Day()) + " " + cyMonths[t.Month()-1]
		},
		"clock":   func(t time.Time) string { return t.Format("15:04") },
		"pounds":  marketplace.FormatPence,
		"reason":  cyReason,
		"per":     func(unit string) string { return perUnit(marketplace.LangWelsh, unit) },
		"isoDate": func(day string) string { return isoDate(day, cyDate) },
	}
)

var (
	enKinds      = map[marketplace.ListingKind]string{marketplace.KindOffer: "offer", marketplace.KindNeed: "need"}
	enKindTitles = map[marketplace.ListingKind]string{marketplace.KindOffer: "Offer", marketplace.KindNeed: "Need"}
	cyKinds      = map[marketplace.ListingKind]string{marketplace.KindOffer: "cynnig", marketplace.KindNeed: "angen"}
	cyKindTitles = map[marketplace.ListingKind]string{marketplace.KindOffer: "Cynnig", marketplace.KindNeed: "Angen"}

	cyMonths   = [12]string{"Ionawr", "Chwefror", "Mawrth", "Ebrill", "Mai", "Mehefin", "Gorffennaf", "Awst", "Medi", "Hydref", "Tachwedd", "Rhagfyr"}
	cyWeekdays = [7]string{"dydd Sul", "dydd Llun", "dydd Mawrth", "dydd Mercher", "dydd Iau", "dydd Gwener", "dydd Sadwrn"}

	// cyReasons name the parts of a match's score (MatchReason.Code);
	// their details are worded in English by the matcher.
	cyReasons = map[string]string{
		"category": "Categori", "distance": "Pellter", "tags": "Tagiau", "words": "Geiriau'r disgrifiad",
		"price": "Pris", "deadline": "Dyddiad cau", "freshness": "Pa mor newydd",
	}

	// Price units as said after a price: "£20 per hour", "£20 yr awr".
	cyUnits = map[string]string{
		"job": "y swydd", "hour": "yr awr", "day": "y dydd", "week": "yr wythnos",
		"month": "y mis", "year": "y flwyddyn", "item": "yr eitem",
	}
)

func enDay(t *time.Time) string {
	if t == nil {
		return "soon"
	}
	return t.Format("Monday 2 January 2006")
}

func enDate(t time.Time) string { return t.Format("2 January 2006") }

// isoDate says a day given as 2006-01-02 (a deal's, a quote's) with
// format; as given when it is not such a day.
func isoDate(day string, format func(time.Time) string) string {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return day
	}
	return format(t)
}

func cyDate(t time.Time) string {
	return strconv.Itoa(t.Day()) + " " + cyMonths[t.Month()-1] + " " + strconv.Itoa(t.Year())
}

func cyDay(t *time.Time) string {
	if t == nil {
		return "cyn bo hir"
	}
	return "d" + cyWeekdays[t.Weekday()] + " " + cyDate(*t)
}

func cyReason(r marketplace.MatchReason) string {
	name, ok := cyReasons[r.Code]
	if !ok {
		name = "Rheswm arall"
	}
	return fmt.Sprintf("%s: %.0f pwynt allan o %.0f", name, r.Points, r.Max)
}

// perUnit says a price's unit in lang: "per hour", "yr awr".
func perUnit(lang, unit string) string {
	if lang == marketplace.LangWelsh {
		if u, ok := cyUnits[unit]; ok {
			return u
		}
		return "am bob " + unit
	}
	return "per " + unit
}
