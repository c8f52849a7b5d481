// doc_refs.h: checks that each case's `doc:` lines quote their seed document (CASES.md,
// "Headers"), so a case cites a sentence the documentation really says.
//
//   for (const std::string& problem : VerifyDocRefs(cases, "../shared/seeds")) Report(problem);
#ifndef SOCKREF_CONFORMANCE_LANGUAGE_DOC_REFS_H_
#define SOCKREF_CONFORMANCE_LANGUAGE_DOC_REFS_H_

#include <string>
#include <vector>

#include "conformance/language/ast.h"

namespace sockref::conformance {

// VerifyDocRefs checks every `doc:` reference of `cases` against the seed documents in
// `seeds_dir` (files named "<seed>_*.txt"): the seed file must exist and contain the fragment,
// comparing with runs of whitespace folded to one space and typographic quotes (’ “ ”) folded to
// ASCII ones. Returns one "file:line: problem" per
// failed reference; empty when all hold. REQUIRES: `seeds_dir` is an existing directory.
std::vector<std::string> VerifyDocRefs(const std::vector<Case>& cases,
                                       const std::string& seeds_dir);

}  // namespace sockref::conformance

#endif  // SOCKREF_CONFORMANCE_LANGUAGE_DOC_REFS_H_
