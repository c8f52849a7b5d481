// ancillary_fuzzer: control-message encoding and decoding (impl/ancillary.h).
//
// Decode: arbitrary bytes as the control buffer recvmsg() filled. DecodeAncillary must
// never read outside the buffer (it gets a heap copy of exactly the given size, aligned
// as recvmsg()'s buffer is, and also an unaligned one), and must report exactly what
// CPython 3.11's recvmsg() reports: the harness walks the same buffer the way CPython
// does, with glibc's own CMSG_FIRSTHDR/CMSG_NXTHDR and CPython's get_cmsg_data_len()
// rules, and compares items and the malformed-data warning.
//
// CloseReceivedDescriptors closes whatever ints it finds in SCM_RIGHTS messages, so it
// only ever sees buffers whose SCM_RIGHTS payloads have been rewritten first: every
// int becomes -1 or one of a pool of /dev/null descriptors opened for the purpose at
// numbers well above anything else in the process. The harness then checks that it
// closed exactly the pool descriptors named (and counted every int), and re-creates
// them at the same numbers.
//
// Encode: fuzz-made items go through EncodeAncillary and back through DecodeAncillary,
// which must give the same items, no warning, and the documented size.
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "fuzz/fuzz_support.h"
#include "impl/ancillary.h"
#include "impl/error.h"

namespace {

using sockref::AncillaryItem;
using sockref::Bytes;
using sockref::ConstBuffer;
using sockref::fuzz::FuzzInput;
using sockref::fuzz::Printable;

std::string Describe(const std::vector<AncillaryItem>& items) {
  std::string out = "[";
  for (const AncillaryItem& i : items) {
    if (out.size() > 1) out += ", ";
    out += "(" + std::to_string(i.level) + ", " + std::to_string(i.type) + ", " +
           Printable(i.data) + ")";
  }
  return out + "]";
}

// ----- CPython's walk, with the C library's macros -------------------------------------

// CPythonItem is one item CPython's recvmsg() would report, with where its payload is.
struct CPythonItem {
  AncillaryItem item;
  std::size_t data_offset;
};

// CPythonWalk returns the items CPython's recvmsg() reports for `control` (which must
// be aligned for cmsghdr) and sets *warned when it would emit the RuntimeWarning.
std::vector<CPythonItem> CPythonWalk(unsigned char* control, std::size_t size, bool* warned) {
  std::vector<CPythonItem> out;
  *warned = false;
  msghdr msg{};
  msg.msg_control = control;
  msg.msg_controllen = size;
  // CPython's cmsg_min_space(): the header must lie in the buffer with `space` bytes
  // (at least up to the end of cmsg_len).
  auto min_space = [&](const cmsghdr* h, std::size_t space) {
    constexpr std::size_t kLenEnd = offsetof(cmsghdr, cmsg_len) + sizeof(h->cmsg_len);
    if (h == nullptr || msg.msg_control == nullptr) return false;
    if (space < kLenEnd) space = kLenEnd;
    const std::size_t offset = reinterpret_cast<const unsigned char*>(h) - control;
    return offset <= SIZE_MAX - space && offset + space <= msg.msg_controllen;
  };
  for (cmsghdr* h = size > 0 ? CMSG_FIRSTHDR(&msg) : nullptr; h != nullptr;
       h = CMSG_NXTHDR(&msg, h)) {
    // get_cmsg_data_len(): -1 invalid, 0 whole, 1 truncated.
    int status;
    std::size_t data_len = 0;
    if (!min_space(h, CMSG_LEN(0)) || h->cmsg_len < CMSG_LEN(0)) {
      status = -1;
    } else {
      const std::size_t claimed = h->cmsg_len - CMSG_LEN(0);
      const std::size_t data_offset = CMSG_DATA(h) - control;
      if (data_offset > size) {
        status = -1;
      } else {
        const std::size_t space = size - data_offset;
        status = space >= claimed ? 0 : 1;
        data_len = space >= claimed ? claimed : space;
      }
    }
    if (status != 0) *warned = true;
    if (status < 0) break;
    const std::size_t data_offset = CMSG_DATA(h) - control;
    out.push_back(CPythonItem{
        AncillaryItem{h->cmsg_level, h->cmsg_type,
                      Bytes(reinterpret_cast<const char*>(control + data_offset), data_len)},
        data_offset});
    if (status != 0) break;
  }
  return out;
}

std::vector<AncillaryItem> ItemsOf(const std::vector<CPythonItem>& walk) {
  std::vector<AncillaryItem> items;
  for (const CPythonItem& w : walk) items.push_back(w.item);
  return items;
}

// AlignedCopy returns a heap buffer of exactly `bytes.size()` bytes (so AddressSanitizer
// flags a read one past it), aligned as operator new aligns, which suffices for cmsghdr.
std::unique_ptr<unsigned char[]> AlignedCopy(const std::string& bytes) {
  std::unique_ptr<unsigned char[]> copy(new unsigned char[bytes.size() ? bytes.size() : 1]);
  std::memcpy(copy.get(), bytes.data(), bytes.size());
  return copy;
}

std::vector<AncillaryItem> Decode(ConstBuffer control, bool* malformed) {
  try {
    return sockref::DecodeAncillary(control, malformed);
  } catch (const sockref::PythonException& e) {
    sockref::fuzz::Fail(__FILE__, __LINE__, "DecodeAncillary raised",
                        "DecodeAncillary is documented not to raise, raised " +
                            std::string(e.python_name()) + ": " + std::string(e.message()));
  }
}

// ----- The descriptor pool ---------------------------------------------------------------

// The pool sits far above the descriptors libFuzzer, the sanitizers and the C library
// open (they take the lowest free numbers), so a pool number is never anything else's.
constexpr int kPoolSize = 8;

int PoolBase() {
  static const int base = [] {
    rlimit limit{};
    int top = 1024;
    if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < 1024) {
      top = static_cast<int>(limit.rlim_cur);
    }
    return top - kPoolSize - 16;
  }();
  return base;
}

// DescriptorPool owns kPoolSize descriptors of /dev/null at PoolBase().. and re-creates
// them at the same numbers after the code under test closed some.
class DescriptorPool {
 public:
  DescriptorPool() {
    source_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    FUZZ_CHECK(source_ >= 0, std::string("open /dev/null: ") + std::strerror(errno));
    for (int i = 0; i < kPoolSize; ++i) Restore(PoolBase() + i);
  }

  static bool IsOpen(int fd) { return ::fcntl(fd, F_GETFD) != -1; }

  void Restore(int fd) {
    if (IsOpen(fd)) return;
    FUZZ_CHECK(::dup3(source_, fd, O_CLOEXEC) == fd,
               "dup3 onto " + std::to_string(fd) + ": " + std::strerror(errno));
  }

  void RestoreAll() {
    for (int i = 0; i < kPoolSize; ++i) Restore(PoolBase() + i);
  }

 private:
  int source_ = -1;
};

DescriptorPool& Pool() {
  static DescriptorPool* pool = new DescriptorPool();
  return *pool;
}

bool IsRights(const AncillaryItem& i) { return i.level == SOL_SOCKET && i.type == SCM_RIGHTS; }

// ----- The checks ------------------------------------------------------------------------

// CheckShiftedDecode checks that the documented contract holds whatever the alignment of the
// caller's buffer: `bytes` one byte off decode to the same `items`, as malformed or not.
void CheckShiftedDecode(const std::string& bytes, const std::vector<AncillaryItem>& items,
                        bool warned) {
  const std::size_t size = bytes.size();
  std::unique_ptr<unsigned char[]> shifted(new unsigned char[size + 1]);
  std::memcpy(shifted.get() + 1, bytes.data(), size);
  bool shifted_malformed = false;
  FUZZ_CHECK(Decode(ConstBuffer(shifted.get() + 1, size), &shifted_malformed) == items &&
                 shifted_malformed == warned,
             "DecodeAncillary depends on the buffer's alignment for " + Printable(bytes));
}

// RewriteRights replaces each SCM_RIGHTS int of `control` (found by CPython's `walk`) with -1
// or a descriptor of the pool (all -1 when bit 0 of `knobs` is set), marks in `named` the pool
// descriptors it wrote, and returns how many ints it rewrote.
int RewriteRights(const std::vector<CPythonItem>& walk, std::uint8_t knobs,
                  unsigned char* control, std::array<bool, kPoolSize>& named) {
  int ints = 0;
  for (const CPythonItem& w : walk) {
    if (!IsRights(w.item)) continue;
    for (std::size_t at = 0; at + sizeof(int) <= w.item.data.size(); at += sizeof(int)) {
      const unsigned char pick = static_cast<unsigned char>(w.item.data[at]);
      int fd = -1;
      if ((knobs & 1) == 0 && pick % 4 != 0) {
        fd = PoolBase() + pick % kPoolSize;
        named[pick % kPoolSize] = true;
      }
      std::memcpy(control + w.data_offset + at, &fd, sizeof fd);
      ++ints;
    }
  }
  return ints;
}

void CheckDecode(FuzzInput& in) {
  const std::uint8_t knobs = in.Byte();
  std::string bytes = in.RemainingBytes();
  auto control = AlignedCopy(bytes);
  const std::size_t size = bytes.size();

  bool warned = false;
  const std::vector<CPythonItem> walk = CPythonWalk(control.get(), size, &warned);
  bool malformed = !warned;
  const std::vector<AncillaryItem> items = Decode(ConstBuffer(control.get(), size), &malformed);
  FUZZ_CHECK(items == ItemsOf(walk) && malformed == warned,
             "DecodeAncillary(" + Printable(bytes) + ") = " + Describe(items) +
                 (malformed ? " (malformed)" : "") + ", CPython reports " +
                 Describe(ItemsOf(walk)) + (warned ? " (malformed)" : ""));

  CheckShiftedDecode(bytes, items, warned);

  // Rewrite every SCM_RIGHTS int to -1 or a pool descriptor, then let
  // CloseReceivedDescriptors loose on the buffer.
  std::array<bool, kPoolSize> named{};
  const int ints = RewriteRights(walk, knobs, control.get(), named);
  // Before closing anything, make sure DecodeAncillary sees only the rewritten ints.
  const std::vector<AncillaryItem> rewritten = Decode(ConstBuffer(control.get(), size), nullptr);
  for (int fd : sockref::UnpackFds(rewritten)) {
    FUZZ_CHECK(fd == -1 || (fd >= PoolBase() && fd < PoolBase() + kPoolSize),
               "descriptor " + std::to_string(fd) + " survived the rewrite of " + Printable(bytes));
  }
  FUZZ_CHECK(static_cast<int>(sockref::UnpackFds(rewritten).size()) == ints,
             "UnpackFds and CPython's walk count different descriptors in " + Printable(bytes));

  DescriptorPool& pool = Pool();
  const int closed = sockref::CloseReceivedDescriptors(ConstBuffer(control.get(), size));
  FUZZ_CHECK(closed == ints, "CloseReceivedDescriptors made " + std::to_string(closed) +
                                 " close() calls for " + std::to_string(ints) + " ints in " +
                                 Printable(bytes));
  for (int i = 0; i < kPoolSize; ++i) {
    FUZZ_CHECK(DescriptorPool::IsOpen(PoolBase() + i) == !named[i],
               "descriptor " + std::to_string(PoolBase() + i) + " is " +
                   (named[i] ? "still open" : "closed though no message named it"));
  }
  pool.RestoreAll();
}

void CheckEncode(FuzzInput& in) {
  std::vector<AncillaryItem> items(in.InRange(0, 6));
  std::size_t space = 0;
  for (AncillaryItem& item : items) {
    item.level = in.PickOne<int>({SOL_SOCKET, IPPROTO_IP, IPPROTO_IPV6, 0, -1,
                                  static_cast<int>(in.Integral<std::int32_t>())});
    item.type = in.PickOne<int>({SCM_RIGHTS, SCM_CREDENTIALS, 0, -1,
                                 static_cast<int>(in.Integral<std::int32_t>())});
    item.data = in.LengthPrefixedBytes(40);
    space += static_cast<std::size_t>(sockref::CmsgSpace(static_cast<std::int64_t>(item.data.size())));
  }
  const sockref::ControlBuffer buffer = sockref::EncodeAncillary(items);
  FUZZ_CHECK(buffer.size() == space, "EncodeAncillary's buffer has " +
                                         std::to_string(buffer.size()) + " bytes, not " +
                                         std::to_string(space) + ", for " + Describe(items));
  FUZZ_CHECK((buffer.data() == nullptr) == items.empty(), "empty ControlBuffer must be null");
  const std::string bytes(static_cast<const char*>(buffer.data()), buffer.size());
  auto control = AlignedCopy(bytes);
  bool warned = true;
  const std::vector<CPythonItem> walk = CPythonWalk(control.get(), bytes.size(), &warned);
  bool malformed = true;
  const std::vector<AncillaryItem> back = Decode(buffer.bytes(), &malformed);
  FUZZ_CHECK(back == items && !malformed,
             "EncodeAncillary then DecodeAncillary turned " + Describe(items) + " into " +
                 Describe(back) + (malformed ? " (malformed)" : ""));
  FUZZ_CHECK(ItemsOf(walk) == items && !warned,
             "CPython would read EncodeAncillary(" + Describe(items) + ") as " +
                 Describe(ItemsOf(walk)));
}

// CheckSizes compares CMSG_LEN()/CMSG_SPACE() with the C macros and the bounds
// ancillary.h documents.
void CheckSizes(FuzzInput& in) {
  const std::int64_t length = in.Bool() ? in.Integral<std::int64_t>()
                                        : 0x7fffffff - static_cast<std::int64_t>(in.InRange(0, 64));
  const std::int64_t len_limit = 0x7fffffff - static_cast<std::int64_t>(CMSG_LEN(0));
  const std::int64_t space_limit = 0x7fffffff - static_cast<std::int64_t>(CMSG_SPACE(1));
  try {
    const std::int64_t got = sockref::CmsgLen(length);
    FUZZ_CHECK(length >= 0 && length <= len_limit &&
                   got == static_cast<std::int64_t>(CMSG_LEN(static_cast<std::size_t>(length))),
               "CmsgLen(" + std::to_string(length) + ") = " + std::to_string(got));
  } catch (const sockref::OverflowError& e) {
    FUZZ_CHECK((length < 0 || length > len_limit) &&
                   std::string(e.what()) == "CMSG_LEN() argument out of range",
               "CmsgLen(" + std::to_string(length) + ") raised " + e.what());
  }
  try {
    const std::int64_t got = sockref::CmsgSpace(length);
    FUZZ_CHECK(length >= 0 && length <= space_limit &&
                   got == static_cast<std::int64_t>(CMSG_SPACE(static_cast<std::size_t>(length))),
               "CmsgSpace(" + std::to_string(length) + ") = " + std::to_string(got));
  } catch (const sockref::OverflowError& e) {
    FUZZ_CHECK((length < 0 || length > space_limit) &&
                   std::string(e.what()) == "CMSG_SPACE() argument out of range",
               "CmsgSpace(" + std::to_string(length) + ") raised " + e.what());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzInput in(data, size);
  switch (in.Byte() % 4) {
    case 0:
      CheckEncode(in);
      break;
    case 1:
      CheckSizes(in);
      break;
    default:
      CheckDecode(in);
      break;
  }
  return 0;
}
