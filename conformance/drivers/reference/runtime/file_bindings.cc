// file_bindings.cc: socket.makefile() and the file objects it returns, bound to
// sockref::SocketStream.
//
// Binary modes give Python's BufferedReader ("rb"), BufferedWriter ("wb") or BufferedRWPair
// ("rwb"), whose read/readline/write/flush/close map onto the stream. Text modes ("r", "w",
// "rw") give a TextIOWrapper over one of those, as Lib/socket.py builds it: a TextLayer
// (object.h) decodes what the stream reads and encodes what is written (text_codec.h), with
// TextIOWrapper's buffering, newline handling and messages. Unbuffered files (the raw SocketIO)
// have no counterpart in sockref, whose stream is always buffered, and are reported as
// unsupported rather than imitated.
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <utility>

#include "conformance/drivers/reference/runtime/bindings.h"
#include "conformance/drivers/reference/runtime/conversions.h"
#include "conformance/drivers/reference/runtime/errors.h"
#include "conformance/drivers/reference/runtime/text_codec.h"
#include "impl/error.h"
#include "impl/socket_stream.h"

namespace sockref::conformance::reference {
namespace {

constexpr std::size_t kReadChunk = 8192;
// TextIOWrapper's _CHUNK_SIZE: the bytes it asks its buffer for at a time, and the encoded
// text it keeps before handing it to the buffer.
constexpr std::size_t kTextChunk = 8192;

const char kClosedFile[] = "I/O operation on closed file.";

// OptionalSize converts read()'s size (and a binary readline()'s): None or an int, -1 when
// absent, as Argument Clinic's Py_ssize_t(accept={int, NoneType}).
std::int64_t OptionalSize(const Ref& x) {
  if (!x || x->kind() == Kind::kNone) return -1;
  const std::optional<PyInt> v = IndexValue(x);
  if (!v) throw TypeError("argument should be integer or None, not '" + x->TypeName() + "'");
  if (*v < std::numeric_limits<std::int64_t>::min() ||
      *v > std::numeric_limits<std::int64_t>::max()) {
    throw OverflowError("cannot fit 'int' into an index-sized integer");
  }
  return static_cast<std::int64_t>(*v);
}

// Stream returns the file's stream, ready for an operation: a failure earlier (a timeout,
// end of file) leaves state bits set that would make the iostream skip the call, whereas
// Python's file asks the stream again (and the stream then raises what Python raises).
SocketStream& Stream(FileObject& f) {
  f.stream->clear();
  return *f.stream;
}

bool IsPair(const FileObject& f) { return f.type_name == "BufferedRWPair"; }

// SizeArg binds the optional size of read() and readline(), positional only (Argument
// Clinic's wording).
Ref SizeArg(const FileObject& f, const std::string& method, const CallArgs& args) {
  if (!args.keywords.empty()) {
    throw TypeError(f.TypeName() + "." + method + "() takes no keyword arguments");
  }
  if (args.positional.size() > 1) {
    throw TypeError(method + " expected at most 1 argument, got " +
                    std::to_string(args.positional.size()));
  }
  return args.positional.empty() ? nullptr : args.positional[0];
}

// ReadAll returns everything up to the end of the stream: BufferedReader.read().
std::string ReadAll(SocketStream& s) {
  std::string out;
  char chunk[kReadChunk];
  while (s.read(chunk, sizeof chunk) || s.gcount() > 0) {
    out.append(chunk, static_cast<std::size_t>(s.gcount()));
    if (s.eof()) break;
  }
  return out;
}

// Read1 returns at most `n` bytes with at most one recv: what is buffered, or else what one
// read of the socket brings (BufferedReader.read1(n)); "" at the end of the stream.
std::string Read1(SocketStream& s, std::size_t n) {
  std::streambuf* buf = s.rdbuf();
  if (buf->in_avail() <= 0 &&
      std::streambuf::traits_type::eq_int_type(buf->sgetc(), std::streambuf::traits_type::eof())) {
    return "";
  }
  std::string out(std::min<std::size_t>(n, static_cast<std::size_t>(buf->in_avail())), '\0');
  out.resize(
      static_cast<std::size_t>(buf->sgetn(out.data(), static_cast<std::streamsize>(out.size()))));
  return out;
}

// ----- binary files ------------------------------------------------------------------------------

Ref Read(FileObject& f, const CallArgs& args) {
  const std::vector<Ref> a = {SizeArg(f, "read", args)};
  const std::int64_t size = OptionalSize(a[0]);
  if (f.stream->closed()) throw ValueError("read of closed file");
  SocketStream& s = Stream(f);
  if (size < 0) return NewBytes(ReadAll(s));
  std::string out(static_cast<std::size_t>(size), '\0');
  s.read(out.data(), size);
  out.resize(static_cast<std::size_t>(s.gcount()));
  return NewBytes(std::move(out));
}

Ref ReadLine(FileObject& f, const CallArgs& args) {
  const std::vector<Ref> a = {SizeArg(f, "readline", args)};
  const std::int64_t limit = OptionalSize(a[0]);
  // BufferedRWPair.readline() is the reader's, reached through peek().
  if (f.stream->closed())
    throw ValueError(IsPair(f) ? "peek of closed file" : "readline of closed file");
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
  // A reader has nothing to flush and says so in IOBase's words.
  if (f.stream->closed() && !f.stream->writable()) throw ValueError(kClosedFile);
  Stream(f).flush();
  return None();
}

// ----- text files --------------------------------------------------------------------------------

// CheckText raises what TextIOWrapper raises before reading or writing: ValueError once closed,
// io.UnsupportedOperation("not readable") / ("not writable") for the wrong direction.
TextLayer& CheckText(FileObject& f, bool reading) {
  if (f.stream->closed()) throw ValueError(kClosedFile);
  if (reading ? !f.stream->readable() : !f.stream->writable()) {
    throw PyException("io.UnsupportedOperation", reading ? "not readable" : "not writable");
  }
  return *f.text;
}

// WriteFlush hands the encoded text waiting in the layer to the stream (not to the socket).
void WriteFlush(FileObject& f) {
  TextLayer& t = *f.text;
  if (t.pending.empty()) return;
  std::string pending = std::move(t.pending);
  t.pending.clear();
  Stream(f).write(pending.data(), static_cast<std::streamsize>(pending.size()));
}

// Decode turns bytes read from the stream into text, through the newline decoder for
// universal newlines. `final` at the end of the stream.
std::string Decode(TextLayer& t, std::string_view bytes, bool final) {
  std::string text = t.decoder.Decode(bytes, final);
  if (t.universal) text = t.universal->Decode(std::move(text), final);
  return text;
}

// ReadChunk reads what one recv brings (or what the stream has buffered) and decodes it into
// t.decoded. Returns false at the end of the stream, unless the last decoding still gave text
// (a carriage return held back): TextIOWrapper's read_chunk. A decoding error loses the
// chunk, as in Python.
bool ReadChunk(FileObject& f) {
  TextLayer& t = *f.text;
  const std::string bytes = Read1(Stream(f), kTextChunk);
  const std::string text = Decode(t, bytes, bytes.empty());
  t.decoded += text;
  return !bytes.empty() || !text.empty();
}

Ref TextRead(FileObject& f, const CallArgs& args) {
  const std::int64_t size = OptionalSize(SizeArg(f, "read", args));
  TextLayer& t = CheckText(f, true);
  WriteFlush(f);
  if (size < 0) {
    const std::string rest = ReadAll(Stream(f));
    std::string out = std::move(t.decoded) + Decode(t, rest, true);
    t.decoded.clear();
    return Str(std::move(out));
  }
  while (CodePoints(t.decoded) < static_cast<std::size_t>(size) && ReadChunk(f)) {
  }
  const std::size_t end = CodePointOffset(t.decoded, static_cast<std::size_t>(size));
  std::string out = t.decoded.substr(0, end);
  t.decoded.erase(0, end);
  return Str(std::move(out));
}

// LineEnd returns the byte offset just past the first line ending in `text`, as
// TextIOWrapper finds them: "\n" after translation (newline None), any of "\r", "\r\n", "\n"
// for newline "", else the newline string itself. npos when there is none yet.
std::size_t LineEnd(const TextLayer& t, const std::string& text) {
  if (t.universal && !t.newline) {
    const std::size_t lf = text.find('\n');
    return lf == std::string::npos ? lf : lf + 1;
  }
  if (t.universal) {
    const std::size_t at = text.find_first_of("\r\n");
    if (at == std::string::npos) return at;
    // The newline decoder holds back a final '\r', so a "\r\n" is never split here.
    return text.compare(at, 2, "\r\n") == 0 ? at + 2 : at + 1;
  }
  const std::size_t at = text.find(*t.newline);
  return at == std::string::npos ? at : at + t.newline->size();
}

// TextReadLine is TextIOWrapper.readline(): text up to and including a line ending, at most
// `size` characters, or what is left at the end of the stream. Like Python's, it reads a
// chunk before looking whenever it has no text it has not looked at yet (so readline(0) on
// an empty file object waits for data).
Ref TextReadLine(FileObject& f, const CallArgs& args) {
  const Ref size_arg = SizeArg(f, "readline", args);
  const std::int64_t limit = size_arg ? ArgSsize(size_arg) : -1;
  if (f.stream->closed()) throw ValueError(kClosedFile);
  WriteFlush(f);
  TextLayer& t = CheckText(f, true);
  std::size_t searched = 0;  // bytes of t.decoded known to hold no line ending
  std::size_t end = std::string::npos;
  while (true) {
    if (t.decoded.size() == searched) {
      bool more = true;
      while (t.decoded.size() == searched && (more = ReadChunk(f))) {
      }
      if (!more) {
        end = t.decoded.size();  // the end of the stream ends the line
        break;
      }
    }
    end = LineEnd(t, t.decoded);
    if (end != std::string::npos) break;
    if (limit >= 0 && CodePoints(t.decoded) >= static_cast<std::size_t>(limit)) break;
    searched = t.decoded.size();
  }
  if (limit >= 0 && (end == std::string::npos || CodePoints(std::string_view(t.decoded).substr(
                                                     0, end)) > static_cast<std::size_t>(limit))) {
    end = CodePointOffset(t.decoded, static_cast<std::size_t>(limit));
  }
  std::string out = t.decoded.substr(0, end);
  t.decoded.erase(0, end);
  return Str(std::move(out));
}

Ref TextWrite(FileObject& f, const CallArgs& args) {
  const std::vector<Ref> a = Bind(Signature::OneArg("TextIOWrapper.write", "text"), args);
  auto* s = As<StrObject>(a[0]);
  if (s == nullptr) throw TypeError("write() argument must be str, not " + a[0]->TypeName());
  TextLayer& t = CheckText(f, false);
  // Lib/io's newline rules for writing: "\n" becomes the newline given, when it is "\r" or
  // "\r\n" (None means os.linesep, "\n" here).
  std::string text = s->utf8;
  if (t.newline && (*t.newline == "\r" || *t.newline == "\r\n")) {
    std::string translated;
    for (const char c : text) {
      if (c == '\n') {
        translated += *t.newline;
      } else {
        translated += c;
      }
    }
    text = std::move(translated);
  }
  std::string encoded = Encode(t.codec, t.errors, text);
  // As TextIOWrapper.write: at most a chunk is kept; more goes to the buffered stream.
  if (t.pending.size() + encoded.size() > kTextChunk) WriteFlush(f);
  t.pending += encoded;
  if (t.pending.size() >= kTextChunk) WriteFlush(f);
  // Writing discards text read ahead (TextIOWrapper does so for seekable files' sake, and a
  // socket's text file too): the next read asks the stream again.
  if (f.stream->readable()) {
    t.decoded.clear();
    t.decoder.Reset();
    if (t.universal) t.universal->Reset();
  }
  return Int(static_cast<PyInt>(CodePoints(s->utf8)));
}

Ref TextFlush(FileObject& f, const CallArgs& args) {
  Bind(Signature::NoArgs("TextIOWrapper.flush"), args);
  if (f.stream->closed()) throw ValueError(kClosedFile);
  WriteFlush(f);
  Stream(f).flush();
  return None();
}

// Newlines returns TextIOWrapper.newlines: the kinds of line ending read so far, in universal
// newline mode (None otherwise, and before any).
Ref Newlines(const TextLayer& t) {
  if (!t.universal) return None();
  std::vector<Ref> seen;
  if (t.universal->seen() & NewlineDecoder::kSeenCr) seen.push_back(Str("\r"));
  if (t.universal->seen() & NewlineDecoder::kSeenLf) seen.push_back(Str("\n"));
  if (t.universal->seen() & NewlineDecoder::kSeenCrLf) seen.push_back(Str("\r\n"));
  if (seen.empty()) return None();
  if (seen.size() == 1) return seen[0];
  return NewTuple(std::move(seen));
}

// ----- both --------------------------------------------------------------------------------------

Ref Close(FileObject& f, const CallArgs& args) {
  Bind(Signature::NoArgs(f.TypeName() + ".close"), args);
  f.Close();
  return None();
}

Ref Fileno(FileObject& f, const CallArgs& args) {
  Bind(Signature::NoArgs(f.TypeName() + ".fileno"), args);
  if (IsPair(f)) throw PyException("io.UnsupportedOperation", "fileno");
  if (f.stream->closed()) throw ValueError(kClosedFile);
  return Int(As<SocketObject>(f.socket)->socket.fileno());
}

std::string RawMode(const SocketStream& s) {
  return std::string(s.readable() ? "r" : "") + (s.writable() ? "w" : "") + "b";
}

// TextArg checks makefile()'s `encoding` or `newline` as TextIOWrapper() parses it: str or
// None, without NUL characters.
std::optional<std::string> TextArg(const Ref& x, const char* name) {
  if (!x || x->kind() == Kind::kNone) return std::nullopt;
  auto* s = As<StrObject>(x);
  if (s == nullptr) {
    throw TypeError(std::string("TextIOWrapper() argument '") + name +
                    "' must be str or None, not " + x->TypeName());
  }
  if (s->utf8.find('\0') != std::string::npos) throw ValueError("embedded null character");
  return s->utf8;
}

// MakeTextLayer applies TextIOWrapper()'s checks to makefile()'s text arguments, in its order,
// and returns the layer. An encoding Python may know but the driver does not is unsupported.
std::unique_ptr<TextLayer> MakeTextLayer(const std::string& mode, const Ref& encoding_arg,
                                         const Ref& errors_arg, const Ref& newline_arg) {
  const std::optional<std::string> encoding = TextArg(encoding_arg, "encoding");
  const std::optional<std::string> newline = TextArg(newline_arg, "newline");
  std::string errors = "strict";
  if (errors_arg && errors_arg->kind() != Kind::kNone) {
    auto* e = As<StrObject>(errors_arg);
    if (e == nullptr) {
      throw TypeError("TextIOWrapper() argument 'errors' must be str or None, not " +
                      errors_arg->TypeName());
    }
    errors = e->utf8;
  }
  if (newline && !newline->empty() && *newline != "\n" && *newline != "\r" && *newline != "\r\n") {
    throw ValueError("illegal newline value: " + *newline);
  }
  // io.text_encoding(None) is "locale": UTF-8 where the suite runs, which TextIOWrapper then
  // names as the locale module does.
  const std::string name = encoding.value_or("UTF-8");
  const std::optional<Codec> codec = LookupCodec(name);
  if (!codec) {
    throw Unsupported("makefile(encoding='" + name +
                      "'): the reference driver's text files know UTF-8, Latin-1 and ASCII only");
  }
  return std::make_unique<TextLayer>(mode, name, std::move(errors), newline, *codec);
}

// DirectionCheck returns readable() or writable() of a file: a buffered file asks its raw
// SocketIO, which raises once closed, for the directions it has methods for; IOBase answers
// False for the other one.
Ref DirectionCheck(FileObject& f, bool reading) {
  const bool value = reading ? f.stream->readable() : f.stream->writable();
  const bool asks_raw = IsPair(f) || value;
  if (asks_raw && f.stream->closed()) throw ValueError("I/O operation on closed socket.");
  return Bool(value);
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
  if (buffering == 0) {
    throw Unsupported("unbuffered makefile(): Python's raw SocketIO has no sockref counterpart");
  }
  const char* type = stream->readable() && stream->writable() ? "BufferedRWPair"
                     : stream->readable()                     ? "BufferedReader"
                                                              : "BufferedWriter";
  std::unique_ptr<TextLayer> text;
  if (mode.find('b') == std::string::npos) text = MakeTextLayer(mode, a[2], a[3], a[4]);
  return std::make_shared<FileObject>(self, std::move(stream), type, std::move(text));
}

std::optional<Ref> FileAttribute(const Ref& self, std::string_view name) {
  auto* f = As<FileObject>(self);
  const bool text = f->text != nullptr;
  if (name == "closed") return Bool(f->stream->closed());
  if (name == "mode" && text) return Str(f->text->mode);
  if (name == "mode" && !IsPair(*f)) return Str(RawMode(*f->stream));
  if (name == "name" && !IsPair(*f)) {
    return Int(f->stream->closed() ? -1 : As<SocketObject>(f->socket)->socket.fileno());
  }
  if (text) {
    if (name == "encoding") return Str(f->text->encoding);
    if (name == "errors") return Str(f->text->errors);
    if (name == "newlines") return Newlines(*f->text);
    if (name == "line_buffering") return Bool(false);
  }
  using Body = Ref (*)(FileObject&, const CallArgs&);
  Body body = nullptr;
  if (text && (name == "read" || name == "readline" || name == "write" || name == "flush")) {
    // A text file checks the direction itself, when called: "not readable".
    body = name == "read"       ? TextRead
           : name == "readline" ? TextReadLine
           : name == "write"    ? TextWrite
                                : TextFlush;
  } else if (name == "read" || name == "readline" || name == "write") {
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
  } else if (name == "fileno") {
    body = Fileno;
  } else if (name == "readable" || name == "writable") {
    const bool reading = name == "readable";
    return NewFunction("<built-in method " + std::string(name) + ">",
                       [self, reading, qualname = f->TypeName() + "." + std::string(name)](
                           Session&, const CallArgs& args) {
                         Bind(Signature::NoArgs(qualname), args);
                         return DirectionCheck(*As<FileObject>(self), reading);
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
