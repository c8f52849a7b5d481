"""The judgement third_party_analysis reads: the expectations files' `# CATEGORY: explanation`
headings (conformance/expectations/<name>.txt), each naming one cluster of one cause and listing
its cases, and a run's results (`report --json`, conformance/report/results_json.h)."""
import json
import os
import re

# The categories a heading may name, in the order of the summary table's columns.
CATEGORIES = ("DEVIATION", "MESSAGES", "CRASH", "HANG", "MISSING", "INHERENT", "VERSION")
MEANING = {
    "DEVIATION": "the implementation does something its own Python version does not",
    "MESSAGES": "the same exception class (and errno), with other words",
    "CRASH": "the implementation's process dies",
    "HANG": "the implementation never answers",
    "MISSING": "a name or a capability the implementation lacks",
    "INHERENT": "inherent to an asynchronous design: what the library leaves out on purpose",
    "VERSION": "the behaviour of the Python version the implementation runs on, which the "
               "table's minor versions cannot express",
}
# Shown in the summary table even when no file uses them (a zero says "none").
ALWAYS_SHOWN = ("DEVIATION", "MESSAGES", "CRASH", "MISSING", "INHERENT", "VERSION")
HEADING = re.compile(r"^# (%s): (.*)$" % "|".join(CATEGORIES))


class InputError(Exception):
    """A malformed expectations file or results file: "path:line: problem"."""



# ----- the expectations files -----

class Cluster:
    def __init__(self, category, explanation, line):
        self.category = category
        self.explanation = explanation
        self.line = line
        self.cases = []  # (case id, the line's verdict text)

    @property
    def title(self):
        return split_explanation(self.explanation)[0]


def split_explanation(explanation):
    """(title, separator, rest) of a heading's explanation: the title runs to the first ': ',
    '; ' or '. ' (before a capital or a quote) outside parentheses, quotes and backticks."""
    depth, quoted, code = 0, False, False
    for i, ch in enumerate(explanation):
        if ch == "`":
            code = not code
        elif code:
            continue
        elif ch == '"':
            quoted = not quoted
        elif quoted:
            continue
        elif ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(0, depth - 1)
        elif depth == 0 and (explanation[i:i + 2] in (": ", "; ") or (
                explanation[i:i + 2] == ". " and re.match(r"[A-Z\"'`(]", explanation[i + 2:i + 3]))):
            return explanation[:i], ch, explanation[i + 2:]
    return explanation.rstrip("."), "", ""



def parse_expectations(path, text):
    """([preamble paragraph], [Cluster]) of the expectations file `text`. Raises InputError for a case
    line under no heading, a heading of an unknown category or a case listed twice."""
    preamble, clusters, seen = [[]], [], {}
    current, in_heading, after_blank = None, False, True
    for number, raw in enumerate(text.split("\n"), 1):
        line = raw.rstrip()
        if not line.strip():
            in_heading, after_blank = False, True
            continue
        if line.startswith("#"):
            match = HEADING.match(line)
            if match:
                current = Cluster(match.group(1), match.group(2).strip(), number)
                clusters.append(current)
                in_heading = True
            elif in_heading:
                current.explanation += " " + line[1:].strip()
            elif re.match(r"^# ?[A-Z]{4,}(?: \([^)]*\))?:", line):
                raise InputError("%s:%d: unknown category in %r (one of %s)"
                                 % (path, number, line[:60], ", ".join(CATEGORIES)))
            elif current is None:
                if line[1:].strip():
                    preamble[-1].append(line[1:].strip())
                elif preamble[-1]:
                    preamble.append([])
            elif after_blank:
                current = None  # a comment after a blank line ends the cluster
            after_blank = False
            continue
        in_heading, after_blank = False, False
        case_id, _, verdict = line.partition(" ")
        if current is None:
            raise InputError("%s:%d: %s is under no '# CATEGORY: explanation' heading"
                             % (path, number, case_id))
        if case_id in seen:
            raise InputError("%s:%d: %s is listed twice (line %d)"
                             % (path, number, case_id, seen[case_id]))
        seen[case_id] = number
        current.cases.append((case_id, verdict.strip()))
    empty = [c for c in clusters if not c.cases]
    if empty:
        raise InputError("%s:%d: the heading %r has no case line"
                         % (path, empty[0].line, empty[0].category + ": " + empty[0].title))
    return [" ".join(p) for p in preamble if p], clusters


def load_expectations(directory):
    """{implementation: (path, preamble, [Cluster])} for every expectations file in
    `directory` that lists a case."""
    out = {}
    for name in sorted(os.listdir(directory)):
        if not name.endswith(".txt"):
            continue
        path = os.path.join(directory, name)
        with open(path, encoding="utf-8") as f:
            preamble, clusters = parse_expectations(
                "conformance/expectations/" + name, f.read())
        if clusters:
            out[name[:-len(".txt")]] = ("conformance/expectations/" + name, preamble, clusters)
    return out


# ----- the results -----

def load_results(path):
    try:
        with open(path, encoding="utf-8") as f:
            results = json.load(f)
    except (OSError, ValueError) as e:
        raise InputError("%s: %s" % (path, e))
    for key in ("implementations", "cases", "summary"):
        if key not in results:
            raise InputError("%s: no %r: not a report --json file" % (path, key))
    return results
