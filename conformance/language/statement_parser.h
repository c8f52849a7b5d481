// statement_parser.h: a `>>>` statement's tokens to its AST (CASES.md, "Statements"), by
// recursive descent bounded by kMaxNesting. Internal to //conformance/language.
//
//   Statement s = ParseStatementTokens(Tokenize("a, b = socketpair()"), scope);
#ifndef SOCKREF_CONFORMANCE_LANGUAGE_STATEMENT_PARSER_H_
#define SOCKREF_CONFORMANCE_LANGUAGE_STATEMENT_PARSER_H_

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "conformance/language/ast.h"
#include "conformance/language/lexer.h"

namespace sockref::conformance::language_internal {

// Scope is what a case has bound so far: names usable in later steps.
struct Scope {
  std::set<std::string, std::less<>> bound;
};

// ParseStatementTokens parses a whole statement; names must be bound in `scope`, builtins or
// socket module names. Throws LineError.
Statement ParseStatementTokens(const std::vector<Token>& tokens, const Scope& scope);

// CheckVariableName fails (LineError) unless `name` may be bound by a case (by assignment or
// capture).
void CheckVariableName(const std::string& name);

}  // namespace sockref::conformance::language_internal

#endif  // SOCKREF_CONFORMANCE_LANGUAGE_STATEMENT_PARSER_H_
