package ovhapi

import (
	"context"
	"net/http"
	"time"
)

// Credential is what GET /auth/currentCredential tells of the consumer key
// (auth.ApiCredential; the fields ovhtui uses).
type Credential struct {
	Status string `json:"status"`
	// Expiration is when the key stops working; nil for a key without
	// expiration (the schema's canBeNull).
	Expiration *time.Time `json:"expiration"`
}

// CurrentCredential reads the consumer key (GET /auth/currentCredential,
// signed). It is not part of API: only the expiry watch uses it.
func (o *OVHClient) CurrentCredential(ctx context.Context) (Credential, error) {
	var c Credential
	err := o.call(ctx, http.MethodGet, "/auth/currentCredential", "GET /auth/currentCredential", nil, true, o.opts.CallTimeout, &c)
	return c, err
}

// CredentialExpiry adapts CurrentCredential to Config.CredentialExpiry.
func (o *OVHClient) CredentialExpiry(ctx context.Context) (time.Time, error) {
	c, err := o.CurrentCredential(ctx)
	if err != nil || c.Expiration == nil {
		return time.Time{}, err
	}
	return *c.Expiration, nil
}
