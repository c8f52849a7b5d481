// evaluator.h: runs the statement ASTs of PROTOCOL.md over the reference driver's objects,
// with Python's semantics for the few operators the case language has.
//
//   Session session;
//   Statement st = StatementFromJson(request["stmt"]);  // a, b = socketpair()
//   Ref result = Execute(session, st);                  // binds a and b in the session
//
// Errors propagate as exceptions (errors.h says which kinds exist and how they are
// reported): sockref's own, PyException for what the interpreter itself raises (IndexError,
// NameError, TypeError of operators), Unsupported for a missing attribute.
#ifndef SOCKREF_CONFORMANCE_DRIVERS_REFERENCE_RUNTIME_EVALUATOR_H_
#define SOCKREF_CONFORMANCE_DRIVERS_REFERENCE_RUNTIME_EVALUATOR_H_

#include "conformance/language/ast.h"
#include "conformance/drivers/reference/runtime/object.h"
#include "conformance/drivers/reference/runtime/session.h"

namespace sockref::conformance::reference {

// Evaluate returns the value of `expr`. Names resolve to case variables first, then to
// builtins, then to `socket`; anything else raises NameError("name 'x' is not defined").
Ref Evaluate(Session& session, const Expr& expr);

// Execute evaluates `statement`, binds its targets (one name, or several by unpacking as
// Python does: "not enough values to unpack (expected 2, got 1)"), and returns the value of
// its expression.
Ref Execute(Session& session, const Statement& statement);

// Subscript returns obj[index]; Slice returns obj[lower:upper] (a null bound is omitted).
Ref Subscript(const Ref& obj, const Ref& index);
Ref Slice(const Ref& obj, const Ref& lower, const Ref& upper);

// BinaryOp returns `left op right` for op "+" or "*"; Negate returns -operand.
Ref BinaryOp(const std::string& op, const Ref& left, const Ref& right);
Ref Negate(const Ref& operand);

}  // namespace sockref::conformance::reference

#endif  // SOCKREF_CONFORMANCE_DRIVERS_REFERENCE_RUNTIME_EVALUATOR_H_
