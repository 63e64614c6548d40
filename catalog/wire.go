package catalog

// JSON mirror of GET /order/catalog/public/eco, reduced to the fields Parse
// reads. Everything else in the 3.9 MB document is skipped by the decoder.

// API strings of the eco catalog.
const (
	labelDatacenter = "dedicated_datacenter"
	labelRegion     = "region"

	familyMemory  = "memory"
	familyStorage = "storage"

	capacityRenew        = "renew"
	capacityInstallation = "installation"
	intervalUnitMonth    = "month"
)

type wireCatalog struct {
	Locale   wireLocale    `json:"locale"`
	Plans    []wirePlan    `json:"plans"`
	Products []wireProduct `json:"products"`
	Addons   []wirePlan    `json:"addons"`
}

type wireLocale struct {
	CurrencyCode string  `json:"currencyCode"`
	Subsidiary   string  `json:"subsidiary"`
	TaxRate      float64 `json:"taxRate"`
}

// wirePlan is a plan or an addon: OVH uses one shape for both.
type wirePlan struct {
	PlanCode       string        `json:"planCode"`
	Product        string        `json:"product"`
	InvoiceName    string        `json:"invoiceName"`
	AddonFamilies  []wireFamily  `json:"addonFamilies"`
	Blobs          *wireBlobs    `json:"blobs"`
	Configurations []wireConfig  `json:"configurations"`
	Pricings       []wirePricing `json:"pricings"`
}

type wireFamily struct {
	Name      string   `json:"name"`
	Addons    []string `json:"addons"`
	Default   string   `json:"default"` // null in the catalog when none
	Exclusive bool     `json:"exclusive"`
	Mandatory bool     `json:"mandatory"`
}

type wireBlobs struct {
	Commercial *struct {
		Range string `json:"range"`
	} `json:"commercial"`
	Technical *struct {
		Server *struct {
			Range string   `json:"range"`
			CPU   *wireCPU `json:"cpu"`
		} `json:"server"`
	} `json:"technical"`
}

type wireCPU struct {
	Brand     string  `json:"brand"`
	Model     string  `json:"model"`
	Cores     int     `json:"cores"`
	Threads   int     `json:"threads"`
	Frequency float64 `json:"frequency"`
	Boost     float64 `json:"boost"`
}

type wireConfig struct {
	Name        string   `json:"name"`
	IsMandatory bool     `json:"isMandatory"`
	Values      []string `json:"values"`
}

type wirePricing struct {
	Capacities   []string `json:"capacities"`
	Mode         string   `json:"mode"`
	Interval     int      `json:"interval"`
	IntervalUnit string   `json:"intervalUnit"`
	Price        int64    `json:"price"`
	Tax          int64    `json:"tax"`
}

type wireProduct struct {
	Name  string     `json:"name"`
	Blobs *wireBlobs `json:"blobs"`
}

func (b *wireBlobs) commercialRange() string {
	if b == nil || b.Commercial == nil {
		return ""
	}
	return b.Commercial.Range
}

func (b *wireBlobs) serverRange() string {
	if b == nil || b.Technical == nil || b.Technical.Server == nil {
		return ""
	}
	return b.Technical.Server.Range
}

func (b *wireBlobs) cpu() *wireCPU {
	if b == nil || b.Technical == nil || b.Technical.Server == nil {
		return nil
	}
	return b.Technical.Server.CPU
}
