package catalog

import "strings"

// The names of products as users know them, in one place for the screens,
// the commands, the headless lines and the notifications:
// "KS-LE-1 32g/2x450nvme", the plan code and fqn kept for --json.

// ModelName keeps the model of an invoiceName: "RISE-1 | Intel Xeon-E
// 2386G" -> "RISE-1".
func ModelName(invoiceName string) string {
	name, _, _ := strings.Cut(invoiceName, " | ")
	return strings.TrimSpace(name)
}

// Model is the model name of planCode in c ("KS-LE-1"), or planCode when
// c is nil or does not have it.
func (c *Catalog) Model(planCode string) string {
	if c != nil {
		if o, ok := c.Offer(planCode); ok && o.Name != "" {
			return ModelName(o.Name)
		}
	}
	return planCode
}

// ProductName is "KS-LE-1 32g/2x450nvme": the model of planCode and the
// distinctive part of fqn (ShortFQN); the model alone without fqn.
func (c *Catalog) ProductName(planCode, fqn string) string {
	name := c.Model(planCode)
	if fqn == "" {
		return name
	}
	return name + " " + ShortFQN(planCode, fqn)
}

// ShortFQN shortens an fqn for display: the planCode prefix is dropped and
// each addon keeps its distinctive part, e.g.
// "25skleb01.ram-32g-ecc-2400.softraid-2x450nvme" -> "32g/2x450nvme".
func ShortFQN(planCode, fqn string) string {
	rest, ok := strings.CutPrefix(fqn, planCode+".")
	if !ok {
		return fqn
	}
	parts := strings.Split(rest, ".")
	for i, p := range parts {
		switch {
		case strings.HasPrefix(p, "ram-"):
			p = strings.TrimPrefix(p, "ram-")
			if j := strings.IndexByte(p, '-'); j > 0 {
				p = p[:j]
			}
		default:
			for _, pre := range []string{"hybridsoftraid-", "softraid-", "hardraid-", "noraid-", "raid-"} {
				if q, ok := strings.CutPrefix(p, pre); ok {
					p = q
					break
				}
			}
		}
		parts[i] = p
	}
	return strings.Join(parts, "/")
}
