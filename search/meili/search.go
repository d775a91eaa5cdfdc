package meili

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/meilisearch/meilisearch-go"

	"cooptrade/search"
)

// Search implements search.Engine.
func (e *Engine) Search(ctx context.Context, q search.Query) (*search.Result, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	terms := q.Terms()
	if len(q.Kinds()) == 0 {
		return &search.Result{Hits: []search.Hit{}, Facets: emptyFacets(q.Facets)}, nil
	}
	req := Request(&q)
	resp, err := e.client.Index(e.cfg.Index).Search(ctx, req.Query, req)
	if err != nil {
		return nil, translate("search", err)
	}
	res := &search.Result{Hits: make([]search.Hit, 0, len(resp.Hits))}
	res.Total = int(resp.EstimatedTotalHits)
	if resp.TotalHits > 0 || req.HitsPerPage != nil {
		res.Total = int(resp.TotalHits)
	}
	for _, h := range resp.Hits {
		var d struct {
			Doc search.Document `json:"doc"`
		}
		if err := h.DecodeInto(&d); err != nil {
			return nil, fmt.Errorf("meili: search: a hit: %w", err)
		}
		res.Hits = append(res.Hits, search.NewHit(&d.Doc, &q, terms))
	}
	if len(q.Facets) > 0 {
		var dist map[string]map[string]int
		if len(resp.FacetDistribution) > 0 {
			if err := json.Unmarshal(resp.FacetDistribution, &dist); err != nil {
				return nil, fmt.Errorf("meili: search: facets: %w", err)
			}
		}
		res.Facets = make(map[search.Facet][]search.FacetCount, len(q.Facets))
		for _, f := range q.Facets {
			res.Facets[f] = search.SortFacetCounts(dist[facetAttribute(f)])
		}
	}
	res.NextCursor = q.NextCursor(len(res.Hits), res.Total)
	return res, nil
}

// Request is the search request of a query: the folded words, the
// filter, the sort, the facets and the page. A page that starts at a
// multiple of its size is asked for by page number, for which Meilisearch
// counts the hits exactly.
func Request(q *search.Query) *meilisearch.SearchRequest {
	req := &meilisearch.SearchRequest{
		Query:                strings.Join(q.Terms(), " "),
		Filter:               Filter(q),
		Sort:                 Sort(q),
		MatchingStrategy:     meilisearch.All,
		AttributesToRetrieve: []string{"id", "doc"},
	}
	if req.Filter == "" {
		req.Filter = nil
	}
	for _, f := range q.Facets {
		req.Facets = append(req.Facets, facetAttribute(f))
	}
	size := int64(q.PageSize())
	if int64(q.Offset)%size == 0 {
		req.HitsPerPage = &size
		req.Page = int64(q.Offset)/size + 1
	} else {
		req.Offset, req.Limit = int64(q.Offset), size
	}
	return req
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
