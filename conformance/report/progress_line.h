// progress_line.h: how a front end shows a long run's progress on stderr.
//
//   ProgressLine progress(std::cerr, "report", ProgressLine::IsTerminal(STDERR_FILENO));
//   options.progress = [&](const std::string& line) { progress.Area(line); };
//   options.case_done = [&](int done, int total, const std::string& area) {
//     progress.Case(done, total, area);
//   };
//   RunResults results = RunSuite(*suite);
//   progress.Finish();
//
// On a terminal, one line rewritten in place as cases finish: "report: [37/469 cases] timeouts".
// Anywhere else (a CI log, a file, a pipe) the runner's line per finished area, as before
// ("report: [3/12] timeouts: 61 cases done"): no carriage returns or escape sequences in logs,
// and output that tests can compare.
#ifndef SOCKREF_CONFORMANCE_REPORT_PROGRESS_LINE_H_
#define SOCKREF_CONFORMANCE_REPORT_PROGRESS_LINE_H_

#include <mutex>
#include <ostream>
#include <string>

namespace sockref::conformance::report {

class ProgressLine {
 public:
  // `out` receives the progress, each line prefixed by "`program`: "; `terminal` chooses the
  // updating line.
  ProgressLine(std::ostream& out, std::string program, bool terminal);

  // IsTerminal says whether descriptor `fd` is a terminal that understands "\r" and "ESC [K":
  // isatty(fd), and TERM is set and is not "dumb".
  static bool IsTerminal(int fd);

  // Area shows the runner's line for a finished area (not on a terminal).
  void Area(const std::string& line);
  // Case shows that `done` of `total` cases are finished, the last one in `area` (on a terminal).
  void Case(int done, int total, const std::string& area);
  // Finish ends the updating line, so what follows starts on a line of its own. Idempotent.
  void Finish();

 private:
  std::mutex mu_;  // the runner calls from several threads
  std::ostream& out_;
  const std::string program_;
  const bool terminal_;
  bool drawn_ = false;  // the updating line is on screen, not yet ended
};

}  // namespace sockref::conformance::report

#endif  // SOCKREF_CONFORMANCE_REPORT_PROGRESS_LINE_H_
