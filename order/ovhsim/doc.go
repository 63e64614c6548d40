// Package ovhsim simulates the parts of the OVHcloud API
// (https://eu.api.ovh.com/1.0) that ovhtui calls, built from a real eco
// catalog, so that the ordering engine can be tested, benchmarked and
// demonstrated without touching OVH. It models OVH on its own and imports
// nothing from ovhtui.
//
// A Sim is an http.Handler serving the API under /1.0/ (and /v1/, the same
// API) and a control API under /_sim/. Tests serve it with httptest and
// point the real go-ovh client at srv.URL+"/1.0"; `ovhtui --demo` serves it
// on a loopback port (Serve) and animates it (RunDemo). Every request goes
// through: request log and OnRequest hooks -> injected faults (Fault) ->
// the schema's operation for the path and method -> authentication ->
// the schema's check of the request -> the route's handler under one
// mutex -> the schema's check of the answer -> AfterHandler faults ->
// response (with X-Ovh-Queryid) -> OnResponse hooks.
//
// # OVH's schema is the law
//
// testdata/openapi-2025-10/ (OVH's OpenAPI export of 2025-10, a copy of
// ../shared/spec/openapi-2025-10/) for /me/** and /dedicated/server/**, and
// testdata/ovh-api-schema.json (a copy of ../shared/spec/ovh-api-schema.json,
// the published schema of 2024-07) for the rest, both embedded (openapi.go
// lays the first over the second), decide which routes exist, which need a
// signature (noAuthentication false: 401 unsigned) and what a request may hold:
// a path or query parameter, body field or type it does not declare is
// answered 400. Every 2xx answer is checked against its response model (no
// field the model lacks, types, enum values, fields that cannot be null
// present). Departures are listed by SchemaViolations, which the test
// harnesses assert empty; conformance_test.go checks every registered route
// against the schema. Fields newer than the schema snapshot are listed in
// newerThanSnapshot (schema.go), each with the source showing the live API
// returning it.
//
// # Modelled
//
//   - Today's OVH (2025-10): zone-named DCs of the feed's enum added to plans
//     with Options.AZDatacenters (DemoAZDatacenters: Paris 3-AZ, az.go); the
//     default payment method's status (SetPaymentMethodStatus: VALID, none,
//     or EXPIRED, PAUSED, FAILED, ...); GET /me/order/{id}/followUp
//     (followup.go); "Custom field <label> is duplicated for product ..."
//     on a label set twice.
//   - Authentication as OVH v1 does it: X-Ovh-Application, X-Ovh-Consumer,
//     X-Ovh-Timestamp and X-Ovh-Signature = "$1$" + hex(sha1(AS+"+"+CK+"+"+
//     METHOD+"+"+fullURL+"+"+body+"+"+timestamp)) with fullURL =
//     scheme://Host + request URI, as go-ovh signs. Bad signature: 400
//     Client::BadRequest "Invalid signature" (INVALID_SIGNATURE); unknown
//     application key: 403 INVALID_KEY; unknown consumer key: 403
//     INVALID_CREDENTIAL; no rule of the consumer key matches: 403
//     NOT_GRANTED_CALL "This call has not been granted"; signed route
//     without credentials: 401 Client::Unauthorized "You must login first".
//     Rules are checked on every signed call, public routes included (why
//     ovhtui sends public calls unsigned). GET /auth/time, GET
//     /auth/currentCredential. An OAuth2 bearer token equal to
//     Options.AccessToken stands for the default credential.
//   - Public routes (work unsigned), as the schema says: /auth/time, the
//     availability feed, the eco catalog, creating and building carts (eco,
//     eco/options, item, requiredConfiguration, configuration), coupons,
//     the summary. Signed: DELETE of a cart, assign, GET/POST checkout,
//     GET /order/cart (the account's carts), everything under /me.
//   - Errors: status + {"class", "message"} (+ "errorCode"/"httpCode" on
//     authentication errors), X-Ovh-Queryid on every response.
//   - Availability feed synthesized from the catalog (one entry per memory x
//     storage variant of each plan, DCs from the plan's
//     dedicated_datacenter values, "unavailable" until set), padded with
//     deterministic synthetic plans to the real feed's ~9,000 entries
//     (megabytes; pre-encoded). Filters planCode, server, memory, storage,
//     datacenters, excludeDatacenters; 404 "No availabilities found".
//   - Carts: expiry (default now + 1 day; 404 everywhere once past), items,
//     options checked against the plan's addon families, configurations
//     checked against the catalog's allowed values, duplicate labels
//     refused ("Custom field <label> is duplicated for product <planCode>"),
//     coupons, summary (first invoice = installation + first period of the
//     item's pricing mode, times quantity; tax from locale.taxRate),
//     checkout validation (assigned, mandatory families, required
//     configurations, fqn orderable in the DC right now), orders,
//     read-only carts after checkout, /me/order and payment.
//   - After the win (servers.go, renew.go, payment.go): the account's
//     registered payment means (availableRegisteredPaymentMean, GET
//     /me/payment/method[/{id}]) and paying an order with one; a paid
//     purchase order delivering its servers after Options.DeliveryDelay;
//     GET /dedicated/server, /dedicated/server/{name} and its serviceInfos;
//     GET /service/{id}/renew (periods and prices) and POST
//     /service/{id}/renew (dry run, or an unpaid renewal order that extends
//     the service once paid).
//   - Money: integer ucents (1e-8); JSON money is {value (2-decimal float),
//     priceInUcents, text ("19.98 €"), currencyCode}.
//
// # Uncertain, and what the simulator chose (stricter where it could)
//
//   - Max cart expiry: refused beyond 60 days (400); an expire in the past
//     or without a time zone is refused (400).
//   - ovhSubsidiary of a cart other than the account's: 400 at creation.
//   - Timestamp skew: 400 "Invalid timestamp" beyond Options.TimestampWindow
//     (5 minutes with the real clock; off with an injected clock).
//   - Unknown X-Ovh-Application is refused even on public routes (403).
//   - Unknown JSON body fields and wrong types are refused (400).
//   - Assigned carts remain usable unsigned (the cart id is the
//     capability) unless Options.AssignedCartsNeedAuth; another account's
//     signed call is refused (403).
//   - Option items must use their plan item's pricing mode and quantity.
//   - Checkout requires dedicated_datacenter although the catalog marks it
//     not mandatory (it needs the DC to check availability).
//   - Checkout of an unassigned cart: 400. Read-only (checked-out) cart:
//     403 on any change and on a second checkout.
//   - POST checkout requires both autoPayWithPreferredPaymentMethod and
//     waiveRetractationPeriod; autopay without a valid preferred payment
//     method refuses the whole checkout (400 "You do not have preferred
//     payment method" / "Your preferred payment method is not valid"):
//     no order is made.
//   - Tax is rounded to the cent on the total.
//   - excludeDatacenters=true returns every DC except those listed in
//     datacenters; a planCode filter takes exactly one value.
//   - Invalid coupon: 400 "Coupon <code> is not valid".
//   - Fair use: no limit by default; Options.SignedRateLimit refuses signed
//     calls beyond N per minute per consumer key with 429 + Retry-After.
//   - An unpaid order lapses to "cancelled" one day after checkout.
//   - Paying with creditCard, bankAccount or paypal needs paymentMeanId
//     (OVH's order guide says so); a card's is its payment method's
//     paymentMeanId. SetPaymentDeclined refuses payments with 400 "Payment
//     refused by your bank" (wording unknown).
//   - Servers delivered from an order renew manually; renew periods are
//     1, 3, 6 and 12 months at the monthly price times the months; a
//     renewal dry run answers orderId 0 and empty url/password/pdfUrl; a
//     paid renewal order is "delivered" at once.
//   - /me/order/{id}/details/{detailId}/extension: flat billing.ItemDetail,
//     one detail per plan and per option, configurations on the plan's
//     detail only (see getOrderDetailExtension).
//   - A repeated query parameter is refused (400).
package ovhsim
