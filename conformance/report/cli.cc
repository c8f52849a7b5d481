#include "conformance/report/cli.h"

#include <fcntl.h>
#include <malloc.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

namespace sockref::conformance::report {
namespace {

namespace fs = std::filesystem;

bool HoldsSuite(const std::string& dir) {
  std::error_code ec;
  return fs::exists(dir + "/conformance/implementations.json", ec);
}

// PositiveInt parses a job count: digits only, 1 to 256.
bool PositiveInt(const std::string& text, int& out) {
  if (text.empty() || text.size() > 3 ||
      text.find_first_not_of("0123456789") != std::string::npos) {
    return false;
  }
  out = std::atoi(text.c_str());
  return out >= 1 && out <= 256;
}

}  // namespace

const char kSuiteFlagsUsage[] =
    "  --impl NAME       run this implementation (repeatable, in column order; default: the\n"
    "                    registry's defaults); a glob ('cpython-3.*') adds every registered\n"
    "                    name it matches, in registry order, and may match none\n"
    "  --registry FILE   add the implementations of another registry file (repeatable);\n"
    "                    in its argv, {dir} is that file's directory\n"
    "  --expectations NAME=FILE  known failures of NAME (default:\n"
    "                    conformance/expectations/NAME.txt)\n"
    "  --filter GLOB     only cases whose id matches GLOB (fnmatch), e.g. 'timeouts.*'\n"
    "                    (repeatable: cases matching any; matching none is an error)\n"
    "  --cases DIR       read DIR/*.cases instead of conformance/cases\n"
    "  --jobs N          driver processes per subprocess implementation (1-256, default 6;\n"
    "                    fewer when many implementations run: 24 in all at most)\n"
    "  --target-version X.Y  judge every implementation but the oracle at Python X.Y instead\n"
    "                    of the version its driver's hello names (CASES.md, \"Versions\")\n"
    "  --oracle NAME     the implementation that is the oracle (default: the registry's); it\n"
    "                    confirms the table at its own version\n"
    "Set SOCKREF_TIME_MULTIPLIER on a slow or loaded machine (CASES.md, \"Timing\").\n";

void EnsureStandardDescriptors() {
  for (int fd = 0; fd <= 2; ++fd) {
    if (::fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
    const int opened = ::open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
    // open() returns the lowest free descriptor: `fd` itself, as the lower ones are open.
    if (opened != fd && opened >= 0) ::close(opened);
  }
}

void PrepareProcess() {
  EnsureStandardDescriptors();
  ::mallopt(M_MMAP_THRESHOLD, 256 * 1024);
}

std::string FindRoot(const char* argv0) {
  std::vector<std::string> candidates;
  if (const char* r = std::getenv("RUNFILES_DIR"))
    candidates.push_back(std::string(r) + "/sockref");
  candidates.push_back(std::string(argv0) + ".runfiles/sockref");
  // A release tree: bin/report beside conformance/.
  std::error_code ec;
  const fs::path self = fs::canonical("/proc/self/exe", ec);
  if (!ec) candidates.push_back(self.parent_path().parent_path().string());
  candidates.push_back(fs::current_path(ec).string());
  if (const char* w = std::getenv("BUILD_WORKSPACE_DIRECTORY")) candidates.push_back(w);
  for (const std::string& c : candidates) {
    if (HoldsSuite(c)) return fs::absolute(c, ec).string();
  }
  return "";
}

std::string UserPath(const std::string& path) {
  if (path.empty() || path[0] == '/') return path;
  const char* wd = std::getenv("BUILD_WORKING_DIRECTORY");
  return wd != nullptr ? std::string(wd) + "/" + path : path;
}

FlagParse ParseSuiteFlag(int argc, char** argv, int& i, runner::SuiteOptions& options,
                         std::string& error) {
  const std::string flag = argv[i];
  static const std::vector<std::string> kFlags = {
      "--impl", "--registry", "--expectations", "--filter", "--cases", "--jobs",
      "--target-version", "--oracle"};
  bool known = false;
  for (const std::string& f : kFlags) known |= flag == f;
  if (!known) return FlagParse::kNotMine;
  if (i + 1 >= argc) {
    error = flag + " needs a value";
    return FlagParse::kBad;
  }
  const std::string value = argv[++i];
  if (flag == "--impl") {
    options.implementations.push_back(value);
  } else if (flag == "--registry") {
    options.extra_registries.push_back(UserPath(value));
  } else if (flag == "--expectations") {
    const std::size_t eq = value.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == value.size()) {
      error = "--expectations takes NAME=FILE, got '" + value + "'";
      return FlagParse::kBad;
    }
    options.expectations[value.substr(0, eq)] = UserPath(value.substr(eq + 1));
  } else if (flag == "--filter") {
    options.filters.push_back(value);
  } else if (flag == "--cases") {
    options.cases_dir = UserPath(value);
  } else if (flag == "--target-version") {
    options.target_version = ParsePythonVersion(value);
    if (!options.target_version) {
      error = "--target-version takes a Python version such as 3.9, got '" + value + "'";
      return FlagParse::kBad;
    }
  } else if (flag == "--oracle") {
    options.oracle = value;
  } else if (!PositiveInt(value, options.jobs)) {
    error = "--jobs takes a number from 1 to 256, got '" + value + "'";
    return FlagParse::kBad;
  }
  return FlagParse::kTaken;
}

}  // namespace sockref::conformance::report
