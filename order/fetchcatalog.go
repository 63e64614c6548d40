package order

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/ovhtui/ovhtui/prefs"
)

// fetchCatalogs resolves the addons of entries with a non-empty
// fetch_catalog: every mandatory family gets an addon, a non-empty value
// given for a family is used as is, the others come from the fqn and the
// plan's families. addon_planCodes is filled and fetch_catalog becomes {}.
// The catalog is fetched only while some entry needs it.
func (e *Engine) fetchCatalogs(ctx context.Context) {
	var need []prefs.Server
	f := e.snapshot()
	if f == nil {
		return
	}
	for _, s := range f.Servers {
		if NeedsCatalog(s) && s.Qty > 0 && !s.OrderAttempted && s.OrderID == 0 {
			need = append(need, s)
		}
	}
	if len(need) == 0 {
		return
	}
	if e.catalog == nil {
		for _, s := range need {
			e.reportOnce(s.Key(), "fetch_catalog needs the catalog, and none is configured")
		}
		return
	}
	cat, err := e.catalog.Catalog(ctx)
	if err != nil {
		if ctx.Err() == nil {
			e.emit(APIError{Base: e.base("", ""), Call: "GET /order/catalog/public/eco", Err: err.Error(), Class: ErrorClass(err)})
		}
		return
	}
	for _, s := range need {
		explicit := map[string]string{}
		for _, fam := range s.FetchCatalog.Keys() {
			if v, _ := s.FetchCatalog.Get(fam); v != "" {
				explicit[fam] = v
			}
		}
		addons, err := cat.Resolve(s.PlanCode, s.FQN, explicit)
		if err != nil {
			e.reportOnce(s.Key(), fmt.Sprintf("fetch_catalog: %v", err))
			continue
		}
		key := s.Key()
		err = e.update(fmt.Sprintf("addons of %s from the catalog", s.PlanCode), func(f *prefs.File) error {
			i := f.Find(key)
			if i < 0 {
				return errNoEntry
			}
			f.Servers[i].AddonPlanCodes = addons
			f.Servers[i].FetchCatalog = &prefs.StringMap{}
			return nil
		})
		if err != nil {
			e.reportOnce(key, "saving addons from the catalog failed: "+err.Error())
			continue
		}
		e.emit(Info{Base: e.base(key, ""), Sev: slog.LevelInfo, Text: fmt.Sprintf("addons of %s resolved from the catalog: %v", s.FQN, addons)})
	}
}

// reportOnce emits an error about an entry unless the same was just reported.
func (e *Engine) reportOnce(key, msg string) {
	e.mu.Lock()
	seen := e.reported[key] == msg
	e.reported[key] = msg
	e.mu.Unlock()
	if !seen {
		e.emit(Info{Base: e.base(key, ""), Sev: slog.LevelError, Text: msg})
		e.setEntryStatus(key, StatusError, msg)
	}
}
