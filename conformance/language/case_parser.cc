#include "conformance/language/case_parser.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <utility>

#include "conformance/language/case_file_reader.h"
#include "conformance/language/case_headers.h"
#include "conformance/language/lexer.h"
#include "conformance/language/parse_support.h"
#include "conformance/language/pattern_parser.h"
#include "conformance/language/python_names.h"
#include "conformance/language/socket_kinds.h"
#include "conformance/language/statement_parser.h"
#include "conformance/language/utf8.h"

namespace sockref::conformance {
namespace {

using namespace language_internal;

std::string AreaOf(std::string_view path) {
  std::string_view name = path;
  if (std::size_t slash = name.rfind('/'); slash != std::string_view::npos)
    name.remove_prefix(slash + 1);
  if (name.size() > 6 && name.substr(name.size() - 6) == ".cases") name.remove_suffix(6);
  return std::string(name);
}

bool IsCaseId(std::string_view id) {
  std::size_t parts = 0;
  std::size_t i = 0;
  while (true) {
    if (i >= id.size() || !(id[i] >= 'a' && id[i] <= 'z')) return false;
    while (i < id.size() && ((id[i] >= 'a' && id[i] <= 'z') || IsDigit(id[i]) || id[i] == '_')) ++i;
    ++parts;
    if (i == id.size()) return parts >= 2;
    if (id[i] != '.') return false;
    ++i;
  }
}

class FileParser {
 public:
  FileParser(std::string_view path, std::string_view text) : text_(text) {
    file_.path = std::string(path);
    file_.area = AreaOf(path);
  }

  CaseFile Parse() {
    if (StartsWith(text_, "\xEF\xBB\xBF")) text_.remove_prefix(3);  // a UTF-8 byte order mark
    int line_number = 0;
    std::size_t start = 0;
    while (start < text_.size()) {
      std::size_t end = text_.find('\n', start);
      if (end == std::string_view::npos) end = text_.size();
      ++line_number;
      line_ = line_number;
      try {
        ParseLine(text_.substr(start, end - start));
      } catch (const LineError& e) {
        throw CaseParseError(file_.path, line_, e.message);
      }
      start = end + 1;
    }
    try {
      FinishCase();
    } catch (const LineError& e) {
      throw CaseParseError(file_.path, line_, e.message);
    }
    return std::move(file_);
  }

 private:
  void ParseLine(std::string_view raw) {
    if (!IsValidUtf8(raw)) Fail("the line is not valid UTF-8");
    std::string_view line = Trim(raw);
    if (line.empty() || line[0] == '#') return;
    bool indented = raw[0] == ' ' || raw[0] == '\t';
    if (!indented) {
      if (!StartsWith(line, "case ") && line != "case") {
        Fail("expected 'case <id>' (headers and steps are indented under it), got " + Quote(line));
      }
      StartCase(line);
      return;
    }
    if (!in_case_) Fail("expected 'case <id>' before indented lines, got " + Quote(line));
    if (StartsWith(line, ">>>")) return StartStep(line);
    if (StartsWith(line, "after ")) return StartBackgroundStep(line);
    if (StartsWith(line, "doc:") || StartsWith(line, "needs:") || StartsWith(line, "divergence:") ||
        StartsWith(line, "versions:") || StartsWith(line, "kinds:")) {
      return ParseHeader(line);
    }
    if (StartsWith(line, "elapsed:")) return ParseElapsed(line);
    if (StartsWith(line, "|")) return ParseAlternative(line);
    if (VersionQualifierEnd(line) != 0) return ParseVersionedLine(line);
    ParseOutcomeLine(line);
  }

  // ----- cases -----

  void StartCase(std::string_view line) {
    FinishCase();
    std::string_view id = Trim(line.substr(4));
    if (std::size_t hash = id.find('#'); hash != std::string_view::npos)
      id = Trim(id.substr(0, hash));
    if (!IsCaseId(id)) {
      Fail(
          "expected a case id of lower-case dotted words, such as 'inet.aton.two_part_shorthand', "
          "after 'case', got " +
          Quote(id));
    }
    if (!StartsWith(id, file_.area + ".")) {
      Fail("case id " + Quote(id) + " must start with the file's area '" + file_.area + ".'");
    }
    // A map, not a scan of the cases so far: a file of many cases stays linear to parse.
    if (auto [it, added] = first_line_of_id_.emplace(id, line_); !added) {
      Fail("duplicate case id " + Quote(id) + " (first at " + file_.path + ":" +
           std::to_string(it->second) + ")");
    }
    current_ = Case{};
    current_.id = std::string(id);
    current_.file = file_.path;
    current_.line = line_;
    in_case_ = true;
    scope_ = Scope{};
    assigned_.clear();
    captured_.clear();
    kinds_.clear();
    kinds_line_ = 0;
    step_ = nullptr;
  }

  void FinishCase() {
    if (!in_case_) return;
    FinishStep();
    if (current_.docs.empty()) {
      line_ = current_.line;
      Fail("case " + Quote(current_.id) +
           " has no 'doc:' line (every case cites the sentence it checks)");
    }
    if (current_.steps.empty()) {
      line_ = current_.line;
      Fail("case " + Quote(current_.id) + " has no '>>>' steps");
    }
    in_case_ = false;
    if (kinds_.empty()) {
      file_.cases.push_back(std::move(current_));
      return;
    }
    const int line = line_;
    for (const SocketKind* kind : kinds_) file_.cases.push_back(Instance(*kind));
    line_ = line;
  }

  // Instance returns the current case as run over `kind` (CASES.md, "Socket kinds"): its id
  // suffixed with the kind's name, the kind's capabilities added to its needs, and the kind's
  // prologue before its steps.
  Case Instance(const SocketKind& kind) {
    Case c = current_;
    c.id += "." + kind.name;
    line_ = kinds_line_;
    if (auto [it, added] = first_line_of_id_.emplace(c.id, kinds_line_); !added) {
      Fail("the instance " + Quote(c.id) + " of kind " + Quote(kind.name) +
           " has the id of the case at " + file_.path + ":" + std::to_string(it->second));
    }
    for (const std::string& need : kind.needs) {
      if (std::find(c.needs.begin(), c.needs.end(), need) == c.needs.end()) c.needs.push_back(need);
    }
    std::vector<Step> steps;
    Scope scope;
    for (const std::string& text : kind.prologue) {
      Step step;
      step.line = kinds_line_;
      step.source = text;
      step.statement = ParseStatementTokens(Tokenize(text), scope);
      for (const std::string& name : step.statement.targets) scope.bound.insert(name);
      steps.push_back(std::move(step));
    }
    for (Step& step : c.steps) steps.push_back(std::move(step));
    c.steps = std::move(steps);
    return c;
  }

  // ----- headers -----

  void ParseHeader(std::string_view line) {
    std::size_t colon = line.find(':');
    std::string keyword(line.substr(0, colon));
    if (!current_.steps.empty()) {
      Fail("'" + keyword + ":' lines belong before the case's first step");
    }
    std::string_view rest = Trim(line.substr(colon + 1));
    if (keyword == "doc") {
      current_.docs.push_back(ParseDocRef(rest, line_));
    } else if (keyword == "needs") {
      AddNeeds(rest, current_.needs);
    } else if (keyword == "versions") {
      ParseVersionsHeader(rest);
    } else if (keyword == "kinds") {
      ParseKindsHeader(rest);
    } else {
      if (rest.empty()) Fail("expected text after 'divergence:'");
      if (!current_.divergence.empty()) current_.divergence += ' ';
      current_.divergence += std::string(rest);
    }
  }

  void ParseVersionsHeader(std::string_view rest) {
    if (std::size_t hash = rest.find('#'); hash != std::string_view::npos) {
      rest = Trim(rest.substr(0, hash));
    }
    if (current_.versions) Fail("a case has one 'versions:' line");
    current_.versions = ParseVersionRange(rest);
    if (!current_.versions) Fail(VersionRangeError(rest, "after 'versions:'"));
  }

  // ParseKindsHeader reads `kinds: tcp4, dgram`: the case runs once per kind, over `a` and `b`
  // (CASES.md, "Socket kinds").
  void ParseKindsHeader(std::string_view rest) {
    if (std::size_t hash = rest.find('#'); hash != std::string_view::npos) {
      rest = Trim(rest.substr(0, hash));
    }
    if (!kinds_.empty()) Fail("a case has one 'kinds:' line");
    try {
      kinds_ = ExpandKindNames(rest);
    } catch (const std::invalid_argument& e) {
      Fail(std::string(e.what()) + " after 'kinds:'");
    }
    kinds_line_ = line_;
    for (const char* name : {"a", "b"}) {
      scope_.bound.insert(name);
      assigned_.emplace(name, line_);
    }
  }

  // ----- versions -----

  // ParseVersionedLine reads `[3.6-3.9] <expectation>`: what the step does in those versions.
  void ParseVersionedLine(std::string_view line) {
    Step& step = StepForExpectation(line);
    const std::size_t end = VersionQualifierEnd(line);
    const std::string_view text = Trim(line.substr(1, line.find(']') - 1));
    const std::optional<VersionRange> range = ParseVersionRange(text);
    if (!range) Fail(VersionRangeError(text, "in '[...]'"));
    if (current_.versions && !(current_.versions->low <= range->low &&
                               range->high <= current_.versions->high)) {
      Fail("versions " + ToString(*range) + " lie outside the case's 'versions: " +
           ToString(*current_.versions) + "'");
    }
    for (const VersionedExpectation& other : step.by_version) {
      if (other.versions.Overlaps(*range)) {
        Fail("versions " + ToString(*range) + " overlap " + ToString(other.versions) +
             " of line " + std::to_string(other.line));
      }
    }
    VersionedExpectation group;
    group.versions = *range;
    group.line = line_;
    const std::string_view body = line.substr(end);
    if (std::size_t hash = body.rfind(" # "); hash != std::string_view::npos) {
      group.reason = std::string(Trim(body.substr(hash + 3)));
    }
    group.expected.push_back(VersionedExpected(step, body));
    step.by_version.push_back(std::move(group));
    in_versioned_group_ = true;
  }

  // VersionedExpected parses one expectation of a version group. It may compare with captures
  // the step's own lines bind, never bind new ones: a binding must not depend on the version.
  Expected VersionedExpected(Step& step, std::string_view text) {
    Expected e = ParseExpectation(text, "expected a value or 'Exception: message' after the versions");
    e.line = line_;
    if (e.kind == Expected::Kind::kValue) CheckFormatFields(e.value);
    if (e.kind == Expected::Kind::kValue) {
      if (!step.statement.targets.empty()) {
        Fail("an assignment prints nothing; a version's line can only say it raises");
      }
      std::vector<std::size_t> path;
      ForEachCapture(e.value, path, [&](const Pattern& p, const std::vector<std::size_t>&) {
        if (!scope_.bound.count(p.capture)) {
          Fail("a version's expectation cannot bind a new $name (" + Quote(p.capture) +
               "): bind it on the step's own line");
        }
      });
    }
    return e;
  }

  // ----- steps -----

  void FinishStep() {
    if (step_ == nullptr) return;
    // doctest: an expression statement with no output line must return None.
    if (step_->expected.empty() && step_->statement.targets.empty() && !step_->background_delay) {
      Expected none;
      none.kind = Expected::Kind::kValue;
      none.line = step_->line;
      step_->expected.push_back(std::move(none));
    }
    step_ = nullptr;
  }

  Statement ParseStatementText(std::string_view text, std::string* source) {
    std::size_t code_end = 0;
    std::vector<Token> tokens = Tokenize(text, &code_end);
    *source = std::string(Trim(text.substr(0, code_end)));
    if (tokens[0].kind == Tok::kEnd) Fail("expected a statement, got end of line");
    return ParseStatementTokens(tokens, scope_);
  }

  void StartStep(std::string_view line) {
    FinishStep();
    std::string_view rest = line.substr(3);
    if (Trim(rest).empty()) Fail("expected a statement after '>>>'");
    if (rest[0] != ' ') Fail("expected a space after '>>>', got " + Quote(line));
    if (StartsWith(Trim(rest), "..."))
      Fail("'...' continuation lines are not supported; write the statement on one line");
    Step step;
    step.line = line_;
    step.statement = ParseStatementText(rest, &step.source);
    for (const std::string& name : step.statement.targets) {
      CheckVariableName(name);
      if (auto it = captured_.find(name); it != captured_.end()) {
        Fail(Quote(name) + " is captured with $" + name + " at line " + std::to_string(it->second) +
             "; it cannot also be assigned");
      }
      if (std::count(step.statement.targets.begin(), step.statement.targets.end(), name) > 1) {
        Fail("name " + Quote(name) + " appears twice in the assignment");
      }
      assigned_.emplace(name, line_);
    }
    for (const std::string& name : step.statement.targets) scope_.bound.insert(name);
    current_.steps.push_back(std::move(step));
    step_ = &current_.steps.back();
    step_has_outcome_line_ = false;
    in_versioned_group_ = false;
  }

  void StartBackgroundStep(std::string_view line) {
    FinishStep();
    std::string_view rest = line.substr(6);
    std::size_t colon = rest.find(':');
    auto fail = [&] { Fail("expected 'after <seconds>: <statement>', got " + Quote(line)); };
    if (colon == std::string_view::npos) fail();
    std::vector<Token> delay_tokens = Tokenize(rest.substr(0, colon));
    if (delay_tokens.size() != 2) fail();
    Step step;
    step.line = line_;
    step.background_delay = ParseSeconds(delay_tokens, 0, "a delay in seconds after 'after'");
    step.statement = ParseStatementText(rest.substr(colon + 1), &step.source);
    if (!step.statement.targets.empty()) {
      Fail("an 'after' action cannot assign (it runs concurrently with later steps)");
    }
    current_.steps.push_back(std::move(step));
    step_ = &current_.steps.back();
    step_has_outcome_line_ = false;
    in_versioned_group_ = false;
  }

  // ----- expectation lines -----

  Step& StepForExpectation(std::string_view line) {
    if (step_ == nullptr) {
      Fail("expected 'doc:', 'needs:', 'versions:', 'divergence:' or a '>>>' step, got " + Quote(line));
    }
    if (step_->background_delay) {
      Fail("an 'after' action takes no expectation lines (it must succeed), got " + Quote(line));
    }
    if (step_->elapsed)
      Fail("expected a '>>>' step or a new 'case' after 'elapsed:', got " + Quote(line));
    return *step_;
  }

  void ParseOutcomeLine(std::string_view line) {
    Step& step = StepForExpectation(line);
    if (in_versioned_group_) {
      Fail("expected another '[versions] ...' line, a '| ' alternative, 'elapsed:' or a '>>>' "
           "step, got " + Quote(line) + " (a step's own expectation comes before its versions')");
    }
    if (step_has_outcome_line_) {
      Fail("expected an 'elapsed:' line, a '| ' alternative, a '>>>' step or a new 'case', got " +
           Quote(line));
    }
    Expected e =
        ParseExpectation(line, "expected an expectation line, a '>>>' step or a new 'case'");
    AddExpected(step, std::move(e), /*alternative=*/false);
    step_has_outcome_line_ = true;
  }

  void ParseAlternative(std::string_view line) {
    Step& step = StepForExpectation(line);
    if (!step_has_outcome_line_ && !in_versioned_group_) {
      Fail("a '| ' alternative must follow an expectation line");
    }
    if (line.size() < 3 || line[1] != ' ') Fail("expected '| <expectation>', got " + Quote(line));
    if (in_versioned_group_) {
      step.by_version.back().expected.push_back(VersionedExpected(step, Trim(line.substr(2))));
      return;
    }
    Expected e = ParseExpectation(Trim(line.substr(2)),
                                  "expected a value or 'Exception: message' after '| '");
    AddExpected(step, std::move(e), /*alternative=*/true);
  }

  void AddExpected(Step& step, Expected e, bool alternative) {
    e.line = line_;
    if (e.kind == Expected::Kind::kValue && !step.statement.targets.empty()) {
      Fail("an assignment prints nothing; expected an exception, 'elapsed:' or a new step, got " +
           Quote(Repr(e.value)));
    }
    // The first $name in a case binds it (the driver stores the value under that name); later
    // ones only compare. A binding must not depend on which alternative matched, so a step that
    // binds cannot have alternatives.
    std::vector<Capture> fresh;
    if (e.kind == Expected::Kind::kValue) {
      CheckFormatFields(e.value);
      std::vector<std::size_t> path;
      ForEachCapture(e.value, path, [&](const Pattern& p, const std::vector<std::size_t>& at) {
        CheckVariableName(p.capture);
        if (!p.capture_type.empty() && !IsIdentifier(p.capture_type)) {
          Fail("expected a type name after '$" + p.capture + ":'");
        }
        if (auto it = assigned_.find(p.capture); it != assigned_.end()) {
          Fail(Quote(p.capture) + " is assigned at line " + std::to_string(it->second) +
               "; it cannot also be captured with $" + p.capture);
        }
        bool seen = captured_.count(p.capture) > 0 ||
                    std::any_of(fresh.begin(), fresh.end(),
                                [&](const Capture& c) { return c.name == p.capture; });
        if (!seen) fresh.push_back(Capture{p.capture, at});
      });
    }
    if (alternative && (!fresh.empty() || !step.captures.empty())) {
      Fail("a step that binds a new $name cannot have '| ' alternatives");
    }
    for (Capture& c : fresh) {
      captured_.emplace(c.name, line_);
      scope_.bound.insert(c.name);
      step.captures.push_back(std::move(c));
    }
    step.expected.push_back(std::move(e));
  }

  // CheckFormatFields fails unless every field of the f-string patterns in `p` names a value
  // captured by an earlier line: the runner formats them with what it matched there.
  void CheckFormatFields(const Pattern& p) {
    for (const Pattern& item : p.items) CheckFormatFields(item);
    for (const FormatPart& part : p.format) {
      if (part.name.empty() || captured_.count(part.name)) continue;
      if (assigned_.count(part.name)) {
        Fail("the f-string field {" + part.name + "} names an assigned variable; a field names " +
             "a value captured earlier with $" + part.name + ", which the runner knows");
      }
      Fail("the f-string field {" + part.name + "} names no value captured earlier in the case " +
           "(capture it with $" + part.name + " on an earlier step)");
    }
  }

  void ParseElapsed(std::string_view line) {
    if (step_ == nullptr) Fail("an 'elapsed:' line must follow a '>>>' step");
    if (step_->background_delay) Fail("an 'after' action takes no 'elapsed:' line");
    if (step_->elapsed) Fail("a step has at most one 'elapsed:' line");
    std::vector<Token> tokens = Tokenize(line.substr(8));
    Timing timing;
    timing.line = line_;
    std::size_t pos = 0;
    if (tokens[0].kind == Tok::kOp && tokens[0].value == "<") {
      timing.kind = Timing::Kind::kBelow;
      pos = 1;
    }
    timing.seconds = ParseSeconds(tokens, pos, "seconds after 'elapsed:' (such as 0.1 or < 0.05)");
    if (tokens[pos + 1].kind != Tok::kEnd) {
      Fail("expected the end of the line after the seconds, got " + Describe(tokens[pos + 1]));
    }
    if (timing.kind == Timing::Kind::kBelow && timing.seconds <= 0) {
      Fail("'elapsed: <' needs a positive bound");
    }
    step_->elapsed = timing;
  }

  std::string_view text_;
  CaseFile file_;
  int line_ = 0;
  bool in_case_ = false;
  Case current_;
  Step* step_ = nullptr;                // the step expectation lines attach to, if any
  bool step_has_outcome_line_ = false;  // of step_
  bool in_versioned_group_ = false;     // step_'s last expectation line was `[versions] ...`
  Scope scope_;
  std::map<std::string, int> assigned_;  // name -> first line assigning it
  std::map<std::string, int> captured_;  // name -> line of its first $capture
  std::vector<const SocketKind*> kinds_;  // from a `kinds:` line: one instance per kind
  int kinds_line_ = 0;
  std::map<std::string, int, std::less<>> first_line_of_id_;  // case id -> its `case` line
};

}  // namespace

CaseParseError::CaseParseError(std::string file, int line, std::string message)
    : std::runtime_error(file + (line > 0 ? ":" + std::to_string(line) : std::string()) + ": " +
                         message),
      file_(std::move(file)),
      line_(line),
      message_(std::move(message)) {}

CaseFile ParseCaseText(std::string_view path, std::string_view text) {
  return FileParser(path, text).Parse();
}

CaseFile ParseCaseFile(const std::string& path) {
  return ParseCaseText(path, ReadCaseFileText(path));
}

std::vector<Case> ParseCaseFiles(const std::vector<std::string>& paths) {
  std::vector<Case> out;
  std::map<std::string, const Case*> by_id;
  std::map<std::string, const Case*> by_test_name;
  std::vector<CaseFile> files;
  for (const std::string& path : paths) files.push_back(ParseCaseFile(path));
  for (const CaseFile& f : files) {
    for (const Case& c : f.cases) {
      auto where = [](const Case* other) {
        return other->file + ":" + std::to_string(other->line);
      };
      if (auto it = by_id.find(c.id); it != by_id.end()) {
        throw CaseParseError(
            c.file, c.line,
            "duplicate case id " + Quote(c.id) + " (first at " + where(it->second) + ")");
      }
      std::string test_name = TestNameForCaseId(c.id);
      if (auto it = by_test_name.find(test_name); it != by_test_name.end()) {
        throw CaseParseError(c.file, c.line,
                             "case id " + Quote(c.id) + " gives the same test name '" + test_name +
                                 "' as " + Quote(it->second->id) + " at " + where(it->second));
      }
      by_id.emplace(c.id, &c);
      by_test_name.emplace(test_name, &c);
    }
  }
  for (CaseFile& f : files) {
    for (Case& c : f.cases) out.push_back(std::move(c));
  }
  return out;
}

}  // namespace sockref::conformance
