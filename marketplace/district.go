package marketplace

import (
	_ "embed"
	"math"
	"slices"
	"strconv"
	"strings"
)

// District is one UK postcode district (the outward code: "LS6", "EC1A")
// with the centroid of its postcodes, the local authority district its
// centroid lies in, and its nation and region. Post towns are Royal Mail's
// and not open data; Name is the local authority's ("Leeds").
type District struct {
	Code   string  `json:"code"`
	Area   string  `json:"area"`
	Lat    float64 `json:"lat"`
	Lon    float64 `json:"lon"`
	Name   string  `json:"name"`
	NameCy string  `json:"name_cy,omitempty"` // the Welsh name, where it differs
	Nation string  `json:"nation"`
	Region string  `json:"region"`

	latRad, cosLat, lonRad float64
}

// Nations of the UK, as District.Nation.
const (
	NationEngland         = "england"
	NationWales           = "wales"
	NationScotland        = "scotland"
	NationNorthernIreland = "northern-ireland"
)

// Nations lists the UK nations in the order pages show them.
var Nations = []string{NationEngland, NationScotland, NationWales, NationNorthernIreland}

// Regions lists the nine English regions and then the other nations, each a
// region of its own, as District.Region.
var Regions = []string{
	"north-east", "north-west", "yorkshire-humber", "east-midlands", "west-midlands",
	"east", "london", "south-east", "south-west",
	NationWales, NationScotland, NationNorthernIreland,
}

// RegionNames are the English names of Regions and Nations, for the API and
// mails; pages word them from their catalogues.
var RegionNames = map[string]string{
	"north-east": "North East", "north-west": "North West", "yorkshire-humber": "Yorkshire and the Humber",
	"east-midlands": "East Midlands", "west-midlands": "West Midlands", "east": "East of England",
	"london": "London", "south-east": "South East", "south-west": "South West",
	NationEngland: "England", NationWales: "Wales", NationScotland: "Scotland", NationNorthernIreland: "Northern Ireland",
}

// IsRegion reports whether s is the slug of a region.
func IsRegion(s string) bool { return slices.Contains(Regions, s) }

// IsNation reports whether s is the slug of a nation.
func IsNation(s string) bool { return slices.Contains(Nations, s) }

// districtsTSV is the table of districts, with its source, licence and
// attribution in its header; scripts/build-districts.py rebuilds it.
//
//go:embed districts.tsv
var districtsTSV string

var districts, districtIndex, areaDistricts = func() ([]District, map[string]int, map[string][]int) {
	var all []District
	for line := range strings.SplitSeq(districtsTSV, "\n") {
		if line == "" || line[0] == '#' || strings.HasPrefix(line, "district\t") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 8 {
			panic("marketplace: bad line in districts.tsv: " + line)
		}
		lat, err1 := strconv.ParseFloat(f[2], 64)
		lon, err2 := strconv.ParseFloat(f[3], 64)
		if err1 != nil || err2 != nil {
			panic("marketplace: bad centroid in districts.tsv: " + line)
		}
		rad := math.Pi / 180
		all = append(all, District{Code: f[0], Area: f[1], Lat: lat, Lon: lon, Name: f[4], NameCy: f[5],
			Nation: f[6], Region: f[7], latRad: lat * rad, cosLat: math.Cos(lat * rad), lonRad: lon * rad})
	}
	index := make(map[string]int, len(all))
	byArea := map[string][]int{}
	for i, d := range all {
		index[d.Code] = i
		byArea[d.Area] = append(byArea[d.Area], i)
	}
	return all, index, byArea
}()

// FindDistrict returns the district with the given outward code ("LS6").
func FindDistrict(code string) (District, bool) {
	i, ok := districtIndex[strings.ToUpper(strings.TrimSpace(code))]
	if !ok {
		return District{}, false
	}
	return districts[i], true
}

// Districts returns every district, by area and then number.
func Districts() []District { return slices.Clone(districts) }

// DistrictIndex numbers a district for DistrictDistanceByIndex, so that
// comparing many listings compares numbers, not strings.
func DistrictIndex(code string) (int, bool) {
	i, ok := districtIndex[code]
	return i, ok
}

// DistrictCount is how many districts there are: DistrictIndex returns
// numbers below it.
func DistrictCount() int { return len(districts) }

// DistrictAt returns the district numbered i by DistrictIndex.
func DistrictAt(i int) District { return districts[i] }

// DistrictDistance is the distance in km between two districts' centroids;
// unknown districts are very far apart.
func DistrictDistance(a, b string) float64 {
	i, ok1 := districtIndex[a]
	j, ok2 := districtIndex[b]
	if !ok1 || !ok2 {
		return 1e9
	}
	return DistrictDistanceByIndex(i, j)
}

// DistrictDistanceByIndex is DistrictDistance between two districts'
// numbers: the haversine distance, with the cosines made once.
func DistrictDistanceByIndex(i, j int) float64 {
	if i == j {
		return 0
	}
	a, b := &districts[i], &districts[j]
	sLat, sLon := math.Sin((b.latRad-a.latRad)/2), math.Sin((b.lonRad-a.lonRad)/2)
	h := sLat*sLat + a.cosLat*b.cosLat*sLon*sLon
	return 2 * earthRadiusKM * math.Asin(math.Min(1, math.Sqrt(h)))
}

// distanceFrom is the distance in km from a point to district i.
func distanceFrom(lat, lon float64, i int) float64 {
	d := &districts[i]
	return DistanceKM(lat, lon, d.Lat, d.Lon)
}

// Reach is a set of districts said compactly: whole postcode areas, and
// single districts of the areas it covers only in part. "Within 25 km of
// LS6" is mostly single districts of LS, BD, HX and WF; a 400 km reach is
// mostly whole areas. Search filters on it, so its being compact keeps
// queries and documents small.
type Reach struct {
	Areas     []string
	Districts []string
}

// ReachWithin returns the districts whose centroid lies within km of the
// point, whole areas as areas.
func ReachWithin(lat, lon, km float64) Reach {
	return reach(func(i int) bool { return distanceFrom(lat, lon, i) <= km })
}

// ReachAround returns the districts within km of a district's centroid
// (DistrictDistance), whole areas as areas: what an offer based there with
// that radius serves. An unknown district reaches nothing.
func ReachAround(district string, km float64) Reach {
	j, ok := districtIndex[district]
	if !ok {
		return Reach{}
	}
	return reach(func(i int) bool { return DistrictDistanceByIndex(j, i) <= km })
}

func reach(in func(i int) bool) Reach {
	var r Reach
	for _, area := range postcodeAreas {
		all := areaDistricts[area.Code]
		if len(all) == 0 {
			continue
		}
		var found []string
		for _, i := range all {
			if in(i) {
				found = append(found, districts[i].Code)
			}
		}
		switch len(found) {
		case 0:
		case len(all):
			r.Areas = append(r.Areas, area.Code)
		default:
			r.Districts = append(r.Districts, found...)
		}
	}
	return r
}

// Has reports whether the reach holds the district of the given area.
func (r Reach) Has(area, district string) bool {
	return slices.Contains(r.Areas, area) || slices.Contains(r.Districts, district)
}

// PlaceRegion returns the region and nation of a district, or, for a place
// known by its area only (what was stored before places were districts),
// those of most of the area's districts; "" when neither is known.
func PlaceRegion(district, area string) (region, nation string) {
	if d, ok := FindDistrict(district); ok {
		return d.Region, d.Nation
	}
	count := map[string]int{}
	best := -1
	for _, i := range areaDistricts[area] {
		d := &districts[i]
		count[d.Region]++
		if best < 0 || count[d.Region] > count[districts[best].Region] {
			best = i
		}
	}
	if best < 0 {
		return "", ""
	}
	return districts[best].Region, districts[best].Nation
}

// DistrictsOf returns the codes of an area's districts, by number.
func DistrictsOf(area string) []string {
	in := areaDistricts[area]
	codes := make([]string, len(in))
	for i, j := range in {
		codes[i] = districts[j].Code
	}
	return codes
}

// Size bands of members by headcount, as the UK counts enterprises.
const (
	SizeMicro  = "micro"  // 1 to 9 people
	SizeSmall  = "small"  // 10 to 49
	SizeMedium = "medium" // 50 to 249
	SizeLarge  = "large"  // 250 or more
)

// SizeBands lists the size bands, smallest first.
var SizeBands = []string{SizeMicro, SizeSmall, SizeMedium, SizeLarge}

// SizeBand returns the band of a headcount, "" when it is not known (0).
func SizeBand(headcount int) string {
	switch {
	case headcount <= 0:
		return ""
	case headcount < 10:
		return SizeMicro
	case headcount < 50:
		return SizeSmall
	case headcount < 250:
		return SizeMedium
	default:
		return SizeLarge
	}
}
