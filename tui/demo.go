package tui

import "github.com/ovhtui/ovhtui/notify"

// What the demo (Deps.Demo) changes in the UI: nothing of it is real, and
// every place that could make the user think otherwise says so.

// demoWord marks the demo in the header.
const demoWord = "DEMO"

// demoTitlePrefix starts the title of a desktop alert of the demo, as
// it starts the demo's notifications.
const demoTitlePrefix = notify.DemoTitlePrefix

// moneyWarning starts the confirmation of a request that spends money:
// "REAL MONEY", or in the demo, whose orders and payments are its
// simulator's, "DEMO, no real money".
func (m *Model) moneyWarning() string {
	if m.deps.Demo {
		return "DEMO, no real money"
	}
	return "REAL MONEY"
}
