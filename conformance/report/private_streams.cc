#include "conformance/report/private_streams.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <utility>

namespace sockref::conformance::report {
namespace {

constexpr std::size_t kFlushAt = 64 * 1024;

// DuplicateHigh returns a close-on-exec duplicate of `fd` numbered kFirstPrivateFd or above, or
// the lowest free number above 2 when the descriptor limit is lower than that; -1 on failure.
int DuplicateHigh(int fd) {
  const int high = ::fcntl(fd, F_DUPFD_CLOEXEC, DescriptorBuf::kFirstPrivateFd);
  return high >= 0 ? high : ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
}

}  // namespace

DescriptorBuf::DescriptorBuf(int fd, bool buffered) : buffered_(buffered) {
  fd_ = DuplicateHigh(fd);
  struct stat st {};
  if (fd_ < 0 || ::fstat(fd_, &st) != 0) {
    Fail("cannot duplicate descriptor " + std::to_string(fd) + ": " + std::strerror(errno));
    return;
  }
  dev_ = st.st_dev;
  ino_ = st.st_ino;
}

DescriptorBuf::~DescriptorBuf() {
  sync();
  if (fd_ >= 0) ::close(fd_);
}

std::string DescriptorBuf::error() const {
  std::lock_guard<std::mutex> lock(error_mu_);
  return error_;
}

void DescriptorBuf::Fail(const std::string& why) {
  std::lock_guard<std::mutex> lock(error_mu_);
  if (error_.empty()) error_ = why;
}

bool DescriptorBuf::WriteAll(const char* data, std::size_t size) {
  if (!error().empty()) return false;
  struct stat st {};
  if (::fstat(fd_, &st) != 0 || st.st_dev != dev_ || st.st_ino != ino_) {
    Fail("descriptor " + std::to_string(fd_) + " no longer is the file it was duplicated from");
    return false;
  }
  while (size > 0) {
    const ssize_t n = ::write(fd_, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      Fail(std::string("write failed: ") + (n < 0 ? std::strerror(errno) : "wrote nothing"));
      return false;
    }
    data += n;
    size -= std::size_t(n);
  }
  return true;
}

int DescriptorBuf::overflow(int c) {
  if (c == traits_type::eof()) return sync() == 0 ? 0 : traits_type::eof();
  const char ch = char(c);
  return xsputn(&ch, 1) == 1 ? c : traits_type::eof();
}

std::streamsize DescriptorBuf::xsputn(const char* s, std::streamsize n) {
  if (!buffered_) return WriteAll(s, std::size_t(n)) ? n : 0;
  pending_.append(s, std::size_t(n));
  if (pending_.size() >= kFlushAt && sync() != 0) return 0;
  return n;
}

int DescriptorBuf::sync() {
  if (pending_.empty()) return error().empty() ? 0 : -1;
  const bool ok = WriteAll(pending_.data(), pending_.size());
  pending_.clear();
  return ok ? 0 : -1;
}

PrivateStandardStreams::PrivateStandardStreams(std::string program)
    : program_(std::move(program)),
      out_(STDOUT_FILENO, /*buffered=*/true),
      err_(STDERR_FILENO, /*buffered=*/false),
      old_out_(std::cout.rdbuf(&out_)),
      old_err_(std::cerr.rdbuf(&err_)) {}

PrivateStandardStreams::~PrivateStandardStreams() {
  std::cout.rdbuf(old_out_);
  std::cerr.rdbuf(old_err_);
}

int PrivateStandardStreams::Finish(int status) {
  std::cout.flush();
  out_.pubsync();
  const std::string why = out_.error();
  if (why.empty()) return status;
  const std::string line = program_ + ": the report could not be written to stdout (" + why +
                           "); the run's exit status would have been " + std::to_string(status) +
                           "\n";
  std::cerr << line << std::flush;
  // The private stderr may be lost too: descriptor 2 is the last way left to say so.
  if (!err_.error().empty()) (void)!::write(STDERR_FILENO, line.data(), line.size());
  return 2;
}

}  // namespace sockref::conformance::report
