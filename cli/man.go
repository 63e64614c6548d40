package cli

import (
	"fmt"
	"strings"

	mcobra "github.com/muesli/mango-cobra"
	"github.com/muesli/roff"
	"github.com/spf13/cobra"
)

// manCommand is `ovhtui man`: the man page, in roff, on stdout. fang has
// one too, built with the same library (mango), but it writes to the
// process's stdout whatever the command's output is, and hands mango the
// help text as the terminal shows it, where each hard-wrapped line becomes
// a paragraph of its own; this one reflows the text first.
func manCommand() *cobra.Command {
	return &cobra.Command{
		Use:                   "man",
		Short:                 "Print the man page (roff): ovhtui man | gzip > ~/.local/share/man/man1/ovhtui.1.gz",
		Hidden:                true,
		Args:                  noArgs,
		DisableFlagsInUseLine: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			root := cmd.Root()
			page, err := mcobra.NewManPage(1, root)
			if err != nil {
				return fmt.Errorf("man page: %w", err)
			}
			page = page.WithLongDescription(manText(root.Long)).
				WithSection("Examples", root.Example). // one command a line: a paragraph each
				WithSection("Files", manText(manFiles))
			_, err = fmt.Fprint(cmd.OutOrStdout(), page.Build(roff.NewDocument()))
			return err
		},
	}
}

// manFiles is the man page's FILES section.
const manFiles = `preferences.json: the servers to watch and order (--prefs; default ./preferences.json).

.env: OVH credentials and OVHTUI_NOTIFY (--env; default ./.env).

preferences.journal, beside the preferences file: what ovhtui did with money (orders, payments, renewals), read at every start.`

// manText turns help text written for a terminal (hard-wrapped lines,
// blank lines between paragraphs, list items indented by two spaces and
// their continuations by more) into mango's text: one line per paragraph,
// "*" before each list item. roff wraps the lines itself.
func manText(s string) string {
	var out []string
	cur, inItem := "", false
	flush := func() {
		if cur != "" {
			out = append(out, cur)
		}
		cur, inItem = "", false
	}
	for _, line := range strings.Split(s, "\n") {
		text := strings.TrimSpace(line)
		indent := len(line) - len(strings.TrimLeft(line, " "))
		switch {
		case text == "":
			flush()
		case indent == 2:
			flush()
			cur, inItem = "*"+text, true
		case indent > 2 && inItem, indent == 0 && cur != "" && !inItem:
			cur += " " + text
		default:
			flush()
			cur = text
		}
	}
	flush()
	return strings.Join(out, "\n")
}
