#include "conformance/report/matrix/suite.h"

#include <fnmatch.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "conformance/language/case_parser.h"
#include "conformance/runner/expectations.h"
#include "conformance/report/reference_in_process.h"
#include "conformance/runner/report.h"
#include "conformance/language/ast.h"

namespace sockref::conformance::matrix {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

json ReadJson(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw SuiteError(path + ": cannot read the implementation registry");
  std::stringstream text;
  text << in.rdbuf();
  json j = json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) throw SuiteError(path + ": not valid JSON");
  if (!j.is_object() || !j.value("implementations", json()).is_array()) {
    throw SuiteError(path + ": expected an object with an \"implementations\" array");
  }
  return j;
}

// ReplaceAll replaces every `from` in `text` by `to`.
std::string ReplaceAll(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos;
       at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

std::vector<std::string> CaseFiles(const std::string& dir) {
  std::vector<std::string> files;
  std::error_code ec;
  for (const fs::directory_entry& e : fs::directory_iterator(dir, ec)) {
    if (e.path().extension() == ".cases") files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

runner::Registry LoadExtendedRegistry(const std::string& root,
                                      const std::vector<std::string>& extra) {
  const std::string base_path = root + "/conformance/implementations.json";
  json merged = ReadJson(base_path);
  std::string described = base_path;
  for (const std::string& path : extra) {
    json more = ReadJson(path);
    const std::string dir = fs::absolute(path).parent_path().string();
    for (json entry : more["implementations"]) {
      if (entry.is_object() && entry.contains("argv") && entry["argv"].is_array()) {
        for (json& arg : entry["argv"]) {
          if (arg.is_string()) arg = ReplaceAll(arg.get<std::string>(), "{dir}", dir);
        }
      }
      merged["implementations"].push_back(std::move(entry));
    }
    described += " + " + path;
  }
  try {
    return runner::ParseRegistry(described, merged.dump());
  } catch (const runner::RegistryError& e) {
    throw SuiteError(e.what());
  }
}

std::unique_ptr<Suite> LoadSuite(const SuiteOptions& options) {
  auto suite = std::make_unique<Suite>();
  suite->registry = LoadExtendedRegistry(options.root, options.extra_registries);
  const runner::Registry& registry = suite->registry;
  std::vector<std::string> names = options.implementations;
  if (names.empty()) names = registry.defaults;
  for (const std::string& name : names) {
    if (registry.Find(name) != nullptr) continue;
    std::string known;
    for (const runner::Implementation& i : registry.implementations) {
      known += (known.empty() ? "" : ", ") + i.name;
    }
    throw SuiteError("unknown implementation '" + name + "' (known: " + known + ")");
  }
  if (std::set<std::string>(names.begin(), names.end()).size() != names.size()) {
    throw SuiteError("an implementation is chosen twice");
  }

  std::string dir = options.cases_dir;
  if (dir.empty()) {
    std::error_code ec;
    // Relative when we run inside root (as under `bazel run`), so the matrix names
    // conformance/cases/<area>.cases and can link it.
    dir = fs::equivalent(options.root, fs::current_path(), ec)
              ? "conformance/cases"
              : options.root + "/conformance/cases";
  }
  const std::vector<std::string> files = CaseFiles(dir);
  if (files.empty()) throw SuiteError("no .cases files in " + dir);
  try {
    suite->cases = ParseCaseFiles(files);
  } catch (const std::exception& e) {  // CaseParseError
    throw SuiteError(e.what());
  }
  for (const Case& c : suite->cases) {
    if (options.filter.empty() || ::fnmatch(options.filter.c_str(), c.id.c_str(), 0) == 0) {
      suite->selected.push_back(&c);
    }
  }
  if (suite->selected.empty()) throw SuiteError("no case matches '" + options.filter + "'");

  runner::RunSetup& setup = suite->setup;
  setup.registry = &suite->registry;
  setup.names = names;
  setup.root = options.root;
  setup.factories = runner::ReferenceFactories();
  setup.jobs = std::max(1, options.jobs);
  setup.execution.multiplier = options.multiplier;
  setup.progress = options.progress;
  for (const std::string& name : names) {
    auto it = options.expectations.find(name);
    const std::string path = it != options.expectations.end()
                                 ? it->second
                                 : options.root + "/conformance/expectations/" + name + ".txt";
    try {
      setup.expectations[name] = runner::Expectations::Load(path);
    } catch (const runner::ExpectationsError& e) {
      throw SuiteError(e.what());
    }
  }
  return suite;
}

runner::RunResults RunSuite(const Suite& suite) {
  return runner::RunDifferential(suite.cases, suite.selected, suite.setup);
}

json ResultsWithDescriptions(const runner::RunResults& results, const runner::Registry& registry) {
  json out = runner::ResultsToJson(results);
  for (json& impl : out["implementations"]) {
    const runner::Implementation* i = registry.Find(impl.value("name", std::string()));
    if (i != nullptr) impl["description"] = i->description;
  }
  return out;
}

}  // namespace sockref::conformance::matrix
