// Package ovhapi is ovhtui's OVH API client: every request ovhtui sends to
// OVH goes through OVHClient, over go-ovh (signatures, server time delta,
// OAuth2 service accounts, keep-alive connections), with the request and
// answer types of the calls it makes, and the one classification of a
// failed call (CallError, Classify: not sent, definitive or ambiguous).
//
// It knows nothing of the engine: package order declares the calls it
// consumes (order.API), and package account makes its after-the-win calls
// through Signed.
package ovhapi
