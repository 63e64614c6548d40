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
	// 2: restock summaries, so that the browser's "restocks in 30 days" of
	// every offer reads a few thousand rows, not a month of changes. A
	// restock is a change from a value seen out of stock to one in stock
	// (from_id 0 is a first sighting, no restock). The recorder writes them
	// in the transaction that records the change (Recorder.record), Prune
	// keeps them in step with availability_changes, and a trigger moves the
	// counts of a series that changes plan.
	`
CREATE TABLE restock_days (
	subsidiary TEXT NOT NULL,
	day        INTEGER NOT NULL, -- UTC day: at_ms / 86400000
	plan_code  TEXT NOT NULL,    -- the plan of the series now
	restocks   INTEGER NOT NULL,
	PRIMARY KEY (subsidiary, day, plan_code)
) WITHOUT ROWID;

CREATE TABLE restocks (
	subsidiary TEXT NOT NULL,
	at_ms      INTEGER NOT NULL,
	series_id  INTEGER NOT NULL REFERENCES series(id),
	PRIMARY KEY (subsidiary, at_ms, series_id)
) WITHOUT ROWID;

-- restocks lists every restock at or after this instant (older ones are
-- trimmed: the log serves the last days; restock_days keeps the counts).
CREATE TABLE restocks_since (
	id    INTEGER PRIMARY KEY CHECK (id = 1),
	at_ms INTEGER NOT NULL
);

INSERT INTO restocks_since (id, at_ms)
SELECT 1, coalesce(max(at_ms), 0) - 32 * 86400000 FROM availability_changes;

INSERT INTO restock_days (subsidiary, day, plan_code, restocks)
SELECT s.subsidiary, c.at_ms / 86400000, s.plan_code, count(*)
FROM availability_changes c
JOIN series s ON s.id = c.series_id
JOIN availability_values f ON f.id = c.from_id
JOIN availability_values t ON t.id = c.to_id
WHERE c.from_id != 0 AND f.in_stock = 0 AND t.in_stock = 1
GROUP BY 1, 2, 3;

INSERT INTO restocks (subsidiary, at_ms, series_id)
SELECT s.subsidiary, c.at_ms, c.series_id
FROM availability_changes c
JOIN series s ON s.id = c.series_id
JOIN availability_values f ON f.id = c.from_id
JOIN availability_values t ON t.id = c.to_id
WHERE c.from_id != 0 AND f.in_stock = 0 AND t.in_stock = 1
	AND c.at_ms >= (SELECT at_ms FROM restocks_since)
ORDER BY 1, 2, 3;

CREATE TRIGGER restock_days_follow_plan AFTER UPDATE OF plan_code ON series
WHEN OLD.plan_code != NEW.plan_code
BEGIN
	UPDATE restock_days SET restocks = restocks - (
		SELECT count(*) FROM availability_changes c
		JOIN availability_values f ON f.id = c.from_id JOIN availability_values t ON t.id = c.to_id
		WHERE c.series_id = NEW.id AND c.at_ms >= restock_days.day * 86400000 AND c.at_ms < (restock_days.day + 1) * 86400000
			AND c.from_id != 0 AND f.in_stock = 0 AND t.in_stock = 1)
	WHERE subsidiary = NEW.subsidiary AND plan_code = OLD.plan_code;
	DELETE FROM restock_days WHERE subsidiary = NEW.subsidiary AND plan_code = OLD.plan_code AND restocks <= 0;
	INSERT INTO restock_days (subsidiary, day, plan_code, restocks)
	SELECT NEW.subsidiary, c.at_ms / 86400000, NEW.plan_code, count(*) FROM availability_changes c
	JOIN availability_values f ON f.id = c.from_id JOIN availability_values t ON t.id = c.to_id
	WHERE c.series_id = NEW.id AND c.from_id != 0 AND f.in_stock = 0 AND t.in_stock = 1 GROUP BY 2
	ON CONFLICT DO UPDATE SET restocks = restocks + excluded.restocks;
END;
`,
}

// SchemaVersion is the schema version this ovhtui writes.
var SchemaVersion = len(migrations)
