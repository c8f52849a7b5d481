#include "impl/ancillary.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <limits>

#include "impl/error.h"

namespace sockref {
namespace {

// CPython caps every control-buffer size at the smaller of 2**31 - 1 and INT_MAX,
// because socklen_t was an int in the BSD interface.
constexpr std::size_t kSocklenLimit = 0x7fffffff;

// The glibc definitions of CMSG_ALIGN/CMSG_LEN/CMSG_SPACE, as functions over
// size_t; callers range-check first so none of them can wrap.
constexpr std::size_t kCmsgAlignment = sizeof(std::size_t);
constexpr std::size_t Align(std::size_t n) {
  return (n + kCmsgAlignment - 1) & ~(kCmsgAlignment - 1);
}
constexpr std::size_t kHeaderSpace = Align(sizeof(cmsghdr));  // CMSG_LEN(0)
constexpr std::size_t LenOf(std::size_t n) { return kHeaderSpace + n; }
constexpr std::size_t SpaceOf(std::size_t n) { return kHeaderSpace + Align(n); }

static_assert(LenOf(0) == CMSG_LEN(0) && LenOf(5) == CMSG_LEN(5));
static_assert(SpaceOf(0) == CMSG_SPACE(0) && SpaceOf(5) == CMSG_SPACE(5));
// CMSG_DATA(h) is right after the aligned header on Linux; the walk below relies on it.
static_assert(sizeof(cmsghdr) == kHeaderSpace);

// These mirror CPython's get_CMSG_LEN()/get_CMSG_SPACE(): false when the result
// would not fit in kSocklenLimit. CMSG_SPACE is bounded using CMSG_SPACE(1) so the
// padding before and after the payload are both accounted for.
bool CheckedLen(std::size_t length, std::size_t* result) {
  if (length > kSocklenLimit - LenOf(0)) return false;
  *result = LenOf(length);
  return *result <= kSocklenLimit;
}

bool CheckedSpace(std::size_t length, std::size_t* result) {
  if (length > kSocklenLimit - SpaceOf(1)) return false;
  *result = SpaceOf(length);
  return *result <= kSocklenLimit;
}

// One control message found by WalkControl.
struct Message {
  int level;
  int type;
  ConstBuffer data;  // the payload bytes present in the buffer
};

// WalkControl calls visit(message) for each message CPython's recvmsg() reports
// for `control`, and returns true iff CPython would warn that the buffer is
// malformed or improperly truncated.
//
// CPython walks with glibc's CMSG_FIRSTHDR/CMSG_NXTHDR and checks each header with
// get_cmsg_data_len(); the same decisions are made here on offsets instead of
// pointers, so an untrusted cmsg_len never takes part in pointer arithmetic, and
// headers are copied out because `control` need not be aligned.
template <typename Visit>
bool WalkControl(ConstBuffer control, Visit&& visit) {
  const std::byte* base = control.data();
  const std::size_t size = control.size();
  // CPython skips CMSG_FIRSTHDR when msg_controllen is 0; CMSG_FIRSTHDR itself
  // yields nothing below one whole header.
  if (base == nullptr || size < sizeof(cmsghdr)) return false;

  std::size_t offset = 0;
  // Invariant: offset + sizeof(cmsghdr) <= size, guaranteed by CMSG_FIRSTHDR for
  // the first header and by the CMSG_NXTHDR check below for the others.
  while (true) {
    cmsghdr header;
    std::memcpy(&header, base + offset, sizeof(header));
    const std::size_t cmsg_len = header.cmsg_len;

    // get_cmsg_data_len(): a length shorter than a header is malformed: warn, stop.
    if (cmsg_len < LenOf(0)) return true;
    const std::size_t data_offset = offset + kHeaderSpace;
    const std::size_t present = size - data_offset;
    const std::size_t claimed = cmsg_len - LenOf(0);
    if (present < claimed) {
      // The payload runs off the end: report what is there, warn, stop.
      visit(Message{header.cmsg_level, header.cmsg_type, ConstBuffer(base + data_offset, present)});
      return true;
    }
    visit(Message{header.cmsg_level, header.cmsg_type, ConstBuffer(base + data_offset, claimed)});

    // glibc 2.36's CMSG_NXTHDR: stop unless this message, its padding and one more
    // whole header fit in what is left of the buffer.
    const std::size_t remaining = size - offset;
    const std::size_t padding = (kCmsgAlignment - (cmsg_len % kCmsgAlignment)) % kCmsgAlignment;
    const std::size_t needed = sizeof(cmsghdr) + padding;
    if (remaining < needed || remaining - needed < cmsg_len) return false;
    offset += Align(cmsg_len);
  }
}

bool IsRights(int level, int type) { return level == SOL_SOCKET && type == SCM_RIGHTS; }

std::vector<int> IntsIn(ConstBuffer data) {
  // A trailing partial int is dropped, as recv_fds() and CPython's cleanup do.
  std::vector<int> fds(data.size() / sizeof(int));
  if (!fds.empty()) std::memcpy(fds.data(), data.data(), fds.size() * sizeof(int));
  return fds;
}

}  // namespace

std::int64_t CmsgLen(std::int64_t length) {
  std::size_t result;
  if (length < 0 || !CheckedLen(static_cast<std::size_t>(length), &result)) {
    throw OverflowError("CMSG_LEN() argument out of range");
  }
  return static_cast<std::int64_t>(result);
}

std::int64_t CmsgSpace(std::int64_t length) {
  std::size_t result;
  if (length < 0 || !CheckedSpace(static_cast<std::size_t>(length), &result)) {
    throw OverflowError("CMSG_SPACE() argument out of range");
  }
  return static_cast<std::int64_t>(result);
}

ControlBuffer::ControlBuffer(std::size_t size, bool zeroed) : size_(size) {
  if (size == 0) return;
  const std::size_t count = (size + sizeof(cmsghdr) - 1) / sizeof(cmsghdr);
  // A receive buffer may be up to 2 GiB and the kernel writes what it uses, so it
  // is left uninitialised like CPython's; a send buffer's padding must be zero.
  storage_.reset(zeroed ? new cmsghdr[count]() : new cmsghdr[count]);
}

ControlBuffer ControlBuffer::ForReceive(std::int64_t ancbufsize) {
  if (ancbufsize < 0 || static_cast<std::uint64_t>(ancbufsize) > kSocklenLimit) {
    throw ValueError("invalid ancillary data buffer length");
  }
  return ControlBuffer(static_cast<std::size_t>(ancbufsize), /*zeroed=*/false);
}

ControlBuffer EncodeAncillary(std::span<const AncillaryItemView> items) {
  // Size everything first, as CPython does, so errors leave nothing half-built.
  std::size_t total = 0;
  for (const AncillaryItemView& item : items) {
    std::size_t space;
    if (!CheckedSpace(item.data.size(), &space)) {
      throw OSError(std::string("ancillary data item too large"));
    }
    total += space;  // both terms are below 2**31: no wrap-around
    if (total > kSocklenLimit) throw OSError(std::string("too much ancillary data"));
  }

  ControlBuffer buffer(total, /*zeroed=*/true);
  auto* out = static_cast<std::byte*>(buffer.data());
  std::size_t offset = 0;
  for (const AncillaryItemView& item : items) {
    cmsghdr header{};
    header.cmsg_len = LenOf(item.data.size());
    header.cmsg_level = item.level;
    header.cmsg_type = item.type;
    std::memcpy(out + offset, &header, sizeof(header));
    if (item.data.size() > 0) {
      std::memcpy(out + offset + kHeaderSpace, item.data.data(), item.data.size());
    }
    offset += SpaceOf(item.data.size());
  }
  return buffer;
}

ControlBuffer EncodeAncillary(std::span<const AncillaryItem> items) {
  std::vector<AncillaryItemView> views(items.begin(), items.end());
  return EncodeAncillary(std::span<const AncillaryItemView>(views));
}

ControlBuffer EncodeAncillary(std::initializer_list<AncillaryItemView> items) {
  return EncodeAncillary(std::span<const AncillaryItemView>(items.begin(), items.size()));
}

std::vector<AncillaryItem> DecodeAncillary(ConstBuffer control, bool* malformed) {
  std::vector<AncillaryItem> items;
  const bool warned = WalkControl(control, [&](const Message& m) {
    items.push_back(AncillaryItem{m.level, m.type, Bytes(m.data.as_string_view())});
  });
  if (malformed != nullptr) *malformed = warned;
  return items;
}

std::vector<AncillaryItem> DecodeAncillary(const msghdr& msg, bool* malformed) {
  return DecodeAncillary(ConstBuffer(msg.msg_control, msg.msg_controllen), malformed);
}

int CloseReceivedDescriptors(ConstBuffer control) noexcept {
  // This runs on error paths, so it reads the ints in place rather than allocating.
  int closed = 0;
  WalkControl(control, [&](const Message& m) {
    if (!IsRights(m.level, m.type)) return;
    for (std::size_t at = 0; at + sizeof(int) <= m.data.size(); at += sizeof(int)) {
      int fd;
      std::memcpy(&fd, m.data.data() + at, sizeof(fd));
      ::close(fd);  // Linux frees the descriptor even when close() reports an error
      ++closed;
    }
  });
  return closed;
}

int CloseReceivedDescriptors(const msghdr& msg) noexcept {
  return CloseReceivedDescriptors(ConstBuffer(msg.msg_control, msg.msg_controllen));
}

Bytes PackFds(std::span<const int> fds) {
  Bytes out(fds.size() * sizeof(int), '\0');
  if (!fds.empty()) std::memcpy(out.data(), fds.data(), out.size());
  return out;
}

AncillaryItem FdsItem(std::span<const int> fds) {
  return AncillaryItem{SOL_SOCKET, SCM_RIGHTS, PackFds(fds)};
}

std::vector<int> UnpackFds(const AncillaryItem& item) {
  if (!IsRights(item.level, item.type)) return {};
  return IntsIn(ConstBuffer(item.data));
}

std::vector<int> UnpackFds(std::span<const AncillaryItem> items) {
  std::vector<int> fds;
  for (const AncillaryItem& item : items) {
    std::vector<int> more = UnpackFds(item);
    fds.insert(fds.end(), more.begin(), more.end());
  }
  return fds;
}

}  // namespace sockref
