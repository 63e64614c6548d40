package cli

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/ovh/go-ovh/ovh"

	"github.com/ovhtui/ovhtui/order"
	"github.com/ovhtui/ovhtui/ovhapi"
)

// refusedRelay forwards the API client's 401/403 hook to the engine,
// which is created after the client.
type refusedRelay struct{ eng atomic.Pointer[order.Engine] }

func (r *refusedRelay) report(call string, status int, msg string) {
	if e := r.eng.Load(); e != nil {
		e.CredentialsRefused(call, status, msg)
	}
}

// credentialExpiry is the engine's consumer-key expiry check, or nil for
// an OAuth2 service account (no consumer key; IAM sets its lifetime).
func credentialExpiry(c *ovh.Client, api *ovhapi.OVHClient) func(context.Context) (time.Time, error) {
	if c.ClientID != "" {
		return nil
	}
	return api.CredentialExpiry
}
