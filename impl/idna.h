// idna.h: Python's "idna" codec, name.encode("idna"), which turns a host name into
// the ASCII bytes the resolver is given.
//
//   sockref::EncodeIdna("bücher.example");  // "xn--bcher-kva.example"
//   sockref::EncodeIdna("Example.COM.");    // "Example.COM." (ASCII: lengths checked only)
//   try {
//     sockref::EncodeIdna("a..b");
//   } catch (const sockref::IdnaError& e) {
//     // e.reason() == "label empty or too long"
//   }
//
// CPython has one codec (Lib/encodings/idna.py, IDNA 2003) but two ways of reporting
// its failures, so the codec raises IdnaError, which is not one of the Python-mirroring
// exceptions of error.h, and each caller turns it into what CPython raises there:
//   - socket addresses (bind(), connect(), sendto(), ...; CPython's idna_converter()):
//     TypeError("encoding of hostname failed"), and a pure-ASCII str never reaches the
//     codec at all, so ("a" * 300, 80) goes to the resolver unchecked;
//   - getaddrinfo() and the gethostby*() functions: the codec's UnicodeError, a
//     ValueError, "encoding with 'idna' codec failed (UnicodeError: <reason>)".
//
// Non-ASCII labels are mapped and punycoded by libidn2 with UTS #46 transitional
// processing, which was designed to agree with IDNA 2003's nameprep and does for
// ordinary names (case folding, "ß" -> "ss", soft hyphens and U+200B dropped).
// Where the two disagree, sockref stays as close as it can to what a Python caller
// observes:
//   - A label libidn2 refuses but Python encodes ("-ü-", "ab--ü", a leading combining
//     mark: rules IDNA 2008 added) is returned unchanged, as UTF-8. Python would
//     return "xn-----xka" for "-ü-", a name IDNA 2008 registries do not hand out, so
//     its lookup fails with gaierror, and so does the lookup of the UTF-8 name.
//     Raising instead would turn that gaierror (what callers handle for an unknown
//     host) into a TypeError or ValueError Python never raises for such a name.
//   - The price: labels both refuse for different reasons (a private-use character,
//     for which Python raises "Invalid character '\ue000'") also reach the resolver
//     instead of raising, and a refused label is not length-checked. A right-to-left
//     label Python rejects under IDNA 2003's bidi rule but libidn2 accepts ("אa")
//     is punycoded.
//   - A label containing NUL is returned unchanged (libidn2 takes C strings). Python
//     keeps the NUL too ("ü\0" -> b"xn--\0-dha"), so the result contains a NUL exactly
//     when Python's does and callers reject or truncate it as CPython does.
#ifndef SOCKREF_IMPL_IDNA_H_
#define SOCKREF_IMPL_IDNA_H_

#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace sockref {

// IdnaError is a failure of Python's "idna" codec (a UnicodeError in Python). It is
// deliberately not a PythonException: CPython reports it differently per caller
// (see above), so every caller of EncodeIdna must translate it.
class IdnaError : public std::invalid_argument {
 public:
  explicit IdnaError(std::string reason) : std::invalid_argument(std::move(reason)) {}
  // reason returns the codec's own message, e.g. "label empty or too long", which
  // Python shows inside "encoding with 'idna' codec failed (UnicodeError: ...)".
  std::string_view reason() const noexcept { return what(); }
};

// EncodeIdna returns Python's utf8_name.encode("idna"), as described above.
// An all-ASCII name (including "") is returned unchanged after the codec's fast-path
// checks. A non-ASCII name is split at "." and its look-alikes U+3002, U+FF0E and
// U+FF61, and each label is encoded; a trailing dot is kept as ".".
// A name that is not valid UTF-8 cannot be a Python str; it is returned unchanged,
// as Python passes a bytes host name to the resolver without the codec.
// Raises IdnaError, with the codec's reason:
//   "label empty or too long" for an empty label or one longer than 63 bytes after
//     encoding (in the ASCII fast path: any label but the last);
//   "label too long" in the ASCII fast path for a last label of 64 bytes or more
//     (an empty last label is a trailing dot);
//   "Label starts with ACE prefix" for a non-ASCII label starting with "xn--"
//     (in any case).
std::string EncodeIdna(std::string_view utf8_name);

}  // namespace sockref

#endif  // SOCKREF_IMPL_IDNA_H_
