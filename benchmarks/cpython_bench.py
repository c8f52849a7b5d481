#!/usr/bin/env python3
"""cpython_bench.py: sockref's benchmark workloads run by CPython's own socket module.

The same workloads as socket_benchmark (workloads.h), named the same with
impl:cpython, printed in Google Benchmark's JSON format so that one report puts
raw system calls, sockref and CPython side by side:

    python3 benchmarks/cpython_bench.py --benchmark_filter='BM_SendRecvUnix/.*/size:64/' \\
        --benchmark_format=json

Like socket_benchmark, messages up to 64 KiB are sent and then received by one
thread (data is always ready), and larger ones are received by a peer thread.
Time is wall-clock time per message (real_time); bytes_per_second and
items_per_second come from what send/recv returned.

Fixed mode, for tracers (strace, valgrind), with the same getppid(2) markers
around the measured messages as socket_benchmark:

    python3 benchmarks/cpython_bench.py --workload=BM_SendRecvUnix/impl:cpython/mode:timeout/size:64 \\
        --iterations=200 --warmup=20

--count_syscalls adds a syscalls_per_op counter to every benchmark by running
that workload's fixed mode under strace (or valgrind when strace is missing).
"""

import argparse
import json
import os
import platform
import re
import socket
import sys
import threading
import time

MESSAGE_SIZES = [1, 64, 1024, 16 * 1024, 64 * 1024, 1024 * 1024]
ECHO_SIZES = [64]  # workloads.h's kEchoSizes
BUFFER_COUNTS = [1, 4, 16]
MAX_DATAGRAM = 65507
INLINE_LIMIT = 64 * 1024
TIMEOUT = 10.0  # never expires on loopback: the point is timeout mode's code path


class Spec:
    """One workload, as workloads.h's WorkloadSpec."""

    def __init__(self, api, transport, mode, size, buffers=1):
        self.api, self.transport, self.mode = api, transport, mode
        self.size, self.buffers = size, buffers

    @property
    def name(self):
        parts = [f"BM_{self.api}{self.transport}", "impl:cpython", f"mode:{self.mode}"]
        if self.api == "SendmsgRecvmsgInto":
            parts.append(f"buffers:{self.buffers}")
        parts.append(f"size:{self.size}")
        return "/".join(parts)

    @property
    def inline(self):
        return self.size <= INLINE_LIMIT and not self.echoes

    @property
    def echoes(self):
        return self.api == "SendRecvEcho"


def all_workloads():
    """Every workload, in socket_benchmark's order."""
    specs = []

    def add(api, transport, buffers=1, max_size=None):
        for mode in ("blocking", "timeout"):
            for size in ECHO_SIZES if api == "SendRecvEcho" else MESSAGE_SIZES:
                if max_size is None or size <= max_size:
                    specs.append(Spec(api, transport, mode, size, buffers))

    for transport in ("Unix", "Tcp"):
        add("SendRecv", transport)
        add("SendallRecvInto", transport)
        for buffers in BUFFER_COUNTS:
            add("SendmsgRecvmsgInto", transport, buffers)
        add("SendRecvEcho", transport)
    add("SendtoRecvfrom", "Udp", max_size=MAX_DATAGRAM)
    return specs


def find_workload(name):
    name = name[:-len("/real_time")] if name.endswith("/real_time") else name
    for spec in all_workloads():
        if spec.name == name:
            return spec
    return None


def connect(transport):
    """Returns (sender, receiver, receiver_address) on loopback, port 0."""
    if transport == "Unix":
        a, b = socket.socketpair()
        return a, b, None
    if transport == "Tcp":
        with socket.socket() as listener:
            listener.bind(("127.0.0.1", 0))
            listener.listen(1)
            sender = socket.create_connection(listener.getsockname())
            receiver, _ = listener.accept()
        for s in (sender, receiver):
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sender, receiver, None
    sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sender.bind(("127.0.0.1", 0))
    receiver.bind(("127.0.0.1", 0))
    return sender, receiver, receiver.getsockname()


def segments(view, count):
    """Splits a memoryview into `count` consecutive parts as workloads.h does."""
    n = len(view)
    bounds = [n * i // count for i in range(count + 1)]
    return [view[bounds[i]:bounds[i + 1]] for i in range(count)]


def remaining(parts, done):
    """The parts from byte `done` on (all of them when done == 0)."""
    if done == 0:
        return parts
    out, offset = [], 0
    for p in parts:
        end = offset + len(p)
        if end > done:
            out.append(p[max(done - offset, 0):])
        offset = end
    return out


class Workload:
    """A connected pair set up for a Spec, moving messages the idiomatic Python way."""

    def __init__(self, spec):
        self.spec = spec
        self.sender, self.receiver, self.address = connect(spec.transport)
        timeout = TIMEOUT if spec.mode == "timeout" else None
        self.sender.settimeout(timeout)
        self.receiver.settimeout(timeout)
        self.message = b"x" * spec.size
        self.buffer = bytearray(spec.size)
        self.view = memoryview(self.buffer)
        self.send_parts = segments(memoryview(self.message), spec.buffers)
        self.recv_parts = segments(self.view, spec.buffers)
        self.send_message = getattr(self, "_send_" + spec.api)
        self.receive_message = getattr(self, "_receive_" + spec.api)

    def close(self):
        self.sender.close()
        self.receiver.close()

    def _send_SendRecv(self):
        message, size = self.message, self.spec.size
        sent = self.sender.send(message)
        if sent < size:
            view = memoryview(message)
            while sent < size:
                sent += self.sender.send(view[sent:])
        return sent

    def _receive_SendRecv(self):
        size, got = self.spec.size, 0
        while got < size:
            data = self.receiver.recv(size - got)
            if not data:
                raise EOFError(f"recv: end of stream after {got} of {size} bytes")
            got += len(data)
        return got

    _send_SendRecvEcho = _send_SendRecv

    def _receive_whole(self, sock):
        size, parts, got = self.spec.size, [], 0
        while got < size:
            data = sock.recv(size - got)
            if not data:
                raise EOFError(f"recv: end of stream after {got} of {size} bytes")
            parts.append(data)
            got += len(data)
        return parts[0] if len(parts) == 1 else b"".join(parts)

    def _receive_SendRecvEcho(self):
        # The reply, on the sending socket: it has not arrived yet.
        return len(self._receive_whole(self.sender))

    def echo_message(self):
        """An echo server's loop body, on the peer thread: recv, then send it back."""
        data = self._receive_whole(self.receiver)
        sent = self.receiver.send(data)
        while sent < len(data):
            sent += self.receiver.send(memoryview(data)[sent:])
        return len(data)

    def _send_SendallRecvInto(self):
        self.sender.sendall(self.message)
        return self.spec.size

    def _receive_SendallRecvInto(self):
        size, view, got = self.spec.size, self.view, 0
        while got < size:
            n = self.receiver.recv_into(view[got:] if got else self.buffer)
            if not n:
                raise EOFError(f"recv_into: end of stream after {got} of {size} bytes")
            got += n
        return got

    def _send_SendmsgRecvmsgInto(self):
        size, sent = self.spec.size, 0
        while sent < size:
            sent += self.sender.sendmsg(remaining(self.send_parts, sent))
        return sent

    def _receive_SendmsgRecvmsgInto(self):
        size, got = self.spec.size, 0
        while got < size:
            n = self.receiver.recvmsg_into(remaining(self.recv_parts, got))[0]
            if not n:
                raise EOFError(f"recvmsg_into: end of stream after {got} of {size} bytes")
            got += n
        return got

    def _send_SendtoRecvfrom(self):
        sent = self.sender.sendto(self.message, self.address)
        if sent != self.spec.size:
            raise RuntimeError(f"sendto: {sent} of {self.spec.size} bytes")
        return sent

    def _receive_SendtoRecvfrom(self):
        data, _ = self.receiver.recvfrom(self.spec.size)
        if len(data) != self.spec.size:
            raise RuntimeError(f"recvfrom: {len(data)} of {self.spec.size} bytes")
        return len(data)


class PeerReceiver(threading.Thread):
    """Receives `count` messages on a thread (messages too big for one thread)."""

    def __init__(self, workload, count):
        super().__init__(daemon=True)
        self.workload, self.count, self.bytes, self.error = workload, count, 0, None
        self.start()

    def run(self):
        try:
            w = self.workload
            receive = w.echo_message if w.spec.echoes else w.receive_message
            for _ in range(self.count):
                self.bytes += receive()
        except BaseException as e:  # reported by finish(); wake the sender
            self.error = e
            self.workload.sender.shutdown(socket.SHUT_RDWR)

    def finish(self):
        self.join()
        if self.error:
            raise self.error
        return self.bytes


def run_iterations(spec, iterations):
    """Moves `iterations` messages; returns (real seconds, cpu seconds, bytes)."""
    w = Workload(spec)
    try:
        send, receive = w.send_message, w.receive_message
        if spec.inline:
            total = 0
            start, cpu_start = time.perf_counter(), time.thread_time()
            for _ in range(iterations):
                send()
                total += receive()
        elif spec.echoes:
            peer = PeerReceiver(w, iterations)
            total = 0
            start, cpu_start = time.perf_counter(), time.thread_time()
            try:
                for _ in range(iterations):
                    send()
                    total += receive()
            finally:
                peer.join()
        else:
            peer = PeerReceiver(w, iterations)
            start, cpu_start = time.perf_counter(), time.thread_time()
            try:
                for _ in range(iterations):
                    send()
            except BaseException:
                w.receiver.shutdown(socket.SHUT_RDWR)  # wake the peer, then report
                peer.join()
                raise
            total = peer.finish()
        return time.perf_counter() - start, time.thread_time() - cpu_start, total
    finally:
        w.close()


def measure(spec, min_time):
    """Google Benchmark's iteration search: grow the count until a run lasts
    min_time seconds, then report that run."""
    iterations = 1
    while True:
        real, cpu, total = run_iterations(spec, iterations)
        if real >= min_time or iterations >= 1_000_000_000:
            return iterations, real, cpu, total
        multiplier = min_time * 1.4 / max(real, 1e-9) if real / min_time > 0.1 else 10.0
        iterations = max(int(multiplier * iterations), iterations + 1)


def count_syscalls_per_op(spec):
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, here)
    import measure as measure_lib  # only needed for --count_syscalls
    m = measure_lib.count_syscalls([sys.executable, os.path.abspath(__file__)], spec.name)
    return m.syscalls_per_op


def context():
    return {
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "host_name": platform.node(),
        "executable": sys.executable,
        "num_cpus": os.cpu_count(),
        "mhz_per_cpu": 0,
        "cpu_scaling_enabled": False,
        "caches": [],
        "load_avg": list(os.getloadavg()),
        "library_build_type": "release",
        "python": f"{platform.python_implementation()} {platform.python_version()}",
    }


def run_fixed(name, iterations, warmup):
    spec = find_workload(name)
    if spec is None:
        print(f"cpython_bench.py: no workload named {name}", file=sys.stderr)
        return 2
    w = Workload(spec)
    try:
        send, receive = w.send_message, w.receive_message
        total = 0
        if spec.inline or spec.echoes:
            peer = PeerReceiver(w, warmup + iterations) if spec.echoes else None
            for _ in range(warmup):
                send()
                receive()
            os.getppid()
            for _ in range(iterations):
                send()
                total += receive()
            os.getppid()
            if peer:
                peer.finish()
        else:
            peer = PeerReceiver(w, warmup + iterations)
            for _ in range(warmup):
                send()
            os.getppid()
            for _ in range(iterations):
                send()
            total = peer.finish()
            os.getppid()
    finally:
        w.close()
    print(json.dumps({"workload": spec.name, "iterations": iterations, "bytes": total}))
    return 0


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--benchmark_filter", default=".")
    p.add_argument("--benchmark_min_time", type=float, default=0.5)
    p.add_argument("--benchmark_format", choices=["console", "json"], default="console")
    p.add_argument("--benchmark_out", help="also write the JSON here")
    p.add_argument("--count_syscalls", action="store_true",
                   help="add syscalls_per_op, traced in fixed mode")
    p.add_argument("--list_workloads", action="store_true")
    p.add_argument("--workload", help="fixed mode: run this workload only")
    p.add_argument("--iterations", type=int, default=1000)
    p.add_argument("--warmup", type=int, default=20)
    args = p.parse_args(argv)

    if args.list_workloads:
        print("\n".join(s.name for s in all_workloads()))
        return 0
    if args.workload:
        return run_fixed(args.workload, args.iterations, args.warmup)

    pattern = re.compile(args.benchmark_filter)
    benchmarks = []
    for family_index, spec in enumerate(all_workloads()):
        name = spec.name + "/real_time"
        if not pattern.search(name):
            continue
        entry = {"name": name, "family_index": family_index, "per_family_instance_index": 0,
                 "run_name": name, "run_type": "iteration", "repetitions": 1,
                 "repetition_index": 0, "threads": 1}
        try:
            iterations, real, cpu, total = measure(spec, args.benchmark_min_time)
            entry.update({
                "iterations": iterations,
                "real_time": real / iterations * 1e9,
                "cpu_time": cpu / iterations * 1e9,
                "time_unit": "ns",
                "bytes_per_second": total / real,
                "items_per_second": iterations / real,
            })
            if args.count_syscalls:
                entry["syscalls_per_op"] = count_syscalls_per_op(spec)
        except Exception as e:  # as Google Benchmark's SkipWithError: report, go on
            entry.update({"error_occurred": True, "error_message": f"{type(e).__name__}: {e}",
                          "iterations": 0, "real_time": 0, "cpu_time": 0, "time_unit": "ns"})
        benchmarks.append(entry)
        if args.benchmark_format == "console":
            if entry.get("error_occurred"):
                print(f"{name:<75} ERROR: {entry['error_message']}", flush=True)
            else:
                print(f"{name:<75} {entry['real_time']:>12.0f} ns {entry['iterations']:>10} "
                      f"bytes_per_second={entry['bytes_per_second'] / 2**20:.1f}Mi/s", flush=True)
    report = {"context": context(), "benchmarks": benchmarks}
    if args.benchmark_out:
        with open(args.benchmark_out, "w") as f:
            json.dump(report, f, indent=2)
    if args.benchmark_format == "json":
        json.dump(report, sys.stdout, indent=2)
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
