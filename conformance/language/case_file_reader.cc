#include "conformance/language/case_file_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "conformance/language/case_parser.h"

namespace sockref::conformance::language_internal {
namespace {

// kMaxCaseFileBytes bounds a case file: the largest area is tens of kilobytes.
constexpr off_t kMaxCaseFileBytes = 16 << 20;

}  // namespace

std::string ReadCaseFileText(const std::string& path) {
  auto fail = [&](const std::string& why) -> CaseParseError { return CaseParseError(path, 0, why); };
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) throw fail(std::string("cannot read: ") + std::strerror(errno));
  struct FdCloser {
    int fd;
    ~FdCloser() { ::close(fd); }
  } closer{fd};
  struct stat st;
  if (::fstat(fd, &st) != 0) throw fail(std::string("cannot read: ") + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) throw fail("not a regular file");
  if (st.st_size > kMaxCaseFileBytes) {
    throw fail("larger than " + std::to_string(kMaxCaseFileBytes >> 20) + " MiB");
  }
  std::string text(static_cast<std::size_t>(st.st_size), '\0');
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::read(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw fail(std::string("cannot read: ") + std::strerror(errno));
    if (n == 0) break;  // shrank while read
    done += static_cast<std::size_t>(n);
  }
  text.resize(done);
  return text;
}

}  // namespace sockref::conformance::language_internal
