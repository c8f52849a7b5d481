// ast_codec.h: the case AST (language/ast.h) in the protocol's JSON encoding. Statements travel
// in `exec` requests (PROTOCOL.md, "Statements"); whole cases are what dump_cases prints.
//
//   nlohmann::json stmt = StatementToJson(step.statement);
//   Statement back = StatementFromJson(stmt);   // throws ProtocolError on a bad shape
#ifndef SOCKREF_CONFORMANCE_PROTOCOL_AST_CODEC_H_
#define SOCKREF_CONFORMANCE_PROTOCOL_AST_CODEC_H_

#include <nlohmann/json.hpp>

#include "conformance/language/ast.h"
#include "conformance/protocol/protocol_error.h"

namespace sockref::conformance {

// ExprToJson / StatementToJson give the AST a driver evaluates; the *FromJson inverses throw
// ProtocolError on malformed input (for a driver or adapter written in C++).
nlohmann::json ExprToJson(const Expr& e);
Expr ExprFromJson(const nlohmann::json& j);
nlohmann::json StatementToJson(const Statement& s);
Statement StatementFromJson(const nlohmann::json& j);

// PatternToJson, ExpectedToJson, StepToJson and CaseToJson give the whole parsed case, as
// dump_cases prints it (CASES.md, "Tools").
nlohmann::json PatternToJson(const Pattern& p);
nlohmann::json ExpectedToJson(const Expected& e);
nlohmann::json StepToJson(const Step& s);
nlohmann::json CaseToJson(const Case& c);

}  // namespace sockref::conformance

#endif  // SOCKREF_CONFORMANCE_PROTOCOL_AST_CODEC_H_
