#include "conformance/runner/kept_value.h"

#include <cstdint>
#include <utility>
#include <vector>

namespace sockref::conformance::runner {
namespace {

// Fnv1a64 hashes `data`: fast, with no table, and ample to tell two large values apart.
std::uint64_t Fnv1a64(std::string_view data) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (unsigned char c : data) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

bool HoldsData(Value::Type t) {
  return t == Value::Type::kStr || t == Value::Type::kBytes || t == Value::Type::kByteArray;
}

}  // namespace

Value KeptValue(const Value& v) {
  if (HoldsData(v.type()) && v.data().size() > kMaxKeptBytes) {
    // len() of a str counts code points, not UTF-8 bytes.
    std::uint64_t length = v.data().size();
    if (v.type() == Value::Type::kStr) {
      length = 0;
      for (unsigned char c : v.data()) length += (c & 0xC0) != 0x80;
    }
    return Value::Digest(v.type_name(), length, Fnv1a64(v.data()));
  }
  if (v.type() == Value::Type::kTuple || v.type() == Value::Type::kList) {
    std::vector<Value> items;
    items.reserve(v.items().size());
    for (const Value& item : v.items()) items.push_back(KeptValue(item));
    return v.type() == Value::Type::kTuple ? Value::Tuple(std::move(items))
                                           : Value::List(std::move(items));
  }
  return v;
}

Outcome KeptOutcome(Outcome o) {
  o.value = KeptValue(o.value);
  if (o.raised.str.size() > kMaxKeptBytes) o.raised.str = Shortened(o.raised.str);
  if (o.unsupported.size() > kMaxKeptBytes) o.unsupported = Shortened(o.unsupported);
  return o;
}

std::string Shortened(std::string_view text, std::size_t limit) {
  if (text.size() <= limit) return std::string(text);
  std::size_t cut = limit;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return std::string(text.substr(0, cut)) + "... (" + std::to_string(text.size()) +
         " bytes in all)";
}

std::string ShownJson(const nlohmann::json& j, std::size_t limit) {
  return Shortened(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), limit);
}

}  // namespace sockref::conformance::runner
