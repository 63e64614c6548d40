package order

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestDueReminders(t *testing.T) {
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	h := time.Hour
	day := 24 * h
	type want struct {
		kind ReminderKind
		lead time.Duration
	}
	for _, tc := range []struct {
		name    string
		orders  []UnpaidOrder
		servers []ServerTerm
		want    []want
	}{
		{name: "nothing"},
		{name: "order lapses in 25h: too early", orders: []UnpaidOrder{{ID: 1, Expires: now.Add(25 * h)}}},
		{name: "order lapses in exactly 24h", orders: []UnpaidOrder{{ID: 1, Expires: now.Add(24 * h)}}, want: []want{{RemindUnpaid, 24 * h}}},
		{name: "order lapses in 3h", orders: []UnpaidOrder{{ID: 1, Expires: now.Add(3 * h)}}, want: []want{{RemindUnpaid, 24 * h}}},
		{name: "order first seen 1h before: only the 2h reminder", orders: []UnpaidOrder{{ID: 1, Expires: now.Add(h)}}, want: []want{{RemindUnpaid, 2 * h}}},
		{name: "order lapsed: nothing", orders: []UnpaidOrder{{ID: 1, Expires: now.Add(-time.Minute)}}},
		{name: "order lapsing now: nothing", orders: []UnpaidOrder{{ID: 1, Expires: now}}},
		{name: "order without expiry: nothing", orders: []UnpaidOrder{{ID: 1}}},
		{name: "manual server in 8 days: too early", servers: []ServerTerm{{Name: "ns1", Expires: now.Add(8 * day), Manual: true}}},
		{name: "manual server in 6 days", servers: []ServerTerm{{Name: "ns1", Expires: now.Add(6 * day), Manual: true}}, want: []want{{RemindRenewal, 7 * day}}},
		{name: "manual server in 20h: only the 1-day reminder", servers: []ServerTerm{{Name: "ns1", Expires: now.Add(20 * h), Manual: true}}, want: []want{{RemindRenewal, day}}},
		{name: "automatic server: nothing", servers: []ServerTerm{{Name: "ns1", Expires: now.Add(20 * h)}}},
		{name: "expired server: nothing", servers: []ServerTerm{{Name: "ns1", Expires: now.Add(-h), Manual: true}}},
		{
			name:    "several, soonest first",
			orders:  []UnpaidOrder{{ID: 1, Expires: now.Add(23 * h)}, {ID: 2, Expires: now.Add(30 * time.Minute)}},
			servers: []ServerTerm{{Name: "ns1", Expires: now.Add(5 * day), Manual: true}},
			want:    []want{{RemindUnpaid, 2 * h}, {RemindUnpaid, 24 * h}, {RemindRenewal, 7 * day}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, _ := DueReminders(now, tc.orders, tc.servers, nil)
			if len(got) != len(tc.want) {
				t.Fatalf("got %d reminders %+v, want %d", len(got), got, len(tc.want))
			}
			for i, w := range tc.want {
				if got[i].Kind != w.kind || got[i].Lead != w.lead || !got[i].Time.Equal(now) {
					t.Errorf("reminder %d = %s lead %s, want %s lead %s", i, got[i].Kind, got[i].Lead, w.kind, w.lead)
				}
				if got[i].Message() == "" {
					t.Error("empty message")
				}
			}
		})
	}
}

// A subject is reminded once per lead, as time passes, across calls.
func TestDueRemindersOncePerLead(t *testing.T) {
	start := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	lapse := start.Add(30 * time.Hour)
	orders := []UnpaidOrder{{ID: 7, Expires: lapse}}
	var said map[string]bool
	var leads []time.Duration
	for now := start; now.Before(lapse.Add(time.Hour)); now = now.Add(15 * time.Minute) {
		var got []Reminder
		got, said = DueReminders(now, orders, nil, said)
		for _, r := range got {
			if r.OrderID != 7 || !r.Due.Equal(lapse) {
				t.Fatalf("unexpected reminder %+v", r)
			}
			left := lapse.Sub(now)
			if left > r.Lead || left <= 0 {
				t.Errorf("reminder of lead %s given %s before", r.Lead, left)
			}
			leads = append(leads, r.Lead)
		}
	}
	if len(leads) != 2 || leads[0] != 24*time.Hour || leads[1] != 2*time.Hour {
		t.Fatalf("leads said = %v, want [24h 2h]", leads)
	}
	// Once lapsed, it is forgotten.
	if len(said) != 0 {
		t.Errorf("said after lapse = %v", said)
	}
}

// A new expiry date (a renewed server) is a new subject; a paid order is forgotten.
func TestDueRemindersNewDateAndForget(t *testing.T) {
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	sv := ServerTerm{Name: "ns1", Expires: now.Add(3 * 24 * time.Hour), Manual: true}
	got, said := DueReminders(now, []UnpaidOrder{{ID: 1, Expires: now.Add(time.Hour)}}, []ServerTerm{sv}, nil)
	if len(got) != 2 {
		t.Fatalf("first round: %+v", got)
	}
	got, said = DueReminders(now, []UnpaidOrder{{ID: 1, Expires: now.Add(time.Hour)}}, []ServerTerm{sv}, said)
	if len(got) != 0 {
		t.Fatalf("same facts again: %+v", got)
	}
	// Paid (gone) and renewed for a month, then within 7 days of the new date.
	sv.Expires = sv.Expires.AddDate(0, 1, 0)
	got, said = DueReminders(now, nil, []ServerTerm{sv}, said)
	if len(got) != 0 || len(said) != 0 {
		t.Fatalf("after renewal: %+v said %v", got, said)
	}
	later := sv.Expires.Add(-6 * 24 * time.Hour)
	got, _ = DueReminders(later, nil, []ServerTerm{sv}, said)
	if len(got) != 1 || got[0].Lead != 7*24*time.Hour {
		t.Fatalf("new term: %+v", got)
	}
}

// remind keeps what was said of a half it could not read, so a failed
// look-up does not repeat a reminder.
func TestRemindKeepsSaidOnFailedRead(t *testing.T) {
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	fail := false
	e := New(Config{
		Now: func() time.Time { return now },
		UnpaidOrders: func(context.Context) ([]UnpaidOrder, error) {
			if fail {
				return nil, errors.New("down")
			}
			return []UnpaidOrder{{ID: 3, Expires: now.Add(time.Hour)}}, nil
		},
	})
	st := &reminderState{said: map[string]bool{}}
	e.remind(context.Background(), st)
	fail = true
	e.remind(context.Background(), st)
	e.remind(context.Background(), st)
	fail = false
	e.remind(context.Background(), st)
	e.events.close()
	var reminders, snapshots, warnings int
	for ev := range e.Events() {
		switch ev.(type) {
		case Reminder:
			reminders++
		case UnpaidOrders:
			snapshots++
		case Info:
			warnings++
		}
	}
	if reminders != 1 || snapshots != 2 || warnings != 1 {
		t.Fatalf("reminders = %d (want 1), unpaid snapshots = %d (want 2), warnings %d (want 1: the same failure is said once)", reminders, snapshots, warnings)
	}
}

func TestLeftWords(t *testing.T) {
	for d, want := range map[time.Duration]string{
		88 * time.Hour: "3d16h", 24 * time.Hour: "1d0h", 90 * time.Minute: "1h30m", 2 * time.Hour: "2h00m", 45*time.Minute + 20*time.Second: "45m",
	} {
		if got := leftWords(d); got != want {
			t.Errorf("leftWords(%s) = %q, want %q", d, got, want)
		}
	}
}
