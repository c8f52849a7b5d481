"""The benchmark report's vocabulary: workload names, labels, and how a cell is formatted.

Shared by report.py and the modules that write its sections (report_tables, report_targets,
throughput_svg), so that one workload is named and one number is printed the same way everywhere.
"""

import statistics

import measure

SIZES = [1, 64, 1024, 16 * 1024, 64 * 1024, 1024 * 1024]
INLINE_LIMIT = 64 * 1024
STREAM_APIS = [("SendRecv", 1), ("SendallRecvInto", 1), ("SendmsgRecvmsgInto", 1),
               ("SendmsgRecvmsgInto", 4), ("SendmsgRecvmsgInto", 16)]
API_LABEL = {"SendRecv": "send / recv", "SendallRecvInto": "sendall / recv_into",
             "SendmsgRecvmsgInto": "sendmsg / recvmsg_into", "SendtoRecvfrom": "sendto / recvfrom",
             "SendRecvEcho": "send / recv through an echo"}
TRANSPORT_LABEL = {"Unix": "AF_UNIX stream (socketpair)", "Tcp": "TCP loopback, TCP_NODELAY",
                   "Udp": "UDP loopback datagrams"}

# System calls that are the socket's work (CPython's traces also hold the GIL's
# futex calls between its two threads in the echo workloads: not socket calls).
SOCKET_CALLS = {"poll", "ppoll", "select", "pselect6", "epoll_wait", "sendto", "recvfrom",
                "sendmsg", "recvmsg", "send", "recv", "read", "write", "readv", "writev"}


def name_of(api, transport, impl, mode, size, buffers=1):
    parts = [f"BM_{api}{transport}", f"impl:{impl}", f"mode:{mode}"]
    if api == "SendmsgRecvmsgInto":
        parts.append(f"buffers:{buffers}")
    parts.append(f"size:{size}")
    return "/".join(parts)


def api_label(api, buffers):
    label = API_LABEL[api]
    return f"{label} ×{buffers}" if api == "SendmsgRecvmsgInto" else label


def workloads_of(transport):
    if transport == "Udp":
        return [("SendtoRecvfrom", 1)]
    return STREAM_APIS


def sizes_of(transport):
    return [s for s in SIZES if transport != "Udp" or s <= 65507]


# --- formatting ------------------------------------------------------------------------

def fmt_time(ns):
    if ns is None:
        return "–"
    if ns < 10_000:
        return f"{ns:,.0f} ns"
    if ns < 10_000_000:
        return f"{ns / 1000:,.1f} µs"
    return f"{ns / 1e6:,.2f} ms"


def fmt_size(size):
    if size >= 1 << 20:
        return f"{size >> 20} MiB"
    if size >= 1 << 10:
        return f"{size >> 10} KiB"
    return f"{size} B"


def fmt_rate(bytes_per_second):
    for unit, scale in (("GB/s", 1e9), ("MB/s", 1e6), ("kB/s", 1e3)):
        if bytes_per_second >= scale:
            return f"{bytes_per_second / scale:,.2f} {unit}"
    return f"{bytes_per_second:,.0f} B/s"


def fmt_count(x):
    if x is None:
        return "–"
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:,.2f}".rstrip("0").rstrip(".")


def socket_calls_per_op(m):
    """System calls per message of a Measurement, counting only SOCKET_CALLS."""
    return sum(n for call, n in m.syscalls.items() if call in SOCKET_CALLS) / m.iterations


def median_ratio(rounds, numerator, denominator, of=measure.time_per_op):
    """Median over rounds of of(numerator) / of(denominator), and (min, max)."""
    values = [of(r[numerator]) / of(r[denominator])
              for r in rounds if numerator in r and denominator in r]
    if not values:
        return None, (None, None)
    return statistics.median(values), (min(values), max(values))
