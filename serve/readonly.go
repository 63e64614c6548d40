package serve

import (
	"context"
	"errors"

	"github.com/ovhtui/ovhtui/account"
	"github.com/ovhtui/ovhtui/tui"
)

// ErrReadOnly refuses what a read-only session asks to change.
var ErrReadOnly = errors.New("read-only session: nothing may be changed, bought, paid or renewed")

// readOnlyDeps makes d read-only: the UI refuses the keys that change
// anything (tui.Deps.ReadOnly), and, should one get through, the engine's
// re-arm and buy and the account's payment and renewal refuse too.
func readOnlyDeps(d *tui.Deps) {
	d.ReadOnly = true
	d.Rearm = func(context.Context, string) error { return ErrReadOnly }
	d.BuyAnother = func(context.Context, string, int) error { return ErrReadOnly }
	d.Remove = func(context.Context, string) error { return ErrReadOnly }
	if d.Account != nil {
		d.Account = readOnlyAccount{d.Account}
	}
}

// readOnlyAccount reads the account and refuses to pay or renew.
type readOnlyAccount struct{ tui.AccountAPI }

func (readOnlyAccount) Pay(context.Context, account.PayRequest) (account.PayResult, error) {
	return account.PayResult{}, ErrReadOnly
}

func (readOnlyAccount) Renew(context.Context, account.RenewRequest) (account.RenewResult, error) {
	return account.RenewResult{}, ErrReadOnly
}
