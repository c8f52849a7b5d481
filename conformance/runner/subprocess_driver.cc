#include "conformance/runner/subprocess_driver.h"

#include "conformance/runner/orphans.h"

#include "conformance/language/utf8.h"
#include "conformance/protocol/json_depth.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace sockref::conformance::runner {
namespace {

using nlohmann::json;

constexpr std::size_t kStderrTailBytes = 1500;
// A reply is a few kilobytes; a "line" this long is a driver spewing garbage.
// 6 MiB holds a 4 MB value in base64; with 6 lanes per implementation it bounds what a hostile
// driver can make the runner hold at once.
constexpr std::size_t kMaxLineBytes = 6 << 20;

// A reply over kLargeReplyBytes is read and parsed by at most kMaxLargeReplies lanes at once: a
// hostile driver answering every request with megabytes then costs the runner a bounded amount of
// memory however many lanes it has (docs/reliability.md measures it).
constexpr std::size_t kLargeReplyBytes = 1 << 20;
constexpr int kMaxLargeReplies = 2;

class LargeReplyGate {
 public:
  static LargeReplyGate& Get() {
    static auto* gate = new LargeReplyGate();
    return *gate;
  }
  // Enter waits for a place. Every holder leaves once it has decoded one reply, in bounded
  // time, so the wait ends; it returns how long it took.
  Clock::duration Enter() {
    const Clock::time_point start = Clock::now();
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return inside_ < kMaxLargeReplies; });
    ++inside_;
    return Clock::now() - start;
  }
  void Leave() {
    std::lock_guard lock(mu_);
    --inside_;
    cv_.notify_one();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int inside_ = 0;
};

int MillisUntil(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return static_cast<int>(std::clamp<std::chrono::milliseconds::rep>(left.count() + 1, 0, 60000));
}

void CloseFd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

// A driver that dies leaves a broken pipe; writing to it must fail with EPIPE, not kill the
// runner. CPython ignores SIGPIPE too, so the in-process reference sees the same world.
void IgnoreSigpipeOnce() {
  static std::once_flag once;
  std::call_once(once, [] { ::signal(SIGPIPE, SIG_IGN); });
}

std::string DescribeWaitStatus(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    return std::string("was killed by signal ") + std::to_string(WTERMSIG(status)) + " (" +
           ::strsignal(WTERMSIG(status)) + ")";
  }
  return "ended with wait status " + std::to_string(status);
}

// In the child, between fork and exec, only async-signal-safe calls are allowed (another
// thread may have held malloc's lock at fork time).
[[noreturn]] void ExecChild(const char* path, char* const* argv, int in, int out, int err,
                            int exec_error) {
  ::setpgid(0, 0);  // its own group, so a kill reaches anything it spawned
  ::signal(SIGPIPE, SIG_DFL);
  if (::dup2(in, 0) < 0 || ::dup2(out, 1) < 0 || ::dup2(err, 2) < 0) {
    int e = errno;
    (void)!::write(exec_error, &e, sizeof e);
    ::_exit(127);
  }
  // Descriptors another runner thread opened without O_CLOEXEC (a reference case's socket)
  // must not live on in the driver.
  // exec_error stays open until exec succeeds (it is O_CLOEXEC) or reports its failure.
  const unsigned keep = static_cast<unsigned>(exec_error);
  if ((keep > 3 && ::syscall(SYS_close_range, 3u, keep - 1, 0u) != 0) ||
      ::syscall(SYS_close_range, keep + 1, ~0u, 0u) != 0) {
    for (int fd = 3; fd < 65536; ++fd) {
      if (fd != exec_error) ::close(fd);
    }
  }
  ::execv(path, argv);
  int e = errno;
  (void)!::write(exec_error, &e, sizeof e);
  ::_exit(127);
}

}  // namespace

std::optional<std::string> FindProgram(const std::string& program) {
  auto executable = [](const std::string& p) {
    struct stat st;
    return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(p.c_str(), X_OK) == 0;
  };
  if (program.empty()) return std::nullopt;
  if (program.find('/') != std::string::npos) {
    if (executable(program)) return program;
    return std::nullopt;
  }
  const char* path = std::getenv("PATH");
  std::string dirs = path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    std::size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string dir = dirs.substr(start, end - start);
    std::string candidate = (dir.empty() ? "." : dir) + "/" + program;
    if (executable(candidate)) return candidate;
    start = end + 1;
  }
  return std::nullopt;
}

SubprocessDriver::SubprocessDriver(std::vector<std::string> argv) : argv_(std::move(argv)) {
  IgnoreSigpipeOnce();
}

SubprocessDriver::~SubprocessDriver() { Stop(); }

void SubprocessDriver::Spawn() {
  std::optional<std::string> path = FindProgram(argv_[0]);
  if (!path) throw DriverUnavailable("program not found: " + argv_[0], /*absent=*/true);
  std::vector<char*> args;
  for (std::string& a : argv_) args.push_back(a.data());
  args.push_back(nullptr);

  std::shared_lock lock(DescriptorTableLock());
  int in[2], out[2], err[2], exec_error[2];
  if (::pipe2(in, O_CLOEXEC) != 0) throw DriverUnavailable("pipe2 failed");
  if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0 ||
      ::pipe2(exec_error, O_CLOEXEC) != 0) {
    throw DriverUnavailable(std::string("pipe2 failed: ") + std::strerror(errno));
  }
  std::unique_lock children(ChildProcessesMutex());
  BecomeSubreaper();
  pid_t pid = ::fork();
  if (pid == 0) ExecChild(path->c_str(), args.data(), in[0], out[1], err[1], exec_error[1]);
  if (pid > 0) NoteDriverStarted(pid);
  children.unlock();
  ::close(in[0]);
  ::close(out[1]);
  ::close(err[1]);
  ::close(exec_error[1]);
  if (pid < 0) {
    ::close(in[1]);
    ::close(out[0]);
    ::close(err[0]);
    ::close(exec_error[0]);
    throw DriverUnavailable(std::string("fork failed: ") + std::strerror(errno));
  }
  pid_ = pid;
  to_child_ = in[1];
  from_child_ = out[0];
  child_err_ = err[0];
  ::fcntl(to_child_, F_SETFL, O_NONBLOCK);
  ::fcntl(child_err_, F_SETFL, O_NONBLOCK);
  int exec_errno = 0;
  ssize_t n;
  do {
    n = ::read(exec_error[0], &exec_errno, sizeof exec_errno);
  } while (n < 0 && errno == EINTR);
  ::close(exec_error[0]);
  lock.unlock();
  if (n == sizeof exec_errno) {
    Kill();
    throw DriverUnavailable("cannot run " + *path + ": " + std::strerror(exec_errno));
  }
}

json SubprocessDriver::Start(Clock::time_point deadline) {
  Kill();
  stderr_tail_.clear();
  last_exit_status_ = -1;
  Spawn();
  DriverReply r = Call(HelloRequest(), deadline);
  if (r.status != DriverReply::Status::kOk) {
    const bool absent = last_exit_status_ == kAbsentExitStatus;
    throw DriverUnavailable(std::string("no hello reply (") + StatusName(r.status) +
                                "): " + r.detail,
                            absent);
  }
  try {
    return CheckHello(r.message);
  } catch (const DriverUnavailable&) {
    Kill();
    throw;
  }
}

DriverReply SubprocessDriver::Call(const json& request, Clock::time_point deadline) {
  // The previous reply has been decoded and kept (or dropped) by now.
  ReleaseReplyMemory();
  throttled_ = Clock::duration::zero();
  DriverReply reply = CallOnce(request, deadline);
  reply.throttled = throttled_;
  return reply;
}

void SubprocessDriver::ReleaseReplyMemory() {
  if (!holds_large_reply_) return;
  LargeReplyGate::Get().Leave();
  holds_large_reply_ = false;
}

DriverReply SubprocessDriver::CallOnce(const json& request, Clock::time_point deadline) {
  if (pid_ < 0) return {DriverReply::Status::kCrashed, nullptr, "driver is not running"};
  if (!WriteAll(request.dump() + "\n", deadline)) {
    if (Clock::now() >= deadline) {
      return Failure(DriverReply::Status::kHung, "driver stopped reading its input");
    }
    return Failure(DriverReply::Status::kCrashed, "driver closed its input");
  }
  std::string line;
  DriverReply::Status status = ReadLine(deadline, line);
  if (status == DriverReply::Status::kHung) {
    return Failure(status,
                   "no reply to " + request.value("op", std::string("?")) + " within the deadline");
  }
  if (status == DriverReply::Status::kGarbage) {
    return Failure(status, "reply line longer than " + std::to_string(kMaxLineBytes) + " bytes");
  }
  if (status == DriverReply::Status::kCrashed) return Failure(status, "driver closed its output");
  if (JsonNestingExceeds(line, kMaxProtocolNesting)) {
    return Failure(DriverReply::Status::kGarbage,
                   "reply nested more than " + std::to_string(kMaxProtocolNesting) + " levels deep");
  }
  json reply = json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (reply.is_object()) std::string().swap(line);  // the parsed reply holds it now
  if (!reply.is_object()) {
    std::string shown = SanitizedUtf8(line.substr(0, 200));
    return Failure(DriverReply::Status::kGarbage, "reply is not a JSON object: " + shown);
  }
  if (std::optional<std::string> why = MismatchedReply(request, reply)) {
    return Failure(DriverReply::Status::kGarbage, *why);
  }
  return {DriverReply::Status::kOk, std::move(reply), ""};
}

void SubprocessDriver::Stop() {
  ReleaseReplyMemory();
  if (pid_ < 0) return;
  std::string line;
  if (WriteAll(json{{"op", "quit"}}.dump() + "\n", Deadline(0.5))) {
    ReadLine(Deadline(0.5), line);
  }
  Kill();
}

bool SubprocessDriver::WriteAll(const std::string& data, Clock::time_point deadline) {
  std::size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(to_child_, data.data() + done, data.size() - done);
    if (n > 0) {
      done += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != EAGAIN) return false;  // EPIPE: the driver is gone
    pollfd p{to_child_, POLLOUT, 0};
    int ready = ::poll(&p, 1, MillisUntil(deadline));
    if (ready == 0 && Clock::now() >= deadline) return false;
  }
  return true;
}

DriverReply::Status SubprocessDriver::ReadLine(Clock::time_point deadline, std::string& line) {
  std::size_t searched = 0;  // a multi-megabyte reply arrives in many reads: scan each once
  while (true) {
    std::size_t newline = pending_.find('\n', searched);
    if (newline != std::string::npos) {
      if (newline + 1 == pending_.size()) {  // the usual case: no copy of a large reply
        line.swap(pending_);
        line.resize(newline);
        pending_.clear();
      } else {
        line = pending_.substr(0, newline);
        pending_.erase(0, newline + 1);
      }
      searched = 0;
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;  // blank: skip
      return DriverReply::Status::kOk;
    }
    searched = pending_.size();
    if (pending_.size() > kMaxLineBytes) return DriverReply::Status::kGarbage;
    if (!holds_large_reply_ && pending_.size() > kLargeReplyBytes) {
      // The wait is the runner's, not the driver's: the deadline moves by it.
      const Clock::duration waited = LargeReplyGate::Get().Enter();
      deadline += waited;
      throttled_ += waited;
      holds_large_reply_ = true;
    }
    if (Clock::now() >= deadline) return DriverReply::Status::kHung;
    pollfd fds[2] = {{from_child_, POLLIN, 0}, {child_err_, POLLIN, 0}};
    int ready = ::poll(fds, child_err_ >= 0 ? 2 : 1, MillisUntil(deadline));
    if (ready < 0 && errno != EINTR) return DriverReply::Status::kCrashed;
    if (ready <= 0) continue;
    if (child_err_ >= 0 && fds[1].revents != 0) DrainStderr();
    if (fds[0].revents != 0) {
      char buf[65536];
      ssize_t n = ::read(from_child_, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return DriverReply::Status::kCrashed;  // EOF: the driver closed stdout
      pending_.append(buf, static_cast<std::size_t>(n));
    }
  }
}

void SubprocessDriver::DrainStderr() {
  char buf[4096];
  while (child_err_ >= 0) {
    ssize_t n = ::read(child_err_, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) {
      CloseFd(child_err_);  // closed stderr; keep reading stdout alone
      break;
    }
    if (n < 0) break;  // EAGAIN: drained for now
    stderr_tail_.append(buf, static_cast<std::size_t>(n));
    if (stderr_tail_.size() > kStderrTailBytes) {
      stderr_tail_.erase(0, stderr_tail_.size() - kStderrTailBytes);
    }
  }
}

std::string SubprocessDriver::Kill() {
  if (pid_ < 0) return "not running";
  DrainStderr();
  // A driver that closed stdout is usually exiting by itself; give it a moment so its own
  // exit status, not our SIGKILL, is what the report shows.
  int status = 0;
  pid_t reaped = 0;
  for (int i = 0; i < 20 && reaped == 0; ++i) {
    reaped = ::waitpid(pid_, &status, WNOHANG);
    if (reaped == 0 && i == 0) {
      pollfd p{from_child_, POLLIN, 0};
      if (::poll(&p, 1, 0) == 0) break;  // still alive and quiet: a hang, kill it now
    }
    if (reaped == 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const bool killed = reaped == 0;
  if (killed) {
    ::kill(-pid_, SIGKILL);
    ::kill(pid_, SIGKILL);
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  } else {
    ::kill(-pid_, SIGKILL);  // anything it left behind in its group
  }
  // Reading /proc to find orphans opens descriptors: not while an in-process case counts them.
  std::shared_lock lock(DescriptorTableLock());
  // Whatever the driver started and left behind outside its group (setsid) is now this
  // process's child: end it too.
  NoteDriverEnded(pid_);
  KillOrphans();
  CloseFd(to_child_);
  CloseFd(from_child_);
  DrainStderr();
  CloseFd(child_err_);
  pid_ = -1;
  pending_.clear();
  last_exit_status_ = !killed && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return killed ? "the runner killed it" : "it " + DescribeWaitStatus(status);
}

DriverReply SubprocessDriver::Failure(DriverReply::Status status, const std::string& what) {
  std::string detail = what + "; " + Kill();
  std::string tail = stderr_tail_;
  while (!tail.empty() && (tail.back() == '\n' || tail.back() == ' ')) tail.pop_back();
  if (!tail.empty()) {
    // The last lines are where a traceback says what went wrong.
    std::size_t cut = tail.size() > 600 ? tail.find('\n', tail.size() - 600) : 0;
    detail += "; stderr: " + SanitizedUtf8(tail.substr(cut == std::string::npos ? 0 : cut));
  }
  return {status, nullptr, detail};
}

}  // namespace sockref::conformance::runner
