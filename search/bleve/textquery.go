package bleve

import (
	"context"
	"errors"
	"fmt"

	blevesearch "github.com/blevesearch/bleve/v2"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"

	"cooptrade/marketplace"
	"cooptrade/search"
)

// The words of a query: which of the index's terms they match, exactly, with a typo or as a prefix.

// collectText runs the words through Bleve and feeds each hit to c.
func (e *Engine) collectText(ctx context.Context, reader index.IndexReader, terms []string, c *collector) error {
	tq := textQuery(ctx, reader, terms)
	opts := bsearch.SearcherOptions{Score: "none"}
	if c.scored {
		opts.Score = ""
	}
	s, err := tq.Searcher(ctx, reader, e.idx.Mapping(), opts)
	if err != nil {
		return fmt.Errorf("bleve: search: %w", err)
	}
	defer s.Close()
	rows, err := e.rows.rowsOf(reader)
	if err != nil {
		return fmt.Errorf("bleve: search: %w", err)
	}
	sctx := &bsearch.SearchContext{DocumentMatchPool: bsearch.NewDocumentMatchPool(s.DocumentMatchPoolSize()+1, 0), IndexReader: reader}
	for n := 0; ; n++ {
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return marketplace.Errorf(marketplace.EUNAVAILABLE, "The search did not finish in time.")
			}
		}
		dm, err := s.Next(sctx)
		if err != nil {
			if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
				return marketplace.Errorf(marketplace.EUNAVAILABLE, "The search did not finish in time.")
			}
			return fmt.Errorf("bleve: search: %w", err)
		} else if dm == nil {
			return nil
		}
		r, err := rows.row(dm.IndexInternalID)
		if err != nil {
			return fmt.Errorf("bleve: search: %w", err)
		}
		c.consider(r, dm.Score)
		sctx.DocumentMatchPool.Put(dm)
	}
}

// textQuery matches every term: each in the stemmed title or text, or,
// when the index does not hold the term as it is, within one typo in the
// unstemmed copies; the last term also as a prefix.
func textQuery(ctx context.Context, reader index.IndexReader, terms []string) query.Query {
	conj := make([]query.Query, 0, len(terms))
	for i, t := range terms {
		alts := []query.Query{match(t, fieldTitle, boostTitle), match(t, fieldBody, boostBody)}
		if len(t) >= search.MinFuzzyLen && !known(ctx, reader, t) {
			alts = append(alts, fuzzy(t, fieldTitleExact, boostTitleFuzzy), fuzzy(t, fieldBodyExact, boostBodyFuzzy))
		}
		if i == len(terms)-1 && len(t) >= search.MinPrefixLen {
			alts = append(alts, prefix(t, fieldTitleExact, boostTitlePrefix), prefix(t, fieldBodyExact, boostBodyPrefix))
		}
		conj = append(conj, blevesearch.NewDisjunctionQuery(alts...))
	}
	if len(conj) == 1 {
		return conj[0]
	}
	return blevesearch.NewConjunctionQuery(conj...)
}

// known reports whether the unstemmed text holds the term as it is, in
// which case it is taken as spelt right and not matched with typos.
func known(ctx context.Context, r index.IndexReader, term string) bool {
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
