// lexer.h: splits one line of a case (a statement, a value, a delay) into Python tokens.
// Internal to //conformance/language.
//
//   std::vector<Token> tokens = Tokenize("s.recv(1024)  # a comment");  // ..., kEnd
#ifndef SOCKREF_CONFORMANCE_LANGUAGE_LEXER_H_
#define SOCKREF_CONFORMANCE_LANGUAGE_LEXER_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace sockref::conformance::language_internal {

// kFStr is an f-string, `f'...'`, with its escapes decoded but its braces kept: only an
// expectation line may hold one (a value pattern, CASES.md "Values").
enum class Tok { kName, kInt, kFloat, kStr, kBytes, kFStr, kOp, kEnd };

struct Token {
  Tok kind = Tok::kEnd;
  std::string text;   // as written
  std::string value;  // kName: the name; kInt: canonical decimal; kStr/kBytes/kFStr: the data;
                      // kOp: the operator
  double number = 0;  // kFloat
  std::size_t column = 0;
};

// Tokenize splits `text` into tokens ending with one kEnd; a '#' outside a string starts a
// comment that ends the line. When `code_end` is given, it receives where the code ends (the
// comment's column, or the text's length). Throws LineError on a malformed token.
std::vector<Token> Tokenize(std::string_view text, std::size_t* code_end = nullptr);

// Describe shows a token in a message: its text quoted, or "end of line".
std::string Describe(const Token& t);

}  // namespace sockref::conformance::language_internal

#endif  // SOCKREF_CONFORMANCE_LANGUAGE_LEXER_H_
