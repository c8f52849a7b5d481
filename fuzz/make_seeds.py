#!/usr/bin/env python3
"""Writes the hand-made seed corpora of //fuzz (fuzz/corpus/<fuzzer>/).

Each seed is laid out the way its harness reads input (FuzzInput in fuzz_support.h:
one byte per choice, little-endian integers, a length byte before a string), so that
every address family, alternative, message shape and case-language construct is
reached from the first execution. Seeds are named after what they exercise.

    bazel build //conformance/report:dump_cases
    fuzz/make_seeds.py --dump-cases bazel-bin/conformance/report/dump_cases

The case-parser and protocol seeds are cut from conformance/cases/*.cases (a few cases
of every area per seed set) and conformance/language/testdata/*.cases; re-run the script
when those change (//fuzz:seeds_current_test fails until then). The script owns every
seed it names: one it no longer writes is removed. Files named by their SHA-1 (inputs
merged in from fuzzing runs) are kept.
"""
import argparse
import json
import os
import re
import struct
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "fuzz", "corpus")  # --corpus changes it
WRITTEN = set()  # (fuzzer, name) of every seed this run wrote
MERGED_INPUT = re.compile(r"^[0-9a-f]{40}$")  # a fuzzing run's input, named by its SHA-1


def write(fuzzer, name, data):
    directory = os.path.join(CORPUS, fuzzer)
    os.makedirs(directory, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogateescape")
    with open(os.path.join(directory, name), "wb") as f:
        f.write(data)
    WRITTEN.add((fuzzer, name))


def remove_stale_seeds():
    """Removes the seeds an earlier run wrote and this one did not (a case renamed or gone)."""
    for fuzzer in sorted(os.listdir(CORPUS)):
        for name in sorted(os.listdir(os.path.join(CORPUS, fuzzer))):
            if (fuzzer, name) not in WRITTEN and not MERGED_INPUT.match(name):
                os.remove(os.path.join(CORPUS, fuzzer, name))
                print("removed stale seed", fuzzer + "/" + name)


# ----- inet_fuzzer: one family-selector byte, then the text (also read as packed bytes).

INET_TEXTS = {
    "aton_dotted_quad": "1.2.3.4",
    "aton_two_parts": "127.1",
    "aton_three_parts": "10.1.65535",
    "aton_one_part_max": "4294967295",
    "aton_one_part_overflow": "4294967296",
    "aton_hex_and_octal": "0x7f.0377.0.01",
    "aton_hex_prefix_alone": "0x",
    "aton_octal_bad_digit": "08.1.1.1",
    "aton_trailing_junk_after_space": "1.2.3.4 junk",
    "aton_trailing_tab": "1.2.3.4\t",
    "aton_leading_space": " 1.2.3.4",
    "aton_trailing_dot": "1.2.3.4.",
    "aton_five_parts": "1.2.3.4.5",
    "aton_part_too_big": "1.256.3.4",
    "empty": "",
    "embedded_nul": "1.2.3.4\0",
    "pton4_leading_zero": "01.2.3.4",
    "pton4_broadcast": "255.255.255.255",
    "pton6_any": "::",
    "pton6_loopback": "::1",
    "pton6_full": "1:2:3:4:5:6:7:8",
    "pton6_upper_hex": "FFFF:ABCD::EF01",
    "pton6_documentation": "2001:db8::1",
    "pton6_mapped": "::ffff:1.2.3.4",
    "pton6_compatible": "::1.2.3.4",
    "pton6_six_groups_quad": "1:2:3:4:5:6:1.2.3.4",
    "pton6_gap_one_group": "1:2:3:4:5:6:7::",
    "pton6_gap_front_one_group": "::1:2:3:4:5:6:7",
    "pton6_gap_too_many": "1:2:3:4:5:6:7:8::",
    "pton6_triple_colon": ":::",
    "pton6_two_gaps": "1::2::3",
    "pton6_five_digits": "12345::",
    "pton6_zone": "fe80::1%eth0",
    "pton6_leading_single_colon": ":1::2",
    "pton6_quad_not_last": "::1.2.3.4:5",
    "pton6_quad_leading_zero": "::01.2.3.4",
    "pton6_hex_in_quad": "::a.2.3.4",
}


def inet_seeds():
    for name, text in INET_TEXTS.items():
        write("inet", name, b"\x00" + text.encode("latin-1"))
    # Packed addresses: the text bytes are also formatted by inet_ntop/inet_ntoa.
    write("inet", "packed4_loopback", b"\x00\x7f\x00\x00\x01")
    write("inet", "packed6_mapped", b"\x01" + bytes(10) + b"\xff\xff\x01\x02\x03\x04")
    write("inet", "packed6_compatible", b"\x01" + bytes(12) + b"\x01\x02\x03\x04")
    write("inet", "packed6_loopback", b"\x01" + bytes(15) + b"\x01")
    write("inet", "packed6_ffff_only", b"\x01" + bytes(14) + b"\xff\xff")
    write("inet", "packed6_two_equal_runs", b"\x01" + b"\x00\x01" + bytes(4) + b"\x00\x02" + bytes(4) + b"\x00\x03" + bytes(2))
    write("inet", "packed6_single_zero_group", b"\x01" + b"\x00\x01\x00\x00" + b"\x00\x02" * 6)
    # Other families: AF_UNIX (1) and a negative one.
    write("inet", "family_unix", b"\xf0" + struct.pack("<i", 1) + b"1.2.3.4")
    write("inet", "family_negative", b"\xff" + struct.pack("<i", -1) + b"::1")


# ----- address_codec_fuzzer ----------------------------------------------------------------

FAMILIES = ["AF_UNSPEC", "AF_UNIX", "AF_INET", "AF_INET6", "AF_NETLINK", "AF_PACKET",
            "AF_TIPC", "AF_CAN", "AF_ALG", "AF_VSOCK", "AF_QIPCRTR", "AF_RDS", "AF_BLUETOOTH"]
FAMILY = {name: i for i, name in enumerate(FAMILIES)}
PROTO = {"0": 0, "CAN_RAW": 1, "CAN_BCM": 2, "CAN_ISOTP": 3, "CAN_J1939": 4}


def decode_seed(family, length, payload, proto="0"):
    """Decode mode: odd first byte, family, proto, length byte (mod 161), payload, type."""
    body = payload[:length].ljust(length, b"\0")
    return bytes([1, FAMILY[family], PROTO[proto], length]) + body + b"\x00"


def int64(value):
    """PickInt64's arbitrary branch (selector 11) with `value`."""
    return b"\x0b" + struct.pack("<q", value)


def host_v4(a, b, c, d):
    return b"\x02" + bytes([a, b, c, d])


def host_v6(raw16, zone=None):
    if zone is None:
        return b"\x03" + raw16 + b"\x01"
    return b"\x03" + raw16 + b"\x00" + b"\x04" + bytes([len(zone)]) + zone


def host_text(text):
    return b"\x05" + bytes([len(text)]) + text


def encode_seed(family, alternative, fields, sock_type=0, proto="0", caller=0):
    """Encode mode: even first byte, family, type, proto, caller, alternative, fields."""
    return bytes([0, FAMILY[family], sock_type, PROTO[proto], caller, alternative]) + fields


# long-function: a flat list of seeds, one line (or three) per address form and family.
def address_seeds():
    sin = struct.pack("<H", 2) + struct.pack(">H", 8080) + bytes([127, 0, 0, 1]) + bytes(8)
    write("address_codec", "decode_inet_loopback", decode_seed("AF_INET", 16, sin))
    write("address_codec", "decode_inet_short_length", decode_seed("AF_INET", 5, sin))
    sin6 = (struct.pack("<H", 10) + struct.pack(">H", 443) + struct.pack(">I", 0x12345) +
            bytes(15) + b"\x01" + struct.pack("<I", 1))
    write("address_codec", "decode_inet6_loopback_flowinfo", decode_seed("AF_INET6", 28, sin6))
    sin6_big_flow = sin6[:4] + b"\xff\xff\xff\xff" + sin6[8:]
    write("address_codec", "decode_inet6_flowinfo_too_big", decode_seed("AF_INET6", 28, sin6_big_flow))
    write("address_codec", "decode_unix_path", decode_seed("AF_UNIX", 2 + 12, b"\1\0/tmp/socket\0"))
    write("address_codec", "decode_unix_abstract", decode_seed("AF_UNIX", 2 + 5, b"\1\0\0name"))
    write("address_codec", "decode_unix_unnamed", decode_seed("AF_UNIX", 2, b"\1\0"))
    write("address_codec", "decode_unix_full_path_no_nul", decode_seed("AF_UNIX", 110, b"\1\0" + b"p" * 108))
    write("address_codec", "decode_unix_overlong_abstract", decode_seed("AF_UNIX", 160, b"\1\0\0" + b"a" * 157))
    write("address_codec", "decode_netlink", decode_seed("AF_NETLINK", 12, b"\x10\0\0\0" + struct.pack("<II", 1234, 5)))
    ll = struct.pack("<HHiHBB", 17, 0x0008, 1, 1, 0, 6) + b"\x00\x11\x22\x33\x44\x55\0\0"
    write("address_codec", "decode_packet_lo", decode_seed("AF_PACKET", 20, ll))
    ll_long = ll[:11] + b"\xff" + ll[12:]
    write("address_codec", "decode_packet_halen_too_big", decode_seed("AF_PACKET", 20, ll_long))
    for addrtype, name in ((1, "nameseq"), (2, "name"), (3, "id"), (9, "bad_type")):
        tipc = struct.pack("<HBb", 30, addrtype, 2) + struct.pack("<IIII", 1, 2, 3, 0)
        write("address_codec", "decode_tipc_" + name, decode_seed("AF_TIPC", 20, tipc))
    can = struct.pack("<Hxxi", 29, 1) + struct.pack("<QII", 0x1234, 0xabc, 0x12)
    write("address_codec", "decode_can_raw", decode_seed("AF_CAN", 24, can, "CAN_RAW"))
    write("address_codec", "decode_can_isotp", decode_seed("AF_CAN", 24, can, "CAN_ISOTP"))
    write("address_codec", "decode_can_j1939", decode_seed("AF_CAN", 24, can, "CAN_J1939"))
    alg = struct.pack("<H", 38) + b"hash".ljust(14, b"\0") + struct.pack("<II", 0x10001, 2) + b"sha256".ljust(64, b"\0")
    write("address_codec", "decode_alg", decode_seed("AF_ALG", 88, alg))
    alg_full = struct.pack("<H", 38) + b"t" * 14 + struct.pack("<II", 0, 0) + b"n" * 64
    write("address_codec", "decode_alg_names_fill_fields", decode_seed("AF_ALG", 88, alg_full))
    write("address_codec", "decode_vsock", decode_seed("AF_VSOCK", 16, struct.pack("<HHII", 40, 0, 1024, 3) + bytes(4)))
    write("address_codec", "decode_unknown_family", decode_seed("AF_BLUETOOTH", 16, b"\x1f\0" + bytes(range(14))))
    write("address_codec", "decode_one_byte", decode_seed("AF_INET", 1, b"\2"))
    write("address_codec", "decode_zero_length", decode_seed("AF_INET", 0, b""))

    port80 = b"\x02" + struct.pack("<H", 80)
    write("address_codec", "encode_inet_v4", encode_seed("AF_INET", 1, host_v4(127, 0, 0, 1) + port80))
    write("address_codec", "encode_inet_empty_host", encode_seed("AF_INET", 1, b"\x00" + port80))
    write("address_codec", "encode_inet_broadcast", encode_seed("AF_INET", 1, b"\x01" + b"\x03"))
    write("address_codec", "encode_inet_port_too_big", encode_seed("AF_INET", 1, host_v4(10, 0, 0, 1) + b"\x04"))
    write("address_codec", "encode_inet_port_negative", encode_seed("AF_INET", 1, host_v4(10, 0, 0, 1) + b"\x05", caller=3))
    write("address_codec", "encode_inet_shorthand_host", encode_seed("AF_INET", 1, host_text(b"127.1") + port80))
    write("address_codec", "encode_inet_host_with_nul", encode_seed("AF_INET", 1, host_text(b"1.2\x003.4") + port80))
    write("address_codec", "encode_inet_non_ascii_host", encode_seed("AF_INET", 1, host_text("-\u00fc-.xn--a".encode()) + port80))
    loop6 = bytes(15) + b"\x01"
    write("address_codec", "encode_inet6_full", encode_seed("AF_INET6", 2, host_v6(loop6) + port80 + int64(0xfffff) + int64(1)))
    write("address_codec", "encode_inet6_flowinfo_too_big", encode_seed("AF_INET6", 2, host_v6(loop6) + port80 + int64(0x100000) + b"\x00"))
    write("address_codec", "encode_inet6_zone", encode_seed("AF_INET6", 2, host_v6(b"\xfe\x80" + bytes(13) + b"\x01", b"lo") + port80 + b"\x00\x00"))
    write("address_codec", "encode_inet6_pair", encode_seed("AF_INET6", 1, host_v6(loop6) + port80))
    write("address_codec", "encode_inet6_on_inet", encode_seed("AF_INET", 2, host_v6(loop6) + port80 + b"\x00\x00"))
    write("address_codec", "encode_unix_path", encode_seed("AF_UNIX", 3, b"\x0b/tmp/socket" + b"\x01"))
    write("address_codec", "encode_unix_abstract", encode_seed("AF_UNIX", 3, b"\x04name" + b"\x00"))
    write("address_codec", "encode_unix_too_long", encode_seed("AF_UNIX", 3, b"\x78" + b"p" * 120 + b"\x01"))
    write("address_codec", "encode_unix_on_inet", encode_seed("AF_INET", 3, b"\x04path\x01"))
    write("address_codec", "encode_netlink", encode_seed("AF_NETLINK", 4, struct.pack("<II", 0, 1)))
    write("address_codec", "encode_packet_lo", encode_seed("AF_PACKET", 5, b"\x01" + b"\x02" + struct.pack("<H", 0x0800) + b"\x00\x00\x06\x00\x11\x22\x33\x44\x55\x66"))
    write("address_codec", "encode_packet_long_hwaddr", encode_seed("AF_PACKET", 5, b"\x01" + b"\x00\x00\x00\x0a" + bytes(10)))
    write("address_codec", "encode_can_raw_lo", encode_seed("AF_CAN", 6, b"\x01" + bytes(6), 3, "CAN_RAW"))
    write("address_codec", "encode_can_isotp", encode_seed("AF_CAN", 6, b"\x00" + b"\x01\x02\x00" * 2, 3, "CAN_ISOTP"))
    write("address_codec", "encode_can_j1939_on_inet6", encode_seed("AF_INET6", 6, b"\x05\x03abc" + b"\x01\x02\x00\x00" * 5))
    write("address_codec", "encode_alg_hash", encode_seed("AF_ALG", 7, b"\x02\x00" + b"\x03\x00" + struct.pack("<II", 0, 0), 2))
    write("address_codec", "encode_alg_type_too_long", encode_seed("AF_ALG", 7, b"\x04\x20" + b"t" * 32 + b"\x00" + struct.pack("<II", 0, 0), 2))
    write("address_codec", "encode_tipc_nameseq", encode_seed("AF_TIPC", 8, struct.pack("<i", 0) + b"\x00" + struct.pack("<III", 1, 2, 3) + b"\x02"))
    write("address_codec", "encode_tipc_bad_type", encode_seed("AF_TIPC", 8, struct.pack("<i", 0) + b"\x03" + struct.pack("<III", 1, 2, 3) + b"\x00"))
    write("address_codec", "encode_vsock", encode_seed("AF_VSOCK", 9, struct.pack("<II", 2, 1024)))
    write("address_codec", "encode_qipcrtr_pair", encode_seed("AF_QIPCRTR", 9, struct.pack("<II", 1, 2)))
    write("address_codec", "encode_unknown_on_unknown_family", encode_seed("AF_BLUETOOTH", 10, b"\x03\x04abcd"))
    write("address_codec", "encode_none_on_inet", encode_seed("AF_INET", 0, b""))
    write("address_codec", "encode_rds", encode_seed("AF_RDS", 1, host_v4(127, 0, 0, 1) + port80, 1))


# ----- ancillary_fuzzer ----------------------------------------------------------------------

SOL_SOCKET, SCM_RIGHTS, SCM_CREDENTIALS = 1, 1, 2


def cmsg(level, kind, payload, claimed=None, pad=True):
    length = 16 + len(payload) if claimed is None else claimed
    out = struct.pack("<Qii", length, level, kind) + payload
    if pad:
        out += bytes((-len(out)) % 8)
    return out


def ancillary_seeds():
    decode = b"\x02"  # mode: decode
    knobs = b"\x00"   # SCM_RIGHTS ints become pool descriptors (1: all become -1)
    fds = lambda *v: b"".join(struct.pack("<i", x) for x in v)
    seeds = {
        "decode_empty": b"",
        "decode_shorter_than_header": b"\x10\0\0\0\0\0\0",
        "decode_rights_one_fd": cmsg(SOL_SOCKET, SCM_RIGHTS, fds(5)),
        "decode_rights_three_fds": cmsg(SOL_SOCKET, SCM_RIGHTS, fds(5, 6, 7)),
        "decode_rights_partial_int": cmsg(SOL_SOCKET, SCM_RIGHTS, fds(5) + b"\x01\x02"),
        "decode_credentials": cmsg(SOL_SOCKET, SCM_CREDENTIALS, struct.pack("<iII", 100, 0, 0)),
        "decode_two_messages": cmsg(SOL_SOCKET, SCM_RIGHTS, fds(3)) + cmsg(0, 1, b"abc"),
        "decode_header_only": cmsg(41, 50, b""),
        "decode_len_below_header": cmsg(SOL_SOCKET, SCM_RIGHTS, fds(1), claimed=8),
        "decode_truncated_payload": cmsg(SOL_SOCKET, SCM_RIGHTS, fds(9, 10), claimed=64, pad=False),
        "decode_huge_len": cmsg(SOL_SOCKET, SCM_RIGHTS, fds(1), claimed=2**64 - 8, pad=False),
        "decode_unpadded_last": cmsg(0, 0, b"x", pad=False),
        "decode_padding_then_short_header": cmsg(0, 0, b"xy") + b"\x18\0\0",
        "decode_second_truncated": cmsg(SOL_SOCKET, SCM_RIGHTS, fds(4)) + cmsg(SOL_SOCKET, SCM_RIGHTS, fds(5, 6), claimed=40, pad=False),
    }
    for name, control in seeds.items():
        write("ancillary", name, decode + knobs + control)
    write("ancillary", "decode_rights_fds_to_minus_one", decode + b"\x01" + seeds["decode_rights_three_fds"])

    def item(level_choice, type_choice, data):
        # level: Integral<int32> (4 bytes) then the selector; type likewise; data with a length byte.
        return (b"\0\0\0\0" + bytes([level_choice]) + b"\0\0\0\0" + bytes([type_choice]) +
                bytes([len(data)]) + data)
    encode = b"\x00"
    write("ancillary", "encode_none", encode + b"\x00")
    write("ancillary", "encode_rights", encode + b"\x01" + item(0, 0, fds(3, 4)))
    write("ancillary", "encode_three_items", encode + b"\x03" + item(0, 0, fds(3)) + item(1, 1, b"abcde") + item(3, 2, b""))
    write("ancillary", "encode_odd_sizes", encode + b"\x02" + item(2, 3, b"x" * 13) + item(4, 2, b"y" * 40))
    sizes = b"\x01"
    for name, value in (("zero", 0), ("one", 1), ("negative", -1), ("min", -2**63), ("max", 2**63 - 1)):
        write("ancillary", "sizes_" + name, sizes + b"\x01" + struct.pack("<q", value))
    for name, below in (("len_limit", 16), ("space_limit", 24), ("int_max", 0)):
        write("ancillary", "sizes_near_" + name, sizes + b"\x00" + bytes([below]))


# ----- case_parser_fuzzer and protocol_fuzzer: cut from the case table ---------------------------

def case_areas():
    """Every area of the table (conformance/cases/<area>.cases), in name order."""
    cases_dir = os.path.join(ROOT, "conformance", "cases")
    return sorted(name[:-len(".cases")] for name in os.listdir(cases_dir) if name.endswith(".cases"))


def split_cases(text):
    """Yields (id, text) for each case of a case file."""
    blocks = re.split(r"(?m)^(?=case )", text)
    for block in blocks:
        m = re.match(r"case (\S+)", block)
        if m:
            yield m.group(1), block


def case_parser_seeds():
    cases_dir = os.path.join(ROOT, "conformance", "cases")
    for area in case_areas():
        path = os.path.join(cases_dir, area + ".cases")
        if not os.path.exists(path):
            continue
        with open(path, encoding="utf-8") as f:
            cases = list(split_cases(f.read()))
        # The examples whole; from the big files, the first cases and a few others, spread out.
        chosen = cases if area.startswith("example_") else cases[:2] + cases[2::max(1, len(cases) // 3)][:2]
        for case_id, block in chosen:
            write("case_parser", "case_" + case_id.replace(".", "_"), block)
    testdata = os.path.join(ROOT, "conformance", "language", "testdata")
    for name in sorted(os.listdir(testdata)):
        if name.endswith(".cases"):
            with open(os.path.join(testdata, name), "rb") as f:
                write("case_parser", "malformed_" + name[:-len(".cases")], f.read())
    extras = {
        "crlf_and_bom": "\ufeffcase fuzz.crlf\r\n  doc: 001 \"x\"\r\n  >>> 1 + 2\r\n  3\r\n",
        "every_statement_form": (
            "case fuzz.forms\n  doc: 002 \"x\"\n"
            "  >>> a, b = socketpair()\n"
            "  >>> buf = bytearray(8)\n"
            "  >>> memoryview(buf)[2:]\n  <memoryview>\n"
            "  >>> (1, [2, 3], -4, b'\\x00' * 2, 'a' + 'b', None, True, 1.5, 1e999)[1:]\n"
            "  ([2, 3], -4, b'\\x00\\x00', 'ab', None, True, 1.5, inf)\n"
            "  >>> a.sendmsg([b'x'], [(SOL_SOCKET, SCM_RIGHTS, array.array('i', [b.fileno()]))])\n  1\n"
            "  >>> b.recvfrom(1, MSG_PEEK | 0)\n  (b'x', $addr)\n"
            "  >>> b.settimeout(0.1)\n  after 0.05: a.send(b'y')\n"
            "  >>> b.recv(1, flags=0)\n  b'x'\n  | b'y'\n  elapsed: < 0.5\n"
            "  >>> b.recv(1)\n  TimeoutError: timed out\n  elapsed: 0.1\n"
            "  >>> socket.close(-1)\n  OSError(errno=EBADF)\n"),
        "unicode_escapes": (
            "case fuzz.escapes\n  doc: 003 '\u00e9\u00e8'\n"
            "  >>> '\\u00e9\\U0001f600\\N{BULLET}\\x41\\101\\t'\n  '\u00e9\U0001f600\u2022AA\\t'\n"),
    }
    for name, text in extras.items():
        write("case_parser", "handmade_" + name, text)


def protocol_seeds(dump_cases):
    dumped_session_seeds(dump_cases)
    handmade_protocol_seeds()


def dumped_session_seeds(dump_cases):
    """A few whole sessions of real cases, as dump_cases --exec writes them."""
    cases_dir = os.path.join(ROOT, "conformance", "cases")
    for area in case_areas():
        path = os.path.join(cases_dir, area + ".cases")
        if not os.path.exists(path):
            continue
        out = subprocess.run([dump_cases, "--exec", path], check=True, capture_output=True,
                             text=True).stdout
        sessions, current = [], []
        for line in out.splitlines():
            request = json.loads(line)
            current.append(request)
            if request.get("op") == "end":
                sessions.append(current)
                current = []
        chosen = sessions if len(sessions) <= 3 else sessions[:: max(1, len(sessions) // 4)][:4]
        for i, session in enumerate(chosen):
            if i == 0:
                session = [{"op": "hello", "protocol": "sockref-driver/1"}] + session
            case_id = session[1 if i == 0 else 0].get("case", area)
            write("protocol", "session_" + case_id.replace(".", "_"),
                  json.dumps(session, separators=(",", ":")))


def handmade_protocol_seeds():
    """Documents no case produces: every value and expression form, bad encodings, sessions
    with captures, background steps and builtins, and garbage requests."""
    lit = lambda v: {"lit": v}
    call = lambda f, *args, **kw: {"call": {"attr": [{"name": "socket"}, f]}, "args": list(args),
                                   "kwargs": kw}
    stmt = lambda e, assign=None: {"assign": assign, "expr": e}
    handmade = {
        "values_every_type": {"tuple": [None, True, 1, {"int": "-123456789012345678901234567890"},
                                        {"float": 1.5}, {"float": "nan"}, {"float": "-inf"}, "str",
                                        {"bytes": "AAEC"}, {"bytearray": "eA=="},
                                        {"list": []},
                                        {"enum": "AddressFamily", "name": "AF_INET", "value": 2},
                                        {"object": "socket", "repr": "<socket.socket fd=3>"}]},
        "value_bad_base64": {"bytes": "A=AA"},
        "value_int_leading_zeros": {"int": "-000"},
        "outcome_raised": {"raised": {"type": "ConnectionRefusedError",
                                      "mro": ["ConnectionRefusedError", "OSError"],
                                      "errno": 111, "errno_name": "ECONNREFUSED",
                                      "str": "[Errno 111] Connection refused"}},
        "outcome_unsupported": {"unsupported": "module 'socket' has no attribute 'x'"},
        "expression_every_form": stmt({"slice": [{"index": [{"list": [
            {"binop": ["*", lit({"bytes": "eA=="}), lit(3)]},
            {"binop": ["+", lit("a"), lit("b")]}, {"neg": lit(2)},
            {"tuple": [lit(1)]}]}, lit(0)]}, lit(1), None]}, ["x"]),
        "exec_outside_case": {"op": "exec", "step": 1, "stmt": stmt(lit(1))},
        "session_captures_and_unpacking": [
            {"op": "begin", "case": "fuzz.capture"},
            {"op": "exec", "step": 1, "stmt": stmt({"tuple": [lit(1), {"tuple": [lit("a"), lit(2)]}]}),
             "capture": {"port": [1, 1], "nothing": [5]}},
            {"op": "exec", "step": 2, "stmt": stmt({"tuple": [lit(1), lit(2)]}, ["a", "b"])},
            {"op": "exec", "step": 3, "stmt": stmt({"tuple": [{"name": "port"}, {"name": "a"}, {"name": "undefined"}]})},
            {"op": "exec", "step": 4, "stmt": stmt(lit(3), ["a", "b"])},
            {"op": "end", "deadline": 1}],
        "session_background": [
            {"op": "begin", "case": "fuzz.background"},
            {"op": "exec", "step": 1, "stmt": stmt(call("setdefaulttimeout", lit({"float": 0.5})))},
            {"op": "exec", "step": 2, "stmt": stmt(call("inet_aton", lit("1.2"))), "background": {"delay": 0}},
            {"op": "exec", "step": 3, "stmt": stmt(call("getdefaulttimeout"))},
            {"op": "end"}, {"op": "quit"}],
        "session_builtins": [
            {"op": "begin", "case": "fuzz.builtins"},
            {"op": "exec", "step": 1, "stmt": stmt({"call": {"name": "bytearray"}, "args": [lit(4)], "kwargs": {}}, ["buf"])},
            {"op": "exec", "step": 2, "stmt": stmt({"call": {"name": "len"}, "args": [{"call": {"name": "memoryview"}, "args": [{"name": "buf"}], "kwargs": {}}], "kwargs": {}})},
            {"op": "exec", "step": 3, "stmt": stmt({"call": {"attr": [{"name": "array"}, "array"]}, "args": [lit("i"), {"list": [lit(1), lit(2)]}], "kwargs": {}})},
            {"op": "exec", "step": 4, "stmt": stmt({"call": {"name": "isinstance"}, "args": [lit(1), {"attr": [{"name": "socket"}, "error"]}], "kwargs": {}})},
            {"op": "exec", "step": 5, "stmt": stmt(call("AddressFamily", lit(10)))},
            {"op": "exec", "step": 6, "stmt": stmt({"attr": [{"name": "socket"}, "MSG_PEEK"]})},
            {"op": "exec", "step": 7, "stmt": stmt(call("inet_ntop", {"attr": [{"name": "socket"}, "AF_INET6"]}, lit({"bytes": "AAAAAAAAAAAAAAAAAAAAAQ=="})))},
            {"op": "exec", "step": 8, "stmt": stmt(call("htons", lit(70000)))},
            {"op": "exec", "step": 9, "stmt": stmt(call("CMSG_SPACE", lit(-1)))},
            {"op": "end"}],
        "request_garbage": [1, "x", {"op": 5}, {"op": "begin"}, {"op": "end"},
                            {"op": "exec", "stmt": {"assign": [], "expr": None}}],
    }
    for name, document in handmade.items():
        write("protocol", "handmade_" + name, json.dumps(document, separators=(",", ":")))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dump-cases", required=True,
                        help="the dump_cases binary (bazel build //conformance/report:dump_cases)")
    parser.add_argument("--corpus", help="where the corpora go (default: fuzz/corpus here)")
    args = parser.parse_args()
    global CORPUS
    if args.corpus:
        CORPUS = args.corpus
    inet_seeds()
    address_seeds()
    ancillary_seeds()
    case_parser_seeds()
    protocol_seeds(args.dump_cases)
    remove_stale_seeds()
    for fuzzer in sorted(os.listdir(CORPUS)):
        print(fuzzer, len(os.listdir(os.path.join(CORPUS, fuzzer))), "seeds")


if __name__ == "__main__":
    sys.exit(main())
