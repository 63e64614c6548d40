package serve

import (
	"context"
	"sync"

	"github.com/ovhtui/ovhtui/catalog"
)

// catalogFan hands each new catalog to every session: the catalog source
// has one channel of updates, which one reader would drain for all.
type catalogFan struct {
	mu   sync.Mutex
	subs map[chan *catalog.Catalog]struct{}
}

// newCatalogFan drains in until it is closed.
func newCatalogFan(in <-chan *catalog.Catalog) *catalogFan {
	f := &catalogFan{subs: map[chan *catalog.Catalog]struct{}{}}
	go func() {
		for c := range in {
			f.mu.Lock()
			for ch := range f.subs {
				select { // only the newest matters: replace one not yet read
				case <-ch:
				default:
				}
				ch <- c
			}
			f.mu.Unlock()
		}
		f.mu.Lock()
		for ch := range f.subs {
			close(ch)
		}
		f.subs = nil
		f.mu.Unlock()
	}()
	return f
}

// subscribe returns a channel of the catalogs to come, until ctx ends.
func (f *catalogFan) subscribe(ctx context.Context) <-chan *catalog.Catalog {
	ch := make(chan *catalog.Catalog, 1)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.subs == nil {
		close(ch)
		return ch
	}
	f.subs[ch] = struct{}{}
	context.AfterFunc(ctx, func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		if _, ok := f.subs[ch]; ok {
			delete(f.subs, ch)
		}
	})
	return ch
}
