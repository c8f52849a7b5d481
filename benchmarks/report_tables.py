"""The report's measurement tables: time, system calls and instructions per message for every
workload, as Markdown lines."""

import measure
from report_cells import (INLINE_LIMIT, TRANSPORT_LABEL, api_label, fmt_count, fmt_size, fmt_time,
                          name_of, sizes_of, workloads_of)


def time_tables(results):
    lines = []
    for transport in ("Unix", "Tcp", "Udp"):
        for mode in ("blocking", "timeout"):
            sizes = sizes_of(transport)
            lines.append(f"#### {TRANSPORT_LABEL[transport]}, {mode} mode\n")
            lines.append("| API | impl | " + " | ".join(fmt_size(s) for s in sizes) + " |")
            lines.append("|---|---|" + "---|" * len(sizes))
            for api, buffers in workloads_of(transport):
                for impl in ("raw", "sockref", "cpython"):
                    cells = []
                    for size in sizes:
                        entry = results.get(name_of(api, transport, impl, mode, size, buffers))
                        raw = results.get(name_of(api, transport, "raw", mode, size, buffers))
                        if not entry:
                            cells.append("–")
                        elif impl == "raw":
                            cells.append(fmt_time(measure.time_per_op(entry)))
                        elif raw:
                            ratio = measure.time_per_op(entry) / measure.time_per_op(raw)
                            cells.append(f"{fmt_time(measure.time_per_op(entry))} ×{ratio:.2f}")
                        else:
                            cells.append(fmt_time(measure.time_per_op(entry)))
                    label = api_label(api, buffers) if impl == "raw" else ""
                    impl_label = {"raw": "raw", "sockref": "**sockref**", "cpython": "CPython"}[impl]
                    lines.append(f"| {label} | {impl_label} | " + " | ".join(cells) + " |")
            lines.append("")
    lines.append("#### Data not ready: send/recv round trips through an echoing peer thread, "
                 "64 B (wall clock)\n")
    lines.append("A round trip's time is mostly two thread wake-ups, which depend on where the "
                 "scheduler puts the two threads: CPython's threads, taking turns at the GIL, "
                 "tend to share a core and wake each other faster than two free-running C++ "
                 "threads on two cores. What these workloads hold for sockref is the system "
                 "call count (above).\n")
    lines.append("| transport | mode | raw | sockref | CPython |")
    lines.append("|---|---|---|---|---|")
    for transport in ("Unix", "Tcp"):
        for mode in ("blocking", "timeout"):
            raw = results.get(name_of("SendRecvEcho", transport, "raw", mode, 64))
            cells = []
            for impl in ("raw", "sockref", "cpython"):
                entry = results.get(name_of("SendRecvEcho", transport, impl, mode, 64))
                if not entry:
                    cells.append("–")
                elif impl == "raw" or not raw:
                    cells.append(fmt_time(entry["real_time"]))
                else:
                    cells.append(f"{fmt_time(entry['real_time'])} "
                                 f"×{entry['real_time'] / raw['real_time']:.2f}")
            lines.append(f"| {transport} | {mode} | " + " | ".join(cells) + " |")
    lines.append("")
    return lines


def syscall_table(results, py_syscalls, instr):
    lines = ["| transport | mode | API | raw 64 B | sockref 64 B | CPython 64 B | raw 1 MiB | "
             "sockref 1 MiB | CPython 1 MiB |", "|---|---|---|---|---|---|---|---|---|"]
    for transport in ("Unix", "Tcp", "Udp"):
        for mode in ("blocking", "timeout"):
            for api, buffers in workloads_of(transport):
                cells = []
                for size in (64, 1024 * 1024):
                    for impl in ("raw", "sockref", "cpython"):
                        name = name_of(api, transport, impl, mode, size, buffers)
                        if impl == "cpython":
                            value = py_syscalls.get(name)
                        elif name in instr:  # kernel-boundary count, deterministic
                            value = instr[name].syscalls_per_op
                        else:
                            value = results.get(name, {}).get("syscalls_per_op")
                        cells.append(fmt_count(value))
                lines.append(f"| {transport} | {mode} | {api_label(api, buffers)} | " +
                             " | ".join(cells) + " |")
    return lines


def instruction_table(instr):
    lines = []
    for transport in ("Unix", "Udp"):
        sizes = [s for s in sizes_of(transport) if s <= INLINE_LIMIT]
        lines.append(f"#### {TRANSPORT_LABEL[transport]}: sockref instructions per message "
                     f"(+ over raw)\n")
        lines.append("| API | mode | " + " | ".join(fmt_size(s) for s in sizes) + " |")
        lines.append("|---|---|" + "---|" * len(sizes))
        for api, buffers in workloads_of(transport):
            for mode in ("blocking", "timeout"):
                cells = []
                for size in sizes:
                    mine = instr.get(name_of(api, transport, "sockref", mode, size, buffers))
                    raw = instr.get(name_of(api, transport, "raw", mode, size, buffers))
                    if mine and raw:
                        cells.append(f"{mine.instructions_per_op:,.0f} "
                                     f"(+{mine.instructions_per_op - raw.instructions_per_op:,.0f})")
                    else:
                        cells.append("–")
                lines.append(f"| {api_label(api, buffers)} | {mode} | " + " | ".join(cells) + " |")
        lines.append("")
    return lines
