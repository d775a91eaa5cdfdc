package bleve

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"

	blevesearch "github.com/blevesearch/bleve/v2"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"

	"cooptrade/marketplace"
	"cooptrade/search"
)

// Boosts of the places a word can match: the title above tags, category,
// member and area names and the description; exact (stemmed) matches above
// typo-tolerant ones.
const (
	boostTitle       = 4
	boostBody        = 1
	boostTitleFuzzy  = 1.5
	boostBodyFuzzy   = 0.4
	boostTitlePrefix = 2
	boostBodyPrefix  = 0.5
)

// Search implements search.Engine.
func (e *Engine) Search(ctx context.Context, q search.Query) (*search.Result, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	idx, err := e.index()
	if err != nil {
		return nil, err
	}
	defer e.mu.RUnlock()

	kinds := q.Kinds()
	if len(kinds) == 0 {
		return &search.Result{Hits: []search.Hit{}, Facets: emptyFacets(q.Facets)}, nil
	}
	terms := q.Terms()
	text, err := e.textQuery(ctx, idx, terms)
	if err != nil {
		return nil, err
	}
	filter := filterQuery(&q, kinds)

	var root query.Query
	switch {
	case text == nil:
		root = blevesearch.NewMatchAllQuery()
	default:
		root = text
	}
	bq := blevesearch.NewBooleanQuery()
	bq.AddMust(root)
	bq.AddFilter(filter)
	root = bq

	size := q.PageSize()
	sort := q.SortOrder()
	if sort == search.SortNearest {
		root = nearestQuery(root, &q)
	}
	req := blevesearch.NewSearchRequestOptions(root, size, q.Offset, false)
	req.Fields = []string{fieldSource}
	switch sort {
	case search.SortRelevance, search.SortNearest:
		if text == nil && sort == search.SortRelevance {
			req.SortBy([]string{"-" + fieldPublished})
		} else {
			req.SortBy([]string{"-_score"})
		}
	case search.SortNewest:
		req.SortBy([]string{"-" + fieldPublished})
	case search.SortPriceAsc:
		req.SortBy([]string{fieldPriceLow, "-_score"})
	case search.SortPriceDesc:
		req.SortBy([]string{"-" + fieldPriceHigh, "-_score"})
	}
	for _, f := range q.Facets {
		req.AddFacet(string(f), blevesearch.NewFacetRequest(facetField(f), search.MaxFacetValues))
	}

	res, err := idx.SearchInContext(ctx, req)
	if err != nil {
		return nil, searchError(ctx, err)
	}

	out := &search.Result{Hits: make([]search.Hit, 0, len(res.Hits)), Total: int(res.Total)}
	for _, h := range res.Hits {
		src, _ := h.Fields[fieldSource].(string)
		var d search.Document
		if err := json.Unmarshal([]byte(src), &d); err != nil {
			return nil, fmt.Errorf("bleve: search: document %s: %w", h.ID, err)
		}
		out.Hits = append(out.Hits, search.NewHit(&d, &q, terms))
	}
	if len(q.Facets) > 0 {
		out.Facets = make(map[search.Facet][]search.FacetCount, len(q.Facets))
		for _, f := range q.Facets {
			counts := map[string]int{}
			if fr, ok := res.Facets[string(f)]; ok && fr.Terms != nil {
				for _, t := range fr.Terms.Terms() {
					counts[t.Term] = t.Count
				}
			}
			out.Facets[f] = search.SortFacetCounts(counts)
		}
	}
	out.NextCursor = q.NextCursor(len(out.Hits), out.Total)
	return out, nil
}

func searchError(ctx context.Context, err error) error {
	if ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return marketplace.Errorf(marketplace.EUNAVAILABLE, "The search did not finish in time.")
	}
	return fmt.Errorf("bleve: search: %w", err)
}

func emptyFacets(facets []search.Facet) map[search.Facet][]search.FacetCount {
	if len(facets) == 0 {
		return nil
	}
	out := make(map[search.Facet][]search.FacetCount, len(facets))
	for _, f := range facets {
		out[f] = []search.FacetCount{}
	}
	return out
}

func facetField(f search.Facet) string {
	switch f {
	case search.FacetCategory:
		return fieldCategory
	case search.FacetKind:
		return fieldKind
	case search.FacetValues:
		return fieldValues
	case search.FacetTags:
		return fieldTags
	default:
		return fieldArea
	}
}

// textQuery matches every term: each in the stemmed title or text, or,
// when the index does not hold the term as it is, within one typo in the
// unstemmed copies; the last term also as a prefix.
func (e *Engine) textQuery(ctx context.Context, idx blevesearch.Index, terms []string) (query.Query, error) {
	if len(terms) == 0 {
		return nil, nil
	}
	var reader index.IndexReader
	if adv, err := idx.Advanced(); err == nil {
		if r, err := adv.Reader(); err == nil {
			reader = r
			defer r.Close()
		}
	}
	conj := make([]query.Query, 0, len(terms))
	for i, t := range terms {
		var alts []query.Query
		alts = append(alts, match(t, fieldTitle, boostTitle), match(t, fieldBody, boostBody))
		if len(t) >= search.MinFuzzyLen && !known(ctx, reader, t) {
			alts = append(alts, fuzzy(t, fieldTitleExact, boostTitleFuzzy), fuzzy(t, fieldBodyExact, boostBodyFuzzy))
		}
		if i == len(terms)-1 && len(t) >= search.MinPrefixLen {
			alts = append(alts, prefix(t, fieldTitleExact, boostTitlePrefix), prefix(t, fieldBodyExact, boostBodyPrefix))
		}
		conj = append(conj, blevesearch.NewDisjunctionQuery(alts...))
	}
	if len(conj) == 1 {
		return conj[0], nil
	}
	return blevesearch.NewConjunctionQuery(conj...), nil
}

// known reports whether the unstemmed text holds the term as it is, in
// which case it is taken as spelt right and not matched with typos.
func known(ctx context.Context, r index.IndexReader, term string) bool {
	if r == nil {
		return false
	}
	for _, f := range []string{fieldBodyExact, fieldTitleExact} {
		tfr, err := r.TermFieldReader(ctx, []byte(term), f, false, false, false)
		if err != nil {
			return false
		}
		n := tfr.Count()
		tfr.Close()
		if n > 0 {
			return true
		}
	}
	return false
}

func match(t, field string, boost float64) query.Query {
	q := blevesearch.NewMatchQuery(t)
	q.SetField(field)
	q.SetBoost(boost)
	return q
}

func fuzzy(t, field string, boost float64) query.Query {
	q := blevesearch.NewFuzzyQuery(t)
	q.SetField(field)
	q.SetFuzziness(1)
	q.SetBoost(boost)
	return q
}

func prefix(t, field string, boost float64) query.Query {
	q := blevesearch.NewPrefixQuery(t)
	q.SetField(field)
	q.SetBoost(boost)
	return q
}

func term(t, field string) query.Query {
	q := blevesearch.NewTermQuery(t)
	q.SetField(field)
	return q
}

func anyTerm(field string, values []string) query.Query {
	if len(values) == 1 {
		return term(values[0], field)
	}
	qs := make([]query.Query, len(values))
	for i, v := range values {
		qs[i] = term(v, field)
	}
	return blevesearch.NewDisjunctionQuery(qs...)
}

// filterQuery is the unscored filter of a query: kind, category, tags,
// values, member kind, place and price, all as term and range filters.
func filterQuery(q *search.Query, kinds []marketplace.ListingKind) query.Query {
	var must []query.Query
	if len(kinds) == 1 {
		must = append(must, term(string(kinds[0]), fieldKind))
	}
	if len(q.Categories) > 0 {
		must = append(must, anyTerm(fieldCategory, q.Categories))
	}
	for _, t := range q.Tags {
		must = append(must, term(t, fieldTags))
	}
	for _, v := range q.Values {
		must = append(must, term(v, fieldValues))
	}
	if q.MemberKind != "" {
		must = append(must, term(string(q.MemberKind), fieldMemberKind))
	}
	if q.Near != nil {
		var near []query.Query
		for _, a := range q.Near.Areas() {
			near = append(near, term(a, fieldArea))
		}
		near = append(near, term(q.Near.Area, fieldReach))
		if q.IncludeRemote {
			near = append(near, term("t", fieldRemote))
		}
		must = append(must, blevesearch.NewDisjunctionQuery(near...))
	}
	if q.Priced() {
		must = append(must, term("t", fieldPriced))
		if q.MinPricePence > 0 {
			lo := float64(q.MinPricePence)
			must = append(must, numRange(fieldPriceMax, &lo, nil))
		}
		if q.MaxPricePence > 0 {
			hi := float64(q.MaxPricePence)
			must = append(must, numRange(fieldPriceMin, nil, &hi))
		}
	}
	if len(must) == 0 {
		return nil
	}
	if len(must) == 1 {
		return must[0]
	}
	return blevesearch.NewConjunctionQuery(must...)
}

func numRange(field string, lo, hi *float64) query.Query {
	yes := true
	q := blevesearch.NewNumericRangeInclusiveQuery(lo, hi, &yes, &yes)
	q.SetField(field)
	return q
}

// nearestQuery rescores hits by distance, nearest first (ties by text
// score, listings without a place last), reading each hit's area.
func nearestQuery(q query.Query, sq *search.Query) query.Query {
	dist := map[string]float64{}
	for _, a := range marketplace.PostcodeAreas() {
		dist[a.Code] = marketplace.DistanceKM(sq.Near.Lat, sq.Near.Lon, a.Lat, a.Lon)
	}
	return query.NewCustomScoreQueryWithScorer(q, func(_ context.Context, d *bsearch.DocumentMatch) (float64, error) {
		rel := d.Score / (1 + d.Score) // in [0, 1)
		area, _ := d.Fields[fieldArea].(string)
		km, ok := dist[area]
		if !ok {
			return rel, nil
		}
		return 1 + math.Max(0, 1e5-math.Round(km*10)) + rel, nil
	}, []string{fieldArea}, nil)
}
