// case_parser_fuzzer: the case-language parser (conformance/language/case_parser.h) on arbitrary
// text. ParseCaseText may only ever throw CaseParseError; anything else escaping
// (std::out_of_range from a substr, nlohmann::json errors, a crash, a sanitizer report)
// is a finding.
//
// A file the parser accepts must also survive everything the runner and dump_cases do
// with it, so the harness then checks that:
//   - CaseToJson(case).dump() works (the JSON library refuses invalid UTF-8);
//   - each step's statement survives the driver protocol: StatementFromJson of
//     StatementToJson gives a statement that encodes to the same JSON, and ExecRequest
//     builds;
//   - each step accepts the outcome its own expectation line describes (a value equal
//     to the pattern with its captures filled in, or the exception it names), through
//     the same MatchOutcome the runner uses;
//   - Repr, Describe and TestNameForCaseId work on every part.
//
// The file name given to the parser is derived from the first `case` line, so the real
// case files (committed as seeds) parse as they do in the suite.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "conformance/language/value.h"
#include "conformance/language/ast.h"
#include "conformance/protocol/ast_codec.h"
#include "conformance/protocol/exec_request.h"
#include "conformance/protocol/outcome.h"
#include "conformance/runner/matching.h"
#include "conformance/language/case_parser.h"
#include "fuzz/fuzz_support.h"

namespace {

using namespace sockref::conformance;

// PathFor returns "<area>.cases" for the area named by the first `case` line of `text`.
std::string PathFor(std::string_view text) {
  std::size_t at = 0;
  while (at < text.size()) {
    std::size_t end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(at, end - at);
    if (line.substr(0, 5) == "case ") {
      std::string_view id = line.substr(5);
      while (!id.empty() && id.front() == ' ') id.remove_prefix(1);
      const std::size_t dot = id.find_first_of(". \t\r#");
      const std::string_view area = id.substr(0, dot);
      if (!area.empty()) return "conformance/cases/" + std::string(area) + ".cases";
    }
    at = end + 1;
  }
  return "conformance/cases/fuzz.cases";
}

// ValueFor returns a value the pattern matches: captures are filled with a value of
// their required type when the harness can make one (nullopt otherwise).
std::optional<Value> ValueFor(const Pattern& p, Bindings& fills) {
  switch (p.kind) {
    case Pattern::Kind::kValue:
      return p.value;
    case Pattern::Kind::kTuple:
    case Pattern::Kind::kList: {
      std::vector<Value> items;
      for (const Pattern& item : p.items) {
        std::optional<Value> v = ValueFor(item, fills);
        if (!v) return std::nullopt;
        items.push_back(std::move(*v));
      }
      return p.kind == Pattern::Kind::kTuple ? Value::Tuple(std::move(items))
                                              : Value::List(std::move(items));
    }
    case Pattern::Kind::kCapture: {
      if (auto it = fills.find(p.capture); it != fills.end()) return it->second;
      Value v;
      if (p.capture_type.empty() || p.capture_type == "int") {
        v = Value::Int(7);
      } else if (p.capture_type == "str") {
        v = Value::Str("x");
      } else if (p.capture_type == "bytes") {
        v = Value::Bytes("x");
      } else if (p.capture_type == "NoneType") {
        v = Value::None();
      } else {
        v = Value::Object(p.capture_type, "<" + p.capture_type + " object>");
      }
      fills.emplace(p.capture, v);
      return v;
    }
    case Pattern::Kind::kFormat: {
      std::optional<std::string> text = ExpandFormat(p, fills);
      if (!text) return std::nullopt;
      return Value::Str(std::move(*text));
    }
  }
  return std::nullopt;
}

void CheckStep(const Step& step, int number) {
  const nlohmann::json encoded = StatementToJson(step.statement);
  const Statement decoded = StatementFromJson(encoded);
  FUZZ_CHECK(StatementToJson(decoded) == encoded,
             "statement at line " + std::to_string(step.line) + " does not survive JSON: " +
                 encoded.dump());
  ExecRequest(step, number).dump();
  StepToJson(step).dump();

  for (const Expected& e : step.expected) {
    Describe(e);
    Outcome outcome;
    if (e.kind == Expected::Kind::kValue) {
      Repr(e.value);
      Bindings fills;
      std::optional<Value> v = ValueFor(e.value, fills);
      if (!v) continue;
      outcome.kind = Outcome::Kind::kValue;
      outcome.value = std::move(*v);
    } else {
      outcome.kind = Outcome::Kind::kRaised;
      outcome.raised.type = e.exception;
      if (e.message) outcome.raised.str = *e.message;
      if (e.errno_name) outcome.raised.errno_name = *e.errno_name;
    }
    // The outcome survives the protocol too: the runner decodes what drivers send.
    const Outcome sent = OutcomeFromJson(OutcomeToJson(outcome));
    Describe(sent);
    Bindings bindings;
    const std::optional<std::string> why = MatchOutcome(step, sent, bindings);
    FUZZ_CHECK(!why.has_value(), "line " + std::to_string(e.line) + ": the step rejects the " +
                                     "outcome its own expectation describes (" + Describe(sent) +
                                     "): " + why.value_or(""));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  CaseFile file;
  try {
    file = ParseCaseText(PathFor(text), text);
  } catch (const CaseParseError& e) {
    FUZZ_CHECK(e.line() >= 0 && !e.message().empty(), std::string("bad error: ") + e.what());
    return 0;
  }
  for (const Case& c : file.cases) {
    CaseToJson(c).dump();
    TestNameForCaseId(c.id);
    for (std::size_t i = 0; i < c.steps.size(); ++i) CheckStep(c.steps[i], static_cast<int>(i + 1));
  }
  return 0;
}
