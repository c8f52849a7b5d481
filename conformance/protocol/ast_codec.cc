#include "conformance/protocol/ast_codec.h"

#include <string>
#include <utility>

#include "conformance/protocol/json_reading.h"
#include "conformance/protocol/value_codec.h"
#include "conformance/language/ast.h"
#include "conformance/protocol/protocol_error.h"

namespace sockref::conformance {

using nlohmann::json;

json ExprToJson(const Expr& e) {
  auto all = [](const std::vector<Expr>& exprs, std::size_t from, std::size_t to) {
    json out = json::array();
    for (std::size_t i = from; i < to; ++i) out.push_back(ExprToJson(exprs[i]));
    return out;
  };
  switch (e.kind) {
    case ExprKind::kLiteral:
      return {{"lit", ValueToJson(e.literal)}};
    case ExprKind::kName:
      return {{"name", e.name}};
    case ExprKind::kAttr:
      return {{"attr", {ExprToJson(e.operands.at(0)), e.name}}};
    case ExprKind::kCall: {
      std::size_t n = e.operands.size();
      std::size_t positional_end = n - e.keyword_names.size();
      json kwargs = json::object();
      for (std::size_t i = positional_end; i < n; ++i) {
        kwargs[e.keyword_names[i - positional_end]] = ExprToJson(e.operands[i]);
      }
      return {{"call", ExprToJson(e.operands.at(0))},
              {"args", all(e.operands, 1, positional_end)},
              {"kwargs", kwargs}};
    }
    case ExprKind::kTuple:
      return {{"tuple", all(e.operands, 0, e.operands.size())}};
    case ExprKind::kList:
      return {{"list", all(e.operands, 0, e.operands.size())}};
    case ExprKind::kIndex:
      return {{"index", all(e.operands, 0, 2)}};
    case ExprKind::kSlice:
      return {{"slice", all(e.operands, 0, 3)}};
    case ExprKind::kBinOp:
      return {{"binop", {e.name, ExprToJson(e.operands.at(0)), ExprToJson(e.operands.at(1))}}};
    case ExprKind::kNeg:
      return {{"neg", ExprToJson(e.operands.at(0))}};
    case ExprKind::kOmitted:
      return nullptr;
  }
  return nullptr;
}

// long-function: one branch per form of PROTOCOL.md's closed set of expressions, so the
// decoder reads as that table.
Expr ExprFromJson(const json& j) {
  const JsonNestingGuard guard("an expression");
  Expr e;
  if (j.is_null()) return e;  // kOmitted; only meaningful as a slice bound
  // A call has three members; every other expression has one.
  const std::string key = j.is_object() && j.contains("call") ? "call" : OneKey(j);
  if (key != "call" && j.size() != 1)
    throw ProtocolError("an expression has one member: " + j.dump());
  auto array_of = [&](std::size_t size) -> const json& {
    const json& body = j.at(key);
    if (!body.is_array() || (size != 0 && body.size() != size)) {
      throw ProtocolError("\"" + key + "\" takes an array" +
                          (size ? " of " + std::to_string(size) : std::string()) + ": " + j.dump());
    }
    return body;
  };
  auto require_present = [&](const Expr& operand) {
    if (operand.kind == ExprKind::kOmitted) throw ProtocolError("null operand in " + j.dump());
  };
  if (key == "lit") {
    e.kind = ExprKind::kLiteral;
    e.literal = ValueFromJson(j.at(key));
  } else if (key == "name") {
    e.kind = ExprKind::kName;
    if (!j.at(key).is_string()) throw ProtocolError("\"name\" takes a string");
    e.name = j.at(key).get<std::string>();
  } else if (key == "attr") {
    const json& body = array_of(2);
    if (!body[1].is_string()) throw ProtocolError("\"attr\" takes [expr, name]");
    e.kind = ExprKind::kAttr;
    e.operands.push_back(ExprFromJson(body[0]));
    e.name = body[1].get<std::string>();
  } else if (key == "call") {
    e.kind = ExprKind::kCall;
    e.operands.push_back(ExprFromJson(j.at("call")));
    const json& args = Member(j, "args", "a call");
    const json& kwargs = Member(j, "kwargs", "a call");
    if (!args.is_array() || !kwargs.is_object()) {
      throw ProtocolError("a call has \"args\": [...] and \"kwargs\": {...}");
    }
    for (const json& a : args) e.operands.push_back(ExprFromJson(a));
    for (auto it = kwargs.begin(); it != kwargs.end(); ++it) {
      e.keyword_names.push_back(it.key());
      e.operands.push_back(ExprFromJson(it.value()));
    }
  } else if (key == "tuple" || key == "list") {
    e.kind = key == "tuple" ? ExprKind::kTuple : ExprKind::kList;
    for (const json& item : array_of(0)) e.operands.push_back(ExprFromJson(item));
  } else if (key == "index") {
    e.kind = ExprKind::kIndex;
    for (const json& item : array_of(2)) e.operands.push_back(ExprFromJson(item));
  } else if (key == "slice") {
    e.kind = ExprKind::kSlice;
    for (const json& item : array_of(3)) e.operands.push_back(ExprFromJson(item));
    require_present(e.operands[0]);
    return e;
  } else if (key == "binop") {
    const json& body = array_of(3);
    if (body[0] != "+" && body[0] != "*") throw ProtocolError("\"binop\" operator is + or *");
    e.kind = ExprKind::kBinOp;
    e.name = body[0].get<std::string>();
    e.operands.push_back(ExprFromJson(body[1]));
    e.operands.push_back(ExprFromJson(body[2]));
  } else if (key == "neg") {
    e.kind = ExprKind::kNeg;
    e.operands.push_back(ExprFromJson(j.at(key)));
  } else {
    throw ProtocolError("unknown expression \"" + key + "\"");
  }
  for (const Expr& operand : e.operands) require_present(operand);
  return e;
}

json StatementToJson(const Statement& s) {
  json assign = nullptr;
  if (!s.targets.empty()) assign = s.targets;
  return {{"assign", assign}, {"expr", ExprToJson(s.expr)}};
}

Statement StatementFromJson(const json& j) {
  Statement s;
  const json& assign = Member(j, "assign", "a statement");
  if (assign.is_array()) {
    for (const json& name : assign) {
      if (!name.is_string()) throw ProtocolError("\"assign\" takes names");
      s.targets.push_back(name.get<std::string>());
    }
    if (s.targets.empty()) throw ProtocolError("\"assign\" takes null or at least one name");
  } else if (!assign.is_null()) {
    throw ProtocolError("\"assign\" takes null or an array of names");
  }
  s.expr = ExprFromJson(Member(j, "expr", "a statement"));
  if (s.expr.kind == ExprKind::kOmitted) throw ProtocolError("a statement's \"expr\" is null");
  return s;
}

json PatternToJson(const Pattern& p) {
  switch (p.kind) {
    case Pattern::Kind::kValue:
      return ValueToJson(p.value);
    case Pattern::Kind::kTuple:
    case Pattern::Kind::kList: {
      json items = json::array();
      for (const Pattern& item : p.items) items.push_back(PatternToJson(item));
      return {{p.kind == Pattern::Kind::kTuple ? "tuple" : "list", items}};
    }
    case Pattern::Kind::kCapture:
      return {{"capture", p.capture},
              {"type", p.capture_type.empty() ? json(nullptr) : json(p.capture_type)}};
    case Pattern::Kind::kFormat: {
      json parts = json::array();
      for (const FormatPart& part : p.format) {
        if (part.name.empty()) {
          parts.push_back(part.text);
        } else {
          parts.push_back({{"field", part.name},
                           {"attribute", part.attribute.empty() ? json(nullptr) : json(part.attribute)},
                           {"conversion", part.repr ? "r" : "s"}});
        }
      }
      return {{"format", parts}};
    }
  }
  return nullptr;
}

json ExpectedToJson(const Expected& e) {
  // "text" is the expectation as the case file spells it, for people and tools reading dumps.
  if (e.kind == Expected::Kind::kValue) {
    return {{"value", PatternToJson(e.value)}, {"text", Describe(e)}};
  }
  json raised = {{"type", e.exception}};
  if (e.errno_name) raised["errno_name"] = *e.errno_name;
  if (e.message) raised["str"] = *e.message;
  return {{"raised", raised}, {"text", Describe(e)}};
}

json StepToJson(const Step& s) {
  json expected = json::array();
  for (const Expected& e : s.expected) expected.push_back(ExpectedToJson(e));
  json elapsed = nullptr;
  if (s.elapsed) {
    elapsed = {{s.elapsed->kind == Timing::Kind::kAbout ? "about" : "below", s.elapsed->seconds}};
  }
  json capture = json::object();
  for (const Capture& c : s.captures) capture[c.name] = PathToJson(c.path);
  json background = nullptr;
  if (s.background_delay) background = {{"delay", *s.background_delay}};
  json by_version = json::array();
  for (const VersionedExpectation& v : s.by_version) {
    json group = json::array();
    for (const Expected& e : v.expected) group.push_back(ExpectedToJson(e));
    by_version.push_back({{"versions", ToString(v.versions)},
                          {"expected", group},
                          {"line", v.line},
                          {"reason", v.reason}});
  }
  return {{"line", s.line},         {"source", s.source},   {"stmt", StatementToJson(s.statement)},
          {"background", background}, {"expected", expected}, {"by_version", by_version},
          {"elapsed", elapsed},     {"capture", capture}};
}

json CaseToJson(const Case& c) {
  json docs = json::array();
  for (const DocRef& d : c.docs) {
    docs.push_back({{"seed", d.seed}, {"fragment", d.fragment}, {"line", d.line}});
  }
  json steps = json::array();
  for (const Step& s : c.steps) steps.push_back(StepToJson(s));
  return {{"id", c.id},
          {"test_name", TestNameForCaseId(c.id)},
          {"file", c.file},
          {"line", c.line},
          {"docs", docs},
          {"needs", c.needs},
          {"divergence", c.divergence.empty() ? json(nullptr) : json(c.divergence)},
          {"versions", c.versions ? json(ToString(*c.versions)) : json(nullptr)},
          {"steps", steps}};
}

}  // namespace sockref::conformance
