#!/usr/bin/env python3
"""Generates sockref's constants table from CPython's socket module.

The names of the socket module's integer constants, and their values on this
machine, are facts about CPython. This script records them in two files:

  impl/testdata/python_constants.txt  NAME VALUE lines: the golden values that
                                      //impl:constants_test compares against.
  impl/constants_table.inc            One guarded entry per name, included by
                                      impl/constants.cc.

Regenerate (from the workspace root) after a CPython or platform upgrade with

  /usr/bin/python3 impl/tools/gen_constants.py

Debian's /usr/bin/python3 is built with the Bluetooth headers, so its module
has the widest list of names on Debian; record which interpreter you used in
the commit message (the golden file's header records it too).

`--check` regenerates both files in memory and compares them with the files on
disk, for //impl:constants_python_test. It accepts a running interpreter that
knows fewer names than the golden file (a build without Bluetooth, say) as long
as every name it does know has the recorded value.
"""

import argparse
import collections
import difflib
import os
import platform
import sys

import _socket

IMPL_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TABLE_PATH = os.path.join(IMPL_DIR, "constants_table.inc")
GOLDEN_PATH = os.path.join(IMPL_DIR, "testdata", "python_constants.txt")

# Most names are C macros: the entry is `#if defined(NAME)` and the value is
# NAME itself. The exceptions below say where CPython's value comes from when
# that is not a macro of the same name.
#
# Feature macros named SOCKREF_HAVE_* are defined by impl/constants.cc when the
# corresponding header exists, as CPython's configure defines HAVE_*_H.

_J1939 = "defined(SOCKREF_HAVE_LINUX_CAN_J1939_H)"
_BCM = "defined(SOCKREF_HAVE_LINUX_CAN_BCM_H)"
_CAN_RAW = "defined(SOCKREF_HAVE_LINUX_CAN_RAW_H)"
_TIPC = "defined(SOCKREF_HAVE_LINUX_TIPC_H)"
_ALG = "defined(SOCKREF_HAVE_LINUX_IF_ALG_H)"
_VSOCK = "defined(AF_VSOCK)"


class Entry(collections.namedtuple(
        "Entry", "guard expression fallback fallback_guard note")):
    """The value is `expression` when `guard` holds; otherwise `fallback` (a
    literal CPython itself uses) when `fallback_guard` holds ("1": always);
    otherwise the constant is unavailable."""


SPECIAL = {}


def _fallback(name, value, when="1",
              note="CPython's own value when the headers lack it"):
    SPECIAL[name] = Entry("defined(%s)" % name, name, value, when,
                          "%s (%s)" % (note, value))


def _from(name, guard, expression, note):
    SPECIAL[name] = Entry(guard, expression, None, None, note)


# socketmodule.c's `#else ADD_INT_CONST(m, "NAME", value)` branches.
for _name, _value in [
    ("SOMAXCONN", "5"), ("SOL_IP", "0"), ("SOL_TCP", "6"), ("SOL_UDP", "17"),
    ("IPPROTO_IP", "0"), ("IPPROTO_ICMP", "1"), ("IPPROTO_TCP", "6"),
    ("IPPROTO_UDP", "17"), ("IPPROTO_RAW", "255"),
    ("INADDR_ANY", "0x00000000"), ("INADDR_BROADCAST", "0xffffffff"),
    ("INADDR_LOOPBACK", "0x7F000001"), ("INADDR_UNSPEC_GROUP", "0xe0000000"),
    ("INADDR_ALLHOSTS_GROUP", "0xe0000001"),
    ("INADDR_MAX_LOCAL_GROUP", "0xe00000ff"), ("INADDR_NONE", "0xffffffff"),
    ("SHUT_RD", "0"), ("SHUT_WR", "1"), ("SHUT_RDWR", "2"),
]:
    _fallback(_name, _value)

# glibc declares these two only as enumerators, so CPython always takes its
# fallback on glibc; the values agree.
_fallback("IPPORT_RESERVED", "1024",
          note="an enumerator in glibc; CPython's own value")
_fallback("IPPORT_USERRESERVED", "5000",
          note="an enumerator in glibc; CPython's own value")

# CPython defines these when IPPROTO_UDPLITE exists but the option macros do
# not.
_fallback("UDPLITE_SEND_CSCOV", "10", "defined(IPPROTO_UDPLITE)",
          "CPython's own value when only IPPROTO_UDPLITE exists")
_fallback("UDPLITE_RECV_CSCOV", "11", "defined(IPPROTO_UDPLITE)",
          "CPython's own value when only IPPROTO_UDPLITE exists")

# socketmodule.h's values when <linux/if_alg.h> exists but is old.
for _name, _value in [
    ("AF_ALG", "38"), ("SOL_ALG", "279"), ("ALG_SET_AEAD_ASSOCLEN", "4"),
    ("ALG_SET_AEAD_AUTHSIZE", "5"), ("ALG_SET_PUBKEY", "6"),
    ("ALG_OP_SIGN", "2"), ("ALG_OP_VERIFY", "3"),
]:
    _fallback(_name, _value, _ALG,
              "CPython's own value when <linux/if_alg.h> is too old")

# AF_VSOCK's companions are literals in socketmodule.c, whatever
# <linux/vm_sockets.h> says.
for _name, _value in [
    ("SO_VM_SOCKETS_BUFFER_SIZE", "0"), ("SO_VM_SOCKETS_BUFFER_MIN_SIZE", "1"),
    ("SO_VM_SOCKETS_BUFFER_MAX_SIZE", "2"), ("VMADDR_CID_ANY", "0xffffffff"),
    ("VMADDR_PORT_ANY", "0xffffffff"), ("VMADDR_CID_LOCAL", "1"),
    ("VMADDR_CID_HOST", "2"), ("VM_SOCKETS_INVALID_VERSION", "0xffffffff"),
    ("IOCTL_VM_SOCKETS_GET_LOCAL_CID", "_IO(7, 0xb9)"),
]:
    _from(_name, _VSOCK, _value,
          "a literal in socketmodule.c, present whenever AF_VSOCK is")

# <linux/can/j1939.h> declares these as enumerators.
for _name in [
    "SO_J1939_FILTER", "SO_J1939_PROMISC", "SO_J1939_SEND_PRIO",
    "SO_J1939_ERRQUEUE", "SCM_J1939_DEST_ADDR", "SCM_J1939_DEST_NAME",
    "SCM_J1939_PRIO", "SCM_J1939_ERRQUEUE", "J1939_NLA_PAD",
    "J1939_NLA_BYTES_ACKED", "J1939_EE_INFO_NONE", "J1939_EE_INFO_TX_ABORT",
]:
    _from(_name, _J1939, _name, "an enumerator in <linux/can/j1939.h>")

# <linux/can/raw.h> declares the CAN_RAW socket options as enumerators.
for _name in [
    "CAN_RAW_FILTER", "CAN_RAW_ERR_FILTER", "CAN_RAW_LOOPBACK",
    "CAN_RAW_RECV_OWN_MSGS", "CAN_RAW_FD_FRAMES", "CAN_RAW_JOIN_FILTERS",
]:
    _from(_name, _CAN_RAW, _name, "an enumerator in <linux/can/raw.h>")

# Linux 4.17 turned these two into enumerators of <linux/tipc.h>.
for _name in ["TIPC_CLUSTER_SCOPE", "TIPC_NODE_SCOPE"]:
    _from(_name, "defined(%s) || %s" % (_name, _TIPC), _name,
          "an enumerator in <linux/tipc.h> since Linux 4.17")

# CPython renames <linux/can/bcm.h>'s opcodes (enumerators) and flags (macros).
for _name in [
    "TX_SETUP", "TX_DELETE", "TX_READ", "TX_SEND", "RX_SETUP", "RX_DELETE",
    "RX_READ", "TX_STATUS", "TX_EXPIRED", "RX_STATUS", "RX_TIMEOUT",
    "RX_CHANGED",
]:
    _from("CAN_BCM_" + _name, _BCM, _name,
          "%s, an enumerator in <linux/can/bcm.h>" % _name)
for _name in [
    "SETTIMER", "STARTTIMER", "TX_COUNTEVT", "TX_ANNOUNCE", "TX_CP_CAN_ID",
    "RX_FILTER_ID", "RX_CHECK_DLC", "RX_NO_AUTOTIMER", "RX_ANNOUNCE_RESUME",
    "TX_RESET_MULTI_IDX", "RX_RTR_FRAME", "CAN_FD_FRAME",
]:
    _from("CAN_BCM_" + _name, "%s && defined(%s)" % (_BCM, _name), _name,
          "%s from <linux/can/bcm.h>" % _name)


def python_constants():
    """Returns {name: value} for the running interpreter's int constants."""
    result = {}
    for name in dir(_socket):
        value = getattr(_socket, name)
        # bool is an int, but the module's only bool (has_ipv6) is lower case.
        if name[:1].isupper() and type(value) is int:
            result[name] = value
    return result


def interpreter_description():
    return "%s %s (%s)" % (platform.python_implementation(),
                           platform.python_version(), sys.executable)


def render_golden(constants):
    lines = [
        "# The integer constants of CPython's socket module on this machine.",
        "# Generated by impl/tools/gen_constants.py from %s on %s."
        % (interpreter_description(), platform.system()),
        "# Format: NAME VALUE (decimal). Do not edit by hand.",
    ]
    for name in sorted(constants):
        lines.append("%s %d" % (name, constants[name]))
    return "\n".join(lines) + "\n"


def parse_golden(text):
    constants = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, value = line.split()
            constants[name] = int(value)
    return constants


def render_entry(name):
    entry = SPECIAL.get(name, Entry("defined(%s)" % name, name, None, None,
                                    None))
    out = []
    if entry.note:
        out.append("// %s: %s." % (name, entry.note))
    out.append("#if %s" % entry.guard)
    out.append('SOCKREF_CONSTANT("%s", %s)' % (name, entry.expression))
    if entry.fallback_guard == "1":
        out.append("#else")
        out.append('SOCKREF_CONSTANT("%s", %s)' % (name, entry.fallback))
    else:
        if entry.fallback_guard:
            out.append("#elif %s" % entry.fallback_guard)
            out.append('SOCKREF_CONSTANT("%s", %s)' % (name, entry.fallback))
        out.append("#else")
        out.append('SOCKREF_UNAVAILABLE("%s")' % name)
    out.append("#endif")
    return "\n".join(out)


def render_table(names):
    header = [
        "// constants_table.inc: one entry per integer constant of CPython's socket",
        "// module. Generated by impl/tools/gen_constants.py; do not edit by hand.",
        "// Regenerate with: /usr/bin/python3 impl/tools/gen_constants.py",
        "//",
        "// The includer defines SOCKREF_CONSTANT(name, value) for a name this build's",
        "// headers provide and SOCKREF_UNAVAILABLE(name) for one they do not.",
        "// Entries are sorted by name.",
        "",
    ]
    body = [render_entry(name) for name in sorted(names)]
    return "\n".join(header) + "\n".join(body) + "\n"


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def show_diff(label, expected, actual):
    sys.stdout.writelines(difflib.unified_diff(
        expected.splitlines(True), actual.splitlines(True),
        label + " (on disk)", label + " (regenerated)"))


def check():
    """Returns 0 when the committed files agree with this interpreter."""
    golden = parse_golden(read(GOLDEN_PATH))
    live = python_constants()
    ok = True
    for name, value in sorted(live.items()):
        if name not in golden:
            print("%s = %d is in %s but not in the golden file"
                  % (name, value, interpreter_description()))
            ok = False
        elif golden[name] != value:
            print("%s: golden %d, %s says %d"
                  % (name, golden[name], interpreter_description(), value))
            ok = False
    missing = sorted(set(golden) - set(live))
    if missing:
        print("note: %s lacks %d golden names (accepted): %s"
              % (interpreter_description(), len(missing), " ".join(missing)))
    table = render_table(golden)
    on_disk = read(TABLE_PATH)
    if table != on_disk:
        show_diff("constants_table.inc", on_disk, table)
        ok = False
    if not ok:
        print("Regenerate with: /usr/bin/python3 impl/tools/gen_constants.py")
    return 0 if ok else 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="compare instead of writing")
    args = parser.parse_args()
    if args.check:
        return check()
    constants = python_constants()
    write(GOLDEN_PATH, render_golden(constants))
    write(TABLE_PATH, render_table(constants))
    print("wrote %d constants from %s" % (len(constants),
                                          interpreter_description()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
