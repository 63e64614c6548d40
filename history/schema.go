package history

// migrations are the schema versions, in order: migrations[i] brings a
// database from user_version i to i+1. Never edit a released step; append
// a new one. Times are milliseconds since the Unix epoch, UTC (OVH's
// instant as ovhtui saw it); the views show them as RFC 3339 text.
var migrations = []string{
	// 1: availability transitions, catalog prices, plans.
	`
CREATE TABLE availability_values (
	id       INTEGER PRIMARY KEY,
	value    TEXT NOT NULL UNIQUE,  -- OVH's word: 1H-high, 72H, unavailable, ...; '' = not seen before
	in_stock INTEGER NOT NULL       -- 1 when the value is a delivery window (orderable for someone)
);
INSERT INTO availability_values (id, value, in_stock) VALUES (0, '', 0);

CREATE TABLE series (
	id            INTEGER PRIMARY KEY,
	subsidiary    TEXT NOT NULL,
	plan_code     TEXT NOT NULL,
	fqn           TEXT NOT NULL,
	datacenter    TEXT NOT NULL,
	value_id      INTEGER NOT NULL REFERENCES availability_values(id), -- value now
	since_ms      INTEGER NOT NULL, -- when the value now was first seen
	seen_ms       INTEGER NOT NULL, -- last time it was seen
	last_in_ms    INTEGER NOT NULL DEFAULT 0, -- start of the last time in stock (0: never)
	last_out_ms   INTEGER NOT NULL DEFAULT 0, -- end of the last time in stock (0: never ended or never)
	UNIQUE (subsidiary, fqn, datacenter)
);
CREATE INDEX series_plan ON series (subsidiary, plan_code);

CREATE TABLE availability_changes (
	series_id INTEGER NOT NULL REFERENCES series(id),
	at_ms     INTEGER NOT NULL,
	from_id   INTEGER NOT NULL REFERENCES availability_values(id),
	to_id     INTEGER NOT NULL REFERENCES availability_values(id),
	PRIMARY KEY (series_id, at_ms)
) WITHOUT ROWID;

CREATE TABLE price_changes (
	subsidiary TEXT NOT NULL,
	fqn        TEXT NOT NULL,
	at_ms      INTEGER NOT NULL,
	plan_code  TEXT NOT NULL,
	currency   TEXT NOT NULL,
	monthly    INTEGER NOT NULL, -- 1e-8 of the currency, excluding tax
	setup      INTEGER NOT NULL,
	PRIMARY KEY (subsidiary, fqn, at_ms)
) WITHOUT ROWID;

CREATE TABLE plan_changes (
	subsidiary TEXT NOT NULL,
	plan_code  TEXT NOT NULL,
	at_ms      INTEGER NOT NULL,
	present    INTEGER NOT NULL, -- 1 appeared, 0 disappeared
	PRIMARY KEY (subsidiary, plan_code, at_ms)
) WITHOUT ROWID;

CREATE VIEW availability_history AS
SELECT strftime('%Y-%m-%dT%H:%M:%fZ', c.at_ms / 1000.0, 'unixepoch') AS time,
       s.subsidiary, s.plan_code, s.fqn, s.datacenter, f.value AS "from", t.value AS "to"
FROM availability_changes c
JOIN series s ON s.id = c.series_id
JOIN availability_values f ON f.id = c.from_id
JOIN availability_values t ON t.id = c.to_id;

CREATE VIEW price_history AS
SELECT strftime('%Y-%m-%dT%H:%M:%fZ', at_ms / 1000.0, 'unixepoch') AS time,
       subsidiary, plan_code, fqn, currency, monthly / 1e8 AS monthly, setup / 1e8 AS setup
FROM price_changes;

CREATE VIEW plan_history AS
SELECT strftime('%Y-%m-%dT%H:%M:%fZ', at_ms / 1000.0, 'unixepoch') AS time,
       subsidiary, plan_code, CASE present WHEN 1 THEN 'appeared' ELSE 'disappeared' END AS change
FROM plan_changes;
`,
}

// SchemaVersion is the schema version this ovhtui writes.
var SchemaVersion = len(migrations)
