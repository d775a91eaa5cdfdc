package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
	"github.com/google/go-cmp/cmp"

	"cooptrade/marketplace"
	"cooptrade/marketplace/httpapi"
	"cooptrade/payments"
	"cooptrade/payments/stripetest"
	"cooptrade/search"
	"cooptrade/workers/mail/mailtest"
)

// loadOpenAPI loads the document the API serves and checks that it is a
// valid OpenAPI document (its examples included).
func loadOpenAPI(tb testing.TB) *openapi3.T {
	tb.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(httpapi.OpenAPI)
	if err != nil {
		tb.Fatalf("openapi.json does not load: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		tb.Fatalf("openapi.json is not a valid OpenAPI document: %v", err)
	}
	return doc
}

func TestOpenAPIDocument(t *testing.T) {
	doc := loadOpenAPI(t)

	t.Run("Enums", func(t *testing.T) {
		// The enums of the document are the domain's lists.
		for _, tc := range []struct {
			schema string
			want   []string
		}{
			{"Standing", stringsOf(marketplace.Standings)},
			{"ListingStatus", stringsOf(marketplace.ListingStatuses)},
			{"PriceUnit", marketplace.PriceUnits},
			{"Role", stringsOf([]marketplace.Role{marketplace.RoleOwner, marketplace.RoleEditor})},
			{"MemberKind", stringsOf([]marketplace.MemberKind{marketplace.MemberEnterprise, marketplace.MemberWorker})},
			{"ListingKind", stringsOf([]marketplace.ListingKind{marketplace.KindOffer, marketplace.KindNeed})},
			{"DuesApplicationStatus", stringsOf([]payments.ApplicationStatus{payments.ApplicationPending,
				payments.ApplicationApproved, payments.ApplicationAdjusted, payments.ApplicationRefused})},
			{"DuesApplicationKind", stringsOf([]payments.ApplicationKind{payments.ApplicationDeclaration, payments.ApplicationHardship})},
			{"DuesBasis", stringsOf([]payments.DuesBasis{payments.DuesRate, payments.DuesMinimum, payments.DuesHardship,
				payments.DuesNone, payments.DuesAdjusted})},
		} {
			ref := doc.Components.Schemas[tc.schema]
			if ref == nil {
				t.Errorf("components.schemas.%s is missing", tc.schema)
				continue
			}
			got := enumStrings(ref.Value.Enum)
			if diff := cmp.Diff(sortedCopy(tc.want), sortedCopy(got)); diff != "" {
				t.Errorf("enum of %s differs from the domain's list (-want +got):\n%s", tc.schema, diff)
			}
		}
	})

	t.Run("ProblemTypes", func(t *testing.T) {
		types := httpapi.ProblemTypes()
		var want []string
		for code := range types {
			want = append(want, "/problems/"+code)
		}
		problem := doc.Components.Schemas["Problem"]
		if problem == nil {
			t.Fatal("components.schemas.Problem is missing")
		}
		got := enumStrings(problem.Value.Properties["type"].Value.Enum)
		if diff := cmp.Diff(sortedCopy(want), sortedCopy(got)); diff != "" {
			t.Errorf("Problem.type enum differs from httpapi.ProblemTypes (-want +got):\n%s", diff)
		}
		// Every problem response an operation names is pinned to one type,
		// with the status the API gives that type, under that status.
		forEachOperation(doc, func(method, path string, op *openapi3.Operation) {
			for key, ref := range op.Responses.Map() {
				mt := ref.Value.Content.Get("application/problem+json")
				if mt == nil {
					if n, _ := strconv.Atoi(key); n >= 400 && strings.HasPrefix(path, "/v1/") {
						t.Errorf("%s %s: response %s is not application/problem+json", method, path, key)
					}
					continue
				}
				code, status := pinnedProblem(mt.Schema.Value)
				if code == "" {
					t.Errorf("%s %s: problem response %s does not pin its type and status", method, path, key)
					continue
				}
				if want, ok := types[code]; !ok {
					t.Errorf("%s %s: response %s pins unknown problem type %q", method, path, key, code)
				} else if strconv.Itoa(want) != key || status != want {
					t.Errorf("%s %s: response %s pins %q with status %d; the API answers it with %d",
						method, path, key, code, status, want)
				}
			}
		})
	})

	t.Run("Conventions", func(t *testing.T) {
		forEachOperation(doc, func(method, path string, op *openapi3.Operation) {
			name := method + " " + path
			if op.OperationID == "" || op.Summary == "" {
				t.Errorf("%s: needs an operationId and a summary", name)
			}
			need := func(status int, why string) {
				if op.Responses.Status(status) == nil {
					t.Errorf("%s: documents no %d response (%s)", name, status, why)
				}
			}
			if strings.HasPrefix(path, "/v1/") && !rawBodies[op.OperationID] {
				// The authenticate middleware refuses a bad token on
				// every /v1 route, and reads the token store to check one.
				need(401, "a bad bearer token is refused on every /v1 route")
				need(503, "the token check reaches the database")
			}
			if strings.HasPrefix(path, "/v1/") {
				need(500, "the error handler answers anything unexpected")
			}
			if op.RequestBody != nil && rawBodies[op.OperationID] {
				need(400, "the body is checked")
				need(413, "bodies are size-limited")
				if op.Responses.Status(415) != nil {
					t.Errorf("%s: documents 415, but reads its body raw, whatever its media type", name)
				}
			} else if op.RequestBody != nil {
				need(400, "the body is decoded strictly")
				need(413, "bodies are size-limited")
				need(415, "only JSON is accepted")
				for ct, mt := range op.RequestBody.Value.Content {
					if s := mt.Schema.Value; s.AdditionalProperties.Has == nil || *s.AdditionalProperties.Has {
						t.Errorf("%s: request body %s must set additionalProperties: false (unknown fields are refused)", name, ct)
					}
				}
			}
		})
	})
}

// rawBodies are the operations that read their body as sent rather than
// through the strict JSON decoder: Stripe's webhook, whose signature covers
// the bytes Stripe sent, in events with more fields than the document lists;
// and replies by mail, raw RFC 5322 messages from the mail relay.
var rawBodies = map[string]bool{"receiveStripeWebhook": true, "receiveInboundMail": true}

// TestOpenAPIRoutes checks that the document names exactly the routes the
// server registers, the dues' included.
func TestOpenAPIRoutes(t *testing.T) {
	doc := loadOpenAPI(t)
	// The routes depend only on which services are there, not on their
	// wiring.
	srv := httpapi.New(httpapi.Config{Logger: slog.New(slog.DiscardHandler), Dues: &payments.Service{}})

	fiberParam := regexp.MustCompile(`:([A-Za-z0-9_]+)`)
	registered := map[string]string{}
	for _, r := range srv.App.GetRoutes(true) { // true: leave out middleware
		if r.Method == http.MethodHead { // Fiber adds HEAD beside every GET
			continue
		}
		if strings.ContainsAny(r.Path, "*+?") {
			t.Errorf("route %s %s has a wildcard or optional parameter, which OpenAPI cannot describe", r.Method, r.Path)
		}
		path := fiberParam.ReplaceAllString(r.Path, "{$1}")
		registered[openapiRouteKey(r.Method, path)] = r.Method + " " + r.Path
	}
	if len(registered) == 0 {
		t.Fatal("the server registers no routes")
	}
	documented := map[string]string{}
	forEachOperation(doc, func(method, path string, _ *openapi3.Operation) {
		documented[openapiRouteKey(method, path)] = method + " " + path
	})
	for _, key := range sortedCopy(slices.Collect(maps.Keys(registered))) {
		if _, ok := documented[key]; !ok {
			t.Errorf("route %s is registered but not in openapi.json", registered[key])
		}
	}
	for _, key := range sortedCopy(slices.Collect(maps.Keys(documented))) {
		if _, ok := registered[key]; !ok {
			t.Errorf("openapi.json documents %s, which the server does not register", documented[key])
		}
	}
}

// openapiRouteKey names a route with its parameter names left out:
// Fiber's "/members/:ref" and OpenAPI's "/members/{id}" are one route.
func openapiRouteKey(method, path string) string {
	return strings.ToUpper(method) + " " + pathParam.ReplaceAllString(path, "{}")
}

var pathParam = regexp.MustCompile(`\{[^}]*\}`)

// TestOpenAPIScenario drives the real server through every operation and
// checks each request and response against the document.
func init() {
	// Pages (the unsubscribe form) are HTML: checked for presence, not shape.
	openapi3filter.RegisterBodyDecoder("text/html", openapi3filter.FileBodyDecoder)
}

func TestOpenAPIScenario(t *testing.T) {
	smtp := mailtest.NewServer(t)
	ts := newTestServer(t, options{LoginsPerMinute: 100, WritesPerMinute: 1000, Stripe: true, SMTP: smtp})
	pay := ts.Payments
	engine := ts.Search
	c := newContract(t, ts)

	// Operations.
	c.do(t, "GET", "/healthz", "", nil).must(t, 200)
	c.do(t, "GET", "/readyz", "", nil).must(t, 200)
	if res := c.do(t, "GET", "/openapi.json", "", nil).must(t, 200); !bytes.Equal(res.Body, httpapi.OpenAPI) {
		t.Error("GET /openapi.json does not serve the embedded document")
	}

	// The taxonomy is public.
	c.do(t, "GET", "/v1/categories", "", nil).must(t, 200)

	staff := ts.staffToken(t)
	c.doBreaking(t, "GET", "/metrics", "", nil).must(t, 401)
	if res := c.do(t, "GET", "/metrics", staff, nil).must(t, 200); !bytes.Contains(res.Body, []byte("marketplace_http_requests_total")) {
		t.Errorf("GET /metrics does not report marketplace_http_requests_total:\n%s", res.Body)
	}
	c.do(t, "GET", "/v1/me", staff, nil).must(t, 200)
	c.do(t, "GET", "/v1/categories", staff, nil).must(t, 200)

	// Staff admit a member.
	profile := map[string]any{
		"kind": "enterprise", "name": "Calder Valley Print Workers", "slug": "calder-print",
		"description": "Printing on recycled paper since 1982.", "website": "https://caldervalleyprint.example",
		"email": "hello@caldervalleyprint.example", "sectors": []string{"printing-publishing"},
		"postcode": "HX7 8AD", "headcount": 14, "values": []string{"living-wage"},
		"registration_number": "IP30123R", "standing": "pending",
	}
	res := c.do(t, "POST", "/v1/members", staff, profile).must(t, 201)
	var member marketplace.Member
	res.decode(t, &member)
	if got, want := res.Header.Get("Location"), "/v1/members/"+member.ID; got != want {
		t.Errorf("POST /v1/members: Location %q; want %q", got, want)
	}
	if got := res.Header.Get("ETag"); got != `"1"` {
		t.Errorf("POST /v1/members: ETag %q; want \"1\"", got)
	}
	memberPath := "/v1/members/" + member.ID

	// Admitting members: the errors.
	c.doBreaking(t, "POST", "/v1/members", "", profile).must(t, 401) // anonymous: no bearer token
	wantProblemFields(t, c.doBreaking(t, "POST", "/v1/members", staff, withValues(profile, "colour", "red")).must(t, 400), "colour")
	wantProblemFields(t, c.doBreaking(t, "POST", "/v1/members", staff, withValues(profile, "name", map[string]string{"$gt": ""})).must(t, 400), "name.$gt")
	wantProblemFields(t, c.doBreaking(t, "POST", "/v1/members", staff, withValues(profile, "headcount", "fourteen")).must(t, 400), "headcount")
	wantProblemFields(t, c.do(t, "POST", "/v1/members", staff, withValues(profile, "slug", "other-print", "postcode", "ZZ9 9ZZ")).must(t, 400), "postcode")
	wantProblemFields(t, c.do(t, "POST", "/v1/members", staff, profile).must(t, 409), "slug")
	c.doBreaking(t, "POST", "/v1/members", staff, `{"kind":"enterprise"`).must(t, 400)
	c.doBreaking(t, "POST", "/v1/members", staff, "kind=enterprise", "Content-Type", "application/x-www-form-urlencoded").must(t, 415)

	// Listing members is for staff.
	c.do(t, "GET", "/v1/members", staff, nil).must(t, 200)
	c.do(t, "GET", "/v1/members?standing=pending&kind=enterprise&limit=1", staff, nil).must(t, 200)
	c.doBreaking(t, "GET", "/v1/members?limit=0", staff, nil).must(t, 400)
	c.doBreaking(t, "GET", "/v1/members?standing=gone", staff, nil).must(t, 400)
	c.do(t, "GET", "/v1/members?cursor=zzz", staff, nil).must(t, 400)
	c.doBreaking(t, "GET", "/v1/members", "", nil).must(t, 401) // anonymous: no bearer token

	// A pending member is not in the public directory; staff see it whole,
	// by ID or slug.
	c.do(t, "GET", memberPath, "", nil).must(t, 404)
	c.do(t, "GET", memberPath, staff, nil).must(t, 200)
	c.do(t, "GET", "/v1/members/calder-print", staff, nil).must(t, 200)
	c.do(t, "GET", "/v1/members/no-such-co-op", "", nil).must(t, 404)
	c.do(t, "GET", "/v1/members/0123456789abcdef01234567", "", nil).must(t, 404)
	c.do(t, "GET", "/v1/members/$gt", "", nil).must(t, 404)
	c.do(t, "GET", memberPath, "cmt_not-a-token", nil).must(t, 401)
	// Where signing in is optional the document cannot refuse another
	// scheme; the server does.
	c.do(t, "GET", memberPath, "", nil, "Authorization", "Basic c3RhZmY6c3RhZmY=").must(t, 401)

	// Staff approve the member; a stale version loses.
	approve := map[string]any{"standing": "active", "reason": "Approved at the November meeting."}
	if got := c.do(t, "PATCH", memberPath, staff, approve, "If-Match", `"1"`).must(t, 200).Header.Get("ETag"); got != `"2"` {
		t.Errorf("PATCH %s: ETag %q; want \"2\"", memberPath, got)
	}
	c.do(t, "PATCH", memberPath, staff, approve, "If-Match", `"1"`).must(t, 412)
	c.doBreaking(t, "PATCH", memberPath, staff, approve, "If-Match", "latest").must(t, 412)
	c.do(t, "PATCH", "/v1/members/0123456789abcdef01234567", staff, approve).must(t, 404)
	c.doBreaking(t, "PATCH", memberPath, "", approve).must(t, 401)
	c.do(t, "PATCH", memberPath, staff, map[string]any{"slug": "calder-print", "headcount": 15}).must(t, 200)
	// Approved, its directory entry is public, by ID or slug.
	c.do(t, "GET", memberPath, "", nil).must(t, 200)
	c.do(t, "GET", "/v1/members/calder-print", "", nil).must(t, 200)

	// Staff invite the member's owner, who chooses a password on the
	// mail's link; no one sets it through the API.
	owner := map[string]any{"email": "sam@caldervalleyprint.example", "name": "Sam Okafor", "password": "first password 123", "role": "owner"}
	box := newMailbox(smtp)
	c.do(t, "POST", memberPath+"/invitations", staff, map[string]any{"email": owner["email"], "role": "owner"}).must(t, 201)
	c.do(t, "POST", "/v1/invitations/accept", "", map[string]any{"token": link(t, box.next(t, "sam@caldervalleyprint.example"), invitationLink),
		"name": owner["name"], "password": owner["password"]}).must(t, 201)

	// The owner signs in.
	c.do(t, "POST", "/v1/auth/login", "", map[string]any{"email": owner["email"], "password": "wrong password 123"}).must(t, 401)
	wantProblemFields(t, c.doBreaking(t, "POST", "/v1/auth/login", "", map[string]any{"email": owner["email"]}).must(t, 400), "password")
	c.doBreaking(t, "POST", "/v1/auth/login", "", "sam", "Content-Type", "text/plain").must(t, 415)
	var login struct{ Token string }
	c.do(t, "POST", "/v1/auth/login", "", map[string]any{"email": owner["email"], "password": owner["password"]}).must(t, 201).decode(t, &login)
	sam := login.Token
	c.do(t, "GET", "/v1/me", sam, nil).must(t, 200)
	c.doBreaking(t, "GET", "/v1/me", "", nil).must(t, 401)

	// Owners change their profile, not their standing.
	c.do(t, "PATCH", memberPath, sam, map[string]any{"description": "Printing on recycled paper with vegetable inks."}).must(t, 200)
	c.do(t, "PATCH", memberPath, sam, map[string]any{"standing": "active"}).must(t, 403)

	// The owner changes the first password.
	wantProblemFields(t, c.do(t, "PUT", "/v1/me/password", sam, map[string]any{"current_password": "not the password", "new_password": "second password 456"}).must(t, 400), "current_password")
	c.doBreaking(t, "PUT", "/v1/me/password", sam, map[string]any{"current_password": owner["password"], "new_password": "short"}).must(t, 400)
	c.do(t, "PUT", "/v1/me/password", sam, map[string]any{"current_password": owner["password"], "new_password": "second password 456"}).must(t, 204)
	c.do(t, "POST", "/v1/auth/login", "", map[string]any{"email": owner["email"], "password": "second password 456"}).must(t, 201)

	// Posting listings.
	res = c.do(t, "POST", "/v1/listings", sam, need("5,000 A5 leaflets for a share offer")).must(t, 201)
	var listing marketplace.Listing
	res.decode(t, &listing)
	if got, want := res.Header.Get("Location"), "/v1/listings/"+listing.ID; got != want {
		t.Errorf("POST /v1/listings: Location %q; want %q", got, want)
	}
	offer := map[string]any{
		"kind": "offer", "title": "Risograph printing, up to 2,000 copies", "category": "risograph-screen-print",
		"tags": []string{"zines"}, "remote": true, "price_min_pence": 15000, "price_max_pence": 90000,
		"price_unit": "job", "expires_at": "2027-01-31T17:00:00Z",
	}
	c.do(t, "POST", "/v1/listings", sam, offer).must(t, 201)
	wantProblemFields(t, c.do(t, "POST", "/v1/listings", sam, withValues(need("Leaflets again"), "postcode", "ZZ9 9ZZ")).must(t, 400), "postcode")
	wantProblemFields(t, c.doBreaking(t, "POST", "/v1/listings", sam, withValues(need("Leaflets again"), "status", "published")).must(t, 400), "status")
	wantProblemFields(t, c.doBreaking(t, "POST", "/v1/listings", sam, withValues(need("Leaflets again"), "deadline", "soon")).must(t, 400), "deadline")
	c.doBreaking(t, "POST", "/v1/listings", sam, "title=Leaflets", "Content-Type", "text/plain").must(t, 415)
	c.doBreaking(t, "POST", "/v1/listings", sam, withValues(need("Leaflets again"), "description", strings.Repeat("recycled paper ", 5000))).must(t, 413)
	c.do(t, "POST", "/v1/listings", staff, need("Staff have no member")).must(t, 403)
	c.doBreaking(t, "POST", "/v1/listings", "", need("Anonymous leaflets")).must(t, 401)

	// Drafts are seen by their member only.
	listingPath := "/v1/listings/" + listing.ID
	c.do(t, "GET", listingPath, sam, nil).must(t, 200)
	c.do(t, "GET", listingPath, "", nil).must(t, 404)
	c.do(t, "GET", "/v1/listings/not-an-id", "", nil).must(t, 404)

	// Changing a listing needs If-Match.
	c.do(t, "PATCH", listingPath, sam, map[string]any{"title": "6,000 A5 leaflets for a share offer"}, "If-Match", `"1"`).must(t, 200)
	c.doBreaking(t, "PATCH", listingPath, sam, map[string]any{"title": "No version named"}).must(t, 428)
	c.do(t, "PATCH", listingPath, sam, map[string]any{"title": "A stale version named"}, "If-Match", `"1"`).must(t, 412)
	wantProblemFields(t, c.doBreaking(t, "PATCH", listingPath, sam, map[string]any{"kind": "offer"}, "If-Match", `"2"`).must(t, 400), "kind")
	wantProblemFields(t, c.do(t, "PATCH", listingPath, sam, map[string]any{"price_min_pence": 90000}, "If-Match", `"2"`).must(t, 400), "price_min_pence")
	c.do(t, "PATCH", listingPath, sam, map[string]any{"deadline": nil, "tags": []string{"leaflets"}}, "If-Match", `"2"`).must(t, 200)
	c.doBreaking(t, "PATCH", listingPath, "", map[string]any{"title": "Anonymous edit"}, "If-Match", `"3"`).must(t, 401)
	c.do(t, "PATCH", "/v1/listings/0123456789abcdef01234567", sam, map[string]any{"title": "Nothing there"}, "If-Match", `"1"`).must(t, 404)

	// Another member can neither see the draft nor change the listing.
	_, ada := ts.memberWithOwner(t, staff, "Pennine Cycle Couriers", marketplace.StandingActive)
	c.do(t, "PATCH", listingPath, ada, map[string]any{"title": "Not yours to change"}, "If-Match", `"3"`).must(t, 404)

	// Publish, pause and close.
	var published marketplace.Listing
	c.do(t, "POST", listingPath+"/publish", sam, nil, "If-Match", `"3"`).must(t, 200).decode(t, &published)
	c.do(t, "POST", listingPath+"/publish", sam, nil).must(t, 409)
	c.do(t, "POST", listingPath+"/pause", sam, nil, "If-Match", `"1"`).must(t, 412)
	c.do(t, "GET", listingPath, "", nil).must(t, 404) // a need: for signed-in people only
	c.do(t, "GET", listingPath, ada, nil).must(t, 200)
	c.do(t, "PATCH", listingPath, ada, map[string]any{"title": "Not yours to change"}, "If-Match", `"4"`).must(t, 403)
	c.do(t, "POST", listingPath+"/close", ada, nil).must(t, 403)
	c.do(t, "POST", "/v1/listings/0123456789abcdef01234567/publish", sam, nil).must(t, 404)
	c.doBreaking(t, "POST", listingPath+"/pause", "", nil).must(t, 401)

	// Search, once the listing is indexed (in the service, the workers
	// index it).
	c.do(t, "GET", memberPath, "", nil).must(t, 200).decode(t, &member)
	if err := engine.Upsert(context.Background(), []search.Document{search.NewDocument(&published, &member)}); err != nil {
		t.Fatal(err)
	}
	var found search.Result
	c.do(t, "GET", "/v1/search?q=leaflets&kind=need&facets=category,kind", sam, nil).must(t, 200).decode(t, &found)
	if len(found.Hits) != 1 || found.Hits[0].ID != listing.ID {
		t.Errorf("GET /v1/search?q=leaflets&kind=need: hits %+v; want listing %s", found.Hits, listing.ID)
	}
	c.do(t, "GET", "/v1/search?q=leaflets&near=LS6&radius_km=50&remote=true&sort=nearest&category=printing-publishing"+
		"&tag=leaflets&value=living-wage&member_kind=enterprise&min_price=100&max_price=100000&limit=5", sam, nil).must(t, 200)
	c.do(t, "GET", "/v1/search?q=leaflets&facets=none", "", nil).must(t, 200)
	c.do(t, "GET", "/v1/search?q=leaflets&kind=need", "", nil).must(t, 400) // needs are for members
	c.do(t, "GET", "/v1/search?colour=red", "", nil).must(t, 400)           // unknown parameters are refused
	c.doBreaking(t, "GET", "/v1/search?sort=cheapest", "", nil).must(t, 400)
	c.doBreaking(t, "GET", "/v1/search?limit=0", "", nil).must(t, 400)
	c.do(t, "GET", "/v1/search?cursor=zzz", "", nil).must(t, 400)

	// Lists of listings.
	c.do(t, "GET", "/v1/listings", "", nil).must(t, 200)
	c.do(t, "GET", "/v1/listings?kind=need&status=published&limit=1", "", nil).must(t, 400) // needs are for members
	c.do(t, "GET", "/v1/listings?kind=need&status=published&limit=1", ada, nil).must(t, 200)
	c.do(t, "GET", "/v1/listings?member=calder-print&status=draft,published", sam, nil).must(t, 200)
	c.do(t, "GET", "/v1/listings?member="+member.ID+"&status=draft", "", nil).must(t, 403)
	c.doBreaking(t, "GET", "/v1/listings?status=archived", "", nil).must(t, 400)
	c.doBreaking(t, "GET", "/v1/listings?kind=gift", "", nil).must(t, 400)
	c.doBreaking(t, "GET", "/v1/listings?limit=101", "", nil).must(t, 400)
	c.do(t, "GET", "/v1/listings?cursor=zzz", "", nil).must(t, 400)

	c.do(t, "POST", listingPath+"/pause", sam, nil).must(t, 200)
	c.do(t, "POST", listingPath+"/pause", sam, nil).must(t, 409)
	c.do(t, "POST", listingPath+"/close", sam, nil, "If-Match", `"5"`).must(t, 200)
	c.do(t, "POST", listingPath+"/close", sam, nil).must(t, 409)
	c.do(t, "POST", listingPath+"/publish", sam, nil).must(t, 409)
	c.do(t, "PATCH", listingPath, sam, map[string]any{"title": "A closed listing"}, "If-Match", `"6"`).must(t, 409)

	// Standing decides who may post.
	_, dues := ts.memberWithOwner(t, staff, "Hebden Wholefoods", marketplace.StandingPastDue)
	c.do(t, "POST", "/v1/listings", dues, need("Leaflets, dues unpaid")).must(t, 402)
	_, pending := ts.memberWithOwner(t, staff, "Todmorden Bakers", marketplace.StandingPending)
	c.do(t, "POST", "/v1/listings", pending, need("Leaflets, awaiting approval")).must(t, 403)

	// Notifications: the inbox, preferences, unsubscribing.
	inbox := &marketplace.Notification{ID: "match:a-b~member:" + member.ID + "~inbox", Type: marketplace.NotifyMatchNew,
		Channel: marketplace.ChannelInbox, MemberID: member.ID, Subject: "A supplier for your need", Text: "…",
		Status: marketplace.NotificationSent, CreatedAt: time.Now().UTC()}
	if _, err := ts.Service.Notifications.CreateNotification(context.Background(), inbox); err != nil {
		t.Fatal(err)
	}
	c.do(t, "GET", "/v1/inbox?unread=true", sam, nil).must(t, 200)
	c.doBreaking(t, "GET", "/v1/inbox?unread=maybe", sam, nil).must(t, 400)
	c.doBreaking(t, "GET", "/v1/inbox", "", nil).must(t, 401)
	c.do(t, "POST", "/v1/inbox/"+inbox.ID+"/read", sam, nil).must(t, 204)
	c.do(t, "POST", "/v1/inbox/"+inbox.ID+"/read", staff, nil).must(t, 404)
	// Each user chooses the language of their e-mails.
	c.do(t, "PATCH", "/v1/me", sam, map[string]any{"language": "cy"}).must(t, 200)
	wantProblemFields(t, c.doBreaking(t, "PATCH", "/v1/me", sam, map[string]any{"language": "fr"}).must(t, 400), "language")
	c.doBreaking(t, "PATCH", "/v1/me", "", map[string]any{"language": "cy"}).must(t, 401)
	c.do(t, "GET", "/v1/me/preferences", sam, nil).must(t, 200)
	c.do(t, "PUT", "/v1/me/preferences", sam, map[string]any{"type": "match.new", "channel": "email", "on": false}).must(t, 200)
	wantProblemFields(t, c.doBreaking(t, "PUT", "/v1/me/preferences", sam, map[string]any{"type": "gossip", "channel": "email", "on": false}).must(t, 400), "type")
	var me marketplace.User
	c.do(t, "GET", "/v1/me", sam, nil).must(t, 200).decode(t, &me)
	unsub := "/unsubscribe?token=" + url.QueryEscape(marketplace.UnsubscribeToken(ts.Service.Secret, me.ID, "type:"+marketplace.NotifyAlert))
	c.do(t, "GET", unsub, "", nil).must(t, 200)
	c.do(t, "GET", "/unsubscribe?token=forged", "", nil).must(t, 400)
	c.do(t, "POST", unsub, "", nil, "Accept", "application/json").must(t, 200)
	c.do(t, "POST", "/unsubscribe?token=forged", "", nil).must(t, 400)

	// Matches: staff review them, members see their own.
	_, kitchen := ts.memberWithOwner(t, staff, "Chapeltown Kitchen", marketplace.StandingActive)
	_, printer := ts.memberWithOwner(t, staff, "Leeds Print Workers", marketplace.StandingActive)
	needL := ts.publishedListing(t, kitchen, need("5,000 A5 leaflets for a tenants' union"))
	offerL := ts.publishedListing(t, printer, offerBody("Leaflets and flyers on recycled paper"))
	otherOffer := ts.publishedListing(t, printer, offerBody("Posters and booklets on recycled paper"))
	match := ts.storeMatch(t, offerL, needL)
	other := ts.storeMatch(t, otherOffer, needL)
	matchPath := "/v1/matches/" + match.ID
	c.do(t, "GET", "/v1/staff/matches?status=new&min_score=50", staff, nil).must(t, 200)
	c.doBreaking(t, "GET", "/v1/staff/matches?status=maybe", staff, nil).must(t, 400)
	c.do(t, "GET", "/v1/staff/matches", kitchen, nil).must(t, 403)
	c.do(t, "GET", "/v1/matches", kitchen, nil).must(t, 200)
	c.do(t, "GET", "/v1/matches", staff, nil).must(t, 403)
	c.do(t, "GET", matchPath, kitchen, nil).must(t, 200)
	c.do(t, "GET", matchPath, sam, nil).must(t, 404)
	c.do(t, "POST", "/v1/matches/"+other.ID+"/decline", kitchen, nil).must(t, 200)
	c.do(t, "POST", "/v1/matches/"+other.ID+"/decline", sam, nil).must(t, 404)
	c.do(t, "POST", "/v1/staff/matches/"+match.ID+"/introduce", kitchen, map[string]any{}).must(t, 403)
	c.do(t, "POST", "/v1/staff/matches/"+match.ID+"/introduce", staff, map[string]any{"note": "They know each other."}, "If-Match", `"1"`).must(t, 200)
	c.do(t, "POST", "/v1/staff/matches/"+match.ID+"/introduce", staff, nil).must(t, 409)
	c.do(t, "POST", "/v1/staff/matches/"+match.ID+"/outcome", staff, map[string]any{"outcome": "deal", "value_pence": 45000}, "If-Match", `"1"`).must(t, 412)
	wantProblemFields(t, c.doBreaking(t, "POST", "/v1/staff/matches/"+match.ID+"/outcome", staff, map[string]any{"outcome": "maybe"}).must(t, 400), "outcome")
	c.do(t, "POST", "/v1/staff/matches/"+match.ID+"/outcome", staff, map[string]any{"outcome": "deal", "value_pence": 45000}).must(t, 200)
	c.do(t, "POST", "/v1/staff/matches/0000-0000/outcome", staff, map[string]any{"outcome": "no_deal"}).must(t, 404)
	c.doBreaking(t, "POST", "/v1/staff/matches/"+other.ID+"/dismiss", staff, map[string]any{}).must(t, 400)
	c.do(t, "POST", "/v1/staff/matches/"+other.ID+"/dismiss", staff, map[string]any{"reason": "Not interested."}).must(t, 200)
	c.do(t, "GET", "/v1/staff/stats?from=2020-01-01&to=2030-01-01", staff, nil).must(t, 200)
	c.do(t, "GET", "/v1/staff/stats?from=yesterday", staff, nil).must(t, 400)
	c.do(t, "GET", "/v1/staff/stats", kitchen, nil).must(t, 403)
	c.do(t, "GET", "/v1/staff/audit?subject=match:"+match.ID, staff, nil).must(t, 200)
	c.do(t, "GET", "/v1/staff/audit?cursor=nonsense", staff, nil).must(t, 400)
	c.do(t, "GET", "/v1/staff/audit", kitchen, nil).must(t, 403)

	// Moderation: staff remove a listing with a note to its member, who
	// finds it in the inbox.
	removable := ts.publishedListing(t, printer, offerBody("Flyers, the cheapest in Yorkshire"))
	removePath := "/v1/staff/listings/" + removable.ID + "/remove"
	removal := map[string]any{"note": "Listings may not compare other members' prices."}
	wantProblemFields(t, c.doBreaking(t, "POST", removePath, staff, map[string]any{}).must(t, 400), "note")
	wantProblemFields(t, c.do(t, "POST", removePath, staff, map[string]any{"note": " "}).must(t, 400), "note")
	c.doBreaking(t, "POST", removePath, "", removal).must(t, 401)
	c.do(t, "POST", removePath, printer, removal).must(t, 403)
	c.do(t, "POST", "/v1/staff/listings/0123456789abcdef01234567/remove", staff, removal).must(t, 404)
	c.do(t, "POST", removePath, staff, removal, "If-Match", `"1"`).must(t, 412)
	c.do(t, "POST", removePath, staff, removal, "If-Match", `"2"`).must(t, 200)
	c.do(t, "POST", removePath, staff, removal).must(t, 409)
	c.do(t, "GET", "/v1/inbox", printer, nil).must(t, 200)

	// Saved searches and the member's webhook.
	alertsScenario(t, c, ts, staff, sam, ada, memberPath)

	// A forgotten password, and a co-op's users.
	resetScenario(t, c, smtp, staff)
	enquiriesScenario(t, c, smtp, staff)
	partnersScenario(t, c, staff)
	enquirerDataScenario(t, c, smtp, staff)
	usersScenario(t, c, staff)
	tokensScenario(t, c, staff)
	invitationsScenario(t, c, smtp, staff)
	joinScenario(t, c, smtp, staff)

	// Signing out.
	c.do(t, "DELETE", "/v1/auth/token", sam, nil).must(t, 204)
	c.do(t, "GET", "/v1/me", sam, nil).must(t, 401)
	c.doBreaking(t, "DELETE", "/v1/auth/token", "", nil).must(t, 401)

	duesScenario(t, c, ts, pay, staff)
	privacyScenario(t, c, staff)

	c.checkCoverage(t)
}

// duesScenario drives the dues: applications and staff's decisions,
// payment through Checkout (stripe-mock) and Stripe's signed webhook,
// bank transfers and waivers.
func duesScenario(t *testing.T, c *contract, ts *testServer, pay *payments.Service, staff string) {
	ctx := context.Background()
	const (
		apply   = "/v1/dues/application"
		apps    = "/v1/staff/applications"
		webhook = "/v1/stripe/webhook"
	)
	m, owner := ts.memberWithOwner(t, staff, "Kirkstall Bike Workshop", marketplace.StandingPending)
	newcomer, newOwner := ts.memberWithOwner(t, staff, "Headingley Tool Library", marketplace.StandingPending)

	// A member's owner applies; the errors first.
	c.doBreaking(t, "POST", apply, "", map[string]any{"labour_costs_pence": 1}).must(t, 401)
	c.do(t, "POST", apply, staff, map[string]any{"labour_costs_pence": 1}).must(t, 403)
	// Labour costs are required of enterprises, not of worker members.
	wantProblemFields(t, c.do(t, "POST", apply, owner, map[string]any{}).must(t, 400), "labour_costs_pence")
	wantProblemFields(t, c.doBreaking(t, "POST", apply, owner, map[string]any{"labour_costs_pence": -1}).must(t, 400), "labour_costs_pence")
	wantProblemFields(t, c.doBreaking(t, "POST", apply, owner, `{"labour_costs_pence": 1.5}`).must(t, 400), "labour_costs_pence")
	wantProblemFields(t, c.doBreaking(t, "POST", apply, owner, map[string]any{"labour_costs_pence": 1, "standing": "active"}).must(t, 400), "standing")
	wantProblemFields(t, c.do(t, "POST", apply, owner, map[string]any{"labour_costs_pence": 1, "year": 2024}).must(t, 400), "year")
	wantProblemFields(t, c.doBreaking(t, "POST", apply, owner, map[string]any{
		"labour_costs_pence": 40_000_00, "hardship": map[string]any{"amount_pence": 25_00}}).must(t, 400), "hardship.reason")
	// More than the normal dues of £150.
	wantProblemFields(t, c.do(t, "POST", apply, owner, map[string]any{
		"labour_costs_pence": 40_000_00, "hardship": map[string]any{"amount_pence": 200_00, "reason": "We started in June."}}).must(t, 400), "hardship.amount_pence")
	c.doBreaking(t, "POST", apply, owner, "labour_costs_pence=1", "Content-Type", "text/plain").must(t, 415)
	c.doBreaking(t, "POST", apply, owner, map[string]any{
		"labour_costs_pence": 1, "hardship": map[string]any{"amount_pence": 100, "reason": strings.Repeat("flooded ", 10_000)}}).must(t, 413)

	// A hardship request, then a declaration that replaces it while it is
	// pending.
	var hardship, app payments.Application
	c.do(t, "POST", apply, owner, map[string]any{
		"labour_costs_pence": 40_000_00, "hardship": map[string]any{"amount_pence": 25_00, "reason": "We started in June."}}).must(t, 201).decode(t, &hardship)
	c.do(t, "POST", apply, owner, map[string]any{"year": 2026, "labour_costs_pence": 500_000_00}).must(t, 201).decode(t, &app)
	if app.ID != hardship.ID || app.Kind != payments.ApplicationDeclaration || app.Dues.GrossPence != 600_00 {
		t.Errorf("POST %s again: %+v; want the hardship request %s replaced by a declaration of £600", apply, app, hardship.ID)
	}

	// Staff review the applications.
	var pending struct{ Items []payments.Application }
	c.do(t, "GET", apps+"?status=pending&member="+m.ID+"&year=2026&limit=5", staff, nil).must(t, 200).decode(t, &pending)
	if len(pending.Items) != 1 || pending.Items[0].ID != app.ID {
		t.Errorf("GET %s?status=pending: %+v; want %s", apps, pending.Items, app.ID)
	}
	c.do(t, "GET", apps, owner, nil).must(t, 403)
	c.doBreaking(t, "GET", apps, "", nil).must(t, 401)
	c.doBreaking(t, "GET", apps+"?status=maybe", staff, nil).must(t, 400)
	wantProblemFields(t, c.doBreaking(t, "GET", apps+"?year=next", staff, nil).must(t, 400), "year")
	c.doBreaking(t, "GET", apps+"?limit=0", staff, nil).must(t, 400)
	c.do(t, "GET", apps+"?cursor=zzz", staff, nil).must(t, 400)

	decide := apps + "/" + app.ID
	c.do(t, "POST", decide+"/approve", owner, nil).must(t, 403)
	c.doBreaking(t, "POST", decide+"/approve", "", nil).must(t, 401)
	wantProblemFields(t, c.doBreaking(t, "POST", decide+"/approve", staff, map[string]any{"amount_pence": 450_00}).must(t, 400), "amount_pence")
	c.doBreaking(t, "POST", decide+"/approve", staff, "approved", "Content-Type", "text/plain").must(t, 415)
	wantProblemFields(t, c.doBreaking(t, "POST", decide+"/adjust", staff, map[string]any{"notes": "Too much."}).must(t, 400), "amount_pence")
	wantProblemFields(t, c.doBreaking(t, "POST", decide+"/adjust", staff, map[string]any{"amount_pence": 50, "notes": "Too much."}).must(t, 400), "amount_pence")
	wantProblemFields(t, c.doBreaking(t, "POST", decide+"/refuse", staff, map[string]any{}).must(t, 400), "notes")
	c.doBreaking(t, "POST", decide+"/refuse", staff, nil).must(t, 400) // the notes are required, so the body is
	c.do(t, "POST", apps+"/0123456789abcdef01234567/approve", staff, nil).must(t, 404)
	c.do(t, "POST", apps+"/not-an-id/refuse", staff, map[string]any{"notes": "No such application."}).must(t, 404)
	var adjusted payments.Application
	c.do(t, "POST", decide+"/adjust", staff, map[string]any{"amount_pence": 450_00, "notes": "Drawings were counted twice."}).must(t, 200).decode(t, &adjusted)
	if adjusted.Status != payments.ApplicationAdjusted || adjusted.Dues.GrossPence != 540_00 || adjusted.DecidedAt == nil {
		t.Errorf("POST %s/adjust: %+v", decide, adjusted)
	}
	c.do(t, "POST", decide+"/approve", staff, nil).must(t, 409)
	c.do(t, "POST", decide+"/refuse", staff, map[string]any{"notes": "Too late."}).must(t, 409)
	var next payments.Application
	c.do(t, "POST", apply, owner, map[string]any{"year": 2027, "labour_costs_pence": 10}).must(t, 201).decode(t, &next)
	c.do(t, "POST", apps+"/"+next.ID+"/refuse", staff, map[string]any{"notes": "Send the accounts for 2026."}).must(t, 200)

	// A worker member pays no dues: it applies with nothing to declare.
	var worker marketplace.Member
	ts.do(t, "POST", "/v1/members", staff, map[string]any{
		"kind": "worker", "name": "Alex Fairweather", "email": "alex@fairweather.example", "postcode": "LS6 1AA",
	}).must(t, 201).decode(t, &worker)
	ts.addUser(t, worker.ID, marketplace.NewUser{Email: "alex@fairweather.example", Password: "worker password 123", Role: marketplace.RoleOwner})
	alex := ts.login(t, "alex@fairweather.example", "worker password 123")
	var wapp payments.Application
	c.do(t, "POST", apply, alex, map[string]any{}).must(t, 201).decode(t, &wapp)
	if wapp.Dues.Basis != payments.DuesNone || wapp.Dues.GrossPence != 0 {
		t.Errorf("a worker member's application: %+v", wapp)
	}
	c.do(t, "POST", apps+"/"+wapp.ID+"/adjust", staff, map[string]any{"amount_pence": 100_00, "notes": "Worker members pay nothing."}).must(t, 409)
	c.do(t, "POST", apps+"/"+wapp.ID+"/approve", staff, map[string]any{"notes": "Welcome."}).must(t, 200)
	c.do(t, "POST", "/v1/dues/checkout", alex, nil).must(t, 409)

	// The member sees its dues; staff see any member's.
	var st payments.Status
	c.do(t, "GET", "/v1/dues", owner, nil).must(t, 200).decode(t, &st)
	if st.Standing != marketplace.StandingAwaitingPayment || st.Dues == nil || st.Dues.GrossPence != 540_00 || len(st.Applications) != 2 {
		t.Errorf("GET /v1/dues, approved: %+v", st)
	}
	c.do(t, "GET", "/v1/dues?member="+m.ID, staff, nil).must(t, 200)
	c.do(t, "GET", "/v1/dues?member="+m.ID, alex, nil).must(t, 403)
	c.do(t, "GET", "/v1/dues?member=0123456789abcdef01234567", staff, nil).must(t, 404)
	wantProblemFields(t, c.do(t, "GET", "/v1/dues", staff, nil).must(t, 400), "member")
	c.doBreaking(t, "GET", "/v1/dues", "", nil).must(t, 401)

	// It pays by Checkout; the portal is for members that pay through
	// Stripe.
	c.do(t, "POST", "/v1/dues/checkout", newOwner, nil).must(t, 403) // awaiting approval
	c.do(t, "POST", "/v1/dues/checkout", staff, nil).must(t, 403)
	c.doBreaking(t, "POST", "/v1/dues/checkout", "", nil).must(t, 401)
	c.do(t, "POST", "/v1/dues/portal", owner, nil).must(t, 409)
	var sess payments.Session
	c.do(t, "POST", "/v1/dues/checkout", owner, nil).must(t, 201).decode(t, &sess)
	if !strings.HasPrefix(sess.ID, "cs_") {
		t.Errorf("POST /v1/dues/checkout: %+v", sess)
	}
	c.do(t, "POST", "/v1/dues/portal", owner, nil).must(t, 201)
	c.do(t, "POST", "/v1/dues/portal", staff, nil).must(t, 403)
	c.doBreaking(t, "POST", "/v1/dues/portal", "", nil).must(t, 401)

	// Stripe tells of the payment.
	a, err := pay.Accounts.FindAccount(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	customer, sub := a.CustomerID, "sub_"+m.ID
	completed := stripetest.Event{ID: "evt_cs_" + m.ID, Type: "checkout.session.completed", Created: ts.now,
		Object: checkoutCompleted(m.ID, customer, sub, "paid")}
	body := completed.Payload(t)
	c.doBreaking(t, "POST", webhook, "", body).must(t, 400) // not signed
	for name, sig := range map[string]string{
		"WrongSecret":  stripetest.SignPayload(body, "whsec_other", time.Now()),
		"TooOld":       stripetest.SignPayload(body, stripetest.WebhookSecret, time.Now().Add(-time.Hour)),
		"NotSignature": "hello",
	} {
		if p := c.do(t, "POST", webhook, "", body, "Stripe-Signature", sig).must(t, 400).problem(t); !strings.Contains(p.Detail, "Stripe-Signature") {
			t.Errorf("POST %s, %s: %+v", webhook, name, p)
		}
	}
	big := stripetest.Event{ID: "evt_big", Type: "customer.updated", Created: ts.now,
		Object: map[string]any{"id": customer, "object": "customer", "description": strings.Repeat("x", 1_100_000)}}.Payload(t)
	c.do(t, "POST", webhook, "", big, "Stripe-Signature", stripetest.Sign(big)).must(t, 413)
	if _, err := pay.Events.FindEventByID(ctx, completed.ID); marketplace.ErrorCode(err) != marketplace.ENOTFOUND {
		t.Fatalf("an event refused was stored: %v", err)
	}
	deliverEvent(t, c, pay, completed)
	// A bearer header (a proxy's, say) does not stand between Stripe and
	// the webhook: the signature alone counts.
	c.do(t, "POST", webhook, "cmt_not-a-token", body, "Stripe-Signature", stripetest.Sign(body)).must(t, 200)
	var again payments.Receipt
	c.do(t, "POST", webhook, "", body, "Stripe-Signature", stripetest.Sign(body)).must(t, 200).decode(t, &again)
	if again.EventID != completed.ID || !again.Duplicate {
		t.Errorf("POST %s, the same event again: %+v; want a duplicate", webhook, again)
	}
	deliverEvent(t, c, pay, stripetest.Event{ID: "evt_paid_" + m.ID, Type: "invoice.paid", Created: ts.now.Add(time.Second),
		Object: invoice(m.ID, customer, sub, "subscription_create", ts.now, ts.now.AddDate(1, 0, 0), 450_00)})
	c.do(t, "GET", "/v1/dues", owner, nil).must(t, 200).decode(t, &st)
	if st.Standing != marketplace.StandingActive || st.Subscription == nil || st.PaidThrough == nil || len(st.Invoices) == 0 {
		t.Errorf("GET /v1/dues, paid: %+v", st)
	}
	c.do(t, "POST", "/v1/dues/checkout", owner, nil).must(t, 409) // it pays by subscription already

	// The renewal fails and the bank asks the member to confirm it.
	renewal := ts.now.AddDate(1, 0, 0)
	for i, typ := range []string{"invoice.payment_failed", "invoice.payment_action_required"} {
		deliverEvent(t, c, pay, stripetest.Event{ID: fmt.Sprintf("evt_renewal%d_%s", i, m.ID), Type: typ, Created: renewal.Add(time.Duration(i+1) * time.Hour),
			Object: invoice(m.ID, customer, sub, "subscription_cycle", renewal, renewal.AddDate(1, 0, 0), 450_00)})
	}
	c.do(t, "GET", "/v1/dues", owner, nil).must(t, 200).decode(t, &st)
	if st.Standing != marketplace.StandingPastDue || st.LapsesAt == nil || st.ActionRequiredURL == "" {
		t.Errorf("GET /v1/dues, past due: %+v", st)
	}

	// Staff record a bank transfer from another member.
	bakery, baker := ts.memberWithOwner(t, staff, "Otley Road Bakery", marketplace.StandingPending)
	var bapp payments.Application
	c.do(t, "POST", apply, baker, map[string]any{"labour_costs_pence": 120_000_00}).must(t, 201).decode(t, &bapp)
	c.do(t, "POST", apps+"/"+bapp.ID+"/approve", staff, nil).must(t, 200)
	offline := "/v1/staff/members/" + bakery.ID + "/offline-payment"
	transfer := map[string]any{"amount_pence": 180_00, "period_start": "2026-11-27", "period_end": "2027-11-26", "reference": "BACS ORB 2026"}
	c.do(t, "POST", offline, baker, transfer).must(t, 403)
	c.doBreaking(t, "POST", offline, "", transfer).must(t, 401)
	wantProblemFields(t, c.doBreaking(t, "POST", offline, staff, withValues(transfer, "period_end", nil)).must(t, 400), "period_end")
	wantProblemFields(t, c.doBreaking(t, "POST", offline, staff, withValues(transfer, "amount_pence", 0)).must(t, 400), "amount_pence")
	wantProblemFields(t, c.do(t, "POST", offline, staff, withValues(transfer, "period_end", "2026-01-01")).must(t, 400), "period_end")
	c.doBreaking(t, "POST", offline, staff, "amount_pence=18000", "Content-Type", "text/plain").must(t, 415)
	c.do(t, "POST", "/v1/staff/members/0123456789abcdef01234567/offline-payment", staff, transfer).must(t, 404)
	c.do(t, "POST", "/v1/staff/members/"+newcomer.ID+"/offline-payment", staff, transfer).must(t, 409) // awaiting approval
	var d payments.MemberDues
	c.do(t, "POST", offline, staff, transfer).must(t, 201).decode(t, &d)
	if d.Standing != marketplace.StandingActive || d.PaidThrough == nil || d.PaidThrough.Format(time.DateOnly) != "2027-11-26" {
		t.Errorf("POST %s: %+v", offline, d)
	}
	c.do(t, "POST", offline, staff, transfer).must(t, 409) // the same reference

	// And a waiver.
	waiver := "/v1/staff/members/" + bakery.ID + "/waiver"
	grant := map[string]any{"until": "2027-03-01T17:00:00Z", "reason": "The oven broke."}
	c.do(t, "POST", waiver, baker, grant).must(t, 403)
	c.doBreaking(t, "POST", waiver, "", grant).must(t, 401)
	wantProblemFields(t, c.do(t, "POST", waiver, staff, withValues(grant, "until", "2020-01-01")).must(t, 400), "until")
	wantProblemFields(t, c.doBreaking(t, "POST", waiver, staff, withValues(grant, "until", "soon")).must(t, 400), "until")
	wantProblemFields(t, c.doBreaking(t, "POST", waiver, staff, map[string]any{"until": "2027-03-01"}).must(t, 400), "reason")
	c.doBreaking(t, "POST", waiver, staff, "until=2027-03-01", "Content-Type", "text/plain").must(t, 415)
	c.do(t, "POST", "/v1/staff/members/0123456789abcdef01234567/waiver", staff, grant).must(t, 404)
	c.do(t, "POST", "/v1/staff/members/"+newcomer.ID+"/waiver", staff, grant).must(t, 409)
	c.do(t, "POST", waiver, staff, grant).must(t, 200).decode(t, &d)
	if d.WaiverUntil == nil || !d.WaiverUntil.Equal(time.Date(2027, 3, 1, 17, 0, 0, 0, time.UTC)) || d.WaiverReason != "The oven broke." {
		t.Errorf("POST %s: %+v", waiver, d)
	}
	c.do(t, "GET", "/v1/dues", baker, nil).must(t, 200)

	// Staff list members with their dues.
	var list struct{ Items []payments.MemberDues }
	c.do(t, "GET", "/v1/staff/members?standing=past_due&kind=enterprise&limit=5", staff, nil).must(t, 200).decode(t, &list)
	i := slices.IndexFunc(list.Items, func(d payments.MemberDues) bool { return d.ID == m.ID })
	if i < 0 || list.Items[i].CustomerID != customer || list.Items[i].Subscription == nil || list.Items[i].LapsesAt == nil {
		t.Errorf("GET /v1/staff/members?standing=past_due: %+v; want %s with its subscription", list.Items, m.ID)
	}
	c.do(t, "GET", "/v1/staff/members", staff, nil).must(t, 200)
	c.do(t, "GET", "/v1/staff/members", owner, nil).must(t, 403)
	c.doBreaking(t, "GET", "/v1/staff/members", "", nil).must(t, 401)
	c.doBreaking(t, "GET", "/v1/staff/members?standing=gold", staff, nil).must(t, 400)
	c.doBreaking(t, "GET", "/v1/staff/members?limit=500", staff, nil).must(t, 400)
	c.do(t, "GET", "/v1/staff/members?cursor=zzz", staff, nil).must(t, 400)
}

// deliverEvent posts a signed event to Stripe's webhook and runs its job,
// as a worker would.
func deliverEvent(t *testing.T, c *contract, pay *payments.Service, e stripetest.Event) {
	t.Helper()
	body := e.Payload(t)
	var r payments.Receipt
	c.do(t, "POST", "/v1/stripe/webhook", "", body, "Stripe-Signature", stripetest.Sign(body)).must(t, 200).decode(t, &r)
	if r.EventID != e.ID || r.Type != e.Type || r.Duplicate {
		t.Errorf("POST /v1/stripe/webhook, %s: %+v", e.ID, r)
	}
	payload, err := json.Marshal(payments.EventPayload{EventID: e.ID})
	if err != nil {
		t.Fatal(err)
	}
	if err := pay.HandleStripeEvent(context.Background(), payload); err != nil {
		t.Fatalf("apply %s: %v", e.ID, err)
	}
}

// TestOpenAPIScenarioLimits covers the answers of a server under strain: a
// backing service down, and too many sign-in attempts.
func TestOpenAPIScenarioLimits(t *testing.T) {
	ts := newTestServer(t, options{LoginsPerMinute: 1})
	ts.Redis.Stop()
	c := newContract(t, ts)
	c.do(t, "GET", "/readyz", "", nil).must(t, 503)
	attempt := map[string]any{"email": "nobody@example.coop", "password": "not a password"}
	c.do(t, "POST", "/v1/auth/login", "", attempt).must(t, 401)
	// The limit is per minute: the second attempt, right after the first,
	// is over it.
	c.do(t, "POST", "/v1/auth/login", "", attempt).must(t, 429)
}

// TestOpenAPIScenarioDuesLimits covers the dues' answers when Stripe is not
// set up, and over the limit of writes.
func TestOpenAPIScenarioDuesLimits(t *testing.T) {
	ts := newTestServer(t, options{WritesPerMinute: 2})
	c := newContract(t, ts)
	staff := ts.staffToken(t)
	event := stripetest.Event{ID: "evt_unconfigured", Type: "invoice.paid", Created: ts.now, Object: map[string]any{"object": "invoice"}}
	body := event.Payload(t)
	p := c.do(t, "POST", "/v1/stripe/webhook", "", body, "Stripe-Signature", stripetest.Sign(body)).must(t, 503).problem(t)
	if !strings.Contains(p.Detail, "STRIPE_SECRET_KEY") {
		t.Errorf("POST /v1/stripe/webhook without Stripe: %+v; want the settings named", p)
	}
	// Checkout and the portal are writes: two a minute are allowed here,
	// and the third, right after, is refused.
	c.do(t, "POST", "/v1/dues/checkout", staff, nil).must(t, 503)
	c.do(t, "POST", "/v1/dues/portal", staff, nil).must(t, 503)
	c.do(t, "POST", "/v1/dues/checkout", staff, nil).must(t, 429)
}

// TestOpenAPIRejectsUndescribedResponses checks that the validation the
// scenario relies on is strict: a response the document does not describe
// fails it.
func TestOpenAPIRejectsUndescribedResponses(t *testing.T) {
	doc := loadOpenAPI(t)
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	example, err := json.Marshal(doc.Components.Schemas["Listing"].Value.Example)
	if err != nil {
		t.Fatal(err)
	}
	validate := func(status int, header http.Header, body []byte) error {
		req, err := http.NewRequest("GET", "http://marketplace.test/v1/listings/6650b3a8c1a9e43d2f0a1b07", nil)
		if err != nil {
			t.Fatal(err)
		}
		route, params, err := router.FindRoute(req)
		if err != nil {
			t.Fatal(err)
		}
		in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: validationOptions()}
		return openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
			RequestValidationInput: in, Status: status, Header: header, Body: io.NopCloser(bytes.NewReader(body)), Options: in.Options,
		})
	}
	okHeader := func() http.Header {
		return http.Header{"Content-Type": {"application/json"}, "Etag": {`"3"`}, "X-Request-Id": {"r1"}}
	}
	if err := validate(200, okHeader(), example); err != nil {
		t.Fatalf("the Listing example does not pass as a response to GET /v1/listings/{id}: %v", err)
	}
	edit := func(f func(map[string]any)) []byte {
		var m map[string]any
		if err := json.Unmarshal(example, &m); err != nil {
			t.Fatal(err)
		}
		f(m)
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	problem := []byte(`{"type":"/problems/conflict","title":"Not found.","status":404,"detail":"No such listing."}`)
	for _, tc := range []struct {
		name   string
		status int
		header http.Header
		body   []byte
	}{
		{"UndocumentedStatus", 418, okHeader(), example},
		{"UndocumentedSuccess", 201, okHeader(), example},
		{"UnknownField", 200, okHeader(), edit(func(m map[string]any) { m["lat"] = 53.7 })},
		{"MissingField", 200, okHeader(), edit(func(m map[string]any) { delete(m, "status") })},
		{"UnknownStatus", 200, okHeader(), edit(func(m map[string]any) { m["status"] = "archived" })},
		{"NotRFC3339", 200, okHeader(), edit(func(m map[string]any) { m["created_at"] = "27/11/2026" })},
		{"NoETag", 200, http.Header{"Content-Type": {"application/json"}, "X-Request-Id": {"r1"}}, example},
		{"WrongContentType", 200, http.Header{"Content-Type": {"text/html"}, "Etag": {`"3"`}, "X-Request-Id": {"r1"}}, example},
		{"ProblemOfAnotherType", 404, http.Header{"Content-Type": {"application/problem+json"}, "X-Request-Id": {"r1"}}, problem},
		{"ProblemAsJSON", 404, okHeader(), []byte(`{"type":"/problems/not_found","title":"Not found.","status":404,"detail":"No such listing."}`)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := validate(tc.status, tc.header, tc.body); err == nil {
				t.Errorf("validation accepts a response the document does not describe: %d %v %s", tc.status, tc.header, tc.body)
			}
		})
	}
}

// contract checks exchanges with the server against the document.
type contract struct {
	ts     *testServer
	doc    *openapi3.T
	router routers.Router
	// seen holds the statuses each operation answered with, by operation ID.
	seen map[string]map[int]bool
}

func newContract(tb testing.TB, ts *testServer) *contract {
	tb.Helper()
	doc := loadOpenAPI(tb)
	router, err := legacy.NewRouter(doc)
	if err != nil {
		tb.Fatalf("route the document: %v", err)
	}
	return &contract{ts: ts, doc: doc, router: router, seen: map[string]map[int]bool{}}
}

// validationOptions checks requests and responses strictly: a status the
// document does not list fails. A bearer token counts as present; whether
// it is good is for the server to say.
func validationOptions() *openapi3filter.Options {
	return &openapi3filter.Options{
		IncludeResponseStatus: true,
		MultiError:            true,
		AuthenticationFunc: func(_ context.Context, in *openapi3filter.AuthenticationInput) error {
			if in.SecuritySchemeName != "bearerAuth" && in.SecuritySchemeName != "inboundMail" {
				return in.NewError(fmt.Errorf("unknown security scheme %q", in.SecuritySchemeName))
			}
			scheme, token, _ := strings.Cut(in.RequestValidationInput.Request.Header.Get("Authorization"), " ")
			if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
				return in.NewError(errors.New("no bearer token in Authorization"))
			}
			return nil
		},
	}
}

// do sends a request the document describes and checks that it does, and
// that the document describes the response. The arguments are those of
// testServer.do.
func (c *contract) do(tb testing.TB, method, path, token string, body any, headers ...string) *response {
	tb.Helper()
	return c.exchange(tb, false, method, path, token, body, headers...)
}

// doBreaking sends a request that breaks the document on purpose (the
// server refuses it) and checks that the document says so too, and that it
// describes the response.
func (c *contract) doBreaking(tb testing.TB, method, path, token string, body any, headers ...string) *response {
	tb.Helper()
	return c.exchange(tb, true, method, path, token, body, headers...)
}

func (c *contract) exchange(tb testing.TB, breaks bool, method, path, token string, body any, headers ...string) *response {
	tb.Helper()
	var raw []byte
	switch b := body.(type) {
	case nil:
	case string:
		raw = []byte(b)
	case []byte:
		raw = b
	default:
		js, err := json.Marshal(b)
		if err != nil {
			tb.Fatal(err)
		}
		raw = js
	}
	newRequest := func() *http.Request {
		var rd io.Reader
		if body != nil {
			rd = bytes.NewReader(raw)
		}
		req, err := http.NewRequest(method, c.ts.URL+path, rd)
		if err != nil {
			tb.Fatal(err)
		}
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		return req
	}
	name := method + " " + path

	// The request.
	ctx := context.Background()
	vreq := newRequest()
	route, params, err := c.router.FindRoute(vreq)
	if err != nil {
		tb.Fatalf("%s: the document has no operation for it: %v", name, err)
	}
	in := &openapi3filter.RequestValidationInput{Request: vreq, PathParams: params, Route: route, Options: validationOptions()}
	err = openapi3filter.ValidateRequest(ctx, in)
	switch {
	case !breaks && err != nil:
		tb.Errorf("%s: the request does not match the document:\n%v", name, err)
	case breaks && err == nil:
		tb.Errorf("%s: the document accepts a request the server refuses (body %s)", name, raw)
	}

	// The response.
	res, err := patientClient.Do(newRequest())
	if err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	defer res.Body.Close()
	got, err := io.ReadAll(res.Body)
	if err != nil {
		tb.Fatalf("%s: read the response: %v", name, err)
	}
	err = openapi3filter.ValidateResponse(ctx, &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in, Status: res.StatusCode, Header: res.Header,
		Body: io.NopCloser(bytes.NewReader(got)), Options: in.Options,
	})
	if err != nil {
		tb.Errorf("%s: the document does not describe the response %d %s:\n%v", name, res.StatusCode, got, err)
	}
	if ref := route.Operation.Responses.Status(res.StatusCode); ref != nil && len(ref.Value.Content) == 0 && len(got) > 0 {
		tb.Errorf("%s: response %d has a body the document does not describe: %s", name, res.StatusCode, got)
	}
	id := route.Operation.OperationID
	if c.seen[id] == nil {
		c.seen[id] = map[int]bool{}
	}
	c.seen[id][res.StatusCode] = true
	return &response{Status: res.StatusCode, Header: res.Header, Body: got}
}

// patientClient reads the server's answer even when the server stopped
// reading the request first, as it does with a body over the limit: it
// answers 413 and closes the connection while the client is still writing.
// http.DefaultClient would then report the failed write, or the response,
// whichever it noticed first.
var patientClient = &http.Client{Transport: &http.Transport{
	DisableKeepAlives: true,
	DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return &patientConn{Conn: conn}, nil
	},
}}

// patientConn takes a write the peer refused as written, so that the
// response the peer sent before closing is read.
type patientConn struct {
	net.Conn
	refused bool
}

func (c *patientConn) Write(p []byte) (int, error) {
	if c.refused {
		return len(p), nil
	}
	n, err := c.Conn.Write(p)
	if errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNRESET) {
		c.refused = true
		return len(p), nil
	}
	return n, err
}

// checkCoverage fails the test unless every operation of the document
// succeeded at least once.
func (c *contract) checkCoverage(tb testing.TB) {
	tb.Helper()
	forEachOperation(c.doc, func(method, path string, op *openapi3.Operation) {
		for status := range c.seen[op.OperationID] {
			if status < 300 {
				return
			}
		}
		tb.Errorf("%s %s (%s): the scenario never got a success from it; statuses seen %v",
			method, path, op.OperationID, sortedCopy(slices.Collect(maps.Keys(c.seen[op.OperationID]))))
	})
}

// wantFields fails unless the problem in res names each field.
func wantProblemFields(tb testing.TB, res *response, fields ...string) {
	tb.Helper()
	p := res.problem(tb)
	var got []string
	for _, fe := range p.Errors {
		got = append(got, fe.Field)
	}
	for _, f := range fields {
		if !slices.Contains(got, f) {
			tb.Errorf("problem %s names fields %q; want %q among them (detail %q)", p.Type, got, f, p.Detail)
		}
	}
}

// with returns a copy of m with the given keys set to the given values.
func withValues(m map[string]any, kv ...any) map[string]any {
	out := maps.Clone(m)
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i].(string)] = kv[i+1]
	}
	return out
}

func forEachOperation(doc *openapi3.T, f func(method, path string, op *openapi3.Operation)) {
	for _, path := range doc.Paths.InMatchingOrder() {
		item := doc.Paths.Value(path)
		ops := item.Operations()
		for _, method := range sortedCopy(slices.Collect(maps.Keys(ops))) {
			f(method, path, ops[method])
		}
	}
}

// pinnedProblem returns the problem type code and status a response schema
// fixes with single-valued enums.
func pinnedProblem(s *openapi3.Schema) (code string, status int) {
	for _, sub := range append([]*openapi3.SchemaRef{{Value: s}}, s.AllOf...) {
		props := sub.Value.Properties
		if t := props["type"]; t != nil && len(t.Value.Enum) == 1 {
			code = strings.TrimPrefix(fmt.Sprint(t.Value.Enum[0]), "/problems/")
		}
		if st := props["status"]; st != nil && len(st.Value.Enum) == 1 {
			if n, ok := st.Value.Enum[0].(float64); ok {
				status = int(n)
			}
		}
	}
	return code, status
}

func enumStrings(enum []any) []string {
	out := make([]string, 0, len(enum))
	for _, v := range enum {
		out = append(out, fmt.Sprint(v))
	}
	return out
}

func stringsOf[T ~string](in []T) []string {
	out := make([]string, len(in))
	for i, v := range in {
		out[i] = string(v)
	}
	return out
}

func sortedCopy[T ~string | ~int](in []T) []T {
	out := slices.Clone(in)
	slices.Sort(out)
	return out
}
