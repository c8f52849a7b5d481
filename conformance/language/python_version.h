// python_version.h: Python language versions, as the case table records what each CPython does.
//
// The table states CPython's behaviour for every version from 3.6 to 3.13 (kTableVersions); a
// step whose outcome changed carries version-qualified expectation lines (CASES.md, "Versions"):
//
//   PythonVersion v = *ParsePythonVersion("3.9");
//   VersionRange r = *ParseVersionRange("3.6-3.9");   // also "3.12+", "3.8"
//   r.Contains(v);                                     // true
#ifndef SOCKREF_CONFORMANCE_LANGUAGE_PYTHON_VERSION_H_
#define SOCKREF_CONFORMANCE_LANGUAGE_PYTHON_VERSION_H_

#include <compare>
#include <optional>
#include <string>
#include <string_view>

namespace sockref::conformance {

// PythonVersion is a Python language version, major.minor.
struct PythonVersion {
  int major = 3;
  int minor = 11;
  friend auto operator<=>(const PythonVersion&, const PythonVersion&) = default;
};

// The versions the table records, oldest and newest, and the one its unqualified lines were
// first written for (the default target of an implementation that does not say its version).
inline constexpr PythonVersion kOldestTableVersion{3, 6};
inline constexpr PythonVersion kNewestTableVersion{3, 13};
inline constexpr PythonVersion kDefaultTargetVersion{3, 11};

// ToString returns "3.9".
std::string ToString(PythonVersion v);

// ParsePythonVersion reads "3.9" (major.minor, digits only); nullopt otherwise. A patch level
// ("3.9.18") is not a language version and is refused.
std::optional<PythonVersion> ParsePythonVersion(std::string_view text);

// IsTableVersion says whether the table records `v` (3.6 to 3.13).
bool IsTableVersion(PythonVersion v);

// VersionRange is the versions from `low` to `high`, both included.
struct VersionRange {
  PythonVersion low = kOldestTableVersion;
  PythonVersion high = kNewestTableVersion;

  bool Contains(PythonVersion v) const { return low <= v && v <= high; }
  bool Overlaps(const VersionRange& o) const { return low <= o.high && o.low <= high; }
  friend bool operator==(const VersionRange&, const VersionRange&) = default;
};

// ToString returns a range as a case file writes it: "3.8", "3.6-3.9", "3.12+" (up to the
// newest table version).
std::string ToString(const VersionRange& r);

// ParseVersionRange reads "3.8", "3.6-3.9" or "3.12+"; nullopt when malformed, reversed, or
// naming a version outside kOldestTableVersion..kNewestTableVersion.
std::optional<VersionRange> ParseVersionRange(std::string_view text);

}  // namespace sockref::conformance

#endif  // SOCKREF_CONFORMANCE_LANGUAGE_PYTHON_VERSION_H_
