package budget_test

import (
	"context"
	"fmt"
	"time"

	"github.com/ovhtui/ovhtui/budget"
)

// A background sweep (the history of availability) shares the budget with
// the poller: it waits for the room the polls leave, so it never delays one.
func ExampleBudget_Wait() {
	b := budget.New(budget.DefaultPerMin, nil)
	// The poller: 3 plans at --poll 1s need 180/min; each gets 1.5s.
	fmt.Println(b.Describe(3, time.Second))
	fmt.Println(b.Interval(1, time.Second)) // now one plan: 60/min, 60 left
	// The sweep: one request at a time, when it fits.
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := b.Wait(ctx, budget.Background); err == nil {
		fmt.Println("sweep request sent")
	}
	// Output:
	// 3 plans, budget 120/min: each polled every 1.5s
	// 1s
	// sweep request sent
}
