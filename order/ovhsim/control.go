package ovhsim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// The control API over HTTP, under /_sim/ (for child processes and the
// demo; tests in-process call the Go methods). Bodies are JSON; durations
// are Go duration strings ("1.5s"). Requests to /_sim/ are not logged.
//
//	POST   /_sim/availability     {"fqn","datacenter","availability"}
//	GET    /_sim/availability?fqn=&datacenter=  -> {"availability": "..."}
//	POST   /_sim/stock            {"fqn","datacenter","stock"} (negative: unlimited)
//	POST   /_sim/timeline         [{"at":"5s","fqn","datacenter","availability"}]
//	POST   /_sim/faults           {"method","path","status","retryAfter","delay","body","times","dropConnection","afterHandler"} -> {"id": n}
//	DELETE /_sim/faults/{id}      remove one fault
//	DELETE /_sim/faults           remove every fault
//	POST   /_sim/price            {"planCode","monthly","setup"} (ucents)
//	POST   /_sim/carts/expire     {"cartId"}
//	POST   /_sim/carts/expire-all
//	POST   /_sim/payment-method   {"state": "valid"|"none"|"invalid"|"PAUSED"|... (a me.payment.method.StatusEnum value)}
//	GET    /_sim/requests         request log;  DELETE /_sim/requests empties it
//	GET    /_sim/orders           recorded orders
//	GET    /_sim/carts            carts
//	GET    /_sim/connections      {"connections": n, "open": n}
func (s *Sim) controlRoutes() *http.ServeMux {
	m := http.NewServeMux()
	ok := func(w http.ResponseWriter, v any) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(v)
	}
	bad := func(w http.ResponseWriter, err error) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]string{"message": err.Error()})
	}
	decode := func(r *http.Request, v any) error {
		dec := json.NewDecoder(r.Body)
		dec.DisallowUnknownFields()
		return dec.Decode(v)
	}
	dur := func(name, v string) (time.Duration, error) {
		if v == "" {
			return 0, nil
		}
		d, err := time.ParseDuration(v)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", name, err)
		}
		return d, nil
	}
	m.HandleFunc("POST /_sim/availability", func(w http.ResponseWriter, r *http.Request) {
		var in struct{ FQN, Datacenter, Availability string }
		if err := decode(r, &in); err != nil {
			bad(w, err)
			return
		}
		s.SetAvailability(in.FQN, in.Datacenter, in.Availability)
		ok(w, nil)
	})
	m.HandleFunc("GET /_sim/availability", func(w http.ResponseWriter, r *http.Request) {
		ok(w, map[string]string{"availability": s.Availability(r.URL.Query().Get("fqn"), r.URL.Query().Get("datacenter"))})
	})
	m.HandleFunc("POST /_sim/stock", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			FQN, Datacenter string
			Stock           int
		}
		if err := decode(r, &in); err != nil {
			bad(w, err)
			return
		}
		s.SetStock(in.FQN, in.Datacenter, in.Stock)
		ok(w, nil)
	})
	m.HandleFunc("POST /_sim/timeline", func(w http.ResponseWriter, r *http.Request) {
		var in []struct{ At, FQN, Datacenter, Availability string }
		if err := decode(r, &in); err != nil {
			bad(w, err)
			return
		}
		steps := make([]Step, 0, len(in))
		for i, st := range in {
			at, err := dur(fmt.Sprintf("[%d].at", i), st.At)
			if err != nil {
				bad(w, err)
				return
			}
			steps = append(steps, Step{At: at, FQN: st.FQN, DC: st.Datacenter, Value: st.Availability})
		}
		s.SetTimeline(steps)
		ok(w, nil)
	})
	m.HandleFunc("POST /_sim/faults", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Method, Path, Body, RetryAfter, Delay string
			Status, Times                         int
			DropConnection, AfterHandler          bool
		}
		if err := decode(r, &in); err != nil {
			bad(w, err)
			return
		}
		ra, err := dur("retryAfter", in.RetryAfter)
		if err != nil {
			bad(w, err)
			return
		}
		dl, err := dur("delay", in.Delay)
		if err != nil {
			bad(w, err)
			return
		}
		id := s.injectFault(Fault{Method: in.Method, Path: in.Path, Status: in.Status, RetryAfter: ra, Delay: dl,
			Body: in.Body, Times: in.Times, DropConnection: in.DropConnection, AfterHandler: in.AfterHandler})
		ok(w, map[string]int{"id": id})
	})
	m.HandleFunc("DELETE /_sim/faults/{id}", func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.Atoi(r.PathValue("id"))
		if err != nil {
			bad(w, err)
			return
		}
		if !s.removeFault(id) {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		ok(w, nil)
	})
	m.HandleFunc("DELETE /_sim/faults", func(w http.ResponseWriter, r *http.Request) {
		s.ClearFaults()
		ok(w, nil)
	})
	m.HandleFunc("POST /_sim/price", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			PlanCode       string
			Monthly, Setup int64
		}
		if err := decode(r, &in); err != nil {
			bad(w, err)
			return
		}
		s.SetPlanPrice(in.PlanCode, in.Monthly, in.Setup)
		ok(w, nil)
	})
	m.HandleFunc("POST /_sim/carts/expire", func(w http.ResponseWriter, r *http.Request) {
		var in struct{ CartID string }
		if err := decode(r, &in); err != nil {
			bad(w, err)
			return
		}
		s.ExpireCart(in.CartID)
		ok(w, nil)
	})
	m.HandleFunc("POST /_sim/carts/expire-all", func(w http.ResponseWriter, r *http.Request) {
		s.ExpireAllCarts()
		ok(w, nil)
	})
	m.HandleFunc("POST /_sim/payment-method", func(w http.ResponseWriter, r *http.Request) {
		var in struct{ State string }
		if err := decode(r, &in); err != nil {
			bad(w, err)
			return
		}
		switch in.State {
		case "valid":
			s.SetPaymentMethod(PaymentValid)
		case "none":
			s.SetPaymentMethod(PaymentNone)
		case "invalid":
			s.SetPaymentMethod(PaymentInvalid)
		default:
			if err := s.SetPaymentMethodStatus(in.State); err != nil {
				bad(w, fmt.Errorf("state %q: want valid, none, invalid or a payment method status", in.State))
				return
			}
		}
		ok(w, nil)
	})
	m.HandleFunc("GET /_sim/requests", func(w http.ResponseWriter, r *http.Request) { ok(w, s.Requests()) })
	m.HandleFunc("DELETE /_sim/requests", func(w http.ResponseWriter, r *http.Request) {
		s.ResetRequests()
		ok(w, nil)
	})
	m.HandleFunc("GET /_sim/orders", func(w http.ResponseWriter, r *http.Request) { ok(w, s.Orders()) })
	m.HandleFunc("GET /_sim/carts", func(w http.ResponseWriter, r *http.Request) { ok(w, s.Carts()) })
	m.HandleFunc("GET /_sim/connections", func(w http.ResponseWriter, r *http.Request) {
		ok(w, map[string]int{"connections": s.Connections(), "open": s.OpenConnections()})
	})
	return m
}
