package order

import (
	"fmt"
	"strings"

	"github.com/ovhtui/ovhtui/ovhapi"
)

// duplicatedLabel reads OVH's refusal of a configuration label set twice
// on one cart item: "Custom field dedicated_datacenter is duplicated for
// product 25skleb01" (ovh-api-notes.md: a label can be set only once per
// item; to change it, the configuration must be deleted first). The
// product is whatever plan code OVH names: no shape is assumed.
func duplicatedLabel(err error) (label, product string, ok bool) {
	if !ovhapi.IsDefinitive(err) {
		return "", "", false
	}
	msg := ovhapi.MessageOf(err)
	rest, found := strings.CutPrefix(msg, "Custom field ")
	if !found {
		return "", "", false
	}
	label, product, found = strings.Cut(rest, " is duplicated for product ")
	if !found || label == "" {
		return "", "", false
	}
	return label, strings.TrimSpace(product), true
}

// explainRefusal says in plain words what an OVH refusal the engine knows
// means for the user ("" for any other error).
func explainRefusal(err error) string {
	if label, product, ok := duplicatedLabel(err); ok {
		return fmt.Sprintf("OVH refused to set %s a second time on the %s item of this cart: a configuration label can be set only once per item. "+
			"The refusal is final for this cart (nothing is retried on it): ovhtui drops the cart and builds a new cart", label, orDash(product))
	}
	return ""
}
