package tui

import (
	"time"

	"github.com/ovhtui/ovhtui/order"
)

// The engine reminds the user before an unpaid order lapses and before a
// manual-renewal server expires (order.Reminder). The latest reminder is
// shown as a one-line banner under the header until dismissed (x); older
// ones stay in the log pane.

// setReminder shows r, unless one due sooner is shown already.
func (m *Model) setReminder(r order.Reminder) {
	if m.reminder != nil && m.reminder.Due.Before(r.Due) && m.reminder.Due.After(m.now) {
		return
	}
	m.reminder = &r
}

// reminderView is the reminder banner: what lapses, when, what to do.
func (m *Model) reminderView() string {
	r := m.reminder
	text := " ⏰ " + r.Message()
	if left := r.Due.Sub(m.now); left <= 0 {
		text = " ⏰ lapsed at " + r.Due.UTC().Format("2006-01-02 15:04 UTC") + ": " + r.Message()
	} else if left < time.Minute {
		text = " ⏰ under a minute left: " + r.Message()
	}
	return m.styles.BannerAlarm.Width(m.layout.width).Render(cut(text+" · x dismisses", m.layout.width))
}
