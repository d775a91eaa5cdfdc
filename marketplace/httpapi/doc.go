// Package httpapi serves the marketplace's JSON API (/v1/...) with Fiber,
// over the use cases of package marketplace. Every error leaves through one
// place, problem.go, as an RFC 9457 application/problem+json document; the
// contract of every route is openapi.json, served at /openapi.json and
// checked against the routes by the tests.
//
// It imports the domain and the models of search and payments (the engines
// and Stripe's client stay behind their interfaces); never a store, a search
// engine, the queue or the pages.
package httpapi
