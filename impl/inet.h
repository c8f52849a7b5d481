// inet.h: Python's socket.inet_aton / inet_ntoa / inet_pton / inet_ntop, which
// convert between IP address text and packed network-order bytes.
//
//   sockref::Bytes packed = sockref::inet_pton(AF_INET6, "::ffff:1.2.3.4");  // 16 bytes
//   std::string text = sockref::inet_ntop(AF_INET6, packed);  // "::ffff:1.2.3.4"
//   sockref::inet_aton("127.1");     // "\x7f\x00\x00\x01": BSD shorthand is accepted
//   sockref::inet_pton(AF_INET, "127.1");  // OSError: only the strict dotted quad is
//
// As in CPython, the C library does the parsing and formatting, so the accepted
// spellings and the text produced are exactly glibc's. Packed addresses are `Bytes`
// in network byte order; text arguments are byte strings (Python encodes its str
// argument as UTF-8 first), and an argument containing a NUL byte is rejected with
// the ValueError Python raises for such a str. Note that a `const char*` argument
// ends at its first NUL; pass a std::string or std::string_view to keep the rest.
#ifndef SOCKREF_IMPL_INET_H_
#define SOCKREF_IMPL_INET_H_

#include <string>
#include <string_view>

#include "impl/buffer.h"

namespace sockref {

// inet_aton returns the 4-byte packed form of an IPv4 address in any notation the
// C library's inet_aton() accepts: dotted quad, the shorter "a.b.c", "a.b" and "a"
// forms, octal and hexadecimal parts ("0x7f.1"), and anything after the address
// that follows a whitespace character ("1.2.3.4 junk" is 1.2.3.4).
// Raises ValueError("embedded null character") if `ip_string` contains a NUL byte,
// and OSError without errno, "illegal IP address string passed to inet_aton", for
// anything inet_aton() rejects (including "" and leading whitespace).
Bytes inet_aton(std::string_view ip_string);

// inet_ntoa returns the dotted-quad text of a 4-byte packed IPv4 address.
// Raises OSError without errno, "packed IP wrong length for inet_ntoa", when
// `packed_ip` is not exactly 4 bytes long.
std::string inet_ntoa(ConstBuffer packed_ip);

// inet_pton returns the packed form of `ip_string` for `address_family`: 4 bytes
// for AF_INET (strict dotted quad, no leading zeros, no shorthand) and 16 bytes for
// AF_INET6 (any RFC 4291 text form, including a trailing dotted quad; zone ids such
// as "%eth0" are rejected).
// Raises, checking in this order:
//   ValueError("embedded null character") if `ip_string` contains a NUL byte;
//   OSError(EAFNOSUPPORT), "[Errno 97] Address family not supported by protocol",
//     for a family other than AF_INET and AF_INET6;
//   OSError without errno, "illegal IP address string passed to inet_pton", when
//     the text is not an address of that family.
Bytes inet_pton(int address_family, std::string_view ip_string);

// inet_ntop returns the text form of the packed address `packed_ip`, exactly as the
// C library's inet_ntop() writes it: lower-case hex without leading zeros, the first
// of the longest runs of two or more zero groups compressed to "::", and a dotted-quad
// tail only for ::ffff:a.b.c.d (IPv4-mapped) and for ::a.b.c.d (IPv4-compatible) when
// the seventh group is non-zero, so that ::1 and ::ffff stay hexadecimal.
// Raises ValueError("unknown address family N") for a family other than AF_INET and
// AF_INET6 (before looking at the length), and ValueError("invalid length of packed
// IP address string") unless `packed_ip` is 4 bytes (AF_INET) or 16 bytes (AF_INET6).
std::string inet_ntop(int address_family, ConstBuffer packed_ip);

}  // namespace sockref

#endif  // SOCKREF_IMPL_INET_H_
