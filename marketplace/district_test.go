package marketplace_test

import (
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"cooptrade/marketplace"
)

func TestDistrictTable(t *testing.T) {
	all := marketplace.Districts()
	if len(all) < 2800 || len(all) > 3200 {
		t.Fatalf("%d districts; want about 2,900", len(all))
	}
	regions := map[string]int{}
	for _, d := range all {
		if _, ok := marketplace.FindPostcodeArea(d.Area); !ok {
			t.Errorf("%s: unknown area %q", d.Code, d.Area)
		}
		if !marketplace.IsRegion(d.Region) || !marketplace.IsNation(d.Nation) || d.Name == "" {
			t.Errorf("%s: region %q, nation %q, name %q", d.Code, d.Region, d.Nation, d.Name)
		}
		if d.Lat < 49.8 || d.Lat > 60.9 || d.Lon < -8.2 || d.Lon > 1.8 {
			t.Errorf("%s: centroid (%v, %v) outside the UK", d.Code, d.Lat, d.Lon)
		}
		regions[d.Region]++
	}
	for _, r := range marketplace.Regions {
		if regions[r] == 0 {
			t.Errorf("no district in region %s", r)
		}
	}
	for code, want := range map[string]string{
		"LS6": "yorkshire-humber", "M4": "north-west", "B1": "west-midlands", "NE1": "north-east",
		"NG1": "east-midlands", "CB1": "east", "EC1A": "london", "BN1": "south-east", "BS1": "south-west",
		"CF10": "wales", "EH1": "scotland", "BT1": "northern-ireland", "TD15": "north-east", "TD1": "scotland",
	} {
		if d, ok := marketplace.FindDistrict(code); !ok || d.Region != want {
			t.Errorf("FindDistrict(%s) = %+v, %v; want region %s", code, d, ok, want)
		}
	}
}

func TestDistrictDistance(t *testing.T) {
	for _, c := range []struct {
		a, b     string
		min, max float64
	}{
		{"LS6", "LS25", 12, 22}, // both "LS"
		{"M4", "M60", 0, 3},     // central Manchester, both
		{"LS1", "B1", 140, 160}, // Leeds to Birmingham
		{"LS6", "LS6", 0, 0},
	} {
		d := marketplace.DistrictDistance(c.a, c.b)
		if d < c.min || d > c.max {
			t.Errorf("DistrictDistance(%s, %s) = %.1f km; want %v to %v", c.a, c.b, d, c.min, c.max)
		}
		da, _ := marketplace.FindDistrict(c.a)
		db, _ := marketplace.FindDistrict(c.b)
		if h := marketplace.DistanceKM(da.Lat, da.Lon, db.Lat, db.Lon); math.Abs(h-d) > 0.01 {
			t.Errorf("DistrictDistance(%s, %s) = %v; haversine says %v", c.a, c.b, d, h)
		}
	}
	if d := marketplace.DistrictDistance("LS6", "ZZ9"); d < 1e6 {
		t.Errorf("distance to an unknown district = %v; want very far", d)
	}
}

func TestParsePostcodePlacesByDistrict(t *testing.T) {
	for in, want := range map[string]string{"ls6 1aa": "LS6", "LS25 1AA": "LS25", "M4": "M4", "ec1a1bb": "EC1A"} {
		p, err := marketplace.ParsePostcode(in)
		if err != nil || p.District != want {
			t.Errorf("ParsePostcode(%q) = %+v, %v; want district %s", in, p, err, want)
			continue
		}
		d, _ := marketplace.FindDistrict(want)
		if p.Lat != d.Lat || p.Lon != d.Lon || p.Region != d.Region || p.Area != d.Area {
			t.Errorf("ParsePostcode(%q) = %+v; want the centroid and region of %+v", in, p, d)
		}
	}
	// LS30 is well formed, in a known area, and no district.
	l := marketplace.Listing{Kind: marketplace.KindNeed, Title: "Leaflets please", Category: "print-runs", Postcode: "LS30 1AA"}
	l.Normalize()
	err := l.Validate(time.Now())
	fe := marketplace.ErrorFields(err)
	if len(fe) != 1 || fe[0].Field != "postcode" || fe[0].Rule != marketplace.RulePostcodeDistrict || fe[0].Params.Value != "LS30" {
		t.Errorf("Validate of a listing in LS30 = %v (%+v); want one postcode_district error naming postcode", err, fe)
	}
}

func TestPlaceRegion(t *testing.T) {
	for _, c := range []struct{ district, area, region, nation string }{
		{"TD15", "TD", "north-east", "england"}, // Berwick: its district decides
		{"", "TD", "scotland", "scotland"},      // an area only: most of its districts
		{"", "LS", "yorkshire-humber", "england"},
		{"", "CF", "wales", "wales"},
		{"", "", "", ""},
		{"", "GY", "", ""},
	} {
		r, n := marketplace.PlaceRegion(c.district, c.area)
		if r != c.region || n != c.nation {
			t.Errorf("PlaceRegion(%q, %q) = %q, %q; want %q, %q", c.district, c.area, r, n, c.region, c.nation)
		}
	}
}

// TestDistrictDataIsOpen checks that districts.tsv says where every part
// comes from under an open licence, with the attribution that licence asks
// for, and that Northern Ireland is placed from open data, not from the
// postcode lookup's NI part (licensed for internal business use only).
func TestDistrictDataIsOpen(t *testing.T) {
	raw, err := os.ReadFile("districts.tsv")
	if err != nil {
		t.Fatal(err)
	}
	var header strings.Builder
	for line := range strings.SplitSeq(string(raw), "\n") {
		if strings.HasPrefix(line, "#") {
			header.WriteString(strings.TrimSpace(strings.TrimPrefix(line, "#")) + " ")
		}
	}
	h := header.String()
	for _, want := range []string{
		"Open Government Licence v3.0", "odileeds/Postcodes2LatLon", "martinjc/UK-GeoJSON",
		"Food Hygiene Rating Scheme", "osm-uk/NI-Postcodes",
		"Contains OS data (c) Crown copyright and database right 2025.",
		"Contains Royal Mail data (c) Royal Mail copyright and database right 2025.",
		"Contains National Statistics data (c) Crown copyright and database right 2025.",
		"Contains LPS Intellectual Property (c) Crown copyright and database right 2016.",
		"Contains public sector information from the Food Standards Agency licensed under the Open Government Licence v3.0.",
	} {
		if !strings.Contains(h, want) {
			t.Errorf("the header of districts.tsv lacks %q:\n%s", want, h)
		}
	}
	if strings.Contains(h, "internal business use") {
		t.Errorf("districts.tsv still holds data not openly licensed:\n%s", h)
	}
	// BT99 is in the lookup's NI part only: no open source places it.
	if d, ok := marketplace.FindDistrict("BT99"); ok {
		t.Errorf("BT99 is placed at %+v, from no open source", d)
	}
	for _, c := range []struct {
		code     string
		lat, lon float64 // a landmark of the district
		km       float64
	}{
		{"BT1", 54.5964, -5.9302, 2},  // Belfast City Hall
		{"BT48", 55.0047, -7.3213, 5}, // Derry's Guildhall
		{"BT74", 54.3438, -7.6315, 5}, // Enniskillen
	} {
		d, ok := marketplace.FindDistrict(c.code)
		if !ok {
			t.Errorf("%s unknown", c.code)
			continue
		}
		if km := marketplace.DistanceKM(d.Lat, d.Lon, c.lat, c.lon); km > c.km || d.Nation != marketplace.NationNorthernIreland {
			t.Errorf("%s at (%v, %v), %s: %.1f km from its landmark; want within %v km, in Northern Ireland", c.code, d.Lat, d.Lon, d.Nation, km, c.km)
		}
	}
}
