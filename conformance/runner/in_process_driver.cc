#include "conformance/runner/in_process_driver.h"

#include <condition_variable>
#include <exception>
#include <mutex>
#include <new>
#include <optional>
#include <string>
#include <thread>
#include <utility>

namespace sockref::conformance::runner {

using nlohmann::json;

// Worker is one handler and the thread that runs its requests, one at a time. The thread
// owns a reference to it, so abandoning a hung worker leaves nothing dangling.
struct InProcessDriver::Worker {
  JsonHandler handler;
  std::mutex mu;
  std::condition_variable cv;
  std::optional<json> request;  // set by Call, taken by the thread
  bool done = false;            // a result is ready
  json result;
  std::string failure;  // non-empty: the handler threw this
  bool quit = false;
  std::thread thread;

  static void Run(std::shared_ptr<Worker> self) {
    std::unique_lock lock(self->mu);
    while (true) {
      self->cv.wait(lock, [&] { return self->quit || self->request.has_value(); });
      if (self->quit) return;
      json request = std::move(*self->request);
      self->request.reset();
      lock.unlock();
      json result;
      std::string failure;
      try {
        result = self->handler(request);
      } catch (const std::exception& e) {
        failure = std::string("handler threw ") + e.what();
      } catch (...) {
        failure = "handler threw a non-standard exception";
      }
      lock.lock();
      self->result = std::move(result);
      self->failure = std::move(failure);
      self->done = true;
      self->cv.notify_all();
    }
  }
};

InProcessDriver::InProcessDriver(std::function<JsonHandler()> make_handler)
    : make_handler_(std::move(make_handler)) {}

InProcessDriver::~InProcessDriver() { Stop(); }

json InProcessDriver::Start(Clock::time_point deadline) {
  Stop();
  auto worker = std::make_shared<Worker>();
  try {
    worker->handler = make_handler_();
  } catch (const std::exception& e) {
    throw DriverUnavailable(std::string("cannot create the in-process driver: ") + e.what());
  }
  worker->thread = std::thread(&Worker::Run, worker);
  worker_ = std::move(worker);
  DriverReply r = Call(HelloRequest(), deadline);
  if (r.status != DriverReply::Status::kOk) {
    throw DriverUnavailable(std::string("no hello reply (") + StatusName(r.status) +
                            "): " + r.detail);
  }
  return CheckHello(r.message);
}

DriverReply InProcessDriver::Call(const json& request, Clock::time_point deadline) {
  if (!worker_) return {DriverReply::Status::kCrashed, nullptr, "driver is not running"};
  std::shared_ptr<Worker> w = worker_;
  std::unique_lock lock(w->mu);
  w->done = false;
  w->request = request;
  w->cv.notify_all();
  if (!w->cv.wait_until(lock, deadline, [&] { return w->done; })) {
    // Abandon it: the thread exits once the handler returns, if ever.
    w->quit = true;
    lock.unlock();
    w->thread.detach();
    worker_.reset();
    return {DriverReply::Status::kHung, nullptr,
            "no reply to " + request.value("op", std::string("?")) +
                " within the deadline; the in-process driver was abandoned"};
  }
  json result = std::move(w->result);
  std::string failure = std::move(w->failure);
  lock.unlock();
  if (!failure.empty()) {
    Stop();
    return {DriverReply::Status::kCrashed, nullptr, failure};
  }
  if (!result.is_object()) {
    Stop();
    return {DriverReply::Status::kGarbage, nullptr,
            "reply is not a JSON object: " +
                result.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).substr(0, 200)};
  }
  if (std::optional<std::string> why = MismatchedReply(request, result)) {
    Stop();
    return {DriverReply::Status::kGarbage, nullptr, *why};
  }
  return {DriverReply::Status::kOk, std::move(result), ""};
}

void InProcessDriver::Stop() {
  if (!worker_) return;
  {
    std::lock_guard lock(worker_->mu);
    worker_->quit = true;
    worker_->cv.notify_all();
  }
  worker_->thread.join();
  worker_.reset();
}

}  // namespace sockref::conformance::runner
