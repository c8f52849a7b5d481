// conversions.h: Python's argument handling for the reference driver's bindings: binding a
// call's arguments to parameters, and converting objects to the C++ types sockref takes (and
// sockref's results back to objects), with the TypeError/OverflowError messages CPython gives.
//
// A binding states how CPython parses the call, then converts each argument:
//
//   const Signature kRecv = Signature::Varargs("recv", "socket.recv", {"bufsize", "flags"}, 1);
//   std::vector<Ref> a = Bind(kRecv, args);       // "recv() takes at least 1 argument (0 given)"
//   std::int64_t bufsize = ArgSsize(a[0]);        // "'str' object cannot be interpreted as ..."
//   int flags = a[1] ? ArgInt(a[1]) : 0;          // "signed integer is greater than maximum"
//
// CPython's socket methods are C functions that mostly take no keyword arguments at all
// ("socket.recv() takes no keyword arguments"); the Signature style records which parser a
// function uses, because that decides both what is accepted and how errors are worded.
#ifndef SOCKREF_CONFORMANCE_DRIVERS_REFERENCE_RUNTIME_CONVERSIONS_H_
#define SOCKREF_CONFORMANCE_DRIVERS_REFERENCE_RUNTIME_CONVERSIONS_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "conformance/drivers/reference/runtime/object.h"
#include "impl/address.h"
#include "impl/buffer.h"
#include "impl/timeout.h"

namespace sockref::conformance::reference {

// Signature is how CPython binds one callable's arguments.
struct Signature {
  enum class Style {
    kNoArgs,    // METH_NOARGS: "socket.fileno() takes no arguments (1 given)"
    kOneArg,    // METH_O: "socket.settimeout() takes exactly one argument (0 given)"
    kVarargs,   // PyArg_ParseTuple: "recv() takes at least 1 argument (0 given)", no keywords
    kKeywords,  // PyArg_ParseTupleAndKeywords or Argument Clinic: keywords by name,
                // "recv_into() missing required argument 'buffer' (pos 1)"
    kPython,    // a `def` in Lib/socket.py: "fromfd() missing 1 required positional
                // argument: 'type'"; methods count `self`
  };
  Style style = Style::kVarargs;
  std::string name;      // kVarargs and kKeywords messages: "recv"
  std::string qualname;  // kNoArgs, kOneArg and kPython messages: "socket.fileno"
  std::vector<std::string> params;
  std::size_t required = 0;
  bool is_method = false;  // kPython only: the message counts `self`
  // kPython only: optional parameters after `*`, bound by keyword only. Bind returns them
  // after `params`.
  std::vector<std::string> keyword_only;

  static Signature NoArgs(std::string qualname);
  static Signature OneArg(std::string qualname, std::string param);
  static Signature Varargs(std::string name, std::string qualname, std::vector<std::string> params,
                           std::size_t required);
  static Signature Keywords(std::string name, std::vector<std::string> params,
                            std::size_t required);
  static Signature Python(std::string qualname, std::vector<std::string> params,
                          std::size_t required, bool is_method = false,
                          std::vector<std::string> keyword_only = {});
};

// Bind returns one entry per parameter of `sig` (params, then keyword_only): the argument
// given for it, or nullptr for an optional parameter that was not given. Raises TypeError with
// CPython's message for the style when the arguments do not fit.
std::vector<Ref> Bind(const Signature& sig, const CallArgs& args);

// ----- Integers ----------------------------------------------------------------------------------

// ArgIndex returns operator.index(x). Raises TypeError("'T' object cannot be interpreted as
// an integer") for anything but int, bool and enum members.
PyInt ArgIndex(const Ref& x);

// ArgInt is PyArg_ParseTuple's "i": a C int. Raises as ArgIndex, then OverflowError "Python
// int too large to convert to C long" outside C long, "signed integer is greater than
// maximum" / "signed integer is less than minimum" outside C int.
int ArgInt(const Ref& x);

// ArgClinicInt is Argument Clinic's int (_PyLong_AsInt): OverflowError "Python int too large
// to convert to C int" on either side, "... C long" outside C long.
int ArgClinicInt(const Ref& x);

// ArgLong is a C long (PyLong_AsLong): OverflowError "Python int too large to convert to C
// long".
std::int64_t ArgLong(const Ref& x);

// ArgSsize is "n": a Py_ssize_t. OverflowError "Python int too large to convert to C ssize_t".
std::int64_t ArgSsize(const Ref& x);

// ArgUnsignedMask is "I"/"k": the value modulo 2**bits, no overflow check.
std::uint64_t ArgUnsignedMask(const Ref& x, int bits);

// ArgUnsignedLongLongMask is "K" in `function`'s argument `position`: an int (bool and enum
// members are ints) modulo 2**64. Raises TypeError("f() argument N must be int, not T").
std::uint64_t ArgUnsignedLongLongMask(const Ref& x, std::string_view function, int position);

// ----- Buffers and strings -----------------------------------------------------------------------

// ArgBytesLike is "y*": a read-only view of a bytes-like object (bytes, bytearray,
// memoryview, array). Raises TypeError("a bytes-like object is required, not 'str'").
// The view is valid while `x` lives.
ConstBuffer ArgBytesLike(const Ref& x);

// ArgWritable is "w*": a writable view (bytearray, writable memoryview, array). Raises
// TypeError("<function>() argument <position> must be read-write bytes-like object, not
// bytes").
MutableBuffer ArgWritable(const Ref& x, std::string_view function, int position);

// ArgStr is "s": UTF-8 text without NULs. Raises TypeError("<function>() argument
// <position> must be str, not int") and ValueError("embedded null character").
std::string ArgStr(const Ref& x, std::string_view function, int position);

// ArgStrOrNone is "z": as ArgStr, with None giving nullopt ("must be str or None, not int").
std::optional<std::string> ArgStrOrNone(const Ref& x, std::string_view function, int position);

// ----- Timeouts ----------------------------------------------------------------------------------

// ArgTimeout parses a timeout as CPython's socket_parse_timeout: None is blocking, a float
// goes through TimeoutNs::FromSeconds and an int (or bool) through
// TimeoutNs::FromIntegerSeconds. Raises TypeError("'str' object cannot be interpreted as an
// integer") for other types, OverflowError("timestamp too large to convert to C _PyTime_t")
// for an int beyond 64 bits, and what TimeoutNs raises.
TimeoutNs ArgTimeout(const Ref& x);

// TimeoutToRef returns gettimeout()'s value: a float, or None for blocking.
Ref TimeoutToRef(const std::optional<Seconds>& timeout);

// ----- Addresses ---------------------------------------------------------------------------------

// ArgAddress converts a Python address object for a socket of `family` as CPython's
// getsockaddrarg() parses it: AF_INET takes (host, port), AF_INET6 (host, port[, flowinfo[,
// scope_id]]), AF_UNIX str or a bytes-like object, AF_NETLINK (pid, groups), AF_PACKET
// (ifname, proto[, pkttype[, hatype[, addr]]]), AF_VSOCK (cid, port), AF_TIPC (addr_type, v1,
// v2, v3[, scope]), AF_ALG (type, name[, feat[, mask]]). Shape and type errors are raised here with
// CPython's messages ("bind(): AF_INET address must be tuple, not str", "AF_INET address must
// be a pair (host, port)"); range checks and name resolution are the codec's (EncodeAddress).
// Raises Unsupported for families whose tuples the driver does not convert (AF_CAN's shape
// depends on the socket's protocol).
Address ArgAddress(const Ref& x, int family, std::string_view caller);

// ArgAddressByShape converts an address whose socket family is not known yet (the
// source_address of create_connection()) by its Python shape: a 2-tuple is (host, port), a
// 3- or 4-tuple AF_INET6's form, str or bytes an AF_UNIX path. The codec then raises
// CPython's error when the shape does not fit the family of the socket it is used with.
// Raises TypeError for a host or port of the wrong type, Unsupported for other shapes.
Address ArgAddressByShape(const Ref& x);

// FsDecode returns a file-system path as the str os.fsdecode() makes of it: UTF-8, each byte
// that is not part of a valid sequence as a lone surrogate U+DC80..U+DCFF (surrogateescape),
// held as its three bytes. FsEncode is its inverse, os.fsencode().
std::string FsDecode(std::string_view bytes);
std::string FsEncode(std::string_view text);

// AddressToRef returns the Python object CPython's makesockaddr() builds for `address`.
Ref AddressToRef(const Address& address);

}  // namespace sockref::conformance::reference

#endif  // SOCKREF_CONFORMANCE_DRIVERS_REFERENCE_RUNTIME_CONVERSIONS_H_
