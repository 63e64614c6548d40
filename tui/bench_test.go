package tui

import (
	"fmt"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/ovhtui/ovhtui/order"
	"github.com/ovhtui/ovhtui/prefs"
)

// benchModel has 50 entries x 7 DCs with live state and 1,000 log lines.
func benchModel(b *testing.B, w, h int) Model {
	b.Helper()
	dcs := []string{"gra", "rbx", "sbg", "fra", "lon", "waw", "bhs"}
	var js string
	for i := range 50 {
		if i > 0 {
			js += ","
		}
		dj := ""
		for j, dc := range dcs {
			if j > 0 {
				dj += ","
			}
			dj += fmt.Sprintf(`{"region":"europe","dedicated_datacenter":%q}`, dc)
		}
		js += fmt.Sprintf(`{"planCode":"24sk%02d","fqn":"24sk%02d.ram-32g-ecc-2400.softraid-2x450nvme","datacenters":[%s],"labels":{"dedicated_os":"none_64.en"},"qty":1,"ceiling_price":30,"place_order":true}`, i, i, dj)
	}
	f, err := prefs.Parse("bench", []byte(`{"subsidiary":"IE","user_servers":[`+js+`]}`))
	if err != nil {
		b.Fatal(err)
	}
	d := testDeps(b, nil)
	m := New(d)
	m.base, m.file = f, f
	m = send(m, tea.WindowSizeMsg{Width: w, Height: h})
	values := []string{"1H-high", "24H", "72H", "unavailable", "unknown", "comingSoon", "2160H"}
	sc := scenario{avail: map[int]map[string]string{}, carts: map[int]map[string]testCart{}}
	for i := range f.Servers {
		sc.avail[i], sc.carts[i] = map[string]string{}, map[string]testCart{}
		for j, dc := range dcs {
			sc.avail[i][dc] = values[(i+j)%len(values)]
			sc.carts[i][dc] = testCart{price: int64(2000+i*10+j) * 1e6, validated: time.Minute, expires: time.Duration(i*j+1) * time.Minute}
		}
	}
	m = send(m, eventsMsg{events: []order.Event{engineStates(f, sc)}, now: fixedNow})
	for i := range 1000 {
		m.log.add(logLine{at: fixedNow, level: 0, text: fmt.Sprintf("line %d: cart c-%d ready in gra: 19.98 EUR (ceiling 20.00 EUR), expires 2026-12-23T10:00:00Z", i, i)})
	}
	return m
}

func BenchmarkView(b *testing.B) {
	for _, size := range []struct{ w, h int }{{80, 24}, {120, 40}, {200, 50}} {
		b.Run(fmt.Sprintf("%dx%d", size.w, size.h), func(b *testing.B) {
			m := benchModel(b, size.w, size.h)
			b.ReportAllocs()
			for b.Loop() {
				_ = m.View()
			}
		})
	}
}
