// Package stripetest runs Stripe for tests, the way net/http/httptest runs
// an HTTP server: NewServer starts stripe-mock (the version go.mod pins as a
// tool) on a free port for one test and stops it when the test ends, and
// Server.Client gives a stripe-go v76 client whose requests go to it, so a
// request Stripe would refuse fails the test.
//
// stripe-mock keeps no state (a created object cannot be fetched back as
// created) and answers with fixtures of a newer API version than stripe-go
// v76's; check the requests a test makes, not the fixtures' details such as
// subscription periods.
//
// For webhooks, Event builds the JSON body of an event and SignPayload and
// Sign give the Stripe-Signature header that Stripe would send with it,
// signed with WebhookSecret.
//
// It is imported by tests only.
package stripetest
