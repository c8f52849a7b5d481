// idna.cc: Python's "idna" codec (Lib/encodings/idna.py) over libidn2.
#include "impl/idna.h"

#include <idn2.h>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "impl/internal/utf8.h"

namespace sockref {
namespace {

// The codec's limit for one label, in bytes after encoding (RFC 3490).
constexpr std::size_t kMaxLabel = 63;
constexpr char kLabelEmptyOrTooLong[] = "label empty or too long";

// EncodeAsciiName is the codec's fast path for an all-ASCII name: only label
// lengths are checked, and the last label, which may be empty (a trailing dot, or
// the empty name), has a message of its own.
std::string EncodeAsciiName(std::string_view name) {
  std::size_t start = 0;
  for (std::size_t dot; (dot = name.find('.', start)) != std::string_view::npos; start = dot + 1) {
    if (dot == start || dot - start > kMaxLabel) throw IdnaError(kLabelEmptyOrTooLong);
  }
  if (name.size() - start > kMaxLabel) throw IdnaError("label too long");
  return std::string(name);
}

// HasAcePrefix reports whether `label` starts with "xn--" in any case, the prefix
// of labels that are already punycode.
bool HasAcePrefix(std::string_view label) {
  return label.size() >= 4 && (label[0] | 0x20) == 'x' && (label[1] | 0x20) == 'n' &&
         label[2] == '-' && label[3] == '-';
}

// EncodeLabel is the codec's ToASCII() of one label of a non-ASCII name.
std::string EncodeLabel(const std::string& label) {
  if (utf8_internal::IsAscii(label)) {
    if (label.empty() || label.size() > kMaxLabel) throw IdnaError(kLabelEmptyOrTooLong);
    return label;
  }
  if (HasAcePrefix(label)) throw IdnaError("Label starts with ACE prefix");
  // libidn2 takes C strings; Python keeps the NUL in its result, so keeping the
  // label keeps "has a NUL" true for the callers' checks (see idna.h).
  if (label.find('\0') != std::string::npos) return label;
  char* out = nullptr;
  const int rc = idn2_to_ascii_8z(label.c_str(), &out, IDN2_TRANSITIONAL);
  if (rc == IDN2_TOO_BIG_LABEL || rc == IDN2_TOO_BIG_DOMAIN || rc == IDN2_PUNYCODE_BIG_OUTPUT) {
    throw IdnaError(kLabelEmptyOrTooLong);
  }
  // A label libidn2 refuses for any other reason goes to the resolver as it is;
  // idna.h explains why this is closer to Python than raising.
  if (rc != IDN2_OK) return label;
  const std::unique_ptr<char, void (*)(void*)> owned(out, idn2_free);
  std::string result(owned.get());
  if (result.empty() || result.size() > kMaxLabel) throw IdnaError(kLabelEmptyOrTooLong);
  return result;
}

// SplitLabels splits a non-ASCII name at the full stop and its three Unicode
// look-alikes, as the codec does.
std::vector<std::string> SplitLabels(std::string_view name) {
  static constexpr std::string_view kDots[] = {".", "\u3002", "\uff0e", "\uff61"};
  std::vector<std::string> labels(1);
  for (std::size_t i = 0; i < name.size();) {
    std::size_t dot_size = 0;
    for (std::string_view dot : kDots) {
      if (name.substr(i, dot.size()) == dot) dot_size = dot.size();
    }
    if (dot_size != 0) {
      labels.emplace_back();
      i += dot_size;
    } else {
      labels.back().push_back(name[i++]);
    }
  }
  return labels;
}

}  // namespace

std::string EncodeIdna(std::string_view utf8_name) {
  if (utf8_internal::IsAscii(utf8_name)) return EncodeAsciiName(utf8_name);
  if (!utf8_internal::IsValid(utf8_name)) return std::string(utf8_name);
  std::vector<std::string> labels = SplitLabels(utf8_name);
  // An empty last label is a trailing dot, kept as an ASCII one.
  std::string trailing_dot;
  if (labels.back().empty()) {
    trailing_dot = ".";
    labels.pop_back();
  }
  std::string result;
  for (const std::string& label : labels) {
    if (!result.empty()) result += '.';
    result += EncodeLabel(label);
  }
  return result + trailing_dot;
}

}  // namespace sockref
