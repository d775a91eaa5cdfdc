package web

import (
	"io/fs"
	"path"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/google/go-cmp/cmp"

	"cooptrade/marketplace"
	"cooptrade/payments"
)

// readCatalogue reads the keys of a message file, with the plural forms of
// each message that has them.
func readCatalogue(t *testing.T, file string) map[string][]string {
	t.Helper()
	b, err := fs.ReadFile(messageFiles, file)
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := toml.Unmarshal(b, &raw); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	out := map[string][]string{}
	for k, v := range raw {
		switch v := v.(type) {
		case string:
			out[k] = nil
		case map[string]any:
			var forms []string
			for f := range v {
				forms = append(forms, f)
			}
			sort.Strings(forms)
			out[k] = forms
		default:
			t.Errorf("%s: %s is a %T", file, k, v)
		}
	}
	return out
}

// TestCatalogues checks that every catalogue has its twin in the other
// language with the same keys (names.cy.toml holds Welsh names whose
// English comes from the domain), and that every Welsh message with a
// count has all six of Welsh's plural forms.
func TestCatalogues(t *testing.T) {
	files, _ := fs.Glob(messageFiles, "messages/*.toml")
	stems := map[string]bool{}
	for _, f := range files {
		stem, _, _ := strings.Cut(path.Base(f), ".")
		stems[stem] = true
	}
	for stem := range stems {
		if stem == "names" {
			continue
		}
		t.Run(stem, func(t *testing.T) {
			en := readCatalogue(t, "messages/"+stem+".en.toml")
			cy := readCatalogue(t, "messages/"+stem+".cy.toml")
			var onlyEn, onlyCy []string
			for k := range en {
				if _, ok := cy[k]; !ok {
					onlyEn = append(onlyEn, k)
				}
			}
			for k, forms := range cy {
				if _, ok := en[k]; !ok {
					onlyCy = append(onlyCy, k)
				}
				if forms != nil {
					if diff := cmp.Diff([]string{"few", "many", "one", "other", "two", "zero"}, forms); diff != "" {
						t.Errorf("%s: Welsh plural forms (-want +got):\n%s", k, diff)
					}
				}
			}
			sort.Strings(onlyEn)
			sort.Strings(onlyCy)
			if len(onlyEn) > 0 || len(onlyCy) > 0 {
				t.Errorf("keys only in English: %q\nkeys only in Welsh: %q", onlyEn, onlyCy)
			}
			for k, forms := range en {
				if forms != nil && !slices.Contains(forms, "other") {
					t.Errorf("%s: no plural form other in English", k)
				}
			}
		})
	}
}

// TestWelshNames checks that every sector, category and value has a Welsh
// name.
func TestWelshNames(t *testing.T) {
	names := readCatalogue(t, "messages/names.cy.toml")
	var want []string
	for _, s := range marketplace.Taxonomy.Sectors {
		want = append(want, "sector."+s.Slug)
		for _, c := range s.Categories {
			want = append(want, "category."+c.Slug)
		}
	}
	for _, v := range marketplace.Values {
		want = append(want, "value."+v.Slug)
	}
	for _, k := range want {
		if _, ok := names[k]; !ok {
			t.Errorf("no Welsh name %s", k)
		}
	}
	for k := range names {
		if code, ok := strings.CutPrefix(k, "area."); ok {
			if _, ok := marketplace.FindPostcodeArea(code); !ok {
				t.Errorf("%s is not a postcode area", k)
			}
		}
	}
}

// templateKey finds the keys that templates and handlers translate with a
// literal.
var templateKey = regexp.MustCompile(`\bT "([a-z0-9_.]+)"|"((?:[a-z0-9_]+\.)+[a-z0-9_]+)"`)

// TestKeysExist checks that every key the templates and the code name
// literally is in the English catalogues.
func TestKeysExist(t *testing.T) {
	en := map[string][]string{}
	enFiles, _ := fs.Glob(messageFiles, "messages/*.en.toml")
	for _, f := range enFiles {
		for k, v := range readCatalogue(t, f) {
			en[k] = v
		}
	}
	files, _ := fs.Glob(templateFiles, "templates/*.html")
	check := func(file, text string, all bool) {
		for _, m := range templateKey.FindAllStringSubmatch(text, -1) {
			key := m[1]
			if key == "" && all {
				key = m[2]
			}
			if key == "" || strings.HasSuffix(key, ".") || strings.HasSuffix(key, ".html") {
				continue
			}
			if _, ok := en[key]; !ok {
				t.Errorf("%s names %q, which is in no English catalogue", file, key)
			}
		}
	}
	for _, f := range files {
		b, _ := fs.ReadFile(templateFiles, f)
		check(f, string(b), false)
	}
	// The handlers name keys as string literals.
	cat, err := loadCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{
		"home.title", "search.title", "listing.new.title", "listing.edit.title", "login.title", "logout.title",
		"dashboard.title", "inbox.title", "alerts.title", "prefs.title", "webhook.title", "dues.title", "a11y.title",
	} {
		if got := cat.translate("cy", key, "Title", "x"); got == key {
			t.Errorf("%s is not translated", key)
		}
	}
	for _, pp := range problemPages {
		for _, key := range []string{pp.title, pp.text} {
			if _, ok := en[key]; !ok {
				t.Errorf("problem page key %q is not in active.en.toml", key)
			}
		}
	}
	// Keys made from the domain's enumerations.
	var dynamic []string
	for _, st := range marketplace.ListingStatuses {
		dynamic = append(dynamic, "status."+string(st))
	}
	for _, st := range marketplace.Standings {
		dynamic = append(dynamic, "standing."+string(st))
	}
	for _, st := range []marketplace.MatchStatus{marketplace.MatchNew, marketplace.MatchIntroduced, marketplace.MatchDismissed, marketplace.MatchDeal, marketplace.MatchNoDeal} {
		dynamic = append(dynamic, "match.status."+string(st))
	}
	for _, f := range marketplace.AlertFrequencies {
		dynamic = append(dynamic, "alert.frequency."+string(f))
	}
	for _, typ := range marketplace.NotificationTypes {
		dynamic = append(dynamic, "notify.type."+strings.ReplaceAll(typ, ".", "_"))
	}
	for _, u := range marketplace.PriceUnits {
		dynamic = append(dynamic, "listing.unit."+u, "price.per."+u)
	}
	for _, k := range []string{"offer", "need"} {
		dynamic = append(dynamic, "kind."+k, "kind.plural."+k)
	}
	for _, k := range []string{"enterprise", "worker"} {
		dynamic = append(dynamic, "member_kind."+k)
	}
	for _, so := range []string{"relevance", "newest", "nearest", "price_asc", "price_desc"} {
		dynamic = append(dynamic, "search.sort."+so)
	}
	for _, f := range []string{"category", "kind", "values", "tags", "area"} {
		dynamic = append(dynamic, "facet."+f)
	}
	for _, st := range marketplace.Standings {
		if why := st.PostBlock(); why != "" {
			dynamic = append(dynamic, "listing.blocked."+why)
		}
	}
	for _, what := range []string{marketplace.UnsubscribedType, marketplace.UnsubscribedAlert, marketplace.UnsubscribedAlertGone} {
		dynamic = append(dynamic, "unsubscribe.done."+what)
	}
	for _, step := range payments.Steps {
		dynamic = append(dynamic, "dues.next."+step)
	}
	for i := 1; i <= 12; i++ {
		dynamic = append(dynamic, "month."+strconv.Itoa(i))
	}
	for _, k := range dynamic {
		if _, ok := en[k]; !ok {
			t.Errorf("%s is not in active.en.toml", k)
		}
	}
}

// TestRulesWorded checks that every rule the domain can report is worded by
// the pages on purpose, and that each catalogue key it is worded with is in
// the English and the Welsh catalogues.
func TestRulesWorded(t *testing.T) {
	langs := map[string]map[string][]string{"en": {}, "cy": {}}
	for lang, keys := range langs {
		files, _ := fs.Glob(messageFiles, "messages/*."+lang+".toml")
		for _, f := range files {
			for k, v := range readCatalogue(t, f) {
				keys[k] = v
			}
		}
	}
	keys := map[string]string{}
	for _, rule := range marketplace.Rules() {
		key, ok := ruleKeys[rule]
		if !ok {
			t.Errorf("rule %q has no catalogue key in ruleKeys", rule)
			continue
		}
		keys[key] = "rule " + rule
	}
	for fr, key := range fieldRuleKeys {
		keys[key] = "field " + fr.field + ", rule " + fr.rule
	}
	for fr, key := range profileKeys {
		keys[key] = "profile field " + fr.field + ", rule " + fr.rule
	}
	for key, what := range keys {
		for lang, cat := range langs {
			if _, ok := cat[key]; !ok {
				t.Errorf("%s is worded as %q, which is in no %s catalogue", what, key, lang)
			}
		}
	}
}
