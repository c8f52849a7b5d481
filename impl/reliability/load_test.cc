// Load: 1,000 loopback connections per round through a timeout-mode accept
// loop, each echoing a checksummed payload, for 3 rounds. Every byte is
// verified, and once the first round has warmed up the allocator and the
// thread stacks, later rounds must not grow the descriptor table or the
// resident set beyond a small allowance: a leaked descriptor per connection
// shows up as 1,000 more descriptors, a leaked KiB per connection as 2 MiB.
//
// Shape of a round: one acceptor thread (listener in timeout mode) hands
// connections to kWorkers echo threads; kClientThreads client threads each open
// kBatch connections at a time, send on all of them, then read every echo.
// Workers close first, so TIME_WAIT lands on the server side (the listener's
// port) and client ephemeral ports are free again at once; at most
// kClientThreads * kBatch connections are in flight, well inside the backlog.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <deque>
#include <fstream>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "impl/error.h"
#include "impl/reliability/pattern.h"
#include "impl/socket.h"
#include "impl/testing/open_fds.h"
#include "impl/testing/sanitizers.h"

namespace sockref::reliability {
namespace {

using ::sockref::testing::CountOpenFds;

constexpr int kRounds = 3;
constexpr int kConnections = 1000;
constexpr int kClientThreads = 4;
constexpr int kBatch = 25;
constexpr int kWorkers = 4;
constexpr int kBacklog = 256;
static_assert(kClientThreads * kBatch <= kBacklog, "in-flight connects must fit the backlog");
static_assert(kConnections % (kClientThreads * kBatch) == 0);
constexpr std::size_t kMaxPayload = 16 * 1024;
constexpr Seconds kTimeout{10.0};
// Resident-set growth allowed from the end of round 1 to the end of the last
// (measured here: 300-400 KiB, the allocator settling). Leaking 1 KiB per
// connection would exceed it.
[[maybe_unused]] constexpr long kRssAllowanceKiB = 2 * 1024;

// The request and the echo: an 8-byte length, an 8-byte checksum, the payload.
constexpr std::size_t kHeaderSize = 16;

Bytes Message(int round, int index) {
  const std::size_t size =
      1 + (static_cast<std::size_t>(index) * 7919 + static_cast<std::size_t>(round) * 104729) %
              kMaxPayload;
  const Bytes payload = Pattern(static_cast<std::uint64_t>(round) * kConnections + index, size);
  const std::uint64_t header[2] = {size, Checksum(payload)};
  Bytes message(reinterpret_cast<const char*>(header), kHeaderSize);
  return message + payload;
}

// ResidentKiB returns the current resident set size from /proc/self/statm.
long ResidentKiB() {
  std::ifstream statm("/proc/self/statm");
  long size = 0;
  long resident = 0;
  statm >> size >> resident;
  return resident * (::sysconf(_SC_PAGESIZE) / 1024);
}

// Failures from worker threads, reported by the test thread.
class Failures {
 public:
  void Add(std::string what) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (messages_.size() < 20) messages_.push_back(std::move(what));
    ++count_;
  }
  int count() {
    std::lock_guard<std::mutex> lock(mutex_);
    return count_;
  }
  std::string Summary() {
    std::lock_guard<std::mutex> lock(mutex_);
    std::string out;
    for (const auto& m : messages_) out += m + "\n";
    return out;
  }

 private:
  std::mutex mutex_;
  std::vector<std::string> messages_;
  int count_ = 0;
};

// ConnectionQueue hands accepted connections from the acceptor to the workers;
// Close() lets the workers drain it and stop.
class ConnectionQueue {
 public:
  void Push(Socket conn) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      queue_.push_back(std::move(conn));
    }
    ready_.notify_one();
  }
  void Close() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      closed_ = true;
    }
    ready_.notify_all();
  }
  std::optional<Socket> Pop() {
    std::unique_lock<std::mutex> lock(mutex_);
    ready_.wait(lock, [this] { return closed_ || !queue_.empty(); });
    if (queue_.empty()) return std::nullopt;
    Socket conn = std::move(queue_.front());
    queue_.pop_front();
    return conn;
  }

 private:
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<Socket> queue_;
  bool closed_ = false;
};

Bytes RecvExactly(Socket& s, std::size_t n) {
  Bytes out;
  while (out.size() < n) {
    Bytes chunk = s.recv(static_cast<std::int64_t>(n - out.size()));
    if (chunk.empty()) break;
    out += chunk;
  }
  return out;
}

// Echo serves one connection: reads the request, checks its checksum, sends it
// back and closes.
void Echo(Socket conn, Failures& failures) {
  conn.settimeout(kTimeout);
  const Bytes header = RecvExactly(conn, kHeaderSize);
  if (header.size() != kHeaderSize) return failures.Add("server: short header");
  std::uint64_t fields[2];
  std::memcpy(fields, header.data(), kHeaderSize);
  if (fields[0] > kMaxPayload) return failures.Add("server: bad length");
  const Bytes payload = RecvExactly(conn, static_cast<std::size_t>(fields[0]));
  if (payload.size() != fields[0] || Checksum(payload) != fields[1]) {
    return failures.Add("server: payload corrupted");
  }
  conn.sendall(header + payload);
  conn.close();
}

struct RoundResult {
  int accepted = 0;
  int verified = 0;
};

RoundResult RunRound(int round, Failures& failures) {
  Socket listener(AF_INET, SOCK_STREAM);
  listener.bind(InetAddress{"127.0.0.1", 0});
  listener.listen(kBacklog);
  listener.settimeout(kTimeout);
  const Address address = listener.getsockname();

  ConnectionQueue queue;
  std::atomic<int> accepted{0};
  std::atomic<int> verified{0};

  std::thread acceptor([&] {
    try {
      for (int i = 0; i < kConnections; ++i) {
        queue.Push(listener.accept().conn);
        accepted.fetch_add(1);
      }
    } catch (const std::exception& e) {
      failures.Add(std::string("acceptor: ") + e.what());
    }
    queue.Close();
  });
  std::vector<std::thread> workers;
  for (int w = 0; w < kWorkers; ++w) {
    workers.emplace_back([&] {
      while (std::optional<Socket> conn = queue.Pop()) {
        try {
          Echo(std::move(*conn), failures);
        } catch (const std::exception& e) {
          failures.Add(std::string("worker: ") + e.what());
        }
      }
    });
  }
  std::vector<std::thread> clients;
  for (int c = 0; c < kClientThreads; ++c) {
    clients.emplace_back([&, c] {
      constexpr int kPerClient = kConnections / kClientThreads;
      try {
        for (int first = c * kPerClient; first < (c + 1) * kPerClient; first += kBatch) {
          std::vector<Socket> batch;
          std::vector<Bytes> sent;
          for (int i = first; i < first + kBatch; ++i) {
            batch.emplace_back(AF_INET, SOCK_STREAM);
            batch.back().settimeout(kTimeout);
            batch.back().connect(address);
          }
          for (int i = 0; i < kBatch; ++i) {
            sent.push_back(Message(round, first + i));
            batch[i].sendall(sent.back());
          }
          for (int i = 0; i < kBatch; ++i) {
            Bytes echo = RecvExactly(batch[i], sent[i].size());
            const bool at_end = batch[i].recv(1).empty();  // the worker closed
            if (echo == sent[i] && at_end) {
              verified.fetch_add(1);
            } else {
              failures.Add("client: connection " + std::to_string(first + i) + ": " +
                           std::string(SameBytes(sent[i], echo).message()) +
                           (at_end ? "" : "; data after the echo"));
            }
            batch[i].close();
          }
        }
      } catch (const std::exception& e) {
        failures.Add(std::string("client: ") + e.what());
      }
    });
  }
  for (auto& t : clients) t.join();
  acceptor.join();
  for (auto& t : workers) t.join();
  return RoundResult{accepted.load(), verified.load()};
}

TEST(LoadTest, ThousandsOfEchoConnectionsLoseNothingAndLeakNothing) {
  const int fds_before = CountOpenFds();
  [[maybe_unused]] long rss_after_first = 0;
  for (int round = 0; round < kRounds; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    Failures failures;
    const RoundResult result = RunRound(round, failures);
    EXPECT_EQ(failures.count(), 0) << failures.Summary();
    EXPECT_EQ(result.accepted, kConnections);
    EXPECT_EQ(result.verified, kConnections);
    EXPECT_EQ(CountOpenFds(), fds_before) << "descriptors leaked by round " << round;
    const long rss = ResidentKiB();
    RecordProperty("rss_kib_after_round_" + std::to_string(round), std::to_string(rss));
    if (round == 0) {
      rss_after_first = rss;
    } else {
#ifndef SOCKREF_SANITIZER_ALLOCATOR
      EXPECT_LE(rss - rss_after_first, kRssAllowanceKiB)
          << "resident set grew from " << rss_after_first << " KiB to " << rss << " KiB";
#endif
    }
  }
#ifdef SOCKREF_SANITIZER_ALLOCATOR
  // ASan's quarantine keeps freed memory resident by design (256 MiB) and TSan
  // grows shadow memory with every new address: neither says anything about
  // sockref, so only plain builds bound the growth.
  RecordProperty("rss_check", "skipped under a sanitizer allocator");
#endif
}

}  // namespace
}  // namespace sockref::reliability
