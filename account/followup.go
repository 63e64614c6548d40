package account

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/ovhtui/ovhtui/orderstate"
)

// followUpStep is one element of GET /me/order/{id}/followUp
// (billing.order.FollowUp, Beta in OVH's export of 2025-10): a step
// (VALIDATING, VALIDATED, DELIVERING, AVAILABLE), its status (TODO, DOING,
// DONE, ERROR) and a history labelled PAYMENT_RECEIVED, FRAUD_CHECK,
// DELIVERY, ...
type followUpStep struct {
	Step    string `json:"step"`
	Status  string `json:"status"`
	History []struct {
		Label string `json:"label"`
	} `json:"history"`
}

// inProgress reports an order whose follow-up is worth reading: neither
// delivered nor cancelled (nor unreadable).
func inProgress(status string) bool {
	return !orderstate.Final(status) && status != orderstate.StatusUnknown && status != ""
}

// followUp reads an order's follow-up and says it in one line (followUpText).
func (c *Client) followUp(ctx context.Context, id int64) (string, error) {
	var steps []followUpStep
	if err := c.call(ctx, "GET /me/order/*", "GET", orderPath(id, "followUp"), "GET /me/order/{id}/followUp", nil, &steps, false); err != nil {
		return "", fmt.Errorf("follow-up of order %d: %w", id, err)
	}
	return followUpText(steps), nil
}

// followUpText says where an order stands: the step at work (the first
// DOING or ERROR one, else the last DONE), then what happened, in order:
// "delivering · order accepted, payment received, fraud check".
func followUpText(steps []followUpStep) string {
	var cur *followUpStep
	for i := range steps {
		if steps[i].Status == "DOING" || steps[i].Status == "ERROR" {
			cur = &steps[i]
			break
		}
		if steps[i].Status == "DONE" {
			cur = &steps[i]
		}
	}
	var done []string
	for _, s := range steps {
		for _, h := range s.History {
			w := strings.ToLower(strings.ReplaceAll(h.Label, "_", " "))
			if w != "" && !slices.Contains(done, w) {
				done = append(done, w)
			}
		}
	}
	head := ""
	if cur != nil {
		head = strings.ToLower(cur.Step)
		if cur.Status == "ERROR" {
			head += " FAILED"
		}
	}
	switch {
	case head == "" && len(done) == 0:
		return ""
	case len(done) == 0:
		return head
	case head == "":
		return strings.Join(done, ", ")
	}
	return head + " · " + strings.Join(done, ", ")
}
