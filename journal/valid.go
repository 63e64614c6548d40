package journal

import (
	"errors"
	"fmt"

	"github.com/ovhtui/ovhtui/ovhapi"
	"github.com/ovhtui/ovhtui/secret"
)

// Valid reports what makes r not a record ovhtui could have written: an
// unknown type, kind or result, a negative or missing id, a negative
// amount or quantity. Parse skips such records; Append refuses them.
func (r Record) Valid() error {
	if r.Time.IsZero() {
		return errors.New("record without a time")
	}
	if r.OrderID < 0 || r.ServiceID < 0 {
		return fmt.Errorf("negative id (order_id %d, service_id %d)", r.OrderID, r.ServiceID)
	}
	if r.Qty < 0 || r.AmountUcents < 0 {
		return fmt.Errorf("negative qty %d or amount %d", r.Qty, r.AmountUcents)
	}
	switch r.Type {
	case TypeRearm:
		if r.Entry == "" || r.NewEntry == "" {
			return errors.New("rearm record without entry or new_entry")
		}
		return nil
	case TypeIntent, TypeOutcome:
	case "":
		return errors.New("record without a type")
	default:
		return fmt.Errorf("unknown record type %q", r.Type)
	}
	switch r.Kind {
	case KindCheckout:
		if r.Entry == "" {
			return errors.New("checkout record without an entry")
		}
	case KindPayment:
		if r.OrderID == 0 {
			return errors.New("payment record without an order_id")
		}
	case KindRenewal:
		if r.ServiceID == 0 {
			return errors.New("renewal record without a service_id")
		}
	default:
		return fmt.Errorf("unknown record kind %q", r.Kind)
	}
	if r.Type == TypeIntent {
		if r.Result != "" {
			return errors.New("intent with a result")
		}
		return nil
	}
	switch r.Result {
	case ResultOrdered:
		if r.OrderID == 0 {
			return errors.New("ordered outcome without an order_id")
		}
	case ResultRefused, ResultNotSent, ResultUnknown, ResultDone, ResultFailed:
	default:
		return fmt.Errorf("unknown result %q", r.Result)
	}
	return nil
}

// Scrubbed returns r with every text field passed through secret.Scrub:
// an error message OVH echoes may hold a secret or an order password.
func Scrubbed(r Record) Record {
	for _, p := range []*string{&r.Attempt, &r.Entry, &r.NewEntry, &r.PlanCode, &r.FQN, &r.DC, &r.Cart, &r.Currency, &r.URL, &r.Detail, &r.Period, &r.Proc} {
		*p = secret.Scrub(*p)
	}
	r.URL = ovhapi.OrderLink(r.URL) // an order URL goes without its order password
	r.DCs = scrubAll(r.DCs)
	r.Addons = scrubAll(r.Addons)
	return r
}

func scrubAll(in []string) []string {
	if in == nil {
		return nil
	}
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = secret.Scrub(s)
	}
	return out
}
