#include "conformance/language/python_version.h"

#include <charconv>

namespace sockref::conformance {
namespace {

// ReadNumber reads a decimal number of at most 3 digits, no sign.
std::optional<int> ReadNumber(std::string_view text) {
  if (text.empty() || text.size() > 3) return std::nullopt;
  int out = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return out;
}

}  // namespace

std::string ToString(PythonVersion v) {
  return std::to_string(v.major) + "." + std::to_string(v.minor);
}

std::optional<PythonVersion> ParsePythonVersion(std::string_view text) {
  const std::size_t dot = text.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  const std::optional<int> major = ReadNumber(text.substr(0, dot));
  const std::optional<int> minor = ReadNumber(text.substr(dot + 1));
  if (!major || !minor) return std::nullopt;
  return PythonVersion{*major, *minor};
}

bool IsTableVersion(PythonVersion v) {
  return kOldestTableVersion <= v && v <= kNewestTableVersion;
}

std::string ToString(const VersionRange& r) {
  if (r.low == r.high) return ToString(r.low);
  if (r.high == kNewestTableVersion) return ToString(r.low) + "+";
  return ToString(r.low) + "-" + ToString(r.high);
}

std::optional<VersionRange> ParseVersionRange(std::string_view text) {
  VersionRange r;
  if (!text.empty() && text.back() == '+') {
    const std::optional<PythonVersion> low = ParsePythonVersion(text.substr(0, text.size() - 1));
    if (!low) return std::nullopt;
    r = {*low, kNewestTableVersion};
  } else if (const std::size_t dash = text.find('-'); dash != std::string_view::npos) {
    const std::optional<PythonVersion> low = ParsePythonVersion(text.substr(0, dash));
    const std::optional<PythonVersion> high = ParsePythonVersion(text.substr(dash + 1));
    if (!low || !high) return std::nullopt;
    r = {*low, *high};
  } else {
    const std::optional<PythonVersion> only = ParsePythonVersion(text);
    if (!only) return std::nullopt;
    r = {*only, *only};
  }
  if (!IsTableVersion(r.low) || !IsTableVersion(r.high) || r.high < r.low) return std::nullopt;
  return r;
}

}  // namespace sockref::conformance
