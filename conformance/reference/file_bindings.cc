// file_bindings.cc: socket.makefile() and the file objects it returns, bound to
// sockref::SocketStream.
//
// Binary modes only: Python returns a BufferedReader ("rb"), BufferedWriter ("wb") or
// BufferedRWPair ("rwb"), whose read/readline/write/flush/close map onto the stream. Text
// modes (Python's TextIOWrapper: str in, str out) and unbuffered files (the raw SocketIO)
// have no counterpart in sockref, whose stream is always binary and buffered, so they are
// reported as unsupported rather than imitated.
#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "conformance/reference/bindings.h"
#include "conformance/reference/conversions.h"
#include "conformance/reference/errors.h"
#include "impl/error.h"
#include "impl/socket_stream.h"

namespace sockref::conformance::reference {
namespace {

constexpr std::size_t kReadChunk = 8192;

// OptionalSize converts read()'s and readline()'s size: None or an int, -1 when absent.
std::int64_t OptionalSize(const Ref& x) {
  if (!x || x->kind() == Kind::kNone) return -1;
  if (!IndexValue(x)) {
    throw TypeError("argument should be integer or None, not '" + x->TypeName() + "'");
  }
  return ArgSsize(x);
}

// Stream returns the file's stream, ready for an operation: a failure earlier (a timeout,
// end of file) leaves state bits set that would make the iostream skip the call, whereas
// Python's file asks the stream again (and the stream then raises what Python raises).
SocketStream& Stream(FileObject& f) {
  f.stream->clear();
  return *f.stream;
}

// SizeArg binds the optional size of read() and readline(), positional only (Argument
// Clinic's wording).
Ref SizeArg(const FileObject& f, const std::string& method, const CallArgs& args) {
  if (!args.keywords.empty()) {
    throw TypeError(f.type_name + "." + method + "() takes no keyword arguments");
  }
  if (args.positional.size() > 1) {
    throw TypeError(method + " expected at most 1 argument, got " +
                    std::to_string(args.positional.size()));
  }
  return args.positional.empty() ? nullptr : args.positional[0];
}

Ref Read(FileObject& f, const CallArgs& args) {
  const std::vector<Ref> a = {SizeArg(f, "read", args)};
  const std::int64_t size = OptionalSize(a[0]);
  SocketStream& s = Stream(f);
  std::string out;
  if (size >= 0) {
    out.resize(static_cast<std::size_t>(size));
    s.read(out.data(), size);
    out.resize(static_cast<std::size_t>(s.gcount()));
    return NewBytes(std::move(out));
  }
  char chunk[kReadChunk];
  while (s.read(chunk, sizeof chunk) || s.gcount() > 0) {
    out.append(chunk, static_cast<std::size_t>(s.gcount()));
    if (s.eof()) break;
  }
  return NewBytes(std::move(out));
}

Ref ReadLine(FileObject& f, const CallArgs& args) {
  const std::vector<Ref> a = {SizeArg(f, "readline", args)};
  const std::int64_t limit = OptionalSize(a[0]);
  SocketStream& s = Stream(f);
  std::string out;
  char c;
  while ((limit < 0 || static_cast<std::int64_t>(out.size()) < limit) && s.get(c)) {
    out += c;
    if (c == '\n') break;
  }
  return NewBytes(std::move(out));
}

Ref Write(FileObject& f, const CallArgs& args) {
  const std::vector<Ref> a = Bind(Signature::Varargs("write", "write", {"buffer"}, 1), args);
  const ConstBuffer data = ArgBytesLike(a[0]);
  Stream(f).write(reinterpret_cast<const char*>(data.data()),
                  static_cast<std::streamsize>(data.size()));
  return Int(static_cast<PyInt>(data.size()));
}

Ref Flush(FileObject& f, const CallArgs& args) {
  Bind(Signature::NoArgs(f.type_name + ".flush"), args);
  Stream(f).flush();
  return None();
}

Ref Close(FileObject& f, const CallArgs& args) {
  Bind(Signature::NoArgs(f.type_name + ".close"), args);
  f.Close();
  return None();
}

Ref Fileno(FileObject& f, const CallArgs& args) {
  Bind(Signature::NoArgs(f.type_name + ".fileno"), args);
  if (f.stream->closed()) throw ValueError("I/O operation on closed file.");
  return Int(As<SocketObject>(f.socket)->socket.fileno());
}

std::string RawMode(const SocketStream& s) {
  return std::string(s.readable() ? "r" : "") + (s.writable() ? "w" : "") + "b";
}

}  // namespace

namespace bindings_internal {

Ref MakeFile(const Ref& self, const CallArgs& args) {
  static const auto* sig = new Signature(Signature::Python(
      "socket.makefile", {"mode", "buffering"}, 0, true, {"encoding", "errors", "newline"}));
  const std::vector<Ref> a = Bind(*sig, args);
  std::string mode = "r";
  if (a[0]) {
    auto* m = As<StrObject>(a[0]);
    if (m == nullptr) throw Unsupported("the reference driver takes makefile() modes as str only");
    mode = m->utf8;
  }
  std::optional<std::int64_t> buffering;
  if (a[1] && a[1]->kind() != Kind::kNone) {
    if (!IndexValue(a[1])) {
      throw Unsupported("the reference driver takes makefile() buffering as an int only");
    }
    buffering = ArgSsize(a[1]);
  }
  // SocketStream applies makefile()'s own checks (the mode's letters, unbuffered text).
  auto stream = std::make_unique<SocketStream>(As<SocketObject>(self)->socket, mode, buffering);
  if (mode.find('b') == std::string::npos) {
    throw Unsupported("makefile() in text mode (" + mode +
                      "): sockref's SocketStream is binary; Python's TextIOWrapper has no "
                      "counterpart");
  }
  if (buffering == 0) {
    throw Unsupported("unbuffered makefile(): Python's raw SocketIO has no sockref counterpart");
  }
  const char* type = stream->readable() && stream->writable() ? "BufferedRWPair"
                     : stream->readable()                     ? "BufferedReader"
                                                              : "BufferedWriter";
  return std::make_shared<FileObject>(self, std::move(stream), type);
}

std::optional<Ref> FileAttribute(const Ref& self, std::string_view name) {
  auto* f = As<FileObject>(self);
  if (name == "closed") return Bool(f->stream->closed());
  if (name == "mode" && f->type_name != "BufferedRWPair") return Str(RawMode(*f->stream));
  if (name == "name" && f->type_name != "BufferedRWPair") {
    return Int(f->stream->closed() ? -1 : As<SocketObject>(f->socket)->socket.fileno());
  }
  using Body = Ref (*)(FileObject&, const CallArgs&);
  Body body = nullptr;
  if (name == "read" || name == "readline" || name == "write") {
    const bool reading = name != "write";
    if (reading ? !f->stream->readable() : !f->stream->writable()) {
      // Every buffered file has these methods; the wrong direction raises when called.
      return NewFunction("<built-in method " + std::string(name) + ">",
                         [reading](Session&, const CallArgs&) -> Ref {
                           throw PyException("io.UnsupportedOperation", reading ? "read" : "write");
                         });
    }
    body = name == "read" ? Read : name == "readline" ? ReadLine : Write;
  } else if (name == "flush") {
    body = Flush;
  } else if (name == "close") {
    body = Close;
  } else if (name == "fileno" && f->type_name != "BufferedRWPair") {
    body = Fileno;
  } else if (name == "readable" || name == "writable") {
    const bool value = name == "readable" ? f->stream->readable() : f->stream->writable();
    return NewFunction(
        "<built-in method " + std::string(name) + ">",
        [value, qualname = f->type_name + "." + std::string(name)](Session&, const CallArgs& args) {
          Bind(Signature::NoArgs(qualname), args);
          return Bool(value);
        });
  } else {
    return std::nullopt;
  }
  return NewFunction(
      "<built-in method " + std::string(name) + " of " + ReprOf(self) + ">",
      [self, body](Session&, const CallArgs& args) { return body(*As<FileObject>(self), args); });
}

}  // namespace bindings_internal
}  // namespace sockref::conformance::reference
