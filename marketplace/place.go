package marketplace

import (
	"math"
	"regexp"
	"strings"
)

// Place is where a member or listing is: a UK postcode, its district and the
// district's centroid. Distances between places are distances between
// district centroids, which is as precise as a co-op marketplace needs and
// lets search treat "within N km" as a set of districts. The postcode area
// remains as a coarser facet.
type Place struct {
	Postcode string  // normalised, e.g. "LS6 1AA" or an outward code "LS6"
	District string  // postcode district (outward code), e.g. "LS6"
	Area     string  // postcode area, e.g. "LS"
	Lat      float64 // centroid of the district
	Lon      float64
	Nation   string // District.Nation
	Region   string // District.Region
}

// PostcodeArea is one UK postcode area with the approximate centroid of the
// ground it covers.
type PostcodeArea struct {
	Code string  `json:"code"`
	Name string  `json:"name"`
	Lat  float64 `json:"lat"`
	Lon  float64 `json:"lon"`
}

var (
	fullPostcode    = regexp.MustCompile(`^([A-Z]{1,2})([0-9][0-9A-Z]?)([0-9][A-Z]{2})$`)
	outwardPostcode = regexp.MustCompile(`^([A-Z]{1,2})([0-9][0-9A-Z]?)$`)
)

// ParsePostcode validates a UK postcode, or the outward part of one ("M1",
// "LS6"), and resolves it to its district. Spaces and case are forgiven; the
// result is normalised ("ls61aa" becomes "LS6 1AA"). It returns EINVALID for
// anything that is not a postcode or whose area or district is unknown.
func ParsePostcode(s string) (Place, error) {
	if strings.TrimSpace(s) == "" {
		return Place{}, Errorf(EINVALID, "A postcode is required.")
	}
	p, rule, params := parsePostcode(s)
	if rule != "" {
		return Place{}, Errorf(EINVALID, "%s", RuleMessage(rule, params))
	}
	return p, nil
}

// PlaceOf is ParsePostcode for a postcode already stored or validated:
// false when it is not one of a known district. Stores use it to re-place
// what was stored before places were districts.
func PlaceOf(postcode string) (Place, bool) {
	if strings.TrimSpace(postcode) == "" {
		return Place{}, false
	}
	p, rule, _ := parsePostcode(postcode)
	return p, rule == ""
}

// parsePostcode is ParsePostcode for a postcode given, returning the rule
// it breaks (RulePostcode, RulePostcodeArea, RulePostcodeDistrict) instead
// of an error.
func parsePostcode(s string) (Place, string, RuleParams) {
	compact := strings.ToUpper(strings.Join(strings.Fields(s), ""))
	var area, district, normalised string
	if m := fullPostcode.FindStringSubmatch(compact); m != nil {
		area, district, normalised = m[1], m[1]+m[2], m[1]+m[2]+" "+m[3]
	} else if m := outwardPostcode.FindStringSubmatch(compact); m != nil {
		area, district, normalised = m[1], compact, compact
	} else {
		return Place{}, RulePostcode, RuleParams{Value: s}
	}
	if _, ok := postcodeAreaIndex[area]; !ok {
		return Place{}, RulePostcodeArea, RuleParams{Value: area}
	}
	d, ok := FindDistrict(district)
	if !ok {
		return Place{}, RulePostcodeDistrict, RuleParams{Value: district}
	}
	return Place{Postcode: normalised, District: d.Code, Area: d.Area, Lat: d.Lat, Lon: d.Lon,
		Nation: d.Nation, Region: d.Region}, "", RuleParams{}
}

// FindPostcodeArea returns the area with the given code (e.g. "LS").
func FindPostcodeArea(code string) (PostcodeArea, bool) {
	a, ok := postcodeAreaIndex[strings.ToUpper(code)]
	return a, ok
}

// PostcodeAreas returns every known postcode area, in alphabetical order.
func PostcodeAreas() []PostcodeArea {
	return append([]PostcodeArea(nil), postcodeAreas...)
}

const earthRadiusKM = 6371.0088

// DistanceKM is the great-circle (haversine) distance between two points.
func DistanceKM(lat1, lon1, lat2, lon2 float64) float64 {
	rad := math.Pi / 180
	dLat := (lat2 - lat1) * rad
	dLon := (lon2 - lon1) * rad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) +
		math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * earthRadiusKM * math.Asin(math.Min(1, math.Sqrt(h)))
}

var postcodeAreaIndex = func() map[string]PostcodeArea {
	m := make(map[string]PostcodeArea, len(postcodeAreas))
	for _, a := range postcodeAreas {
		m[a.Code] = a
	}
	return m
}()
