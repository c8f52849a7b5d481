#include "conformance/runner/orphans.h"

#include <dirent.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <set>
#include <string>
#include <vector>

namespace sockref::conformance::runner {
namespace {

std::set<pid_t>& LiveDrivers() {
  static auto* drivers = new std::set<pid_t>();  // guarded by ChildProcessesMutex
  return *drivers;
}

// ParentOf returns the parent pid of `pid` from /proc/<pid>/stat, or -1.
pid_t ParentOf(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  std::getline(in, stat);
  // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so parse after the last ')'.
  const std::size_t close = stat.rfind(')');
  if (close == std::string::npos) return -1;
  char state = 0;
  int ppid = -1;
  if (std::sscanf(stat.c_str() + close + 1, " %c %d", &state, &ppid) != 2) return -1;
  return ppid;
}

// ChildrenOf returns this process's children listed in /proc.
std::vector<pid_t> OwnChildren() {
  std::vector<pid_t> out;
  DIR* dir = ::opendir("/proc");
  if (dir == nullptr) return out;
  const pid_t self = ::getpid();
  while (dirent* e = ::readdir(dir)) {
    char* end = nullptr;
    const long pid = std::strtol(e->d_name, &end, 10);
    if (end == e->d_name || *end != '\0' || pid <= 0) continue;
    if (ParentOf(static_cast<pid_t>(pid)) == self) out.push_back(static_cast<pid_t>(pid));
  }
  ::closedir(dir);
  return out;
}

}  // namespace

std::mutex& ChildProcessesMutex() {
  static auto* mu = new std::mutex();
  return *mu;
}

void BecomeSubreaper() {
  static std::once_flag once;
  std::call_once(once, [] { ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); });
}

void NoteDriverStarted(pid_t pid) { LiveDrivers().insert(pid); }

void NoteDriverEnded(pid_t pid) {
  std::lock_guard lock(ChildProcessesMutex());
  LiveDrivers().erase(pid);
}

int KillOrphans() {
  std::lock_guard lock(ChildProcessesMutex());
  int ended = 0;
  // Each round ends the orphans found; their own children are reparented here as they die.
  for (int round = 0; round < 16; ++round) {
    std::vector<pid_t> orphans;
    for (pid_t pid : OwnChildren()) {
      if (LiveDrivers().count(pid) == 0) orphans.push_back(pid);
    }
    if (orphans.empty()) break;
    for (pid_t pid : orphans) ::kill(pid, SIGKILL);
    for (pid_t pid : orphans) {
      while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
      }
      ++ended;
    }
  }
  return ended;
}

}  // namespace sockref::conformance::runner
