// parse_support.h: what every stage of the case parser shares: the error a line raises, the
// nesting limit of its recursive descent, and small text helpers. Internal to
// //conformance/language.
#ifndef SOCKREF_CONFORMANCE_LANGUAGE_PARSE_SUPPORT_H_
#define SOCKREF_CONFORMANCE_LANGUAGE_PARSE_SUPPORT_H_

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

namespace sockref::conformance::language_internal {

// LineError is thrown while parsing one line; the file parser adds "file:line: ".
struct LineError {
  std::string message;
};

// Fail throws LineError(message).
[[noreturn]] inline void Fail(std::string message) { throw LineError{std::move(message)}; }

// The statement and value parsers below are recursive descent, so nesting depth is stack
// depth: a line of a few thousand '(' overflowed the stack (found by
// //fuzz:case_parser_fuzzer). kMaxNesting bounds it; CPython's tokenizer stops at 200
// nested parentheses too.
constexpr int kMaxNesting = 200;

// NestingGuard counts one level of nesting for as long as it lives, and fails the line
// once `what` nests more than kMaxNesting levels deep.
class NestingGuard {
 public:
  NestingGuard(int& depth, std::string_view what) : depth_(depth) {
    if (depth_ >= kMaxNesting) {
      Fail(std::string(what) + " nested too deeply: more than " + std::to_string(kMaxNesting) +
           " levels");
    }
    ++depth_;
  }
  ~NestingGuard() { --depth_; }
  NestingGuard(const NestingGuard&) = delete;
  NestingGuard& operator=(const NestingGuard&) = delete;

 private:
  int& depth_;
};

// ChainDepth counts the links of a left-associative chain (`1+1+...`, `a.b.c...`, `f()()...`,
// `x[0][0]...`) as nesting: each link wraps the tree built so far one level deeper, and every
// consumer of the tree (the JSON codec, the drivers' evaluators, CPython's own recursion limit)
// recurses once per level. The links count for as long as the chain's parse runs.
class ChainDepth {
 public:
  explicit ChainDepth(int& depth) : depth_(depth) {}
  ~ChainDepth() { depth_ -= links_; }
  ChainDepth(const ChainDepth&) = delete;
  ChainDepth& operator=(const ChainDepth&) = delete;

  // Link counts one more link of `what`; fails the line past kMaxNesting levels in all.
  void Link(std::string_view what) {
    if (depth_ >= kMaxNesting) {
      Fail(std::string(what) + " nested too deeply: more than " + std::to_string(kMaxNesting) +
           " levels");
    }
    ++depth_;
    ++links_;
  }

 private:
  int& depth_;
  int links_ = 0;
};

// Quote shows a piece of the input in a message, shortened when long, in single quotes unless
// it contains one (then in double quotes, as Python's repr does).
inline std::string Quote(std::string_view text) {
  constexpr std::size_t kMax = 60;
  std::string shown(text.substr(0, kMax));
  if (text.size() > kMax) shown += "...";
  bool single = shown.find('\'') != std::string::npos;
  bool dbl = shown.find('"') != std::string::npos;
  char quote = single && !dbl ? '"' : '\'';
  return quote + shown + quote;
}

// Trim drops spaces and tabs around `s` (and a trailing '\r').
inline std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

inline bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

inline bool IsIdentStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
inline bool IsIdentChar(char c) { return IsIdentStart(c) || (c >= '0' && c <= '9'); }
inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// IsIdentifier says whether `s` is an ASCII Python identifier.
inline bool IsIdentifier(std::string_view s) {
  return !s.empty() && IsIdentStart(s[0]) && std::all_of(s.begin(), s.end(), IsIdentChar);
}

}  // namespace sockref::conformance::language_internal

#endif  // SOCKREF_CONFORMANCE_LANGUAGE_PARSE_SUPPORT_H_
