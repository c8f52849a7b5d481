// text_codec.h: the text layer of the reference driver's text-mode makefile() files, i.e. what
// Python's io.TextIOWrapper adds to a binary stream: a codec (UTF-8, Latin-1 or ASCII) decoding
// incrementally with Python's error handlers and messages, universal-newline decoding, and the
// newline translation of writes.
//
//   Decoder utf8(Codec::kUtf8, "strict");
//   utf8.Decode("caf\xc3", false);            // "caf": the \xc3 waits for its continuation
//   utf8.Decode("\xa9\n", false);             // "é\n"
//   utf8.Decode("\xff", false);               // raises UnicodeDecodeError: 'utf-8' codec
//                                             // can't decode byte 0xff in position 0: ...
//   Encode(Codec::kLatin1, "strict", "café")  // "caf\xe9"
//   NewlineDecoder universal(/*translate=*/true);
//   universal.Decode("a\r", false);           // "a": the \r may start a \r\n
//   universal.Decode("\nb", false);           // "\nb"; seen() is kSeenCrLf
//
// Text is UTF-8 throughout, as the driver's str objects hold it (never a surrogate). Error
// handlers: "strict", "ignore" and "replace" work as Python's; Python's other handlers raise
// Unsupported when an error needs them, and an unknown handler name LookupError, both only
// when an error occurs, as in Python.
#ifndef SOCKREF_CONFORMANCE_DRIVERS_REFERENCE_RUNTIME_TEXT_CODEC_H_
#define SOCKREF_CONFORMANCE_DRIVERS_REFERENCE_RUNTIME_TEXT_CODEC_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace sockref::conformance::reference {

// Codec is one of the codecs the driver's text files implement.
enum class Codec { kUtf8, kLatin1, kAscii };

// LookupCodec returns the codec Python's codecs.lookup(encoding) finds, for the names and
// aliases of UTF-8, Latin-1 and ASCII (any case, '-' or ' ' for '_': "UTF-8", "latin1",
// "iso-8859-1", "us-ascii"), and "locale" (UTF-8, the locale of the suite's machines).
// nullopt for any other name, which Python may know but the driver does not.
std::optional<Codec> LookupCodec(std::string_view encoding);

// CodecName returns the codec's name as Python's error messages spell it: "utf-8",
// "latin-1", "ascii".
std::string_view CodecName(Codec codec);

// Decoder is a codec's incremental decoder, Python's codecs.getincrementaldecoder(name)(
// errors): bytes in, UTF-8 text out.
class Decoder {
 public:
  Decoder(Codec codec, std::string errors);

  // Decode returns the text of the bytes held from earlier calls followed by `input`. Unless
  // `final`, an incomplete sequence at the end is held for the next call. Raises
  // PyException("UnicodeDecodeError", "'utf-8' codec can't decode byte 0xff in position 0:
  // invalid start byte") under "strict", positions counting from the first held byte; the
  // held bytes are then unchanged and `input` is dropped, as Python's decoder drops it.
  std::string Decode(std::string_view input, bool final);

  // Reset forgets held bytes.
  void Reset() { held_.clear(); }

 private:
  Codec codec_;
  std::string errors_;
  std::string held_;
};

// Encode returns UTF-8 `text` encoded with `codec`. Raises PyException("UnicodeEncodeError",
// "'latin-1' codec can't encode character '\u20ac' in position 1: ordinal not in range(256)")
// under "strict", positions in characters; a run of unencodable characters is one error
// ("characters in position 1-2"), as in Python.
std::string Encode(Codec codec, std::string_view errors, std::string_view text);

// NewlineDecoder is io.IncrementalNewlineDecoder over already decoded text: the universal
// newlines of a text file opened with newline=None (translate) or newline="" (not).
class NewlineDecoder {
 public:
  // The kinds of line ending seen, as bits of seen().
  static constexpr int kSeenCr = 1;
  static constexpr int kSeenLf = 2;
  static constexpr int kSeenCrLf = 4;

  explicit NewlineDecoder(bool translate) : translate_(translate) {}

  // Decode returns `text` with a trailing '\r' held back until the next call (it may begin a
  // "\r\n") unless `final`, and, when translating, "\r\n" and "\r" turned into "\n".
  std::string Decode(std::string text, bool final);
  // seen returns the kSeen* bits of the endings decoded so far.
  int seen() const { return seen_; }
  void Reset() {
    pending_cr_ = false;
    seen_ = 0;
  }

 private:
  bool translate_;
  bool pending_cr_ = false;
  int seen_ = 0;
};

// CodePoints returns the number of characters in UTF-8 `text`.
std::size_t CodePoints(std::string_view text);

// CodePointOffset returns the byte offset of character `n` of UTF-8 `text` (text.size() when
// it has no more than n characters).
std::size_t CodePointOffset(std::string_view text, std::size_t n);

}  // namespace sockref::conformance::reference

#endif  // SOCKREF_CONFORMANCE_DRIVERS_REFERENCE_RUNTIME_TEXT_CODEC_H_
