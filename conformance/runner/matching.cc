#include "conformance/runner/matching.h"

#include <utility>

#include "impl/errno_names.h"
#include "conformance/language/value.h"
#include "conformance/language/ast.h"
#include "conformance/protocol/outcome.h"

namespace sockref::conformance {
namespace {

bool MatchPattern(const Pattern& p, const Value& v, Bindings& bindings) {
  switch (p.kind) {
    case Pattern::Kind::kValue:
      return p.value == v;
    case Pattern::Kind::kTuple:
    case Pattern::Kind::kList: {
      Value::Type want = p.kind == Pattern::Kind::kTuple ? Value::Type::kTuple : Value::Type::kList;
      if (v.type() != want || v.items().size() != p.items.size()) return false;
      for (std::size_t i = 0; i < p.items.size(); ++i) {
        if (!MatchPattern(p.items[i], v.items()[i], bindings)) return false;
      }
      return true;
    }
    case Pattern::Kind::kCapture: {
      if (!p.capture_type.empty() && v.type_name() != p.capture_type) return false;
      auto [it, inserted] = bindings.emplace(p.capture, v);
      return inserted || it->second == v;
    }
    case Pattern::Kind::kFormat: {
      if (v.type() != Value::Type::kStr) return false;
      const std::optional<std::string> text = ExpandFormat(p, bindings);
      return text && *text == v.data();
    }
  }
  return false;
}

bool MatchRaised(const Expected& e, const RaisedException& r) {
  if (e.exception != r.type) return false;
  if (e.errno_name) {
    return r.errno_name && sockref::CanonicalErrnoName(*e.errno_name) == sockref::CanonicalErrnoName(*r.errno_name);
  }
  return e.message && *e.message == r.str;
}

}  // namespace

std::optional<std::string> MatchOutcome(const Step& step, const Outcome& outcome,
                                        Bindings& bindings) {
  std::string wanted;
  for (const Expected& e : step.expected) {
    wanted += (wanted.empty() ? "" : " or ") + Describe(e);
  }
  if (step.expected.empty()) wanted = "success";
  if (outcome.kind == Outcome::Kind::kUnsupported) {
    return "expected " + wanted + ", but the implementation does not support the step (" +
           outcome.unsupported + ")";
  }
  if (step.expected.empty()) {
    if (outcome.kind == Outcome::Kind::kValue) return std::nullopt;
    return "expected success, got " + Describe(outcome);
  }
  for (const Expected& e : step.expected) {
    if (e.kind == Expected::Kind::kValue && outcome.kind == Outcome::Kind::kValue) {
      Bindings trial = bindings;
      if (MatchPattern(e.value, outcome.value, trial)) {
        bindings = std::move(trial);
        return std::nullopt;
      }
    } else if (e.kind == Expected::Kind::kRaised && outcome.kind == Outcome::Kind::kRaised) {
      if (MatchRaised(e, outcome.raised)) return std::nullopt;
    }
  }
  std::string got = Describe(outcome);
  if (outcome.kind == Outcome::Kind::kRaised && outcome.raised.errno_name) {
    got += " (errno " + *outcome.raised.errno_name + ")";
  }
  return "expected " + wanted + ", got " + got;
}

}  // namespace sockref::conformance
