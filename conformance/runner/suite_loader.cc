#include "conformance/runner/suite_loader.h"

#include <fnmatch.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "conformance/language/ast.h"
#include "conformance/language/case_parser.h"
#include "conformance/runner/expectations.h"

namespace sockref::conformance::runner {
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

}  // namespace

std::vector<std::string> CaseFilesIn(const std::string& dir) {
  std::vector<std::string> files;
  std::error_code ec;
  for (const fs::directory_entry& e : fs::directory_iterator(dir, ec)) {
    if (e.path().extension() == ".cases") files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::vector<const Case*> SelectCases(const std::vector<Case>& cases,
                                     const std::vector<std::string>& globs) {
  std::vector<const Case*> selected;
  for (const Case& c : cases) {
    const bool wanted = globs.empty() || std::any_of(globs.begin(), globs.end(), [&](auto& g) {
                          return ::fnmatch(g.c_str(), c.id.c_str(), 0) == 0;
                        });
    if (wanted) selected.push_back(&c);
  }
  return selected;
}

Registry LoadExtendedRegistry(const std::string& root, const std::vector<std::string>& extra) {
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
    return ParseRegistry(described, merged.dump());
  } catch (const RegistryError& e) {
    throw SuiteError(e.what());
  }
}

namespace {

bool IsPattern(const std::string& name) { return name.find_first_of("*?[") != std::string::npos; }

// ExpandPatterns replaces each glob (`--impl 'cpython-3.*'`) by the registry's names it matches,
// in registry order, leaving out names chosen already; a glob may match none (a machine without
// those interpreters), a plain name is kept for the check that it exists.
std::vector<std::string> ExpandPatterns(const std::vector<std::string>& chosen,
                                        const Registry& registry) {
  std::vector<std::string> names;
  for (const std::string& name : chosen) {
    if (!IsPattern(name)) {
      names.push_back(name);
      continue;
    }
    for (const Implementation& i : registry.implementations) {
      const bool taken = std::find(names.begin(), names.end(), i.name) != names.end() ||
                         std::find(chosen.begin(), chosen.end(), i.name) != chosen.end();
      if (!taken && ::fnmatch(name.c_str(), i.name.c_str(), 0) == 0) names.push_back(i.name);
    }
  }
  return names;
}

// ChosenImplementations returns the implementations to run, checked against the registry.
std::vector<std::string> ChosenImplementations(const SuiteOptions& options,
                                               const Registry& registry) {
  std::vector<std::string> names = ExpandPatterns(options.implementations, registry);
  if (options.implementations.empty()) names = registry.defaults;
  if (names.empty()) throw SuiteError("no implementation matches the --impl patterns given");
  for (const std::string& name : names) {
    if (registry.Find(name) != nullptr) continue;
    std::string known;
    for (const Implementation& i : registry.implementations) {
      known += (known.empty() ? "" : ", ") + i.name;
    }
    throw SuiteError("unknown implementation '" + name + "' (known: " + known + "; try --list)");
  }
  if (std::set<std::string>(names.begin(), names.end()).size() != names.size()) {
    throw SuiteError("an implementation is chosen twice");
  }
  return names;
}

// LoadCases parses the case table and selects the cases the filters match.
void LoadCases(const SuiteOptions& options, Suite& suite) {
  std::string dir = options.cases_dir;
  if (dir.empty()) {
    std::error_code ec;
    // Relative when we run inside root (as under `bazel run`), so reports name
    // conformance/cases/<area>.cases and the matrix can link it.
    dir = fs::equivalent(options.root, fs::current_path(), ec)
              ? "conformance/cases"
              : options.root + "/conformance/cases";
  }
  const std::vector<std::string> files = CaseFilesIn(dir);
  if (files.empty()) throw SuiteError("no .cases files in " + dir);
  try {
    suite.cases = ParseCaseFiles(files);
  } catch (const std::exception& e) {  // CaseParseError
    throw SuiteError(e.what());
  }
  suite.selected = SelectCases(suite.cases, options.filters);
  if (suite.selected.empty()) {
    std::string globs;
    for (const std::string& g : options.filters) globs += (globs.empty() ? "'" : ", '") + g + "'";
    throw SuiteError("no case matches " + globs);
  }
}

// RefuseExcusedUnsupported throws when the expectations of a reference implementation list an
// `unsupported` step: the reference exists to implement every step the table holds, so a step
// it cannot run is a failure no file may excuse (an entry of another verdict cannot match an
// unsupported step, Expectations::Match compares the verdicts).
void RefuseExcusedUnsupported(const Implementation& impl, const Expectations& known) {
  if (!impl.reference) return;
  const std::vector<KnownFailure> listed = known.ListedAs(VerdictKind::kUnsupported);
  if (listed.empty()) return;
  throw SuiteError(known.path() + ":" + std::to_string(listed.front().line) + ": case " +
                   listed.front().case_id + " is listed as unsupported, but " + impl.name +
                   " is a reference implementation (\"reference\": true in the registry): " +
                   "an unsupported step is always a failure for it");
}

// LoadExpectations reads each chosen implementation's expectations file.
std::map<std::string, Expectations> LoadExpectations(const SuiteOptions& options,
                                                     const Registry& registry,
                                                     const std::vector<std::string>& names) {
  std::map<std::string, Expectations> out;
  for (const std::string& name : names) {
    auto it = options.expectations.find(name);
    const std::string path = it != options.expectations.end()
                                 ? it->second
                                 : options.root + "/conformance/expectations/" + name + ".txt";
    try {
      out[name] = Expectations::Load(path);
    } catch (const ExpectationsError& e) {
      throw SuiteError(e.what());
    }
    if (const Implementation* impl = registry.Find(name)) RefuseExcusedUnsupported(*impl, out[name]);
  }
  return out;
}

}  // namespace

std::unique_ptr<Suite> LoadSuite(const SuiteOptions& options) {
  auto suite = std::make_unique<Suite>();
  suite->registry = LoadExtendedRegistry(options.root, options.extra_registries);
  const std::vector<std::string> names = ChosenImplementations(options, suite->registry);
  if (!options.oracle.empty()) {
    if (std::find(names.begin(), names.end(), options.oracle) == names.end()) {
      throw SuiteError("the oracle '" + options.oracle + "' is not among the implementations run");
    }
    suite->registry.oracle = options.oracle;
  }
  LoadCases(options, *suite);
  RunSetup& setup = suite->setup;
  setup.registry = &suite->registry;
  setup.names = names;
  for (const std::string& name : names) {
    // A name no --impl spelled out was matched by a pattern: it runs where it can start.
    if (std::find(options.implementations.begin(), options.implementations.end(), name) ==
            options.implementations.end() &&
        !options.implementations.empty()) {
      setup.optional.insert(name);
    }
  }
  setup.root = options.root;
  setup.factories = options.factories;
  setup.jobs = std::max(1, options.jobs);
  setup.execution.multiplier = options.multiplier;
  setup.progress = options.progress;
  setup.case_done = options.case_done;
  setup.expectations = LoadExpectations(options, suite->registry, names);
  setup.target_version = options.target_version;
  return suite;
}

RunResults RunSuite(const Suite& suite) {
  return RunDifferential(suite.cases, suite.selected, suite.setup);
}

}  // namespace sockref::conformance::runner
