// replay_main: runs a fuzzer's LLVMFuzzerTestOneInput over committed inputs, without
// libFuzzer, so every `bazel test //...` (with the default compiler, no sanitizers
// required) replays each fuzzer's seed corpus and every crash it ever found.
//
//   replay_main fuzz/corpus/inet --optional fuzz/regressions/inet
//
// Each argument is a directory whose regular files are inputs (names starting with '.'
// and README files are skipped), or a single input file. A directory must exist and hold
// at least one input unless it follows --optional (regressions/<name>/ exists only once
// a fuzzer has found something). A finding aborts, which fails the test; the last
// "replaying" line names the input.
#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
// A fuzzer may define LLVMFuzzerInitialize; libFuzzer calls it first, and so does this.
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int* argc, char*** argv);

namespace {

bool IsDirectory(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool IsRegularFile(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// Inputs returns the input files of `path` in name order (so runs are reproducible).
std::vector<std::string> Inputs(const std::string& path) {
  if (!IsDirectory(path)) return IsRegularFile(path) ? std::vector<std::string>{path}
                                                     : std::vector<std::string>{};
  std::vector<std::string> files;
  if (DIR* dir = ::opendir(path.c_str())) {
    while (dirent* entry = ::readdir(dir)) {
      const std::string_view name = entry->d_name;
      if (name.empty() || name[0] == '.' || name.substr(0, 6) == "README") continue;
      const std::string file = path + "/" + std::string(name);
      if (IsRegularFile(file)) files.push_back(file);
    }
    ::closedir(dir);
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

int main(int argc, char** argv) {
  if (LLVMFuzzerInitialize != nullptr) LLVMFuzzerInitialize(&argc, &argv);
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s DIR_OR_FILE... [--optional DIR_OR_FILE...]\n", argv[0]);
    return 2;
  }
  bool optional = false;
  int total = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--optional") {
      optional = true;
      continue;
    }
    const std::vector<std::string> files = Inputs(arg);
    if (files.empty() && !optional) {
      std::fprintf(stderr, "%s: no inputs (missing or empty)\n", arg.c_str());
      return 1;
    }
    for (const std::string& file : files) {
      std::ifstream in(file, std::ios::binary);
      const std::vector<char> bytes((std::istreambuf_iterator<char>(in)),
                                    std::istreambuf_iterator<char>());
      if (!in.eof() && in.fail()) {
        std::fprintf(stderr, "%s: cannot read\n", file.c_str());
        return 1;
      }
      std::fprintf(stderr, "replaying %s (%zu bytes)\n", file.c_str(), bytes.size());
      // A copy of exactly the input's size, as libFuzzer passes it, so an over-read
      // shows under a sanitizer build too.
      std::vector<std::uint8_t> data(bytes.begin(), bytes.end());
      LLVMFuzzerTestOneInput(data.data(), data.size());
      ++total;
    }
    std::printf("%s: %zu inputs replayed\n", arg.c_str(), files.size());
  }
  std::printf("%d inputs replayed, no finding\n", total);
  return 0;
}
