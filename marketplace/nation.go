package marketplace

// nationOfArea is the nation of the postcode areas outside England. An
// area that crosses a border (SY, CH, TD, LD…) counts for the nation
// most of its postcodes are in.
var nationOfArea = map[string]string{
	"AB": NationScotland, "DD": NationScotland, "DG": NationScotland, "EH": NationScotland, "FK": NationScotland,
	"G": NationScotland, "HS": NationScotland, "IV": NationScotland, "KA": NationScotland, "KW": NationScotland,
	"KY": NationScotland, "ML": NationScotland, "PA": NationScotland, "PH": NationScotland, "TD": NationScotland,
	"ZE": NationScotland,
	"CF": NationWales, "LD": NationWales, "LL": NationWales, "NP": NationWales, "SA": NationWales,
	"BT": NationNorthernIreland,
}

// NationOf returns the UK nation of a postcode area ("" for none: UK-wide
// or remote). Areas not in Scotland, Wales or Northern Ireland are
// England's (the Crown dependencies' GY, JE and IM included, for want of
// a better place).
func NationOf(area string) string {
	if area == "" {
		return ""
	}
	if n, ok := nationOfArea[area]; ok {
		return n
	}
	return NationEngland
}
