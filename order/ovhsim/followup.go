package ovhsim

// GET /me/order/{orderId}/followUp (Beta in OVH's export of 2025-10):
// billing.order.FollowUp[], one per step (StepEnum VALIDATING, VALIDATED,
// DELIVERING, AVAILABLE) with its status (TODO, DOING, DONE, ERROR) and a
// history labelled by HistoryStatusEnum (ORDER_ACCEPTED, PAYMENT_INITIATED,
// PAYMENT_RECEIVED, FRAUD_CHECK, DELIVERY, ...). The export gives the
// model, not which label belongs to which step or in which order OVH
// writes them: the simulator's reading, uncertain, is
//
//	not paid:   VALIDATING DOING (ORDER_ACCEPTED), the others TODO
//	paid:       VALIDATING DONE (+ PAYMENT_INITIATED, PAYMENT_RECEIVED),
//	            VALIDATED DONE (FRAUD_CHECK), DELIVERING DOING, AVAILABLE TODO
//	delivered:  every step DONE, DELIVERING with DELIVERY
//	lapsed:     VALIDATING ERROR, the others TODO
func (s *Sim) getFollowUp(c *call) *reply {
	o, rep := s.orderFor(c)
	if rep != nil {
		return rep
	}
	type hist struct {
		Date        string `json:"date"`
		Description string `json:"description"`
		Label       string `json:"label"`
	}
	type step struct {
		Step    string `json:"step"`
		Status  string `json:"status"`
		History []hist `json:"history"`
	}
	steps := []step{
		{Step: "VALIDATING", Status: "DOING", History: []hist{{formatTime(o.Date), "Order accepted", "ORDER_ACCEPTED"}}},
		{Step: "VALIDATED", Status: "TODO", History: []hist{}},
		{Step: "DELIVERING", Status: "TODO", History: []hist{}},
		{Step: "AVAILABLE", Status: "TODO", History: []hist{}},
	}
	switch st := o.statusLocked(c.now, s.aw.deliveryDelay); st {
	case StatusCancelled:
		steps[0].Status = "ERROR"
	case StatusDelivering, StatusDelivered:
		paid := formatTime(o.paidAt)
		if o.paidAt.IsZero() {
			paid = formatTime(o.Date)
		}
		steps[0].Status = "DONE"
		steps[0].History = append(steps[0].History,
			hist{paid, "Payment initiated", "PAYMENT_INITIATED"}, hist{paid, "Payment received", "PAYMENT_RECEIVED"})
		steps[1].Status = "DONE"
		steps[1].History = append(steps[1].History, hist{paid, "Fraud check passed", "FRAUD_CHECK"})
		steps[2].Status = "DOING"
		if st == StatusDelivered {
			steps[2].Status, steps[3].Status = "DONE", "DONE"
			steps[2].History = append(steps[2].History,
				hist{formatTime(o.paidAt.Add(s.aw.deliveryDelay)), "Server delivered", "DELIVERY"})
		}
	}
	return jsonReply(steps)
}
