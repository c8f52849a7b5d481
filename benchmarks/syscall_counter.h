// syscall_counter.h: counts the system calls a thread makes through the libc
// socket, poll and I/O functions, for the benchmarks' syscalls_per_op counter.
//
//   const std::uint64_t before = SyscallsOnThisThread();
//   workload.ReceiveMessage();
//   std::uint64_t calls = SyscallsOnThisThread() - before;  // 1 when data was ready
//
// How: the benchmark binary links with `-Wl,--wrap=NAME` for every function in
// kWrappedFunctions (see BUILD), so each call that sockref's code or the raw
// workloads make to NAME lands in __wrap_NAME here, which counts it and calls the
// real function. Raw and sockref go through the same wrappers, so they are counted
// the same way, and the counter costs one thread-local increment per call.
//
// What it cannot see: a system call made through a function not in the list.
// The regression gate therefore counts system calls at the kernel boundary
// (valgrind's syscall trace, or strace) and its self-test checks that both
// counts agree on the gated workloads.
#ifndef SOCKREF_BENCHMARKS_SYSCALL_COUNTER_H_
#define SOCKREF_BENCHMARKS_SYSCALL_COUNTER_H_

#include <cstdint>

namespace sockref::benchmarks {

// SyscallsOnThisThread returns the number of wrapped libc calls this thread has
// made since it started.
std::uint64_t SyscallsOnThisThread();

}  // namespace sockref::benchmarks

#endif  // SOCKREF_BENCHMARKS_SYSCALL_COUNTER_H_
