#include "conformance/runner/matching.h"

#include <utility>

#include "impl/errno_names.h"
#include "conformance/language/value.h"
#include "conformance/language/ast.h"
#include "conformance/protocol/outcome.h"

namespace sockref::conformance {
namespace {

// MatchPattern says whether `v` fits `p`, binding new captures. When a capture is what does not
// fit, `note` says so: the reprs alone would not show it (an object's repr need not name its
// type, and a repeated `$port` shows only the later value).
bool MatchPattern(const Pattern& p, const Value& v, Bindings& bindings, std::string& note) {
  switch (p.kind) {
    case Pattern::Kind::kValue:
      return p.value == v;
    case Pattern::Kind::kTuple:
    case Pattern::Kind::kList: {
      Value::Type want = p.kind == Pattern::Kind::kTuple ? Value::Type::kTuple : Value::Type::kList;
      if (v.type() != want || v.items().size() != p.items.size()) return false;
      for (std::size_t i = 0; i < p.items.size(); ++i) {
        if (!MatchPattern(p.items[i], v.items()[i], bindings, note)) return false;
      }
      return true;
    }
    case Pattern::Kind::kCapture: {
      const std::string written = "$" + p.capture + ":" + p.capture_type;
      if (!p.capture_type.empty() && v.type_name() != p.capture_type) {
        note = "the type name is the mismatch: expected " + written + ", got a value of type " +
               v.type_name() + ": " + Repr(v);
        return false;
      }
      auto [it, inserted] = bindings.emplace(p.capture, v);
      if (inserted || it->second == v) return true;
      note = "the capture is the mismatch: $" + p.capture + " is already " + Repr(it->second) +
             ", got " + Repr(v);
      return false;
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
                                        Bindings& bindings, std::string* note) {
  std::string why;  // the first capture that did not fit, if that is what failed
  if (note != nullptr) note->clear();
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
      std::string this_note;
      if (MatchPattern(e.value, outcome.value, trial, this_note)) {
        bindings = std::move(trial);
        return std::nullopt;
      }
      if (why.empty()) why = std::move(this_note);
    } else if (e.kind == Expected::Kind::kRaised && outcome.kind == Outcome::Kind::kRaised) {
      if (MatchRaised(e, outcome.raised)) return std::nullopt;
    }
  }
  std::string got = Describe(outcome);
  if (outcome.kind == Outcome::Kind::kRaised && outcome.raised.errno_name) {
    got += " (errno " + *outcome.raised.errno_name + ")";
  }
  if (note != nullptr) *note = why;
  return "expected " + wanted + ", got " + got + (why.empty() ? "" : "; " + why);
}

}  // namespace sockref::conformance
