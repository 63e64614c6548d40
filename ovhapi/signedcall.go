package ovhapi

import "context"

// Signed runs one signed OVH call outside the engine's API, for the
// after-the-win calls of package account (orders, payment, servers,
// renewal): body is sent as JSON when not nil, a 2xx answer is decoded into
// out when not nil, and a failure is a *CallError classified like every
// other call (IsDefinitive, IsAmbiguous). long selects the checkout timeout
// instead of the ordinary one, for calls that move money.
func (o *OVHClient) Signed(ctx context.Context, method, path, name string, body, out any, long bool) error {
	timeout := o.opts.CallTimeout
	if long {
		timeout = o.opts.CheckoutTimeout
	}
	return o.call(ctx, method, path, name, body, true, timeout, out)
}
