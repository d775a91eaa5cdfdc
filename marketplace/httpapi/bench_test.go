package httpapi_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/primitive"

	"cooptrade/marketplace"
	"cooptrade/marketplace/mongo"
	"cooptrade/mongodb"
)

// BenchmarkGetListing compares GET /v1/listings/{id} through the whole API
// (request id, metrics, log line, auth, use case, store) with a bare Fiber
// handler that does the same FindOne with the driver on the same database,
// side by side in one run, at the federation's real size (2,000 listings).
// It reports both throughputs and their ratio; the ratio is the figure to
// compare across machines.
func BenchmarkGetListing(b *testing.B) {
	const listings = 2000
	ts := newTestServer(b, options{})
	ids := seedListings(b, ts.DB, listings)

	bare := fiber.New(fiber.Config{DisableStartupMessage: true})
	coll := ts.DB.Database.Collection("listings")
	bare.Get("/v1/listings/:id", func(c *fiber.Ctx) error {
		oid, err := primitive.ObjectIDFromHex(c.Params("id"))
		if err != nil {
			return c.SendStatus(404)
		}
		var doc bson.M
		if err := coll.FindOne(c.UserContext(), bson.D{{Key: "_id", Value: oid}}).Decode(&doc); err != nil {
			return c.SendStatus(404)
		}
		return c.JSON(doc)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go func() { _ = bare.Listener(ln) }()
	b.Cleanup(func() { _ = bare.Shutdown() })
	bareURL := "http://" + ln.Addr().String()

	const conns = 16
	round := func(base string, n int) (time.Duration, error) {
		client := &fasthttp.HostClient{Addr: base[len("http://"):], MaxConns: conns}
		var next atomic.Int64
		var firstErr error
		var once sync.Once
		var wg sync.WaitGroup
		start := time.Now()
		for w := range conns {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rng := rand.New(rand.NewPCG(uint64(w), 7))
				req, res := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
				defer fasthttp.ReleaseRequest(req)
				defer fasthttp.ReleaseResponse(res)
				for next.Add(1) <= int64(n) {
					req.SetRequestURI(base + "/v1/listings/" + ids[rng.IntN(len(ids))])
					if err := client.Do(req, res); err != nil || res.StatusCode() != 200 {
						once.Do(func() { firstErr = fmt.Errorf("status %d: %v", res.StatusCode(), err) })
						return
					}
				}
			}()
		}
		wg.Wait()
		return time.Since(start), firstErr
	}

	// Warm both up, then alternate rounds so that the machine's noise falls
	// on both alike.
	for _, u := range []string{ts.URL, bareURL} {
		if _, err := round(u, 200); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	var apiTime, bareTime time.Duration
	perRound := min(b.N, 500)
	total := 0
	for total < b.N {
		d, err := round(ts.URL, perRound)
		if err != nil {
			b.Fatal(err)
		}
		apiTime += d
		d, err = round(bareURL, perRound)
		if err != nil {
			b.Fatal(err)
		}
		bareTime += d
		total += perRound
	}
	b.StopTimer()
	apiRate := float64(total) / apiTime.Seconds()
	bareRate := float64(total) / bareTime.Seconds()
	b.ReportMetric(apiRate, "api_req/s")
	b.ReportMetric(bareRate, "bare_req/s")
	b.ReportMetric(apiRate/bareRate, "api/bare")
	b.ReportMetric(0, "ns/op")
}

// seedListings inserts n published listings of one member in good
// standing in bulk writes and returns their IDs.
func seedListings(tb testing.TB, db *mongodb.DB, n int) []string {
	tb.Helper()
	now := time.Now().UTC()
	m := &marketplace.Member{Kind: marketplace.MemberEnterprise, Name: "Manchester Riso Co-op", Slug: "manchester-riso",
		Email: "hello@riso.example", Postcode: "M4 1HN", Standing: marketplace.StandingActive, Version: 1, CreatedAt: now, UpdatedAt: now}
	m.Normalize()
	if err := mongo.NewMemberStore(db).InsertMembers(context.Background(), []*marketplace.Member{m}); err != nil {
		tb.Fatal(err)
	}
	ls := make([]*marketplace.Listing, n)
	ids := make([]string, n)
	for i := range ls {
		l := &marketplace.Listing{
			MemberID: m.ID, Kind: marketplace.KindOffer,
			Title: fmt.Sprintf("Short-run risograph printing, batch %d", i), Description: "Zines, posters and flyers on recycled stock, two colours.",
			Category: "risograph-screen-print", Tags: []string{"risograph", "zines"}, Postcode: "M4 1HN", RadiusKM: 50,
			PriceMinPence: 5000, PriceMaxPence: 25000, PriceUnit: "job",
			Status: marketplace.StatusPublished, Version: 2, CreatedAt: now, UpdatedAt: now, PublishedAt: &now,
		}
		l.Normalize()
		ls[i] = l
	}
	if err := mongo.NewListingStore(db).InsertListings(context.Background(), ls); err != nil {
		tb.Fatal(err)
	}
	for i, l := range ls {
		ids[i] = l.ID
	}
	return ids
}
