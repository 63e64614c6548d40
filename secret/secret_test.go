package secret

import (
	"strings"
	"testing"
)

func TestScrub(t *testing.T) {
	t.Cleanup(Forget)
	Register("AS-app-secret-123", "CK-consumer-key-456", "abc")
	in := `invalid signature for AS-app-secret-123 and CK-consumer-key-456: see https://www.ovh.com/cgi-bin/order/display-order.cgi?orderId=12&orderPassword=Zq9xY and {"password":"hunter22"}`
	got := Scrub(in)
	for _, leak := range []string{"AS-app-secret-123", "CK-consumer-key-456", "Zq9xY", "hunter22"} {
		if strings.Contains(got, leak) {
			t.Errorf("%q leaks %q", got, leak)
		}
	}
	if !strings.Contains(got, "orderId=12") {
		t.Errorf("scrubbed too much: %q", got)
	}
	if Scrub("plain text") != "plain text" {
		t.Error("plain text changed")
	}
}
