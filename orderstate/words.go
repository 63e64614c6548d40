package orderstate

import (
	"fmt"
	"time"
)

// The words every surface uses for an order's payment and a server's
// renewal: the dashboard row, the banner, the quit summary, the log pane,
// the Orders and Servers screens, `ovhtui orders`/`servers` and the
// notifications all call these, so that they say the same thing.

// dateLayout writes a payment deadline, in UTC everywhere.
const dateLayout = "2006-01-02 15:04 UTC"

// DateText is a payment deadline as every surface writes it
// ("2026-11-24 10:00 UTC"); "-" when not known.
func DateText(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(dateLayout)
}

// ShortDateText is DateText in narrow places ("Nov 24 10:00 UTC").
func ShortDateText(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("Jan 2 15:04 UTC")
}

// PayBefore is "pay before DATE" for an unpaid order that lapses at
// expires, or "pay it" while that date is not known.
func PayBefore(expires time.Time) string {
	if expires.IsZero() {
		return "pay it"
	}
	return "pay before " + DateText(expires)
}

// Words is the payment as a status says it. Long (the banner, the quit
// summary): "UNPAID: pay before 2026-11-24 10:00 UTC or it lapses";
// short (a dashboard row): "UNPAID: pay before Nov 24 10:00 UTC". A paid,
// cancelled or autopaid order says Payment's word.
func (s State) Words(short bool) string {
	p := s.Payment()
	if p == PaymentUnclear && !short {
		return "payment sent, answer unclear: ovhtui checks OVH's records; do not pay it again"
	}
	if p != Unpaid {
		return p.String()
	}
	switch {
	case short && s.Expires.IsZero():
		return Unpaid.String()
	case short:
		return Unpaid.String() + ": pay before " + ShortDateText(s.Expires)
	case s.Expires.IsZero():
		return Unpaid.String() + ": pay it or it lapses (OVH holds nothing until it is paid)"
	}
	return Unpaid.String() + ": " + PayBefore(s.Expires) + " or it lapses"
}

// StatusText is the order's status as the Orders screen and `ovhtui
// orders` show it: "PAYING?" while a payment sent is unclear, else the
// words of StatusText.
func (s State) StatusText() string {
	if s.Payment() == PaymentUnclear {
		return "PAYING?"
	}
	return StatusText(s.Status)
}

// StatusText is an order's status as the Orders screen and `ovhtui
// orders` show it: UNPAID for notPaid, else OVH's word ("-" when unread).
func StatusText(status string) string {
	switch {
	case status == "":
		return "-"
	case FromStatus(status) == Unpaid:
		return Unpaid.String()
	}
	return status
}

// Change says what a status newly read tells of an order's payment, for
// the log pane: "order 123 is paid (delivering)", "order 123 was
// cancelled"; "" when its payment did not change, or was not known to
// wait for one before.
func Change(id int64, before, after State) string {
	was, now := before.Payment(), after.Payment()
	if was == now || (was != Unpaid && was != AutopayAsked && was != PaymentUnclear) {
		return ""
	}
	if was == PaymentUnclear && now == Unpaid {
		return fmt.Sprintf("order %d is %s (the payment whose answer was unclear did not go through)", id, after.Words(false))
	}
	switch now {
	case Paid:
		return fmt.Sprintf("order %d is paid (OVH says %s)", id, after.Status)
	case Cancelled:
		return fmt.Sprintf("order %d was cancelled (OVH says %s): nothing to pay", id, after.Status)
	case Unpaid:
		return fmt.Sprintf("order %d is %s (autopay did not pay it)", id, after.Words(false))
	}
	return ""
}

// Renewal is how a server renews, from its service's renewal settings.
type Renewal struct {
	// Automatic: the service renews by itself; ManualPayment: its renewal
	// invoice waits to be paid by hand; DeleteAtExpiration: it is deleted
	// when it expires.
	Automatic, ManualPayment, DeleteAtExpiration bool
}

// Manual reports a server that expires unless renewed by hand.
func (r Renewal) Manual() bool { return !r.Automatic }

// String is how it renews, in the words every screen and command uses:
// "MANUAL" (it expires unless renewed by hand), "automatic, pay by hand"
// (the renewal invoice waits to be paid), "automatic", or "deleted at
// expiration".
func (r Renewal) String() string {
	switch {
	case r.DeleteAtExpiration:
		return "deleted at expiration"
	case r.Manual():
		return "MANUAL"
	case r.ManualPayment:
		return "automatic, pay by hand"
	}
	return "automatic"
}

// Short is String in at most 10 cells, for narrow tables.
func (r Renewal) Short() string {
	switch {
	case r.DeleteAtExpiration:
		return "DELETED"
	case !r.Manual() && r.ManualPayment:
		return "auto, pay"
	}
	return r.String()
}
