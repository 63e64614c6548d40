// Package history is ovhtui's restock radar: it remembers every change of
// OVH's availability feed, of catalog prices and of the plans on offer, in
// one SQLite file, and answers questions about them (when does a model come
// back, in which DC, for how long, how often).
//
// Data flow: the engine's availability answers (the wanted polls and the
// background sweep) reach a Recorder as Observations, through the event
// fan-out, never from inside the poll loop. The Recorder keeps the last
// value of every (subsidiary, fqn, DC) in memory and writes only
// transitions, batched, in one transaction per batch, on its own goroutine;
// Observe never blocks, so a slow or broken disk never delays a checkout,
// and a write waits while a checkout is under way (RecorderOptions.Hold,
// fed by order.Engine.Quiet) so that it never shares the disk with one.
// Each batch that changes the history closes the channel Changed gave out:
// the UI reads its figures again then.
// Catalogs reach it the same way (ObserveCatalog) for price changes and plans
// appearing or disappearing. Readers (the TUI, `ovhtui history`) query the
// Store: Transitions, Stats (heatmap, restocks, time in stock, last
// restocks), Timeline (per DC) and Offers (stock now and last in stock for
// the catalog browser).
//
// The file is a plain SQLite database (WAL mode, a busy timeout, versioned
// migrations in schema.go) that the sqlite3 tool reads; the views
// availability_history, price_history and plan_history show it in words.
package history
