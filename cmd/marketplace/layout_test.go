package main_test

import (
	"go/build"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// house says, for each package of the module, which of the module's
// packages and which outside modules its non-test files may import (the
// standard library is always allowed). It is the picture of the house in
// the README: the domain at the root imports no adapter; each adapter
// imports the domain and the base it is built on, never another adapter;
// only the wiring (cmd/marketplace/app) sees everything. A new package
// must be added here with what it may import.
var house = map[string]struct {
	module   []string // packages of this module
	outside  []string // import path prefixes of other modules
	anything bool     // the wiring and the test harnesses
}{
	// The domain: types, rules, use cases and the interfaces of what it
	// needs. Pure libraries only: validation, password strength, text.
	"marketplace": {outside: []string{"github.com/go-playground/validator/", "github.com/trustelem/zxcvbn", "golang.org/x/text/"}},
	// The domain's own engines, named for what they do.
	"marketplace/alerting": {module: []string{"marketplace"}},
	"marketplace/matching": {module: []string{"marketplace"}},
	"marketplace/message":  {module: []string{"marketplace"}},
	"marketplace/load":     {module: []string{"marketplace", "marketplace/matching"}},
	"marketplace/corpus":   {module: []string{"marketplace"}},
	"marketplace/argon2":   {module: []string{"marketplace"}, outside: []string{"github.com/alexedwards/argon2id"}},

	// Storage: one MongoDB base, and a store per domain on it.
	"mongodb":                     {module: []string{"marketplace"}, outside: []string{"go.mongodb.org/mongo-driver/", "github.com/FerretDB/FerretDB/", "modernc.org/sqlite"}},
	"marketplace/mongo":           {module: []string{"marketplace", "mongodb"}, outside: []string{"go.mongodb.org/mongo-driver/"}},
	"payments/mongo":              {module: []string{"marketplace", "payments", "mongodb"}, outside: []string{"go.mongodb.org/mongo-driver/"}},
	"marketplace/mongo/mongotest": {anything: true},
	"mongodb/mongodbtest":         {anything: true},

	// The two faces: the JSON API and the pages.
	"marketplace/httpapi":   {module: []string{"marketplace", "payments", "search"}, outside: []string{"github.com/gofiber/fiber/", "github.com/prometheus/client_golang/"}},
	"marketplace/web":       {module: []string{"marketplace", "payments", "search", "marketplace/web/chart"}, outside: []string{"github.com/gofiber/fiber/", "github.com/BurntSushi/toml", "github.com/nicksnyder/go-i18n/", "golang.org/x/text/"}},
	"marketplace/web/chart": {},
	// Replies by mail delivered over LMTP.
	"marketplace/lmtp": {module: []string{"marketplace"}, outside: []string{"github.com/emersion/go-smtp"}},

	// Search: the engine-neutral model, and one package per engine.
	"search":       {module: []string{"marketplace"}, outside: []string{"github.com/blevesearch/go-porterstemmer", "golang.org/x/text/"}},
	"search/bleve": {module: []string{"marketplace", "search"}, outside: []string{"github.com/blevesearch/", "go.etcd.io/bbolt"}},
	"search/meili": {module: []string{"marketplace", "search"}, outside: []string{"github.com/meilisearch/meilisearch-go"}},

	// Dues through Stripe.
	"payments": {module: []string{"marketplace"}, outside: []string{"github.com/stripe/stripe-go/"}},

	// The jobs, and mail.
	"workers":      {module: []string{"marketplace", "marketplace/alerting", "marketplace/matching", "workers/mail"}, outside: []string{"github.com/hibiken/", "github.com/alicebob/miniredis/", "github.com/redis/go-redis/", "github.com/prometheus/client_golang/"}},
	"workers/mail": {module: []string{"marketplace"}},

	// The program: the wiring sees everything; the command parses flags
	// and prints.
	"cmd/marketplace/app": {anything: true},
	"cmd/marketplace":     {module: []string{"cmd/marketplace/app", "marketplace", "marketplace/corpus", "marketplace/load", "mongodb"}, outside: []string{"github.com/schollz/progressbar/", "golang.org/x/term"}},

	// Test harnesses and benchmarks.
	"cmd/marketplace/app/apptest": {anything: true},
	"marketplace/web/webtest":     {anything: true},
	"marketplace/web/browsertest": {anything: true},
	"payments/stripetest":         {anything: true},
	"search/searchtest":           {anything: true},
	"search/bleve/obvious":        {anything: true},
	"workers/mail/mailtest":       {anything: true},
	"workers/redistest":           {anything: true},
	"bench/embedded":              {anything: true},
	"bench/search":                {anything: true},
}

// TestLayout checks every package's imports against the house.
func TestLayout(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	const module = "cooptrade/"
	seen := map[string]bool{}
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		if name := d.Name(); path != root && (strings.HasPrefix(name, ".") || name == "node_modules" || name == "testdata") {
			return filepath.SkipDir
		}
		pkg, err := build.ImportDir(path, 0)
		if err != nil {
			if _, ok := err.(*build.NoGoError); ok {
				return nil
			}
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		seen[rel] = true
		rule, ok := house[rel]
		if !ok {
			t.Errorf("%s: a package the house does not know; add it to house with what it may import", rel)
			return nil
		}
		if rule.anything {
			return nil
		}
		for _, imp := range pkg.Imports {
			switch {
			case strings.HasPrefix(imp, module):
				if !slices.Contains(rule.module, strings.TrimPrefix(imp, module)) {
					t.Errorf("%s imports %s", rel, imp)
				}
			case strings.Contains(strings.SplitN(imp, "/", 2)[0], "."):
				if !slices.ContainsFunc(rule.outside, func(p string) bool { return strings.HasPrefix(imp, p) }) {
					t.Errorf("%s imports %s", rel, imp)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) < 20 {
		t.Fatalf("found %d packages under %s; the walk is looking in the wrong place", len(seen), root)
	}
	for rel := range house {
		if _, err := os.Stat(filepath.Join(root, rel)); err == nil && !seen[rel] {
			t.Errorf("%s: in the house but has no Go files", rel)
		}
	}
}
