package history

import "github.com/ovhtui/ovhtui/order"

// Listen feeds the recorder from the engine's event fan-out: the
// availability answers (order.AvailabilitySeen: wanted polls and the
// sweep) and catalogs (order.CatalogSeen); every other event is ignored.
// It never blocks (Observe drops when the disk lags).
func (r *Recorder) Listen(ev order.Event) {
	switch e := ev.(type) {
	case order.AvailabilitySeen:
		r.Observe(ObservationOf(e))
	case order.CatalogSeen:
		if e.Catalog == nil {
			return
		}
		c := CatalogObservation{Time: e.Time, Subsidiary: e.Catalog.Subsidiary, Currency: e.Catalog.Currency}
		for _, o := range e.Catalog.Offers {
			c.Plans = append(c.Plans, o.PlanCode)
			for _, v := range o.Variants {
				c.Prices = append(c.Prices, Price{PlanCode: o.PlanCode, FQN: v.FQN, Monthly: v.Price.Monthly, Setup: v.Price.Setup})
			}
		}
		r.ObserveCatalog(c)
	}
}

// ObservationOf turns an availability answer into an Observation.
func ObservationOf(e order.AvailabilitySeen) Observation {
	o := Observation{Time: e.Time, Subsidiary: e.Subsidiary}
	n := 0
	for _, it := range e.Items {
		n += len(it.Datacenters)
	}
	o.Items = make([]Seen, 0, n)
	for _, it := range e.Items {
		for _, d := range it.Datacenters {
			o.Items = append(o.Items, Seen{PlanCode: it.PlanCode, FQN: it.FQN, DC: d.Datacenter, Value: d.Availability})
		}
	}
	return o
}
