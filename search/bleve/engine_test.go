package bleve_test

import (
	"testing"

	"cooptrade/search"
	"cooptrade/search/bleve"
	"cooptrade/search/searchtest"
)

// MustOpen opens an engine on a temporary directory, closed at the end of
// the test.
func MustOpen(tb testing.TB) *bleve.Engine {
	tb.Helper()
	e, err := bleve.Open(tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { e.Close() })
	return e
}

func TestContract(t *testing.T) {
	searchtest.Run(t, func(t *testing.T) search.Engine { return MustOpen(t) })
}
