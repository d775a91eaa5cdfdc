// Package web serves the marketplace's pages: server-rendered HTML for
// buyers, members and staff, over the same use cases as the JSON API and on
// the same Fiber app (Mount). The pages work without JavaScript; site.js only
// enhances them.
//
// Everything a person reads comes from the message catalogues in messages/
// (English and Welsh), chosen by ?lang= on any page (then remembered in a
// cookie) or else by Accept-Language. Dates, money and numbers are written
// the British way, with Welsh month names in Welsh.
//
// Sessions: signing in (POST /login, rate-limited) starts a
// marketplace.Session whose secret is the HttpOnly, SameSite=Lax cookie
// "cms" (Secure when BaseURL is https). Every POST must carry the CSRF token
// of the session (or, before signing in, of the "cmc" cookie) in the form
// field "csrf"; a POST without it gets a 403 page.
//
// # Adding pages
//
// Templates live in templates/: layout.html is the frame of every page,
// *.partial.html files hold shared blocks ("csrf", "errors-summary",
// "field-error", "described", "listing-meta", "dues-summary"), and every
// other file is a page, named by its file (staff_queue.html is
// "staff_queue"), whose template defines "main" (and may define "head" for
// extra tags). Render a page with
//
//	return s.render(c, fiber.StatusOK, "staff_queue", p)
//
// where p is s.page(c, "staff.queue.title", "staff.queue.desc") with Data
// set to whatever the template reads, Section set to "staff" (the
// navigation marks it) and, for a form, Form filled (newForm, Form.add,
// addDomainErrors, Form.Labels). In templates, $.T "key" translates, and
// $.Date, $.Money, $.Number, $.Category, $.Area… format values; every form
// includes {{template "csrf" $}}. After a POST, redirect with ?done=<key>
// and the page shows the message "done.<key>". Template functions are in
// funcs (render.go); a staff*.go file may add its own to it in an init
// function. The Content-Security-Policy allows no inline style or script:
// style SVG with presentation attributes (fill, stroke) or with classes in
// a stylesheet of their own, static/staff.css, which a template links in
// its "head" block: <link rel="stylesheet" href="{{.Static "staff.css"}}">.
//
// Routes are registered in one table (routes in server.go). Staff pages
// are registered by staffRoutes (staff.go) in the group "/staff", behind
// s.requireStaff (signed-in federation staff only; others get the sign-in
// page or a 403 page). Their
// messages go in messages/staff.en.toml and messages/staff.cy.toml, which
// are loaded with the rest; a test checks that both languages have the same
// keys.
//
// It imports the domain and the models of search and payments; never a
// store, a search engine, the queue or the JSON API.
package web
