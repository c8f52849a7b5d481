// reference_driver_main.cc: the reference driver as a program speaking PROTOCOL.md over
// stdin/stdout, for runners that talk to every driver the same way:
//
//   $ bazel-bin/conformance/drivers/reference/reference_driver
//   {"op": "hello", "protocol": "sockref-driver/1"}
//   {"op":"hello","protocol":"sockref-driver/1","implementation":"sockref",...}
//
// One JSON request per line in, one reply per line out, flushed. A line that is not JSON gets
// an error reply and the conversation goes on. The program exits with status 0 after `quit`
// or at the end of its input (which ends an open case first).
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "conformance/protocol/json_depth.h"
#include "conformance/drivers/reference/reference_driver.h"

namespace {

// WriteLine writes `line` and a newline to `fd`, retrying short writes. Returns false when
// the reader has gone away.
bool WriteLine(int fd, std::string line) {
  line += '\n';
  std::size_t done = 0;
  while (done < line.size()) {
    const ssize_t n = ::write(fd, line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

int main() {
  // sockref sends with MSG_NOSIGNAL; this covers writing a reply to a runner that has gone
  // away, so the driver ends quietly instead of by signal.
  std::signal(SIGPIPE, SIG_IGN);
  // Replies go to a private copy of the original stdout, and descriptor 1 becomes stderr:
  // nothing a step does (a case may even close descriptor 1) can corrupt the protocol stream.
  const int out = ::fcntl(1, F_DUPFD_CLOEXEC, 3);
  if (out < 0 || ::dup2(2, 1) < 0) return 1;
  std::ios::sync_with_stdio(false);

  sockref::conformance::ReferenceDriver driver;
  std::string line;
  while (std::getline(std::cin, line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    nlohmann::json reply;
    try {
      if (sockref::conformance::JsonNestingExceeds(line,
                                                   sockref::conformance::kMaxProtocolNesting)) {
        // Refused before parsing: copying or echoing such a request would recurse
        // once per level and overflow the stack.
        reply = {{"error", "request nested more than " +
                               std::to_string(sockref::conformance::kMaxProtocolNesting) +
                               " levels deep"}};
      } else {
        reply = driver.Handle(nlohmann::json::parse(line));
      }
    } catch (const nlohmann::json::parse_error& e) {
      reply = {{"error", std::string("not a JSON line: ") + e.what()}};
    }
    // Invalid UTF-8 in a reply (it can only come from the request) is replaced, not fatal.
    if (!WriteLine(out, reply.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))) {
      break;
    }
    if (driver.quit_requested()) break;
  }
  return 0;
}
