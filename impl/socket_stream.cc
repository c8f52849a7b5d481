// socket_stream.cc: the streambuf behind SocketStream, mirroring the checks of
// Lib/socket.py's makefile() and SocketIO and of io.Buffered{Reader,Writer}.
#include "impl/socket_stream.h"

#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstring>
#include <string>

#include "impl/error.h"

namespace sockref {
namespace socket_stream_internal {
namespace {

// PyRepr returns Python's repr() of an ASCII str: single quotes unless the text
// has a single quote and no double quote, backslash escapes for the quote, \\,
// \t, \n, \r and \xNN for other control characters. Non-ASCII bytes pass through.
std::string PyRepr(std::string_view s) {
  const bool has_single = s.find('\'') != std::string_view::npos;
  const bool has_double = s.find('"') != std::string_view::npos;
  const char quote = has_single && !has_double ? '"' : '\'';
  std::string out(1, quote);
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (ch == quote || ch == '\\') {
      out += '\\';
      out += ch;
    } else if (ch == '\t') {
      out += "\\t";
    } else if (ch == '\n') {
      out += "\\n";
    } else if (ch == '\r') {
      out += "\\r";
    } else if (c < 0x20 || c == 0x7f) {
      char escaped[5];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", c);
      out += escaped;
    } else {
      out += ch;
    }
  }
  out += quote;
  return out;
}

}  // namespace

struct Mode {
  bool reading = false;
  bool writing = false;
  std::size_t buffer_size = 0;  // 0: unbuffered
};

// ParseMode applies makefile()'s checks, in its order.
Mode ParseMode(std::string_view mode, std::optional<std::int64_t> buffering) {
  if (mode.find_first_not_of("rwb") != std::string_view::npos) {
    throw ValueError("invalid mode " + PyRepr(mode) + " (only r, w, b allowed)");
  }
  Mode parsed;
  parsed.writing = mode.find('w') != std::string_view::npos;
  parsed.reading = mode.find('r') != std::string_view::npos || !parsed.writing;
  const bool binary = mode.find('b') != std::string_view::npos;
  std::int64_t size = buffering.value_or(-1);
  if (size < 0) size = SocketStream::kDefaultBufferSize;
  if (size == 0 && !binary) throw ValueError("unbuffered streams must be binary");
  parsed.buffer_size = static_cast<std::size_t>(size);
  return parsed;
}

class SocketStreamBuf : public std::streambuf {
 public:
  SocketStreamBuf(Socket& sock, Mode mode)
      : sock_(sock),
        reading_(mode.reading),
        writing_(mode.writing),
        in_size_(std::max<std::size_t>(mode.buffer_size, 1)),
        out_size_(mode.buffer_size) {
    // Unbuffered reading still needs one byte of get area for peek()/getline().
    if (reading_) in_ = std::make_unique_for_overwrite<char[]>(in_size_);
    if (writing_ && out_size_ > 0) {
      out_ = std::make_unique_for_overwrite<char[]>(out_size_);
      setp(out_.get(), out_.get() + out_size_);
    }
  }

  ~SocketStreamBuf() override {
    if (closed_ || !writing_) return;
    try {
      FlushWrites();
    } catch (...) {
      // A destructor cannot report it; Python's __del__ cannot either.
    }
  }

  bool reading() const { return reading_; }
  bool writing() const { return writing_; }
  bool closed() const { return closed_; }
  bool timed_out() const { return timed_out_; }
  std::exception_ptr last_error() const { return last_error_; }
  Socket& socket() const { return sock_; }

  void Close() {
    if (closed_) return;
    // Whether or not the flush succeeds, the stream ends up closed with no
    // buffered input or output: istream and ostream read and write the get and
    // put areas inline, without a virtual call that could check closed_, so
    // input still buffered would otherwise be served after close(), where
    // Python's reader raises "read of closed file".
    struct MarkClosed {
      SocketStreamBuf& buf;
      ~MarkClosed() {
        buf.closed_ = true;
        buf.setg(nullptr, nullptr, nullptr);
        buf.setp(nullptr, nullptr);
      }
    } mark{*this};
    if (writing_) Recorded([&] { FlushWrites(); });
  }

 protected:
  int_type underflow() override {
    return Recorded([&]() -> int_type {
      if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
      const std::size_t n = Receive(in_.get(), in_size_);
      if (n == 0) return traits_type::eof();
      setg(in_.get(), in_.get(), in_.get() + n);
      return traits_type::to_int_type(*gptr());
    });
  }

  // xsgetn serves what is buffered, then reads large remainders straight into
  // the caller's memory, as BufferedReader.read(n) does.
  std::streamsize xsgetn(char_type* s, std::streamsize n) override {
    return Recorded([&]() -> std::streamsize {
      // read(0) of a closed file raises too, as BufferedReader.read(0) does.
      if (closed_) throw ValueError("read of closed file");
      std::streamsize done = 0;
      while (done < n) {
        const std::streamsize buffered = egptr() - gptr();
        if (buffered > 0) {
          const std::streamsize k = std::min(buffered, n - done);
          std::memcpy(s + done, gptr(), static_cast<std::size_t>(k));
          AdvanceGet(k);
          done += k;
          continue;
        }
        const auto left = static_cast<std::size_t>(n - done);
        if (left >= in_size_) {
          const std::size_t got = Receive(s + done, left);
          if (got == 0) break;
          done += static_cast<std::streamsize>(got);
        } else if (traits_type::eq_int_type(underflow(), traits_type::eof())) {
          break;
        }
      }
      return done;
    });
  }

  int_type overflow(int_type c) override {
    return Recorded([&]() -> int_type {
      CheckWritable();
      if (traits_type::eq_int_type(c, traits_type::eof())) {
        FlushWrites();
        return traits_type::not_eof(c);
      }
      const char ch = traits_type::to_char_type(c);
      if (out_size_ == 0) {
        SendAll(&ch, 1);
        return c;
      }
      if (pptr() == epptr()) FlushWrites();
      *pptr() = ch;
      pbump(1);
      return c;
    });
  }

  // xsputn buffers what fits; otherwise it flushes and, like
  // BufferedWriter.write, sends data at least a buffer long directly.
  std::streamsize xsputn(const char_type* s, std::streamsize n) override {
    return Recorded([&]() -> std::streamsize {
      CheckWritable();
      if (n <= 0) return 0;
      if (n <= epptr() - pptr()) {
        std::memcpy(pptr(), s, static_cast<std::size_t>(n));
        AdvancePut(n);
        return n;
      }
      FlushWrites();
      if (static_cast<std::size_t>(n) >= out_size_) {
        SendAll(s, static_cast<std::size_t>(n));
      } else {
        std::memcpy(pptr(), s, static_cast<std::size_t>(n));
        AdvancePut(n);
      }
      return n;
    });
  }

  int sync() override {
    return Recorded([&] {
      if (closed_) throw ValueError("flush of closed file");
      if (writing_) FlushWrites();
      return 0;
    });
  }

 private:
  // Recorded runs `body`, remembering any exception it throws for last_error().
  template <typename Body>
  auto Recorded(Body&& body) -> decltype(body()) {
    try {
      return body();
    } catch (...) {
      last_error_ = std::current_exception();
      throw;
    }
  }

  // AdvanceGet / AdvancePut move the get or put pointer by n: gbump and pbump
  // take an int, buffers may be larger.
  void AdvanceGet(std::streamsize n) {
    for (; n > INT_MAX; n -= INT_MAX) gbump(INT_MAX);
    gbump(static_cast<int>(n));
  }
  void AdvancePut(std::streamsize n) {
    for (; n > INT_MAX; n -= INT_MAX) pbump(INT_MAX);
    pbump(static_cast<int>(n));
  }

  void CheckWritable() const {
    if (closed_) throw ValueError("write to closed file");
    // io.UnsupportedOperation("write") is a ValueError (and an OSError) in
    // Python; ValueError is the closest class sockref has.
    if (!writing_) throw ValueError("write");
  }

  // Receive is SocketIO.readinto(): one recv_into, returning 0 at end of stream.
  std::size_t Receive(char* dst, std::size_t n) {
    if (closed_) throw ValueError("read of closed file");
    if (!reading_) throw ValueError("read");
    if (timed_out_) throw OSError(std::string("cannot read from timed out object"));
    try {
      return static_cast<std::size_t>(sock_.recv_into(MutableBuffer(dst, n)));
    } catch (const TimeoutError&) {
      // Python's `except timeout`, which is TimeoutError: ETIMEDOUT counts too.
      timed_out_ = true;
      throw;
    }
  }

  // SendAll is BufferedWriter's loop over SocketIO.write(): send() until done.
  void SendAll(const char* data, std::size_t n) {
    while (n > 0) {
      const auto sent = static_cast<std::size_t>(sock_.send(ConstBuffer(data, n)));
      data += sent;
      n -= sent;
    }
  }

  // FlushWrites sends the put area; on failure the unsent tail stays buffered
  // for the next flush, as BufferedWriter keeps it.
  void FlushWrites() {
    if (out_size_ == 0) return;
    const char* data = pbase();
    const auto size = static_cast<std::size_t>(pptr() - pbase());
    std::size_t done = 0;
    try {
      while (done < size) {
        done += static_cast<std::size_t>(sock_.send(ConstBuffer(data + done, size - done)));
      }
    } catch (...) {
      std::memmove(out_.get(), out_.get() + done, size - done);
      setp(out_.get(), out_.get() + out_size_);
      AdvancePut(static_cast<std::streamsize>(size - done));
      throw;
    }
    setp(out_.get(), out_.get() + out_size_);
  }

  Socket& sock_;
  const bool reading_;
  const bool writing_;
  const std::size_t in_size_;
  const std::size_t out_size_;
  std::unique_ptr<char[]> in_;
  std::unique_ptr<char[]> out_;
  bool closed_ = false;
  bool timed_out_ = false;
  std::exception_ptr last_error_;
};

}  // namespace socket_stream_internal

SocketStream::SocketStream(Socket& sock, std::string_view mode,
                           std::optional<std::int64_t> buffering)
    : std::iostream(nullptr),
      buf_(std::make_unique<socket_stream_internal::SocketStreamBuf>(
          sock, socket_stream_internal::ParseMode(mode, buffering))) {
  rdbuf(buf_.get());
  exceptions(std::ios::badbit);
}

// The buffer flushes itself on destruction; the stream's base classes never
// touch it after this point.
SocketStream::~SocketStream() = default;

bool SocketStream::readable() const { return buf_->reading(); }
bool SocketStream::writable() const { return buf_->writing(); }

void SocketStream::close() {
  try {
    buf_->Close();
  } catch (...) {
    // Same policy as stream operations: raise while badbit is in exceptions(),
    // otherwise only flag it (setstate would throw ios_base::failure instead).
    if (exceptions() & std::ios::badbit) throw;
    setstate(std::ios::badbit);
  }
}

bool SocketStream::closed() const { return buf_->closed(); }
bool SocketStream::timed_out() const { return buf_->timed_out(); }
std::exception_ptr SocketStream::last_error() const { return buf_->last_error(); }
Socket& SocketStream::socket() const { return buf_->socket(); }

}  // namespace sockref
