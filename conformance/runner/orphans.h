// orphans.h: no process a driver started outlives the runner.
//
// A driver is killed with its whole process group, but a grandchild that called setsid() has
// left the group, and would be reparented to init and live on. The runner makes itself the
// "child subreaper" of its descendants (Linux's PR_SET_CHILD_SUBREAPER), so such orphans are
// reparented to it instead, and ends every child that is not a live driver:
//
//   std::unique_lock children(ChildProcessesMutex());
//   BecomeSubreaper();
//   pid_t pid = fork();               // ... exec the driver
//   NoteDriverStarted(pid);
//   children.unlock();
//   ...                               // the driver dies
//   NoteDriverEnded(pid);
//   KillOrphans();
#ifndef SOCKREF_CONFORMANCE_RUNNER_ORPHANS_H_
#define SOCKREF_CONFORMANCE_RUNNER_ORPHANS_H_

#include <sys/types.h>

#include <mutex>

namespace sockref::conformance::runner {

// ChildProcessesMutex guards the set of live drivers: hold it from fork() to NoteDriverStarted,
// so KillOrphans never takes a driver being started for an orphan.
std::mutex& ChildProcessesMutex();

// BecomeSubreaper makes this process the reaper of its descendants' orphans (once).
void BecomeSubreaper();

// NoteDriverStarted / NoteDriverEnded keep the set of live driver pids.
// REQUIRES (NoteDriverStarted): ChildProcessesMutex held.
void NoteDriverStarted(pid_t pid);
void NoteDriverEnded(pid_t pid);

// KillOrphans sends SIGKILL to, and reaps, every child of this process that is not a live driver,
// until none is left (an orphan's own children become orphans in turn). Returns how many it
// ended.
int KillOrphans();

}  // namespace sockref::conformance::runner

#endif  // SOCKREF_CONFORMANCE_RUNNER_ORPHANS_H_
