package appexec

// LookPath finds cmd in the PATH of env, inside the calling thread's root,
// as the helper does before it execs. stage1-fly execs its app (and enter's
// command) in place, without the helper, and shares this lookup.
func LookPath(cmd string, env []string) (string, error) { return lookPath(cmd, env) }
