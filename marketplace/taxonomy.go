package marketplace

// Sector is a top-level trade of the federation's members (e.g. "Printing &
// publishing") and the categories of work within it. A member says which
// sectors it works in; a listing names one category.
type Sector struct {
	Slug       string     `json:"slug"`
	Name       string     `json:"name"`
	Categories []Category `json:"categories"`
	// Related names other sectors whose work often answers this one's
	// needs: matching treats their categories as related.
	Related []string `json:"related,omitempty"`
}

// Category is one kind of work within a sector (e.g. "Print runs").
type Category struct {
	Slug   string `json:"slug"`
	Name   string `json:"name"`
	Sector string `json:"sector"`
}

// Taxonomy is the federation's default classification of work, chosen for UK
// worker co-operatives. Slugs are stable identifiers; names are for people.
var Taxonomy = buildTaxonomy([]Sector{
	{Slug: "printing-publishing", Name: "Printing & publishing", Related: []string{"creative-media"}, Categories: []Category{
		{Slug: "print-runs", Name: "Print runs (leaflets, posters, booklets)"},
		{Slug: "large-format-print", Name: "Large-format print & signage"},
		{Slug: "book-publishing", Name: "Book & magazine publishing"},
		{Slug: "risograph-screen-print", Name: "Risograph & screen printing"},
	}},
	{Slug: "software-digital", Name: "Software & digital", Related: []string{"creative-media", "consultancy"}, Categories: []Category{
		{Slug: "web-development", Name: "Websites & web applications"},
		{Slug: "software-development", Name: "Software development"},
		{Slug: "it-support-hosting", Name: "IT support & hosting"},
		{Slug: "data-analytics", Name: "Data & analytics"},
		{Slug: "digital-accessibility", Name: "Digital accessibility & UX"},
	}},
	{Slug: "food-catering", Name: "Food & catering", Related: []string{"agriculture", "retail"}, Categories: []Category{
		{Slug: "event-catering", Name: "Event catering"},
		{Slug: "wholefoods-wholesale", Name: "Wholefoods & wholesale"},
		{Slug: "bakery", Name: "Bakery"},
		{Slug: "cafe-restaurant", Name: "Cafés & restaurants"},
		{Slug: "brewing-drinks", Name: "Brewing & drinks"},
	}},
	{Slug: "cleaning", Name: "Cleaning", Related: []string{"construction-housing"}, Categories: []Category{
		{Slug: "office-cleaning", Name: "Office & commercial cleaning"},
		{Slug: "domestic-cleaning", Name: "Domestic cleaning"},
		{Slug: "specialist-cleaning", Name: "Specialist & deep cleaning"},
	}},
	{Slug: "construction-housing", Name: "Construction & housing", Related: []string{"energy"}, Categories: []Category{
		{Slug: "building-renovation", Name: "Building & renovation"},
		{Slug: "retrofit-insulation", Name: "Retrofit & insulation"},
		{Slug: "carpentry-joinery", Name: "Carpentry & joinery"},
		{Slug: "architecture-design", Name: "Architecture & design"},
		{Slug: "housing-management", Name: "Housing management"},
	}},
	{Slug: "creative-media", Name: "Creative & media", Related: []string{"printing-publishing", "software-digital"}, Categories: []Category{
		{Slug: "graphic-design", Name: "Graphic design & branding"},
		{Slug: "film-video", Name: "Film & video"},
		{Slug: "photography", Name: "Photography"},
		{Slug: "copywriting-translation", Name: "Copywriting & translation"},
		{Slug: "music-performance", Name: "Music & performance"},
	}},
	{Slug: "education-training", Name: "Education & training", Related: []string{"consultancy"}, Categories: []Category{
		{Slug: "co-op-development", Name: "Co-op development & governance training"},
		{Slug: "skills-training", Name: "Skills & vocational training"},
		{Slug: "facilitation", Name: "Facilitation"},
		{Slug: "language-teaching", Name: "Language teaching"},
	}},
	{Slug: "care", Name: "Care", Categories: []Category{
		{Slug: "home-care", Name: "Home care"},
		{Slug: "childcare", Name: "Childcare"},
		{Slug: "wellbeing-therapy", Name: "Wellbeing & therapy"},
	}},
	{Slug: "transport-logistics", Name: "Transport & logistics", Related: []string{"retail"}, Categories: []Category{
		{Slug: "cycle-courier", Name: "Cycle couriers"},
		{Slug: "removals-haulage", Name: "Removals & haulage"},
		{Slug: "warehousing-fulfilment", Name: "Warehousing & fulfilment"},
		{Slug: "taxi-minibus", Name: "Taxis & minibuses"},
	}},
	{Slug: "energy", Name: "Energy", Related: []string{"construction-housing"}, Categories: []Category{
		{Slug: "solar-installation", Name: "Solar installation"},
		{Slug: "heat-pumps", Name: "Heat pumps & heating"},
		{Slug: "energy-advice", Name: "Energy advice & audits"},
		{Slug: "community-energy", Name: "Community energy"},
	}},
	{Slug: "manufacturing", Name: "Manufacturing", Related: []string{"retail"}, Categories: []Category{
		{Slug: "textiles-clothing", Name: "Textiles & clothing"},
		{Slug: "furniture", Name: "Furniture"},
		{Slug: "engineering-fabrication", Name: "Engineering & fabrication"},
		{Slug: "bicycles", Name: "Bicycles & repair"},
	}},
	{Slug: "retail", Name: "Retail", Related: []string{"food-catering", "manufacturing"}, Categories: []Category{
		{Slug: "shops", Name: "Shops"},
		{Slug: "online-retail", Name: "Online retail"},
		{Slug: "bookshops", Name: "Bookshops"},
	}},
	{Slug: "professional-services", Name: "Professional services", Related: []string{"consultancy"}, Categories: []Category{
		{Slug: "bookkeeping-accounts", Name: "Bookkeeping & accounts"},
		{Slug: "legal", Name: "Legal services"},
		{Slug: "payroll-hr", Name: "Payroll & HR"},
		{Slug: "insurance-finance", Name: "Insurance & finance"},
	}},
	{Slug: "consultancy", Name: "Consultancy", Related: []string{"professional-services", "education-training"}, Categories: []Category{
		{Slug: "business-strategy", Name: "Business strategy & planning"},
		{Slug: "fundraising-bids", Name: "Fundraising & bid writing"},
		{Slug: "research-evaluation", Name: "Research & evaluation"},
		{Slug: "sustainability", Name: "Sustainability & environment"},
	}},
	{Slug: "agriculture", Name: "Agriculture & growing", Related: []string{"food-catering"}, Categories: []Category{
		{Slug: "market-gardening", Name: "Market gardening & veg boxes"},
		{Slug: "landscaping-gardening", Name: "Landscaping & gardening"},
		{Slug: "forestry-woodland", Name: "Forestry & woodland"},
	}},
	{Slug: "hospitality-venues", Name: "Hospitality & venues", Related: []string{"food-catering", "creative-media"}, Categories: []Category{
		{Slug: "venue-hire", Name: "Venue & room hire"},
		{Slug: "accommodation", Name: "Accommodation"},
		{Slug: "event-management", Name: "Event management"},
	}},
})

// TaxonomyIndex answers questions about the taxonomy in constant time.
type TaxonomyIndex struct {
	Sectors    []Sector
	categories map[string]Category
	sectors    map[string]Sector
	related    map[string][]string
	relatedSet map[string]map[string]bool

	// The same, by number, for matching's inner loop.
	categoryNumber   map[string]int
	sectorOfCategory []int
	relatedMatrix    [][]bool
}

func buildTaxonomy(sectors []Sector) *TaxonomyIndex {
	t := &TaxonomyIndex{Sectors: sectors, categories: map[string]Category{}, sectors: map[string]Sector{}}
	for i := range sectors {
		for j := range sectors[i].Categories {
			sectors[i].Categories[j].Sector = sectors[i].Slug
			c := sectors[i].Categories[j]
			t.categories[c.Slug] = c
		}
		t.sectors[sectors[i].Slug] = sectors[i]
	}
	t.related = map[string][]string{}
	t.relatedSet = map[string]map[string]bool{}
	// Relations between sectors go both ways: if cleaners can help
	// builders, builders' needs and cleaners' offers meet either way.
	sectorRelated := map[string]map[string]bool{}
	for _, s := range sectors {
		for _, r := range s.Related {
			if sectorRelated[s.Slug] == nil {
				sectorRelated[s.Slug] = map[string]bool{}
			}
			if sectorRelated[r] == nil {
				sectorRelated[r] = map[string]bool{}
			}
			sectorRelated[s.Slug][r], sectorRelated[r][s.Slug] = true, true
		}
	}
	for slug, c := range t.categories {
		related := t.CategoriesOf(c.Sector)
		for _, s := range sectors { // in taxonomy order, for stable results
			if sectorRelated[c.Sector][s.Slug] {
				related = append(related, t.CategoriesOf(s.Slug)...)
			}
		}
		t.related[slug] = related
		t.relatedSet[slug] = map[string]bool{}
		for _, r := range related {
			t.relatedSet[slug][r] = true
		}
	}
	t.categoryNumber = map[string]int{}
	sectorNumber := map[string]int{}
	for si, s := range sectors {
		sectorNumber[s.Slug] = si
		for _, c := range s.Categories {
			t.categoryNumber[c.Slug] = len(t.sectorOfCategory)
			t.sectorOfCategory = append(t.sectorOfCategory, si)
		}
	}
	t.relatedMatrix = make([][]bool, len(t.sectorOfCategory))
	for a, i := range t.categoryNumber {
		t.relatedMatrix[i] = make([]bool, len(t.sectorOfCategory))
		for b, j := range t.categoryNumber {
			t.relatedMatrix[i][j] = t.relatedSet[a][b]
		}
	}
	return t
}

// Category returns the category with the given slug.
func (t *TaxonomyIndex) Category(slug string) (Category, bool) {
	c, ok := t.categories[slug]
	return c, ok
}

// Sector returns the sector with the given slug.
func (t *TaxonomyIndex) Sector(slug string) (Sector, bool) {
	s, ok := t.sectors[slug]
	return s, ok
}

// CategoriesOf returns the category slugs a slug stands for: the category
// itself, or every category of a sector. It returns nil for an unknown slug.
func (t *TaxonomyIndex) CategoriesOf(slug string) []string {
	if c, ok := t.categories[slug]; ok {
		return []string{c.Slug}
	}
	s, ok := t.sectors[slug]
	if !ok {
		return nil
	}
	slugs := make([]string, len(s.Categories))
	for i, c := range s.Categories {
		slugs[i] = c.Slug
	}
	return slugs
}

// RelatedCategories returns the categories whose listings may answer a
// listing in the given category: the same category, its siblings in the same
// sector and the categories of related sectors. The relation is symmetric.
func (t *TaxonomyIndex) RelatedCategories(slug string) []string {
	return t.related[slug]
}

// Related reports whether category b may answer category a (see
// RelatedCategories).
func (t *TaxonomyIndex) Related(a, b string) bool {
	return t.relatedSet[a][b]
}

// Value is a commitment a member can show buyers, such as paying the Real
// Living Wage.
type Value struct {
	Slug string `json:"slug"`
	Name string `json:"name"`
}

// Values are the commitments members may claim. They are a closed list so
// that buyers can filter on them.
var Values = []Value{
	{"living-wage", "Real Living Wage employer"},
	{"b-corp", "Certified B Corporation"},
	{"fair-tax", "Fair Tax Mark"},
	{"co-op-marque", "Co-operative Marque"},
	{"carbon-literate", "Carbon Literate organisation"},
	{"net-zero-plan", "Published net-zero plan"},
	{"disability-confident", "Disability Confident employer"},
	{"welsh-language", "Works in Welsh (Cymraeg)"},
	{"open-source", "Publishes its work as open source"},
	{"organic", "Organic certified"},
}

// IsValue reports whether slug names one of the Values.
func IsValue(slug string) bool {
	for _, v := range Values {
		if v.Slug == slug {
			return true
		}
	}
	return false
}

// CategoryIndex numbers a category and its sector for matching's tables.
func (t *TaxonomyIndex) CategoryIndex(slug string) (category, sector int, ok bool) {
	i, ok := t.categoryNumber[slug]
	if !ok {
		return -1, -1, false
	}
	return i, t.sectorOfCategory[i], true
}

// RelatedByIndex is Related between two categories' numbers.
func (t *TaxonomyIndex) RelatedByIndex(a, b int) bool { return t.relatedMatrix[a][b] }
