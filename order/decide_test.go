package order

import (
	"testing"
	"time"

	"github.com/ovhtui/ovhtui/money"
	"github.com/ovhtui/ovhtui/prefs"
)

const testFQN = "25skleb01.ram-32g-ecc-2400.softraid-2x450nvme"

func baseFile(t *testing.T) *prefs.File {
	t.Helper()
	f, err := prefs.Parse("test.json", []byte(`{
  "subsidiary": "IE",
  "user_servers": [{
    "planCode": "25skleb01",
    "fqn": "`+testFQN+`",
    "skip_validate": false, "place_order": true, "autopay": true,
    "coupons": [],
    "datacenters": [{"region":"europe","dedicated_datacenter":"fra"},{"region":"europe","dedicated_datacenter":"gra"},{"region":"europe","dedicated_datacenter":"rbx"}],
    "labels": {"dedicated_os": "none_64.en"},
    "addon_planCodes": ["softraid-2x450nvme-25skle","bandwidth-300-25skle","ram-32g-ecc-2400-25skle"],
    "qty": 1, "ceiling_price": 20.0, "dc_carts": {}
  }]}`))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestDeliveryHours(t *testing.T) {
	for _, tc := range []struct {
		in string
		h  int
		ok bool
	}{
		{"1H-high", 1, true}, {"1H-low", 1, true}, {"24H", 24, true}, {"72H", 72, true}, {"120H", 120, true},
		{"2160H", 2160, true}, {"unavailable", 0, false}, {"unknown", 0, false}, {"comingSoon", 0, false},
		{"", 0, false}, {"H", 0, false}, {"0H", 0, false}, {"-1H", 0, false}, {"1H-medium", 0, false},
		{"24h", 0, false}, {"72H-low", 0, false}, {" 24H", 0, false},
	} {
		h, ok := DeliveryHours(tc.in)
		if h != tc.h || ok != tc.ok {
			t.Errorf("DeliveryHours(%q) = %d,%v; want %d,%v", tc.in, h, ok, tc.h, tc.ok)
		}
	}
}

func TestDecide(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	eur := func(u int64) money.Amount { return money.Amount{Ucents: u, Currency: "EUR"} }
	type setup struct {
		edit     func(s *prefs.Server)
		avail    map[string]string // dc -> value
		carts    map[string]CartState
		inflight bool
		blocked  bool
		cooldown map[string]time.Time
	}
	ready := func(f *prefs.File, dc string, price int64, validated time.Time) CartState {
		return CartState{
			CartID: "cart-" + dc, Expire: now.Add(30 * 24 * time.Hour), Ready: true,
			Fingerprint: Fingerprint(f.Subsidiary, f.Servers[0], dc),
			Price:       eur(price), ValidatedAt: validated,
		}
	}
	type want struct {
		kind ActionKind // 0: no action
		dc   string
	}
	tests := []struct {
		name  string
		setup func(f *prefs.File) setup
		want  want
	}{
		{"nothing available", func(f *prefs.File) setup {
			return setup{avail: map[string]string{"fra": "unavailable", "gra": "unknown", "rbx": "comingSoon"}}
		}, want{}},
		{"orderable, cart ready, within ceiling", func(f *prefs.File) setup {
			return setup{avail: map[string]string{"gra": "1H-low"}, carts: map[string]CartState{"gra": ready(f, "gra", 19_00000000, now.Add(-time.Minute))}}
		}, want{ActCheckout, "gra"}},
		{"price equal to ceiling is allowed", func(f *prefs.File) setup {
			return setup{avail: map[string]string{"fra": "1H-high"}, carts: map[string]CartState{"fra": ready(f, "fra", 20_00000000, now.Add(-time.Minute))}}
		}, want{ActCheckout, "fra"}},
		{"price one ucent above the ceiling retires", func(f *prefs.File) setup {
			return setup{avail: map[string]string{"fra": "1H-high"}, carts: map[string]CartState{"fra": ready(f, "fra", 20_00000001, now.Add(-time.Minute))}}
		}, want{ActRetire, "fra"}},
		{"DC preference: first listed orderable wins", func(f *prefs.File) setup {
			return setup{avail: map[string]string{"fra": "unavailable", "gra": "72H", "rbx": "1H-high"}, carts: map[string]CartState{
				"gra": ready(f, "gra", 1, now), "rbx": ready(f, "rbx", 1, now)}}
		}, want{ActCheckout, "gra"}},
		{"first orderable DC without cart is built, a later ready one ordered now", func(f *prefs.File) setup {
			return setup{avail: map[string]string{"fra": "24H", "gra": "1H-high"}, carts: map[string]CartState{"gra": ready(f, "gra", 1, now)}}
		}, want{ActCheckout, "gra"}},
		{"first orderable DC without cart, none ready: built", func(f *prefs.File) setup {
			return setup{avail: map[string]string{"fra": "24H", "gra": "1H-high"}}
		}, want{ActBuildCart, "fra"}},
		{"delivery over default max 72H is not orderable", func(f *prefs.File) setup {
			return setup{avail: map[string]string{"fra": "120H", "gra": "240H", "rbx": "2160H"}, carts: map[string]CartState{"fra": ready(f, "fra", 1, now)}}
		}, want{}},
		{"72H within default max", func(f *prefs.File) setup {
			return setup{avail: map[string]string{"rbx": "72H"}, carts: map[string]CartState{"rbx": ready(f, "rbx", 1, now)}}
		}, want{ActCheckout, "rbx"}},
		{"max_delivery_hours raised accepts 240H", func(f *prefs.File) setup {
			h := 240
			f.Servers[0].MaxDeliveryHours = &h
			return setup{avail: map[string]string{"fra": "240H"}, carts: map[string]CartState{"fra": ready(f, "fra", 1, now)}}
		}, want{ActCheckout, "fra"}},
		{"max_delivery_hours 1 refuses 24H", func(f *prefs.File) setup {
			h := 1
			f.Servers[0].MaxDeliveryHours = &h
			return setup{avail: map[string]string{"fra": "24H", "gra": "1H-low"}, carts: map[string]CartState{"fra": ready(f, "fra", 1, now), "gra": ready(f, "gra", 1, now)}}
		}, want{ActCheckout, "gra"}},
		{"unknown future value is not orderable", func(f *prefs.File) setup {
			return setup{avail: map[string]string{"fra": "1H-medium", "gra": "soon"}, carts: map[string]CartState{"fra": ready(f, "fra", 1, now)}}
		}, want{}},
		{"availability of a DC not listed is ignored", func(f *prefs.File) setup {
			return setup{avail: map[string]string{"sbg": "1H-high"}}
		}, want{}},
		{"stale validation: revalidate, no checkout", func(f *prefs.File) setup {
			return setup{avail: map[string]string{"fra": "1H-high"}, carts: map[string]CartState{"fra": ready(f, "fra", 1, now.Add(-MaxValidationAge-time.Second))}}
		}, want{ActRevalidate, "fra"}},
		{"validation exactly 5 min old is fresh", func(f *prefs.File) setup {
			return setup{avail: map[string]string{"fra": "1H-high"}, carts: map[string]CartState{"fra": ready(f, "fra", 1, now.Add(-MaxValidationAge))}}
		}, want{ActCheckout, "fra"}},
		{"never validated: revalidate", func(f *prefs.File) setup {
			return setup{avail: map[string]string{"fra": "1H-high"}, carts: map[string]CartState{"fra": ready(f, "fra", 0, time.Time{})}}
		}, want{ActRevalidate, "fra"}},
		{"skip_validate ignores stale price and ceiling", func(f *prefs.File) setup {
			f.Servers[0].SkipValidate = true
			return setup{avail: map[string]string{"fra": "1H-high"}, carts: map[string]CartState{"fra": ready(f, "fra", 999_00000000, time.Time{})}}
		}, want{ActCheckout, "fra"}},
		{"place_order false: dry run", func(f *prefs.File) setup {
			f.Servers[0].PlaceOrder = false
			return setup{avail: map[string]string{"fra": "1H-high"}, carts: map[string]CartState{"fra": ready(f, "fra", 1, now)}}
		}, want{ActDryRun, "fra"}},
		{"place_order false over ceiling still retires", func(f *prefs.File) setup {
			f.Servers[0].PlaceOrder = false
			return setup{avail: map[string]string{"fra": "1H-high"}, carts: map[string]CartState{"fra": ready(f, "fra", 21_00000000, now)}}
		}, want{ActRetire, "fra"}},
		{"latched entry never orders", func(f *prefs.File) setup {
			f.Servers[0].OrderAttempted = true
			return setup{avail: map[string]string{"fra": "1H-high"}, carts: map[string]CartState{"fra": ready(f, "fra", 1, now)}}
		}, want{}},
		{"ordered entry never orders again", func(f *prefs.File) setup {
			f.Servers[0].OrderID = 42
			return setup{avail: map[string]string{"fra": "1H-high"}, carts: map[string]CartState{"fra": ready(f, "fra", 1, now)}}
		}, want{}},
		{"qty 0 never orders", func(f *prefs.File) setup {
			f.Servers[0].Qty = 0
			return setup{avail: map[string]string{"fra": "1H-high"}, carts: map[string]CartState{"fra": ready(f, "fra", 1, now)}}
		}, want{}},
		{"entry with problems never orders", func(f *prefs.File) setup {
			return setup{blocked: true, avail: map[string]string{"fra": "1H-high"}, carts: map[string]CartState{"fra": ready(f, "fra", 1, now)}}
		}, want{}},
		{"checkout in flight: nothing more", func(f *prefs.File) setup {
			return setup{inflight: true, avail: map[string]string{"fra": "1H-high"}, carts: map[string]CartState{"fra": ready(f, "fra", 1, now)}}
		}, want{}},
		{"cart built for another qty is rebuilt", func(f *prefs.File) setup {
			c := ready(f, "fra", 1, now)
			f.Servers[0].Qty = 2
			return setup{avail: map[string]string{"fra": "1H-high"}, carts: map[string]CartState{"fra": c}}
		}, want{ActBuildCart, "fra"}},
		{"expired cart is rebuilt", func(f *prefs.File) setup {
			c := ready(f, "fra", 1, now)
			c.Expire = now.Add(-time.Second)
			return setup{avail: map[string]string{"fra": "1H-high"}, carts: map[string]CartState{"fra": c}}
		}, want{ActBuildCart, "fra"}},
		{"cart not ready yet", func(f *prefs.File) setup {
			c := ready(f, "fra", 1, now)
			c.Ready = false
			return setup{avail: map[string]string{"fra": "1H-high"}, carts: map[string]CartState{"fra": c}}
		}, want{ActBuildCart, "fra"}},
		{"pending catalog lookup never orders", func(f *prefs.File) setup {
			m := prefs.StringMap{}
			m.Set("memory", "")
			f.Servers[0].FetchCatalog = &m
			return setup{avail: map[string]string{"fra": "1H-high"}, carts: map[string]CartState{"fra": ready(f, "fra", 1, now)}}
		}, want{}},
		{"empty fetch_catalog {} is done", func(f *prefs.File) setup {
			f.Servers[0].FetchCatalog = &prefs.StringMap{}
			return setup{avail: map[string]string{"fra": "1H-high"}, carts: map[string]CartState{"fra": ready(f, "fra", 1, now)}}
		}, want{ActCheckout, "fra"}},
		{"DC cooling down after 'not available' falls to next", func(f *prefs.File) setup {
			return setup{avail: map[string]string{"fra": "1H-high", "gra": "1H-high"},
				carts:    map[string]CartState{"fra": ready(f, "fra", 1, now), "gra": ready(f, "gra", 1, now)},
				cooldown: map[string]time.Time{"fra": now.Add(time.Second)}}
		}, want{ActCheckout, "gra"}},
		{"cooldown over", func(f *prefs.File) setup {
			return setup{avail: map[string]string{"fra": "1H-high"},
				carts:    map[string]CartState{"fra": ready(f, "fra", 1, now)},
				cooldown: map[string]time.Time{"fra": now}}
		}, want{ActCheckout, "fra"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := baseFile(t)
			st := tc.setup(f)
			if st.edit != nil {
				st.edit(&f.Servers[0])
			}
			key := f.Servers[0].Key()
			in := DecideInput{File: f, Now: now, Avail: map[AvailKey]string{}, Carts: map[CartKey]CartState{},
				InFlight: map[string]bool{key: st.inflight}, Blocked: map[string]string{}, Cooldown: map[CartKey]time.Time{}}
			for dc, v := range st.avail {
				in.Avail[AvailKey{FQN: testFQN, DC: dc}] = v
			}
			for dc, c := range st.carts {
				in.Carts[CartKey{Entry: key, DC: dc}] = c
			}
			for dc, u := range st.cooldown {
				in.Cooldown[CartKey{Entry: key, DC: dc}] = u
			}
			if st.blocked {
				in.Blocked[key] = "problem"
			}
			got := Decide(in)
			if tc.want.kind == 0 {
				if len(got) != 0 {
					t.Fatalf("want no action, got %+v", got)
				}
				return
			}
			if len(got) == 0 {
				t.Fatalf("want %s in %s, got nothing", tc.want.kind, tc.want.dc)
			}
			// Preparations of other orderable DCs may come first; the
			// entry's last action is the one under test.
			for _, p := range got[:len(got)-1] {
				if p.Kind != ActBuildCart && p.Kind != ActRevalidate {
					t.Fatalf("two settling actions: %+v", got)
				}
			}
			a := got[len(got)-1]
			if a.Kind != tc.want.kind || a.DC != tc.want.dc {
				t.Fatalf("got %s in %s (%s); want %s in %s", a.Kind, a.DC, a.Reason, tc.want.kind, tc.want.dc)
			}
			if a.Entry != key {
				t.Errorf("entry %q, want %q", a.Entry, key)
			}
			if a.Kind == ActCheckout {
				if a.CartID != "cart-"+a.DC || a.Qty != f.Servers[0].Qty || !a.Autopay {
					t.Errorf("checkout action %+v", a)
				}
			}
		})
	}
}

func TestFingerprintChanges(t *testing.T) {
	f := baseFile(t)
	s := f.Servers[0]
	base := Fingerprint("IE", s, "fra")
	if Fingerprint("IE", s, "fra") != base {
		t.Fatal("fingerprint not stable")
	}
	mods := map[string]func(s *prefs.Server){
		"qty":    func(s *prefs.Server) { s.Qty = 2 },
		"addons": func(s *prefs.Server) { s.AddonPlanCodes = s.AddonPlanCodes[:2] },
		"coupon": func(s *prefs.Server) { s.Coupons = []string{"X"} },
		"label": func(s *prefs.Server) {
			l := prefs.StringMap{}
			l.Set("dedicated_os", "debian")
			s.Labels = l
		},
		"region": func(s *prefs.Server) {
			s.Datacenters = append([]prefs.Datacenter(nil), s.Datacenters...)
			s.Datacenters[0].Region = "canada"
		},
	}
	for name, mod := range mods {
		c := baseFile(t).Servers[0]
		mod(&c)
		if Fingerprint("IE", c, "fra") == base {
			t.Errorf("%s change keeps the fingerprint", name)
		}
	}
	if Fingerprint("IE", s, "gra") == base || Fingerprint("FR", s, "fra") == base {
		t.Error("dc or subsidiary change keeps the fingerprint")
	}
}

// Issue 11, point 8: the first orderable DC without a ready cart is built
// at once, but a later orderable DC whose cart is ready is ordered now.
func TestDecideBuildsEarlierDCsWithoutWaiting(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	f := baseFile(t)
	s := f.Servers[0]
	key := s.Key()
	in := DecideInput{File: f, Now: now,
		Avail: map[AvailKey]string{{FQN: testFQN, DC: "fra"}: "1H-high", {FQN: testFQN, DC: "gra"}: "24H", {FQN: testFQN, DC: "rbx"}: "1H-low"},
		Carts: map[CartKey]CartState{{Entry: key, DC: "rbx"}: {CartID: "cart-rbx", Ready: true, Expire: now.Add(48 * time.Hour),
			Fingerprint: Fingerprint("IE", s, "rbx"), Price: money.Amount{Ucents: 1_00000000, Currency: "EUR"}, ValidatedAt: now}}}
	got := Decide(in)
	var kinds []string
	for _, a := range got {
		kinds = append(kinds, a.Kind.String()+" "+a.DC)
	}
	want := []string{"build cart gra", "build cart fra", "checkout rbx"}
	if len(kinds) != len(want) {
		t.Fatalf("got %v, want %v", kinds, want)
	}
	for i := range want {
		if kinds[i] != want[i] {
			t.Fatalf("got %v, want %v", kinds, want)
		}
	}
}

// Issue 11, point 9: a price is used at checkout only when valid and at
// most MaxValidationAge old.
func TestDecidePriceFreshnessAndSanity(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name      string
		price     money.Amount
		validated time.Time
		skip      bool
		want      ActionKind
	}{
		{"fresh and valid", money.Amount{Ucents: 19_98000000, Currency: "EUR"}, now.Add(-MaxValidationAge), false, ActCheckout},
		{"61 s old", money.Amount{Ucents: 19_98000000, Currency: "EUR"}, now.Add(-MaxValidationAge - time.Second), false, ActRevalidate},
		{"validated in the future", money.Amount{Ucents: 19_98000000, Currency: "EUR"}, now.Add(time.Second), false, ActRevalidate},
		{"summary 200 {}: no price", money.Amount{}, now, false, ActRevalidate},
		{"zero in EUR", money.Amount{Ucents: 0, Currency: "EUR"}, now, false, ActRevalidate},
		{"negative", money.Amount{Ucents: -1_00000000, Currency: "EUR"}, now, false, ActRevalidate},
		{"other currency", money.Amount{Ucents: 19_98000000, Currency: "GBP"}, now, false, ActRevalidate},
		{"no currency", money.Amount{Ucents: 19_98000000, Currency: ""}, now, false, ActRevalidate},
		{"skip_validate needs no price", money.Amount{}, time.Time{}, true, ActCheckout},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := baseFile(t)
			f.Servers[0].SkipValidate = tc.skip
			s := f.Servers[0]
			key := s.Key()
			in := DecideInput{File: f, Now: now,
				Avail: map[AvailKey]string{{FQN: testFQN, DC: "fra"}: "1H-high"},
				Carts: map[CartKey]CartState{{Entry: key, DC: "fra"}: {CartID: "c", Ready: true, Expire: now.Add(48 * time.Hour),
					Fingerprint: Fingerprint("IE", s, "fra"), Price: tc.price, ValidatedAt: tc.validated}}}
			got := Decide(in)
			if len(got) != 1 || got[0].Kind != tc.want {
				t.Fatalf("got %+v, want %s", got, tc.want)
			}
		})
	}
	if p := PriceProblem(money.Amount{}, "IE"); p == "" {
		t.Error("missing price passed")
	}
	if p := PriceProblem(money.Amount{Ucents: 1, Currency: "USD"}, "US"); p != "" {
		t.Errorf("US in USD: %s", p)
	}
}
