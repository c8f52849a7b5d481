#include "conformance/runner/implementations.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "conformance/runner/subprocess_driver.h"

namespace sockref::conformance::runner {

using nlohmann::json;

const Implementation* Registry::Find(std::string_view name) const {
  for (const Implementation& impl : implementations) {
    if (impl.name == name) return &impl;
  }
  return nullptr;
}

Registry ParseRegistry(std::string_view path, std::string_view text) {
  auto fail = [&](const std::string& why) -> void {
    throw RegistryError(std::string(path) + ": " + why);
  };
  json root = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) fail("not valid JSON");
  if (!root.is_object() || !root.value("implementations", json()).is_array()) {
    fail("expected an object with an \"implementations\" array");
  }
  Registry out;
  std::set<std::string> names;
  for (const json& entry : root["implementations"]) {
    if (!entry.is_object() || !entry.value("name", json()).is_string()) {
      fail("every implementation needs a \"name\": " + entry.dump());
    }
    Implementation impl;
    impl.name = entry["name"].get<std::string>();
    if (!names.insert(impl.name).second) fail("implementation " + impl.name + " is listed twice");
    impl.description = entry.value("description", std::string());
    impl.in_process = entry.value("in_process", false);
    impl.check_leaks = entry.value("check_leaks", false);
    if (entry.contains("reference") && !entry["reference"].is_boolean()) {
      fail(impl.name + ": \"reference\" takes true or false");
    }
    impl.reference = entry.value("reference", false);
    const json argv = entry.value("argv", json::array());
    for (const json& a : argv) {
      if (!a.is_string()) fail(impl.name + ": \"argv\" takes an array of strings");
      impl.argv.push_back(a.get<std::string>());
    }
    if (impl.in_process == !impl.argv.empty()) {
      fail(impl.name + ": give either \"in_process\": true or a non-empty \"argv\"");
    }
    out.implementations.push_back(std::move(impl));
  }
  out.oracle = root.value("oracle", std::string());
  if (out.Find(out.oracle) == nullptr) fail("\"oracle\" names no implementation");
  for (const json& d : root.value("default", json::array())) {
    if (!d.is_string() || out.Find(d.get<std::string>()) == nullptr) {
      fail("\"default\" names no implementation: " + d.dump());
    }
    out.defaults.push_back(d.get<std::string>());
  }
  return out;
}

Registry LoadRegistry(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw RegistryError(path + ": cannot read the implementation registry");
  std::stringstream text;
  text << in.rdbuf();
  return ParseRegistry(path, text.str());
}

std::vector<std::string> ResolveArgv(const Implementation& impl, const std::string& root) {
  std::vector<std::string> out;
  for (std::string arg : impl.argv) {
    for (std::size_t at = arg.find("{root}"); at != std::string::npos;
         at = arg.find("{root}", at + root.size())) {
      arg.replace(at, 6, root);
    }
    out.push_back(std::move(arg));
  }
  return out;
}

std::unique_ptr<DriverConnection> MakeDriver(const Implementation& impl, const std::string& root,
                                             const InProcessFactories& factories) {
  if (!impl.in_process) return std::make_unique<SubprocessDriver>(ResolveArgv(impl, root));
  auto it = factories.find(impl.name);
  if (it == factories.end()) {
    throw DriverUnavailable("no in-process driver named " + impl.name + " is linked in");
  }
  return it->second();
}

}  // namespace sockref::conformance::runner
