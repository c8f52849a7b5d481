#include "impl/constants.h"

// The headers CPython's socketmodule.c includes on Linux for its constants.
// Optional Linux headers are included when present, and announce themselves with
// SOCKREF_HAVE_* as CPython's configure script does with HAVE_*_H, because some
// of their constants are enumerators that #ifdef cannot see.
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>

#if __has_include(<netpacket/packet.h>)
#include <netpacket/packet.h>
#endif
#if __has_include(<linux/netlink.h>)
#include <linux/netlink.h>
#endif
#if __has_include(<linux/qrtr.h>)
#include <linux/qrtr.h>
#endif
#if __has_include(<linux/tipc.h>)
#include <linux/tipc.h>
#define SOCKREF_HAVE_LINUX_TIPC_H 1
#endif
#if __has_include(<linux/can.h>)
#include <linux/can.h>
#endif
#if __has_include(<linux/can/raw.h>)
#include <linux/can/raw.h>
#define SOCKREF_HAVE_LINUX_CAN_RAW_H 1
#endif
#if __has_include(<linux/can/bcm.h>)
#include <linux/can/bcm.h>
#define SOCKREF_HAVE_LINUX_CAN_BCM_H 1
#endif
#if __has_include(<linux/can/j1939.h>)
#include <linux/can/j1939.h>
#define SOCKREF_HAVE_LINUX_CAN_J1939_H 1
#endif
#if __has_include(<linux/vm_sockets.h>)
#include <linux/vm_sockets.h>
#endif
#if __has_include(<linux/if_alg.h>)
#include <linux/if_alg.h>
#define SOCKREF_HAVE_LINUX_IF_ALG_H 1
#endif
#if __has_include(<bluetooth/bluetooth.h>)
#include <bluetooth/bluetooth.h>
#include <bluetooth/hci.h>
#include <bluetooth/l2cap.h>
#include <bluetooth/rfcomm.h>
#include <bluetooth/sco.h>
#endif

#include <algorithm>
#include <array>

namespace sockref {
namespace {

// Each value goes through a C long exactly as CPython's PyModule_AddIntConstant
// converts it, so unsigned 32-bit masks stay positive and ~0 stays -1.
#define SOCKREF_CONSTANT(name, value) Constant{name, static_cast<long>(value)},
#define SOCKREF_UNAVAILABLE(name)
constexpr Constant kTable[] = {
#include "impl/constants_table.inc"
};
#undef SOCKREF_CONSTANT
#undef SOCKREF_UNAVAILABLE

#define SOCKREF_CONSTANT(name, value)
#define SOCKREF_UNAVAILABLE(name) std::string_view(name),
// A leading placeholder keeps the array non-empty when every name is available.
constexpr std::string_view kUnavailableWithPlaceholder[] = {
    "",
#include "impl/constants_table.inc"
};
#undef SOCKREF_CONSTANT
#undef SOCKREF_UNAVAILABLE

constexpr bool SortedAndUnique(std::span<const Constant> table) {
  for (std::size_t i = 1; i < table.size(); ++i) {
    if (!(table[i - 1].name < table[i].name)) return false;
  }
  return true;
}
// LookupConstant's binary search depends on the generator's ordering.
static_assert(SortedAndUnique(kTable), "constants_table.inc must be sorted by name");

}  // namespace

std::span<const Constant> AllConstants() { return kTable; }

#if __has_include(<bluetooth/bluetooth.h>)
// CPython spells BlueZ's BDADDR_ANY and BDADDR_LOCAL (bdaddr_t values) as text in
// the form its Bluetooth address tuples use.
constexpr StringConstant kStringTable[] = {
    {"BDADDR_ANY", "00:00:00:00:00:00"},
    {"BDADDR_LOCAL", "00:00:00:FF:FF:FF"},
};
std::span<const StringConstant> AllStringConstants() { return kStringTable; }
#else
std::span<const StringConstant> AllStringConstants() { return {}; }
#endif

std::optional<long long> LookupConstant(std::string_view name) {
  auto it = std::lower_bound(std::begin(kTable), std::end(kTable), name,
                             [](const Constant& c, std::string_view n) { return c.name < n; });
  if (it == std::end(kTable) || it->name != name) return std::nullopt;
  return it->value;
}

namespace constants_internal {

std::span<const std::string_view> UnavailableConstantNames() {
  return std::span<const std::string_view>(kUnavailableWithPlaceholder).subspan(1);
}

}  // namespace constants_internal
}  // namespace sockref
