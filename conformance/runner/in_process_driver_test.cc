// Tests of InProcessDriver with hand-made handlers that behave and misbehave.
#include "conformance/runner/in_process_driver.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <memory>
#include <stdexcept>

namespace sockref::conformance::runner {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

json Hello() {
  return {{"op", "hello"}, {"protocol", "sockref-driver/1"}, {"capabilities", {"AF_UNIX"}}};
}

// Echo answers hello properly and echoes everything else back; `instances` counts handlers.
JsonHandler Echo(std::shared_ptr<std::atomic<int>> instances) {
  int id = ++*instances;
  return [id](const json& request) {
    if (request["op"] == "hello") return Hello();
    json reply = request;
    reply["instance"] = id;
    return reply;
  };
}

TEST(InProcessDriverTest, RequestsReachTheHandlerAndRepliesComeBack) {
  auto instances = std::make_shared<std::atomic<int>>(0);
  InProcessDriver d([&] { return Echo(instances); });
  EXPECT_EQ(d.Start(Deadline(5)), Hello());
  DriverReply r = d.Call({{"op", "begin"}, {"case", "a.b"}}, Deadline(5));
  ASSERT_EQ(r.status, DriverReply::Status::kOk);
  EXPECT_EQ(r.message["case"], "a.b");
  EXPECT_TRUE(d.InProcess());
}

TEST(InProcessDriverTest, HandlerThatThrowsIsACrashAndStartMakesAFreshOne) {
  auto instances = std::make_shared<std::atomic<int>>(0);
  InProcessDriver d([&]() -> JsonHandler {
    JsonHandler echo = Echo(instances);
    return [echo](const json& request) {
      if (request["op"] == "exec") throw std::logic_error("broken evaluator");
      return echo(request);
    };
  });
  d.Start(Deadline(5));
  DriverReply r = d.Call({{"op", "exec"}}, Deadline(5));
  EXPECT_EQ(r.status, DriverReply::Status::kCrashed);
  EXPECT_EQ(r.detail, "handler threw broken evaluator");
  EXPECT_EQ(d.Call({{"op", "begin"}}, Deadline(5)).status, DriverReply::Status::kCrashed);
  d.Start(Deadline(5));
  EXPECT_EQ(d.Call({{"op", "begin"}}, Deadline(5)).message["instance"], 2);
}

TEST(InProcessDriverTest, HandlerThatHangsIsAbandonedAtTheDeadline) {
  // The handler blocks until the test releases it, standing in for a hung driver.
  auto release = std::make_shared<std::promise<void>>();
  std::shared_future<void> released = release->get_future().share();
  auto instances = std::make_shared<std::atomic<int>>(0);
  InProcessDriver d([&]() -> JsonHandler {
    JsonHandler echo = Echo(instances);
    return [echo, released](const json& request) {
      if (request["op"] == "exec") released.wait();
      return echo(request);
    };
  });
  d.Start(Deadline(5));
  const Clock::time_point start = Clock::now();
  DriverReply r = d.Call({{"op", "exec"}}, Deadline(0.2));
  EXPECT_EQ(r.status, DriverReply::Status::kHung);
  EXPECT_THAT(r.detail, HasSubstr("no reply to exec within the deadline"));
  EXPECT_LT(std::chrono::duration<double>(Clock::now() - start).count(), 2.0);
  d.Start(Deadline(5));
  EXPECT_EQ(d.Call({{"op", "begin"}}, Deadline(5)).message["instance"], 2);
  release->set_value();  // lets the abandoned thread finish
}

TEST(InProcessDriverTest, ReplyThatIsNotAnObjectIsGarbage) {
  InProcessDriver d([]() -> JsonHandler {
    return [](const json& request) -> json {
      if (request["op"] == "hello") return Hello();
      return json::array({1, 2});
    };
  });
  d.Start(Deadline(5));
  DriverReply r = d.Call({{"op", "begin"}}, Deadline(5));
  EXPECT_EQ(r.status, DriverReply::Status::kGarbage);
  EXPECT_EQ(r.detail, "reply is not a JSON object: [1,2]");
}

TEST(InProcessDriverTest, FactoryOrHelloFailureMakesItUnavailable) {
  InProcessDriver throws([]() -> JsonHandler { throw std::runtime_error("no sockets"); });
  EXPECT_THROW(throws.Start(Deadline(5)), DriverUnavailable);
  InProcessDriver wrong([]() -> JsonHandler {
    return [](const json&) -> json { return {{"op", "hello"}, {"protocol", "other/9"}}; };
  });
  try {
    wrong.Start(Deadline(5));
    FAIL() << "started";
  } catch (const DriverUnavailable& e) {
    EXPECT_EQ(std::string(e.what()),
              "driver speaks \"other/9\", the runner speaks \"sockref-driver/1\"");
  }
}

}  // namespace
}  // namespace sockref::conformance::runner
