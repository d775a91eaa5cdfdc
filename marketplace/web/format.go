package web

import (
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // the pages show UK time wherever they run

	"cooptrade/marketplace"
)

// ukTime is the time zone dates are shown in.
var ukTime = func() *time.Location {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		return time.UTC
	}
	return loc
}()

func (s *Server) now() time.Time {
	if s.service.Now != nil {
		return s.service.Now()
	}
	return time.Now()
}

// formatDate writes a date the British way, "27 November 2026", with the
// month's name from the catalogue ("27 Tachwedd 2026").
func (cat *catalogue) formatDate(lang string, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(ukTime)
	return strconv.Itoa(t.Day()) + " " + cat.translate(lang, "month."+strconv.Itoa(int(t.Month()))) + " " + strconv.Itoa(t.Year())
}

// formatNumber writes a whole number with thousands separated by commas:
// 12,345.
func formatNumber(n int64) string {
	neg := n < 0
	if neg {
		n = -n
	}
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// formatMoney writes pence as pounds: £1,250 or £12.50.
func formatMoney(pence int64) string {
	neg := pence < 0
	if neg {
		pence = -pence
	}
	s := "£" + formatNumber(pence/100)
	if p := pence % 100; p != 0 {
		s += "." + strconv.FormatInt(p+100, 10)[1:]
	}
	if neg {
		s = "−" + s
	}
	return s
}

// formatPounds writes pence as a plain amount of pounds for a form field:
// 1250 or 12.50.
func formatPounds(pence int64) string {
	if pence == 0 {
		return ""
	}
	s := strconv.FormatInt(pence/100, 10)
	if p := pence % 100; p != 0 {
		s += "." + strconv.FormatInt(p+100, 10)[1:]
	}
	return s
}

// parsePounds reads an amount of pounds as people type it ("£1,250",
// "12.5") into pence, up to the largest price. Empty is 0.
func parsePounds(s string) (int64, bool) {
	return parsePoundsUpTo(s, marketplace.MaxPricePence)
}

// parsePoundsUpTo reads an amount of pounds as parsePounds does, with at
// most maxPence/100 whole pounds (maxPence at most 1<<62).
func parsePoundsUpTo(s string, maxPence int64) (int64, bool) {
	s = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s), "£"))
	s = strings.ReplaceAll(s, ",", "")
	if s == "" {
		return 0, true
	}
	whole, frac, hasFrac := strings.Cut(s, ".")
	if whole == "" {
		whole = "0"
	}
	if len(frac) > 2 || (hasFrac && frac == "") || strings.ContainsAny(whole+frac, "+- ") {
		return 0, false
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w > maxPence/100 {
		return 0, false
	}
	var f int64
	if frac != "" {
		frac += strings.Repeat("0", 2-len(frac))
		if f, err = strconv.ParseInt(frac, 10, 64); err != nil {
			return 0, false
		}
	}
	return w*100 + f, true
}

// formatDistance writes a distance in km: "8.5 km" below 10 km, "42 km"
// beyond.
func formatDistance(km float64) string {
	if km < 10 {
		return strconv.FormatFloat(float64(int(km*10+0.5))/10, 'f', -1, 64) + " km"
	}
	return formatNumber(int64(km+0.5)) + " km"
}
