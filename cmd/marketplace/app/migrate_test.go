package app_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/primitive"

	"cooptrade/cmd/marketplace/app"
	"cooptrade/cmd/marketplace/app/apptest"
	"cooptrade/marketplace"
	"cooptrade/marketplace/mongo/mongotest"
	"cooptrade/mongodb"
	"cooptrade/payments/stripetest"
)

// versioned are the collections whose documents carry their schema
// version.
var versioned = []string{
	"members", "users", "listings", "matches", "audit", "notifications", "alerts", "webhook_targets",
	"dues_accounts", "dues_applications", "stripe_events", "join_applications",
	"threads", "deals", "quotes",
}

// TestUpgradeFromThePreviousSchema runs an instance, turns what it stored
// into what the previous schema stored (documents without a version, no
// version recorded), and starts this version on it: a dry run first
// changes nothing, then the start upgrades every document, changing
// nothing else, and the instance works: sign-in, reading, searching and
// editing what was stored before, and storing new documents at the new
// version. A database recorded as newer is then refused.
func TestUpgradeFromThePreviousSchema(t *testing.T) {
	ctx := context.Background()
	db := mongotest.NewDB(t)
	env := map[string]string{
		"DATA_DIR":              t.TempDir(), // one search index for both runs
		"STRIPE_SECRET_KEY":     "sk_test_upgrade",
		"STRIPE_WEBHOOK_SECRET": stripetest.WebhookSecret,
		"STRIPE_API_BASE":       "http://127.0.0.1:1", // never called
	}

	// The instance as the previous version left it: members, users, a
	// listing indexed and matched, an alert, a webhook, a Stripe event
	// applied, audit entries.
	old := apptest.Open(t, apptest.Options{Env: env, Knobs: app.Knobs{DB: db}, Workers: 1})
	staff := marketplace.NewContextWithUser(ctx, marketplace.SystemUser("test"))
	kitchen, kitchenOwner := upgradeMember(t, old, staff, "Chapeltown Kitchen", "LS7 3AA", "owner@kitchen.example")
	printers, printersOwner := upgradeMember(t, old, staff, "Leeds Print Workers", "LS9 8AB", "owner@printers.example")
	need := upgradePublish(t, old.Main, kitchenOwner, &marketplace.Listing{Kind: marketplace.KindNeed, Title: "Leaflets for a tenants' union",
		Description: "5,000 A5 leaflets on recycled paper.", Category: "print-runs", Postcode: "LS7 3AA",
		PriceMinPence: 40000, PriceMaxPence: 60000, PriceUnit: "job"})
	offer := upgradePublish(t, old.Main, printersOwner, &marketplace.Listing{Kind: marketplace.KindOffer, Title: "Leaflets and flyers on recycled paper",
		Description: "Short and long runs, delivered.", Category: "print-runs", Postcode: "LS9 8AB", RadiusKM: 50,
		PriceMinPence: 30000, PriceMaxPence: 50000, PriceUnit: "job"})
	if _, err := old.Service.CreateAlert(kitchenOwner, marketplace.NewAlert{Name: "Printers", Query: "q=leaflets", Frequency: marketplace.AlertDaily}); err != nil {
		t.Fatal(err)
	}
	if _, err := old.Service.SetWebhookTarget(printersOwner, printers.ID, marketplace.WebhookInput{URL: "https://hooks.example/marketplace"}); err != nil {
		t.Fatal(err)
	}
	ev := stripetest.Event{ID: "evt_upgrade_1", Type: "customer.created", Created: time.Now(), Object: map[string]any{"id": "cus_1", "object": "customer"}}
	body := ev.Payload(t)
	if _, err := old.Payments.ReceiveWebhook(ctx, body, stripetest.Sign(body)); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the workers index and match both listings and apply the event", func() bool {
		for _, l := range []*marketplace.Listing{need, offer} {
			got, err := old.Service.Listings.FindListingByID(ctx, l.ID)
			if err != nil || got.IndexedVersion != got.Version || got.MatchedVersion != got.Version {
				return false
			}
		}
		e, err := old.PaymentStores.Events.FindEventByID(ctx, ev.ID)
		return err == nil && e.AppliedAt != nil
	})
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}

	// What the previous schema stored: no version in any document, none
	// recorded for the database.
	for _, c := range versioned {
		if _, err := db.Database.Collection(c).UpdateMany(ctx, bson.D{}, bson.D{{Key: "$unset", Value: bson.D{{Key: mongodb.SchemaField, Value: ""}}}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Database.Collection(mongodb.MetaCollection).DeleteOne(ctx, bson.D{{Key: "_id", Value: "schema"}}); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, db)
	for _, c := range []string{"members", "users", "listings", "matches", "audit", "alerts", "webhook_targets", "stripe_events"} {
		if len(before[c]) == 0 {
			t.Fatalf("the old instance stored no %s: the test would prove nothing of them", c)
		}
	}

	// A dry run says what it would change, and changes nothing.
	cfg, err := app.ParseConfig(func(k string) string { return map[string]string{"DATA_DIR": env["DATA_DIR"]}[k] })
	if err != nil {
		t.Fatal(err)
	}
	dry := app.New(cfg, slog.New(slog.DiscardHandler))
	dry.Knobs.DB = db
	plan, err := dry.Migrate(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	if plan.From != 1 || plan.To != mongodb.SchemaVersion {
		t.Fatalf("dry run: from %d to %d; want from 1 to %d", plan.From, plan.To, mongodb.SchemaVersion)
	}
	var planned []string
	for _, s := range plan.Steps {
		planned = append(planned, s.Collection)
		if s.Documents != len(before[s.Collection]) {
			t.Errorf("dry run: %d document(s) of %s to change; %d are stored", s.Documents, s.Collection, len(before[s.Collection]))
		}
	}
	slices.Sort(planned)
	if want := slices.Sorted(slices.Values(versioned)); !slices.Equal(planned, want) {
		t.Errorf("dry run migrates %v; want %v", planned, want)
	}
	if t.Log(app.DescribePlan(plan)); t.Failed() {
		t.FailNow()
	}
	if diff := cmp.Diff(before, snapshot(t, db)); diff != "" {
		t.Fatalf("the dry run changed documents (-before +after):\n%s", diff)
	}

	// This version starts on it and upgrades every document. Its workers
	// start once the documents are compared: they would change some
	// (notifications being delivered) as they should.
	a := apptest.Open(t, apptest.Options{Env: env, Knobs: app.Knobs{DB: db}, Serve: true})
	after := snapshot(t, db)
	for c, docs := range after {
		for id, d := range docs {
			if d[mongodb.SchemaField] != int32(mongodb.SchemaVersion) {
				t.Errorf("%s %s is at schema %v after the upgrade; want %d", c, id, d[mongodb.SchemaField], mongodb.SchemaVersion)
			}
			delete(d, mongodb.SchemaField)
		}
	}
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("the upgrade changed more than the version (-before +after):\n%s", diff)
	}
	if v, err := db.StoredSchemaVersion(ctx); err != nil || v != mongodb.SchemaVersion {
		t.Fatalf("recorded version %d (%v); want %d", v, err, mongodb.SchemaVersion)
	}

	// It works on what was stored before.
	a.WorkerConcurrency = 1
	if err := a.StartWorkers(ctx); err != nil {
		t.Fatal(err)
	}
	token := upgradeSignIn(t, a, "owner@printers.example")
	for path, want := range map[string]string{
		"/v1/listings/" + offer.ID:                  offer.Title,
		"/v1/members/" + kitchen.ID:                 kitchen.Name,
		"/v1/search?q=" + "leaflets+recycled+paper": offer.ID,
		"/v1/me": "owner@printers.example",
	} {
		if got := upgradeGet(t, a, path, token); !strings.Contains(got, want) {
			t.Errorf("GET %s after the upgrade: %s; want %q in it", path, got, want)
		}
	}
	title := "Leaflets, flyers and posters on recycled paper"
	edited, err := a.Service.UpdateListing(printersOwner, offer.ID, offer.Version, marketplace.ListingUpdate{Title: &title})
	if err != nil {
		t.Fatalf("edit a listing stored before the upgrade: %v", err)
	}
	fresh := upgradePublish(t, a.Main, printersOwner, &marketplace.Listing{Kind: marketplace.KindOffer, Title: "Risograph posters",
		Description: "Two colours.", Category: "print-runs", Postcode: "LS9 8AB", RadiusKM: 20, PriceMinPence: 5000, PriceMaxPence: 9000, PriceUnit: "job"})
	var stored bson.M
	if err := db.Database.Collection("listings").FindOne(ctx, bson.D{{Key: "_id", Value: mustObjectID(t, fresh.ID)}}).Decode(&stored); err != nil {
		t.Fatal(err)
	}
	if stored[mongodb.SchemaField] != int32(mongodb.SchemaVersion) {
		t.Errorf("a listing stored after the upgrade is at schema %v; want %d", stored[mongodb.SchemaField], mongodb.SchemaVersion)
	}
	waitUntil(t, "the edited listing is found by its new title", func() bool {
		return strings.Contains(upgradeGet(t, a, "/v1/search?q=posters", token), edited.ID)
	})
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}

	// A database a newer version wrote is refused, untouched.
	if err := db.WriteMeta(ctx, "schema", bson.D{{Key: "version", Value: mongodb.SchemaVersion + 1}}); err != nil {
		t.Fatal(err)
	}
	newer := snapshot(t, db)
	b := app.New(cfg, slog.New(slog.DiscardHandler))
	b.Knobs.DB = db
	err = b.Open(ctx)
	_ = b.Close()
	if err == nil || !strings.Contains(err.Error(), "newer version of the marketplace") {
		t.Fatalf("open a database of a newer schema: %v; want a refusal that says so", err)
	}
	if diff := cmp.Diff(newer, snapshot(t, db)); diff != "" {
		t.Fatalf("the refused start changed documents (-before +after):\n%s", diff)
	}
}

// snapshot reads every document of the versioned collections, by _id.
func snapshot(t *testing.T, db *mongodb.DB) map[string]map[string]bson.M {
	t.Helper()
	out := map[string]map[string]bson.M{}
	for _, c := range versioned {
		cur, err := db.Database.Collection(c).Find(context.Background(), bson.D{})
		if err != nil {
			t.Fatal(err)
		}
		var docs []bson.M
		if err := cur.All(context.Background(), &docs); err != nil {
			t.Fatal(err)
		}
		out[c] = map[string]bson.M{}
		for _, d := range docs {
			out[c][fmtID(d["_id"])] = d
		}
	}
	return out
}

func mustObjectID(t *testing.T, id string) primitive.ObjectID {
	t.Helper()
	oid, err := primitive.ObjectIDFromHex(id)
	if err != nil {
		t.Fatal(err)
	}
	return oid
}

func fmtID(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func upgradeMember(t *testing.T, a *apptest.App, staff context.Context, name, postcode, email string) (*marketplace.Member, context.Context) {
	t.Helper()
	m := &marketplace.Member{Kind: marketplace.MemberEnterprise, Name: name, Email: email, Postcode: postcode, Standing: marketplace.StandingActive}
	if err := a.Service.CreateMember(staff, m); err != nil {
		t.Fatal(err)
	}
	u, err := a.Service.AddUser(staff, m.ID, marketplace.NewUser{Email: email, Name: "Owner", Password: "a long enough password for tests", Role: marketplace.RoleOwner})
	if err != nil {
		t.Fatal(err)
	}
	return m, marketplace.NewContextWithUser(context.Background(), u)
}

func upgradePublish(t *testing.T, a *app.Main, owner context.Context, l *marketplace.Listing) *marketplace.Listing {
	t.Helper()
	if err := a.Service.CreateListing(owner, l); err != nil {
		t.Fatal(err)
	}
	p, err := a.Service.PublishListing(owner, l.ID, l.Version)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func upgradeSignIn(t *testing.T, a *apptest.App, email string) string {
	t.Helper()
	token, _, err := a.Service.Login(context.Background(), email, "a long enough password for tests")
	if err != nil {
		t.Fatal(err)
	}
	return token
}

func upgradeGet(t *testing.T, a *apptest.App, path, token string) string {
	t.Helper()
	req, _ := http.NewRequest("GET", a.URL()+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 200 {
		t.Errorf("GET %s: %s %s", path, res.Status, b)
	}
	return string(b)
}

// waitUntil polls cond for up to a minute: work the workers do ends when
// it ends.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: never happened", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
