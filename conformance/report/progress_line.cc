#include "conformance/report/progress_line.h"

#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <utility>

namespace sockref::conformance::report {

ProgressLine::ProgressLine(std::ostream& out, std::string program, bool terminal)
    : out_(out), program_(std::move(program)), terminal_(terminal) {}

bool ProgressLine::IsTerminal(int fd) {
  const char* term = std::getenv("TERM");
  return ::isatty(fd) == 1 && term != nullptr && *term != '\0' && std::strcmp(term, "dumb") != 0;
}

void ProgressLine::Area(const std::string& line) {
  if (terminal_) return;  // the updating line already says where the run is
  std::lock_guard lock(mu_);
  out_ << program_ << ": " << line << std::endl;
}

void ProgressLine::Case(int done, int total, const std::string& area) {
  if (!terminal_) return;
  std::lock_guard lock(mu_);
  // "\r" returns to the line's start, "ESC [K" erases what a longer earlier line left.
  out_ << "\r" << program_ << ": [" << done << "/" << total << " cases] " << area << "\x1b[K"
       << std::flush;
  drawn_ = true;
}

void ProgressLine::Finish() {
  std::lock_guard lock(mu_);
  if (!drawn_) return;
  out_ << "\n" << std::flush;
  drawn_ = false;
}

}  // namespace sockref::conformance::report
