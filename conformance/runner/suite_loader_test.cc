#include "conformance/runner/suite_loader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <string>

#include "conformance/runner/expectations.h"

namespace sockref::conformance::runner {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Bazel runs tests inside the runfiles tree, which holds conformance/ (the data files).
std::string Root() { return fs::current_path().string(); }

std::string WriteTemp(const std::string& name, const std::string& text) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  const fs::path dir = fs::path(tmp != nullptr ? tmp : "/tmp") / "suite_test";
  fs::create_directories(dir);
  const fs::path path = dir / name;
  std::ofstream(path) << text;
  return path.string();
}

SuiteOptions Options(std::vector<std::string> implementations) {
  SuiteOptions options;
  options.root = Root();
  options.implementations = std::move(implementations);
  return options;
}

std::string ErrorOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const SuiteError& e) {
    return e.what();
  }
  return "no SuiteError";
}

TEST(LoadExtendedRegistryTest, AppendsImplementationsAndExpandsDir) {
  const std::string path = WriteTemp(
      "extra.json",
      R"({"implementations": [{"name": "toy", "argv": ["python3", "{dir}/toy.py", "{root}"]}]})");
  Registry r = LoadExtendedRegistry(Root(), {path});
  const Implementation* toy = r.Find("toy");
  ASSERT_NE(toy, nullptr);
  EXPECT_THAT(toy->argv, ElementsAre("python3", fs::path(path).parent_path().string() + "/toy.py",
                                     "{root}"));  // {root} is the runner's, at start
  EXPECT_EQ(r.oracle, "cpython");                 // the project's registry is kept
  EXPECT_NE(r.Find("reference"), nullptr);
}

TEST(LoadExtendedRegistryTest, RejectsANameTheProjectAlreadyUses) {
  const std::string path =
      WriteTemp("dup.json", R"({"implementations": [{"name": "cpython", "argv": ["x"]}]})");
  EXPECT_THAT(ErrorOf([&] { LoadExtendedRegistry(Root(), {path}); }),
              HasSubstr("implementation cpython is listed twice"));
}

TEST(LoadExtendedRegistryTest, RejectsAFileWithoutImplementations) {
  const std::string path = WriteTemp("none.json", R"({"oracle": "x"})");
  EXPECT_EQ(ErrorOf([&] { LoadExtendedRegistry(Root(), {path}); }),
            path + ": expected an object with an \"implementations\" array");
  EXPECT_EQ(ErrorOf([&] { LoadExtendedRegistry(Root(), {"/nonexistent/r.json"}); }),
            "/nonexistent/r.json: cannot read the implementation registry");
}

TEST(LoadSuiteTest, SelectsCasesByFilterAndLoadsExpectations) {
  SuiteOptions options = Options({"reference", "cpython"});
  options.filters = {"example_inet.*"};
  std::unique_ptr<Suite> suite = LoadSuite(options);
  EXPECT_EQ(suite->selected.size(), 4u);
  EXPECT_GT(suite->cases.size(), 400u);
  EXPECT_EQ(suite->selected[0]->file, "conformance/cases/example_inet.cases");
  EXPECT_THAT(suite->setup.names, ElementsAre("reference", "cpython"));
  EXPECT_EQ(suite->setup.expectations.at("reference").path(),
            Root() + "/conformance/expectations/reference.txt");
}

TEST(LoadSuiteTest, ExpectationsFileCanBeNamed) {
  const std::string path = WriteTemp("cpython.txt", "example_inet.aton.x fail@1\n");
  SuiteOptions options = Options({"cpython"});
  options.expectations["cpython"] = path;
  std::unique_ptr<Suite> suite = LoadSuite(options);
  EXPECT_EQ(suite->setup.expectations.at("cpython").size(), 1u);
}

// For a reference implementation an unsupported step is always a failure (issue 10): its
// expectations may list known failures of other kinds, never `unsupported`. Others may.
TEST(LoadSuiteTest, AReferenceMayNotListAnUnsupportedStep) {
  const std::string path = WriteTemp(
      "ref.txt", "# known\nexample_inet.aton.x fail@1\nexample_inet.aton.y unsupported\n");
  for (const std::string name : {"reference", "reference-binary", "reference-python"}) {
    SuiteOptions options = Options({name});
    options.expectations[name] = path;
    EXPECT_EQ(ErrorOf([&] { LoadSuite(options); }),
              path + ":3: case example_inet.aton.y is listed as unsupported, but " + name +
                  " is a reference implementation (\"reference\": true in the registry): an "
                  "unsupported step is always a failure for it");
  }
  SuiteOptions options = Options({"reference"});
  options.expectations["reference"] = WriteTemp("ref_fail.txt", "example_inet.aton.x fail@1\n");
  EXPECT_EQ(LoadSuite(options)->setup.expectations.at("reference").size(), 1u);
  options = Options({"pypy3"});
  options.expectations["pypy3"] = path;
  EXPECT_EQ(LoadSuite(options)->setup.expectations.at("pypy3").size(), 2u);
}

// A glob adds every registered name it matches, in registry order, after the names chosen
// before it and without repeating one; a glob matching none adds nothing.
TEST(LoadSuiteTest, ImplementationGlobsExpandInRegistryOrder) {
  SuiteOptions options = Options({"cpython-3.12", "cpython-3.1*", "reference", "pypy-*"});
  std::unique_ptr<Suite> suite = LoadSuite(options);
  EXPECT_EQ(suite->setup.names, (std::vector<std::string>{"cpython-3.12", "cpython-3.10",
                                                          "cpython-3.11", "cpython-3.13",
                                                          "reference"}));
  // Those a pattern chose may be left out where they cannot start; the named ones may not.
  EXPECT_EQ(suite->setup.optional,
            (std::set<std::string>{"cpython-3.10", "cpython-3.11", "cpython-3.13"}));
  options.implementations = {"nonesuch-*"};
  EXPECT_EQ(ErrorOf([&] { LoadSuite(options); }),
            "no implementation matches the --impl patterns given");
}

TEST(LoadSuiteTest, ReportsConfigurationProblems) {
  SuiteOptions options = Options({"reference", "nonesuch"});
  EXPECT_THAT(ErrorOf([&] { LoadSuite(options); }),
              HasSubstr("unknown implementation 'nonesuch' (known: reference, "));
  options.implementations = {"cpython", "cpython"};
  EXPECT_EQ(ErrorOf([&] { LoadSuite(options); }), "an implementation is chosen twice");
  options.implementations = {"cpython"};
  options.filters = {"nonesuch.*"};
  EXPECT_EQ(ErrorOf([&] { LoadSuite(options); }), "no case matches 'nonesuch.*'");
  options.filters = {};
  options.expectations["cpython"] = WriteTemp("bad.txt", "example_inet.aton.x great\n");
  EXPECT_THAT(ErrorOf([&] { LoadSuite(options); }), HasSubstr("bad.txt:1: unknown verdict"));
}

// The committed expectations files must parse and name only cases that exist: a renamed case
// would otherwise leave a line that silently covers nothing.
TEST(ExpectationsFilesTest, EveryLineNamesAnExistingCase) {
  SuiteOptions options = Options({"cpython"});
  std::unique_ptr<Suite> suite = LoadSuite(options);
  int files = 0;
  for (const fs::directory_entry& e :
       fs::directory_iterator(Root() + "/conformance/expectations")) {
    if (e.path().extension() != ".txt") continue;
    ++files;
    Expectations ex;
    ASSERT_NO_THROW(ex = Expectations::Load(e.path().string())) << e.path();
    for (const KnownFailure& k : ex.Unknown(suite->cases)) {
      ADD_FAILURE() << e.path().string() << ":" << k.line << ": no case " << k.case_id;
    }
  }
  EXPECT_GE(files, 1);
}

}  // namespace
}  // namespace sockref::conformance::runner
