package tui

import (
	"reflect"
	"strings"
	"testing"

	"charm.land/bubbles/v2/key"
	"github.com/charmbracelet/x/ansi"
)

// displayOnly are the bindings that only label a group of keys in the
// short help line; the full help lists the keys themselves.
var displayOnly = map[string]bool{
	"MoveHelp": true, "QtyHelp": true, "ScrollHelp": true, "PageHelp": true, "FieldHelp": true,
	"ChoiceHelp": true, "MoveDCHelp": true, "HelpShort": true, "Help": true,
}

// TestHelpListsEveryBinding: every binding of the key map (whoever added
// it) is in the full help of some screen, so the help screen shows it.
func TestHelpListsEveryBinding(t *testing.T) {
	k := newKeyMap()
	listed := map[key.Help]bool{}
	for s := range screenNames {
		for _, g := range k.helpFor(s).full {
			for _, b := range g {
				listed[b.Help()] = true
			}
		}
	}
	for _, b := range k.globalKeys() {
		listed[b.Help()] = true
	}
	var walk func(v reflect.Value, path string)
	walk = func(v reflect.Value, path string) {
		for i := 0; i < v.NumField(); i++ {
			f, name := v.Field(i), v.Type().Field(i).Name
			if !v.Type().Field(i).IsExported() {
				continue // k.aw: walked below
			}
			if b, ok := f.Interface().(key.Binding); ok {
				if !displayOnly[name] && b.Help().Key != "" && !listed[b.Help()] {
					t.Errorf("%s%s (%q %q) is in no screen's full help", path, name, b.Help().Key, b.Help().Desc)
				}
				continue
			}
			if f.Kind() == reflect.Struct {
				walk(f, path+name+".")
			}
		}
	}
	walk(reflect.ValueOf(k), "")
	walk(reflect.ValueOf(k.aw), "aw.")
}

// TestHelpFitsAt80x24: the full help of every screen shows each of its
// keys whole at 80x24 (issue 18).
func TestHelpFitsAt80x24(t *testing.T) {
	m := dashboardModel(t, 80, 24)
	for s, name := range screenNames {
		m.helpOf = &s
		screen := screenText(m)
		lines := strings.Split(screen, "\n")
		if len(lines) != 24 {
			t.Fatalf("%s: %d lines", name, len(lines))
		}
		for _, l := range lines {
			if ansi.StringWidth(l) > 80 {
				t.Errorf("%s: line wider than 80: %q", name, l)
			}
		}
		for _, g := range m.screenKeys(s).full {
			for _, b := range g {
				h := b.Help()
				if !strings.Contains(screen, h.Key+" ") || !strings.Contains(screen, h.Desc) {
					t.Errorf("%s: %q %q not shown whole at 80x24:\n%s", name, h.Key, h.Desc, screen)
				}
			}
		}
	}
}
