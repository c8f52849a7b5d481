// socket_stream.h: SocketStream, Python's socket.makefile() as a C++ iostream.
//
//   auto [a, b] = sockref::socketpair();
//   sockref::SocketStream out(a, "w");          // a.makefile("w")
//   out << "hello " << 42 << '\n' << std::flush;
//   sockref::SocketStream in(b, "r");           // b.makefile("r")
//   std::string line;
//   std::getline(in, line);                     // "hello 42"
//
// What it is: a buffered binary stream over a borrowed Socket, like the
// BufferedReader / BufferedWriter / BufferedRWPair over SocketIO that
// makefile() builds. Reads use Socket::recv_into, writes Socket::send, so the
// socket's mode applies to every system call the stream makes. Text (encoding,
// errors, newline translation: Python's TextIOWrapper) is a Python-level
// concern and not provided: "r" and "rb" behave the same, bytes in, bytes out.
//
// Errors. iostreams normally swallow exceptions into badbit; a SocketStream is
// constructed with exceptions(std::ios::badbit) instead, so a failed socket
// call surfaces as the sockref exception Python would raise (socket.timeout,
// ConnectionResetError, ...), rethrown unchanged by the stream operation:
//   * end of stream is not an error: eofbit (and failbit if nothing was read);
//   * a timeout throws sockref::TimeoutError("timed out"); as in Python, every
//     later read then raises OSError("cannot read from timed out object")
//     (data may have been lost mid-buffer), while writes still work. Call
//     clear() before using the stream again.
// A caller who prefers flags may call exceptions(std::ios::goodbit): failures
// then set badbit, and timed_out() / last_error() tell a timeout from EOF.
//
// Lifetime. Python keeps the socket open until every makefile() object is
// closed (socket._io_refs). A SocketStream borrows its Socket instead: the
// Socket must outlive the stream, and closing the Socket makes later stream
// I/O fail with OSError EBADF. The destructor flushes pending output and
// ignores errors (as Python's IOBase.__del__ does); call close() or flush() to
// see them.
//
// Modes. As Python requires, use the socket in blocking or timeout mode. In
// non-blocking mode an operation that would block throws BlockingIOError
// (Python's buffered objects return None or raise BlockingIOError there).
// Python's BufferedRWPair does not flush its writer before reading and neither
// does a "rw" SocketStream: flush() a request before waiting for its reply.
#ifndef SOCKREF_IMPL_SOCKET_STREAM_H_
#define SOCKREF_IMPL_SOCKET_STREAM_H_

#include <cstddef>
#include <cstdint>
#include <exception>
#include <iostream>
#include <memory>
#include <optional>
#include <streambuf>
#include <string_view>

#include "impl/socket.h"

namespace sockref {

namespace socket_stream_internal {
class SocketStreamBuf;
}  // namespace socket_stream_internal

class SocketStream : public std::iostream {
 public:
  // kDefaultBufferSize is io.DEFAULT_BUFFER_SIZE, used when buffering is
  // nullopt or negative.
  static constexpr std::int64_t kDefaultBufferSize = 8192;

  // SocketStream(sock, mode, buffering) is sock.makefile(mode, buffering).
  // mode is made of 'r', 'w' and 'b' in any order and number: reading if it has
  // 'r' or no 'w', writing if it has 'w' ("" and "b" read). buffering is the
  // buffer size in bytes for each direction; nullopt or negative means
  // kDefaultBufferSize; 0 means unbuffered (every write is sent at once).
  // Raises: ValueError("invalid mode 'x' (only r, w, b allowed)") with Python's
  // repr() of mode; ValueError("unbuffered streams must be binary") for
  // buffering 0 without 'b' in mode, as Python checks even though this stream is
  // always binary. std::bad_alloc for an impossible buffer size.
  // REQUIRES: sock outlives the stream.
  explicit SocketStream(Socket& sock, std::string_view mode = "r",
                        std::optional<std::int64_t> buffering = std::nullopt);
  // ~SocketStream flushes pending output, ignoring errors.
  ~SocketStream() override;
  SocketStream(const SocketStream&) = delete;
  SocketStream& operator=(const SocketStream&) = delete;

  // readable / writable return the directions the mode allows.
  bool readable() const;
  bool writable() const;

  // close flushes pending output and closes the stream (not the socket); later
  // reads raise ValueError("read of closed file") (input already buffered is
  // discarded, as Python's reader refuses it too), writes ValueError("write to
  // closed file"), flushes ValueError("flush of closed file"). Closing twice is
  // a no-op. The stream is closed even when the flush fails, as Python's close()
  // is; the failure (the socket's exception) is thrown, or only sets badbit if
  // exceptions() no longer has badbit.
  void close();
  bool closed() const;

  // timed_out returns whether a read has timed out (after which reads raise
  // OSError("cannot read from timed out object")).
  bool timed_out() const;
  // last_error returns the exception behind the most recent failed stream
  // operation, nullptr if none has failed.
  std::exception_ptr last_error() const;

  // socket returns the borrowed socket.
  Socket& socket() const;

 private:
  std::unique_ptr<socket_stream_internal::SocketStreamBuf> buf_;
};

}  // namespace sockref

#endif  // SOCKREF_IMPL_SOCKET_STREAM_H_
