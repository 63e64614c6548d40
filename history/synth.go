package history

import (
	"math"
	"math/rand/v2"
	"time"
)

// SynthSeries is one fqn in one DC that Synthesize invents a history for.
type SynthSeries struct {
	PlanCode, FQN, DC string
}

// temperament is how often a series comes back and for how long.
type temperament struct {
	perDay   float64       // restocks a day, on average
	stayMin  time.Duration // shortest stay in stock
	stayMax  time.Duration // longest (log-uniform between)
	steady   bool          // in stock most of the time: out briefly instead
	coming   float64       // share of "comingSoon" instead of "unavailable"
	regrades float64       // chance a stay changes grade once (1H-low <-> 1H-high)
}

var temperaments = []struct {
	share float64
	t     temperament
}{
	{0.45, temperament{perDay: 0.1, stayMin: 5 * time.Minute, stayMax: time.Hour, coming: 0.05, regrades: 0.1}},
	{0.30, temperament{perDay: 1, stayMin: 10 * time.Minute, stayMax: 3 * time.Hour, coming: 0.05, regrades: 0.3}},
	{0.15, temperament{perDay: 4, stayMin: 2 * time.Minute, stayMax: 30 * time.Minute, regrades: 0.2}},
	{0.10, temperament{perDay: 1, stayMin: 5 * time.Minute, stayMax: 2 * time.Hour, steady: true, regrades: 0.5}},
}

// hourWeight is how likely a restock is at hour h of weekday d in Paris,
// relative to the busiest hour (1): OVH restocks in working hours, most
// in late morning and mid-afternoon, little at night and on weekends.
func hourWeight(d time.Weekday, h int) float64 {
	w := 0.08
	switch {
	case h >= 9 && h <= 11:
		w = 1
	case h >= 14 && h <= 16:
		w = 0.8
	case h >= 8 && h <= 18:
		w = 0.45
	case h >= 19 && h <= 22:
		w = 0.2
	}
	if d == time.Saturday || d == time.Sunday {
		w *= 0.35
	}
	return w
}

// Synthesize invents a believable history for series over [from, to): each
// series gets a temperament (rare, daily, hot or mostly in stock), restocks
// follow OVH's working hours in Paris, stays are minutes to hours, grades
// are mostly 1H-low and 1H-high. It calls emit once per change, each series
// in time order (series after series): what polling the feed without pause
// would have recorded. The same seed gives the same history. It returns
// how many changes it emitted.
func Synthesize(sub string, series []SynthSeries, from, to time.Time, seed uint64, emit func(Observation)) int {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	n := 0
	out := func(s SynthSeries, at time.Time, v string) {
		emit(Observation{Time: at, Subsidiary: sub, Items: []Seen{{PlanCode: s.PlanCode, FQN: s.FQN, DC: s.DC, Value: v}}})
		n++
	}
	for _, s := range series {
		t := pickTemperament(rng)
		outValue := func() string {
			if rng.Float64() < t.coming {
				return "comingSoon"
			}
			return valueUnavailable
		}
		grade := func() string {
			switch x := rng.Float64(); {
			case x < 0.5:
				return "1H-low"
			case x < 0.8:
				return "1H-high"
			case x < 0.9:
				return "24H"
			}
			return "72H"
		}
		stay := func() time.Duration {
			lo, hi := math.Log(float64(t.stayMin)), math.Log(float64(t.stayMax))
			return time.Duration(math.Exp(lo + rng.Float64()*(hi-lo)))
		}
		cur := outValue()
		if t.steady {
			cur = grade()
		}
		out(s, from, cur)
		at := from
		for {
			at = nextEvent(rng, at, t.perDay)
			if !at.Before(to) {
				break
			}
			if t.steady {
				// Out briefly, then back.
				back := at.Add(stay() / 4)
				if !back.Before(to) {
					break
				}
				out(s, at, outValue())
				cur = grade()
				out(s, back, cur)
				at = back
				continue
			}
			cur = grade()
			out(s, at, cur)
			end := at.Add(stay())
			if rng.Float64() < t.regrades {
				mid := at.Add(end.Sub(at) / 2)
				if mid.Before(to) && (cur == "1H-low" || cur == "1H-high") {
					cur = map[string]string{"1H-low": "1H-high", "1H-high": "1H-low"}[cur]
					out(s, mid, cur)
				}
			}
			if !end.Before(to) {
				break
			}
			cur = outValue()
			out(s, end, cur)
			at = end
		}
	}
	return n
}

func pickTemperament(rng *rand.Rand) temperament {
	x := rng.Float64()
	for _, t := range temperaments {
		if x < t.share {
			return t.t
		}
		x -= t.share
	}
	return temperaments[len(temperaments)-1].t
}

// nextEvent draws the next restock after at, perDay a day on average,
// shaped by hourWeight (thinning of a Poisson process).
func nextEvent(rng *rand.Rand, at time.Time, perDay float64) time.Time {
	// The mean weight over a week is about 0.3: scale so perDay holds.
	rate := perDay / 0.3 / float64(24*time.Hour) // per ns at weight 1
	for {
		at = at.Add(time.Duration(rng.ExpFloat64() / rate))
		p := at.In(OVHTime)
		if rng.Float64() < hourWeight(p.Weekday(), p.Hour()) {
			return at.Truncate(time.Second)
		}
	}
}
