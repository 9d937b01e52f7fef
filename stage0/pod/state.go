package pod

// State is what a pod is doing, as users see it.
type State string

// The states a pod can be in. Each is one state directory plus whether the
// pod dir's lock is held.
const (
	Embryo         State = "embryo"          // embryo/, any lock
	Preparing      State = "preparing"       // prepare/, locked
	AbortedPrepare State = "aborted prepare" // prepare/, unlocked: the preparer died
	Prepared       State = "prepared"        // prepared/
	Running        State = "running"         // run/, locked by stage1
	Exited         State = "exited"          // run/, unlocked
	Deleting       State = "deleting"        // exited-garbage/ or garbage/, locked by gc or rm
	ExitedGarbage  State = "exited garbage"  // exited-garbage/, unlocked
	Garbage        State = "garbage"         // garbage/, unlocked
)

// The state directories under <data>/pods.
const (
	DirEmbryo        = "embryo"
	DirPrepare       = "prepare"
	DirPrepared      = "prepared"
	DirRun           = "run"
	DirExitedGarbage = "exited-garbage"
	DirGarbage       = "garbage"
)

// stateDirs lists every state directory, in the order a pod moves through
// them, which is also the order lookups try.
func stateDirs() []string {
	return []string{DirEmbryo, DirPrepare, DirPrepared, DirRun, DirExitedGarbage, DirGarbage}
}

// deriveState maps a state directory and the lock to a State.
func deriveState(dir string, locked bool) State {
	switch dir {
	case DirEmbryo:
		return Embryo
	case DirPrepare:
		if locked {
			return Preparing
		}
		return AbortedPrepare
	case DirPrepared:
		return Prepared
	case DirRun:
		if locked {
			return Running
		}
		return Exited
	case DirExitedGarbage:
		if locked {
			return Deleting
		}
		return ExitedGarbage
	default:
		if locked {
			return Deleting
		}
		return Garbage
	}
}
