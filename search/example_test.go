package search_test

import (
	"fmt"
	"net/url"

	"cooptrade/marketplace"
	"cooptrade/search"
)

func ExampleParseQuery() {
	v := url.Values{
		"q":         {"prnting  leaflets"},
		"category":  {"printing-publishing"},
		"near":      {"m1 1ad"},
		"radius_km": {"30"},
		"remote":    {"true"},
		"sort":      {"nearest"},
		"limit":     {"10"},
	}
	q, err := search.ParseQuery(v, false)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(q.Words, q.Terms())
	fmt.Println(q.Kinds(), q.Categories)
	fmt.Println(q.Near.Postcode, q.Near.Area, q.Near.RadiusKM, q.IncludeRemote)
	fmt.Println(q.SortOrder(), q.PageSize(), q.Facets)
	// Output:
	// prnting leaflets [prnting leaflets]
	// [offer] [print-runs large-format-print book-publishing risograph-screen-print]
	// M1 1AD M 30 true
	// nearest 10 [category kind values tags area member_kind size region nation]
}

func ExampleParseQuery_invalid() {
	v := url.Values{
		"kind":      {"need"},
		"category":  {"plumbing"},
		"near":      {"XX1 1XX"},
		"radius_km": {"5000"},
		"limit":     {"500"},
	}
	_, err := search.ParseQuery(v, false)
	for _, f := range marketplace.ErrorFields(err) {
		fmt.Printf("%s: %s\n", f.Field, f.Message)
	}
	// Output:
	// kind: needs are shown to signed-in members only
	// category: "plumbing" is not a category or sector (see GET /v1/categories)
	// near: "XX1 1XX" is not a UK postcode or postcode area
	// radius_km: must be a whole number of km between 1 and 1000
	// limit: must be a whole number between 1 and 100
}

func ExampleQuery_Terms() {
	q := search.Query{Words: "The Co-operative's risograph posters for a tenants' union"}
	fmt.Println(q.Terms())
	// Output:
	// [cooperatives risograph posters tenants union]
}

func ExampleQuery_Kinds() {
	public := search.Query{Kind: marketplace.KindNeed}
	members := search.Query{Audience: search.AudienceMembers}
	fmt.Println(len(public.Kinds()), members.Kinds())
	// Output:
	// 0 [offer need]
}

func ExampleQuery_NextCursor() {
	q, _ := search.ParseQuery(url.Values{"q": {"catering"}, "limit": {"20"}}, false)
	next := q.NextCursor(20, 45) // a full page of 45 hits
	page2, _ := search.ParseQuery(url.Values{"q": {"catering"}, "limit": {"20"}, "cursor": {next}}, false)
	fmt.Println(page2.Offset, page2.NextCursor(20, 45) != "")
	page3, _ := search.ParseQuery(url.Values{"q": {"catering"}, "cursor": {page2.NextCursor(20, 45)}}, false)
	fmt.Println(page3.Offset, page3.NextCursor(5, 45) == "")
	_, err := search.ParseQuery(url.Values{"q": {"bakery"}, "cursor": {next}}, false)
	fmt.Println(marketplace.ErrorFields(err)[0].Field)
	// Output:
	// 20 true
	// 40 true
	// cursor
}

func ExampleNewDocument() {
	m := &marketplace.Member{ID: "64b000000000000000000001", Kind: marketplace.MemberEnterprise, Name: "Calder Valley Print Workers' Co-operative",
		Slug: "calder-valley-print", Postcode: "HX7 8AD", Standing: marketplace.StandingActive, Values: []string{"living-wage"}}
	l := &marketplace.Listing{ID: "64b0000000000000000000a1", MemberID: m.ID, Kind: marketplace.KindOffer,
		Title: "Risograph printing of zines and posters, short runs", Category: "risograph-screen-print",
		Postcode: "HX7 8AD", RadiusKM: 40, Status: marketplace.StatusPublished}
	m.Normalize()
	l.Normalize()
	d := search.NewDocument(l, m)
	fmt.Println(l.VisibleTo(m), d.District, d.DistrictName, d.Area, d.AreaName, d.Region, d.Sector, d.Values)
	fmt.Println(d.ReachAreas, len(d.ReachDistricts))
	// Output:
	// true HX7 Calderdale HX Halifax yorkshire-humber printing-publishing [living-wage]
	// [BB BL HD HX OL] 121
}
