#include "conformance/language/ast.h"

#include <string>
#include "conformance/language/value.h"

namespace sockref::conformance {

std::string Repr(const Pattern& p) {
  switch (p.kind) {
    case Pattern::Kind::kValue:
      return Repr(p.value);
    case Pattern::Kind::kTuple:
    case Pattern::Kind::kList: {
      bool tuple = p.kind == Pattern::Kind::kTuple;
      std::string out = tuple ? "(" : "[";
      for (std::size_t i = 0; i < p.items.size(); ++i) {
        if (i > 0) out += ", ";
        out += Repr(p.items[i]);
      }
      if (tuple && p.items.size() == 1) out += ",";
      return out + (tuple ? ")" : "]");
    }
    case Pattern::Kind::kCapture:
      return "$" + p.capture + (p.capture_type.empty() ? "" : ":" + p.capture_type);
    case Pattern::Kind::kFormat: {
      std::string text;
      for (const FormatPart& part : p.format) {
        if (!part.name.empty()) {
          text += "{" + part.name + (part.attribute.empty() ? "" : "." + part.attribute) +
                  (part.repr ? "!r}" : "}");
          continue;
        }
        for (char c : part.text) {
          text += c;
          if (c == '{' || c == '}') text += c;
        }
      }
      return "f" + Repr(Value::Str(text));
    }
  }
  return "";
}

std::string StrOfValue(const Value& v) {
  if (v.type() == Value::Type::kStr) return v.data();
  if (v.type() == Value::Type::kEnum) return std::to_string(v.enum_value());
  return Repr(v);
}

std::optional<std::string> ExpandFormat(const Pattern& p,
                                        const std::map<std::string, Value>& bound) {
  std::string out;
  for (const FormatPart& part : p.format) {
    if (part.name.empty()) {
      out += part.text;
      continue;
    }
    auto it = bound.find(part.name);
    if (it == bound.end()) return std::nullopt;
    Value v = it->second;
    if (!part.attribute.empty()) {
      if (v.type() != Value::Type::kEnum) return std::nullopt;
      v = part.attribute == "name" ? Value::Str(v.enum_member()) : Value::Int(v.enum_value());
    }
    out += part.repr ? Repr(v) : StrOfValue(v);
  }
  return out;
}

std::string Describe(const Expected& e) {
  if (e.kind == Expected::Kind::kValue) return Repr(e.value);
  if (e.errno_name) return e.exception + "(errno=" + *e.errno_name + ")";
  if (e.message && !e.message->empty()) return e.exception + ": " + *e.message;
  return e.exception;
}

std::string TestNameForCaseId(std::string_view id) {
  std::string out;
  bool upper = true;
  for (char c : id) {
    if (c == '.' || c == '_') {
      upper = true;
      continue;
    }
    out += upper && c >= 'a' && c <= 'z' ? char(c - 'a' + 'A') : c;
    upper = false;
  }
  return out;
}

}  // namespace sockref::conformance
