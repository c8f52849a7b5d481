// private_streams.h: the front ends' std::cout and std::cerr, on descriptors no case can reach.
//
// The in-process reference runs a case table's steps in the runner's own process, so a hostile
// or careless table shares its descriptor table: `>>> close(1)` closed the runner's stdout, the
// report was written to nothing, and the run exited 0 with no "Result:" line. Duplicating 1 and
// 2 at startup to high, close-on-exec descriptors keeps the report's way out of the table's
// reach (a table closes the numbers it was given), and checking every write keeps a verdict
// from being lost silently if one is reached anyway.
//
//   int main(int argc, char** argv) {
//     PrepareProcess();
//     PrivateStandardStreams streams("report");  // before any case runs
//     return streams.Finish(Run(argc, argv));
//   }
#ifndef SOCKREF_CONFORMANCE_REPORT_PRIVATE_STREAMS_H_
#define SOCKREF_CONFORMANCE_REPORT_PRIVATE_STREAMS_H_

#include <sys/types.h>

#include <mutex>
#include <streambuf>
#include <string>

namespace sockref::conformance::report {

// DescriptorBuf is a streambuf writing to a private duplicate of a descriptor. Every write first
// checks the duplicate still is the file it was made from (device and inode), so a descriptor
// closed and reused by something else is never written to; the first failure is kept in error().
class DescriptorBuf : public std::streambuf {
 public:
  // Duplicates `fd` (close-on-exec, numbered from kFirstPrivateFd when the limit allows).
  // `buffered`: keep output until sync() or 64 KiB; else write each piece at once.
  DescriptorBuf(int fd, bool buffered);
  ~DescriptorBuf() override;
  DescriptorBuf(const DescriptorBuf&) = delete;
  DescriptorBuf& operator=(const DescriptorBuf&) = delete;

  int fd() const { return fd_; }
  // error() is "" while every byte has been written, else why the first write failed.
  std::string error() const;

  static constexpr int kFirstPrivateFd = 900;

 protected:
  int overflow(int c) override;
  std::streamsize xsputn(const char* s, std::streamsize n) override;
  int sync() override;

 private:
  bool WriteAll(const char* data, std::size_t size);
  void Fail(const std::string& why);

  int fd_ = -1;
  dev_t dev_ = 0;
  ino_t ino_ = 0;
  bool buffered_;
  std::string pending_;
  mutable std::mutex error_mu_;  // drivers' threads report progress on std::cerr
  std::string error_;            // the first failure; once set, nothing more is written
};

// PrivateStandardStreams points std::cout and std::cerr at DescriptorBufs over 1 and 2 for its
// lifetime (and restores them after).
class PrivateStandardStreams {
 public:
  explicit PrivateStandardStreams(std::string program);
  ~PrivateStandardStreams();

  // The private stderr, for isatty().
  int err_fd() const { return err_.fd(); }
  // Finish flushes the report and returns `status`, or 2 after a one-line reason on stderr (the
  // private one, else descriptor 2) when any of the report could not be written.
  int Finish(int status);

 private:
  std::string program_;
  DescriptorBuf out_;
  DescriptorBuf err_;
  std::streambuf* old_out_;
  std::streambuf* old_err_;
};

}  // namespace sockref::conformance::report

#endif  // SOCKREF_CONFORMANCE_REPORT_PRIVATE_STREAMS_H_
