// Tests of the implementation registry, including the project's own implementations.json.
#include "conformance/runner/implementations.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace sockref::conformance::runner {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string ParseError(const std::string& text) {
  try {
    ParseRegistry("r.json", text);
  } catch (const RegistryError& e) {
    return e.what();
  }
  return "parsed";
}

TEST(RegistryTest, ProjectRegistryNamesEveryImplementationTheSuiteSupports) {
  Registry r = LoadRegistry("conformance/implementations.json");
  std::vector<std::string> names;
  for (const Implementation& i : r.implementations) names.push_back(i.name);
  EXPECT_THAT(names, ElementsAre("reference", "reference-binary", "reference-python", "cpython",
                                 "cpython-debian", "cpython-3.6", "cpython-3.7", "cpython-3.8",
                                 "cpython-3.9", "cpython-3.10", "cpython-3.11", "cpython-3.12",
                                 "cpython-3.13", "pypy3", "gevent", "eventlet", "trio"));
  EXPECT_EQ(r.oracle, "cpython");
  EXPECT_THAT(r.defaults, ElementsAre("reference", "cpython"));
  EXPECT_TRUE(r.Find("reference")->in_process);
  EXPECT_TRUE(r.Find("reference")->check_leaks);
  EXPECT_FALSE(r.Find("cpython")->check_leaks);
  // Every way of running the project's own code is the reference; no CPython or third party is.
  for (const Implementation& i : r.implementations) {
    EXPECT_EQ(i.reference, i.name.rfind("reference", 0) == 0) << i.name;
  }
  EXPECT_THAT(
      ResolveArgv(*r.Find("gevent"), "/root"),
      ElementsAre("/usr/bin/python3", "/root/conformance/drivers/oracle/driver.py", "--module", "gevent.socket"));
  // {root} is replaced inside an argument too: the extension is found through PYTHONPATH.
  EXPECT_THAT(ResolveArgv(*r.Find("reference-python"), "/root"),
              ElementsAre("env", "PYTHONPATH=/root/python", "/usr/bin/python3",
                          "/root/conformance/drivers/oracle/driver.py", "--module", "sockref_socket"));
}

TEST(RegistryTest, MalformedRegistriesAreRejectedWithAReason) {
  EXPECT_EQ(ParseError("{"), "r.json: not valid JSON");
  EXPECT_EQ(ParseError("[]"), "r.json: expected an object with an \"implementations\" array");
  EXPECT_THAT(ParseError(R"({"implementations": [{"argv": ["x"]}]})"),
              HasSubstr("every implementation needs a \"name\""));
  EXPECT_EQ(ParseError(R"({"implementations": [{"name": "a"}]})"),
            "r.json: a: give either \"in_process\": true or a non-empty \"argv\"");
  EXPECT_EQ(ParseError(R"({"implementations": [{"name": "a", "argv": ["x"]},
                                               {"name": "a", "argv": ["y"]}]})"),
            "r.json: implementation a is listed twice");
  EXPECT_EQ(ParseError(R"({"oracle": "b", "implementations": [{"name": "a", "argv": ["x"]}]})"),
            "r.json: \"oracle\" names no implementation");
  EXPECT_EQ(ParseError(R"({"oracle": "a",
                           "implementations": [{"name": "a", "argv": ["x"], "reference": 1}]})"),
            "r.json: a: \"reference\" takes true or false");
  EXPECT_EQ(ParseError(R"({"oracle": "a", "default": ["z"],
                           "implementations": [{"name": "a", "argv": ["x"]}]})"),
            "r.json: \"default\" names no implementation: \"z\"");
  EXPECT_EQ(ParseError(R"({"oracle": "a", "implementations": [{"name": "a", "argv": [1]}]})"),
            "r.json: a: \"argv\" takes an array of strings");
}

TEST(RegistryTest, ResolveArgvReplacesEveryRoot) {
  Implementation i;
  i.argv = {"{root}/bin", "--x={root}:{root}", "plain"};
  EXPECT_THAT(ResolveArgv(i, "/r"), ElementsAre("/r/bin", "--x=/r:/r", "plain"));
}

TEST(RegistryTest, InProcessImplementationWithoutALinkedDriverIsUnavailable) {
  Implementation i;
  i.name = "reference";
  i.in_process = true;
  try {
    MakeDriver(i, "/r", {});
    FAIL() << "made a driver";
  } catch (const DriverUnavailable& e) {
    EXPECT_STREQ(e.what(), "no in-process driver named reference is linked in");
  }
  EXPECT_FALSE(
      MakeDriver(*LoadRegistry("conformance/implementations.json").Find("cpython"), "/r", {})
          ->InProcess());
}

TEST(RegistryTest, UnreadableRegistryIsAnError) {
  EXPECT_THROW(LoadRegistry("/nonexistent/implementations.json"), RegistryError);
}

}  // namespace
}  // namespace sockref::conformance::runner
