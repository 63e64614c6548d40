package journal

import (
	"bytes"
	"testing"
)

// FuzzParse feeds the reader torn and garbage lines: it never panics,
// every record it returns has a known type, and a valid line appended
// after whatever came before is always read back.
func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"time":"2026-01-02T03:04:05Z","type":"intent","kind":"checkout","entry":"e1","attempt":"a1"}` + "\n"))
	f.Add([]byte(`{"time":"2026-01-02T03:04:05Z","type":"outc`))
	f.Add([]byte("garbage\n{\"time\":1}\n\n"))
	f.Add([]byte(`{"time":"2026-01-02T03:04:05Z","type":"rearm","entry":"a","new_entry":"b"}{"time":"2026-01-02T03:04:05Z","type":"intent"}`))
	good := []byte(`{"time":"2026-01-02T03:04:05Z","type":"outcome","kind":"checkout","entry":"zz","attempt":"q","result":"ordered","order_id":9}`)
	f.Fuzz(func(t *testing.T, data []byte) {
		log := Parse(data)
		for _, r := range log.Records {
			switch r.Type {
			case TypeIntent, TypeOutcome, TypeRearm:
			default:
				t.Fatalf("record of type %q", r.Type)
			}
		}
		st := Fold(log.Records)
		_ = st.Pending()
		// What Open does to a torn end, then a whole record.
		fixed := bytes.Clone(data)
		if len(fixed) > 0 && fixed[len(fixed)-1] != '\n' {
			fixed = append(fixed, '\n')
		}
		fixed = append(fixed, good...)
		fixed = append(fixed, '\n')
		after := Parse(fixed)
		if n := len(after.Records); n == 0 || after.Records[n-1].Entry != "zz" {
			t.Fatalf("the record after %q was lost", data)
		}
		if Fold(after.Records).Entry("zz").Phase() != PhaseOrdered {
			t.Fatal("fold lost the order")
		}
	})
}
