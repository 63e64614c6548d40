package prefs

// Problem is one validation finding: the field path and what is wrong.
type Problem struct {
	Path string
	Msg  string
}

func (p Problem) String() string { return p.Path + ": " + p.Msg }

// Validate lists every problem of f. endpoint is the OVH endpoint name or
// URL in use ("" when unknown), to check that it serves the subsidiary.
func Validate(f *File, endpoint string) []Problem {
	// TODO(prefs): every rule of the foundation issue.
	return nil
}
