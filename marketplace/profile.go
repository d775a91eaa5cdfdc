package marketplace

import "strings"

// MemberProfile is a member's entry in the federation's business
// directory: what anyone may see of a co-op. It says nothing about the
// member's dues, standing, people or address.
type MemberProfile struct {
	ID          string     `json:"id"`
	Kind        MemberKind `json:"kind"`
	Name        string     `json:"name"`
	Slug        string     `json:"slug"`
	Description string     `json:"description"`
	Website     string     `json:"website"`
	Sectors     []string   `json:"sectors"`
	Values      []string   `json:"values"`
	Headcount   int        `json:"headcount"`
	// District is the postcode district (the outward code: "LS6"), never
	// the full postcode; Area is its postcode area ("LS").
	District string `json:"district"`
	Area     string `json:"area"`
	// The contact address is never in the directory: buyers write to a
	// member through an enquiry on one of its offers (StartEnquiry).
}

// Public reports whether m is in the public directory: a co-operative
// enterprise whose listings are shown. Worker members are individuals and
// never public; pending, lapsed and cancelled members are not public.
func (m *Member) Public() bool {
	return m.Kind == MemberEnterprise && m.Standing.Listed()
}

// SeenWholeBy reports whether viewer may see m's whole record (its contact
// address, postcode and standing): federation staff and the member's own
// users. viewer nil is the public.
func (m *Member) SeenWholeBy(viewer *User) bool {
	return viewer.IsStaff() || viewer.BelongsTo(m.ID)
}

// ProfileShownTo reports whether viewer may see m's profile: anyone while
// it is public (Public), staff and its own users always.
func (m *Member) ProfileShownTo(viewer *User) bool {
	return m.Public() || m.SeenWholeBy(viewer)
}

// ProfileFor returns m's directory entry: the same for every viewer, and
// without the contact address.
func (m *Member) ProfileFor(viewer *User) *MemberProfile {
	return &MemberProfile{
		ID: m.ID, Kind: m.Kind, Name: m.Name, Slug: m.Slug, Description: m.Description,
		Website: m.Website, Sectors: m.Sectors, Values: m.Values, Headcount: m.Headcount,
		District: PostcodeDistrict(m.Postcode), Area: m.Area,
	}
}

// PostcodeDistrict returns the district of a normalised postcode: its
// outward code ("LS6 1AA" is "LS6"; "LS6" stays "LS6").
func PostcodeDistrict(postcode string) string {
	outward, _, _ := strings.Cut(strings.TrimSpace(postcode), " ")
	return outward
}
