#!/usr/bin/env python3
"""Which sentences of seed 002 (Python 3.4's Doc/library/socket.rst) the case table cites.

Issue 13 asks that every behaviour-stating sentence of seed 002 be cited by at least one case's
`doc: 002 "fragment"` line, or listed in conformance/seed_002_uncited.txt with the reason it
cannot be checked on Linux. This tool rebuilds the seed's source lines, splits its prose into
sentences, and matches both against each other:

    seed_coverage.py            totals: sentences, behaviour-stating, cited, listed by reason
    seed_coverage.py --check    exit 1 naming each sentence neither cited nor listed, and each
                                listed fragment that is stale (matches no sentence, or one a case
                                now cites)
    seed_coverage.py --list     every sentence with its line, section and status

The seed is found in --seeds DIR, else $SOCKREF_SEEDS_DIR, else `../shared/seeds` beside the
workspace; it is never copied into the repository (only fragments, as citations).

How the seed is read:
- Seed 002 is flattened: its source lines follow each other on one text line, each preceded by
  its line number (`...platforms. 11 12.. note:: 13 14 Some behavior...`), indentation folded to
  one space. `source_lines` takes the numbers 1, 2, 3... back out in order; where a number also
  occurs inside the prose (`port 80`, `2-tuple`), it takes the placement that keeps every line
  within the source's 80-column wrap, else the earliest.
- Paragraphs are runs of non-blank lines; a list item (`- `, `* `) starts its own paragraph.
  Section titles (a line underlined with = - ^ ' ~), directive lines (`.. function:: sig` and the
  further signatures or `:options:` after it), comments (`..` not followed by a directive) and
  code (the paragraphs after one that ends with `::`, while they look like code) hold no
  sentences. The prose of `.. versionchanged::`, `.. versionadded::`, `.. note::` and
  `.. seealso::` does.
- Sentences end at `.`, `?` or `!` (after any closing bracket or quote) followed by a space and a
  capital letter or markup, except after `e.g.` and `i.e.`; a paragraph ends its last sentence.
- Each sentence belongs to a section: the object a directive documents (`socket.accept`,
  `getaddrinfo`, `AF_UNIX`) for its indented paragraphs, else the slug of the section title
  (`notes-on-socket-timeouts`).

How a sentence counts as cited: a case's fragment, folded as VerifyDocRefs folds it (runs of
whitespace to one space, typographic quotes to ASCII ones, on both sides), occurs in the
sentence's paragraph overlapping the sentence: containing it, or sharing at least three words or
twenty characters with it (a fragment that runs on into the first word or two of the next
sentence does not cite that one). A fragment found in several places (`Receive data
from the socket.` opens three methods) counts where the same case's other, unambiguous fragments
are (the same section), or where the case id names the section (`transfer.recv_into.x` ->
socket.recv_into); when neither says, it counts nowhere and the run lists it under "ambiguous
citations".

conformance/seed_002_uncited.txt documents its own format.
"""
import argparse
import glob
import os
import sys

# The seed's sentences (seed_sentences) and what accounts for each (seed_citations) live beside
# this file; here they are put together and reported.
from seed_citations import (NOT_BEHAVIOUR, REASONS, SEED, UNCHECKABLE,  # noqa: F401
                            case_citations, credit, load_uncited, match_listed)
from seed_sentences import fold, flattened_text, seed_sentences, source_lines  # noqa: F401

UNCITED_NAME = "seed_002_uncited.txt"


# ---------------------------------------------------------------------------------------------
# The run
# ---------------------------------------------------------------------------------------------

def runfiles_root():
    """Where conformance/ is: the runfiles tree under Bazel, else the source workspace."""
    return os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))


def workspace_root():
    """The source workspace, following this file (or its runfiles symlink) back to it."""
    here = os.path.realpath(__file__)
    return os.path.dirname(os.path.dirname(os.path.dirname(here)))


def seeds_candidates(explicit=None):
    if explicit:
        return [explicit]
    env = os.environ.get("SOCKREF_SEEDS_DIR")
    if env:
        return [env]
    return [os.path.normpath(os.path.join(workspace_root(), "..", "shared", "seeds"))]


def find_seed(seeds_dir, seed=SEED):
    paths = sorted(glob.glob(os.path.join(seeds_dir, seed + "_*.txt")))
    return paths[0] if paths else None


class Coverage:
    """Everything a run computes, for the command line and the tests."""

    def __init__(self, seed_text, case_paths, uncited_path):
        self.lines, self.paras, self.sentences = seed_sentences(seed_text)
        self.citations = case_citations(case_paths)
        self.ambiguous, self.nowhere = credit(self.citations, self.paras, self.sentences)
        self.uncited_path = uncited_path
        self.listed = load_uncited(uncited_path) if uncited_path else []
        self.reason_of = {}       # id(sentence) -> entry
        self.problems = []
        line_texts = [fold(line.strip()) for line in self.lines]
        for entry in self.listed:
            hits = match_listed(entry, self.sentences)
            where = "%s:%d" % (uncited_path, entry.line_number)
            needle = fold(entry.fragment).strip()
            if hits and not any(needle in text for text in line_texts):
                self.problems.append("%s: %r spans source lines: pick a fragment from within one "
                                     "line, as for a doc: citation" % (where, entry.fragment))
                continue
            if not hits:
                self.problems.append("%s: stale: %r matches no sentence of seed %s%s"
                                     % (where, entry.fragment, SEED,
                                        " in section " + entry.section if entry.section else ""))
                continue
            texts = {s.folded for s in hits}
            if len(texts) > 1:
                self.problems.append("%s: %r matches %d different sentences (lines %s): lengthen "
                                     "it or add @section" % (where, entry.fragment, len(texts),
                                                              ", ".join(str(s.line) for s in hits)))
                continue
            for s in hits:
                if s.cited_by:
                    self.problems.append("%s: stale: line %d %r is cited by %s; remove the entry"
                                         % (where, s.line, entry.fragment, s.cited_by[0]))
                elif id(s) in self.reason_of:
                    self.problems.append("%s: line %d is already listed at line %d"
                                         % (where, s.line, self.reason_of[id(s)].line_number))
                else:
                    self.reason_of[id(s)] = entry
        for s in self.sentences:
            if not s.cited_by and id(s) not in self.reason_of:
                self.problems.append("line %d [%s]: neither cited nor listed: %s"
                                     % (s.line, s.section, s.text))

    def status(self, s):
        if s.cited_by:
            return "cited"
        entry = self.reason_of.get(id(s))
        return entry.reason if entry else "UNCOVERED"

    def totals(self):
        counts = {"sentences": len(self.sentences), "cited": 0, "uncovered": 0}
        by_reason = {r: 0 for r in REASONS}
        for s in self.sentences:
            st = self.status(s)
            if st == "cited":
                counts["cited"] += 1
            elif st == "UNCOVERED":
                counts["uncovered"] += 1
            else:
                by_reason[st] += 1
        counts["behaviour"] = counts["sentences"] - sum(by_reason[r] for r in NOT_BEHAVIOUR)
        return counts, by_reason


def report(cov, out):
    counts, by_reason = cov.totals()
    behaviour = counts["behaviour"]
    pct = 100.0 * counts["cited"] / behaviour if behaviour else 0.0
    print("seed %s: %d source lines, %d prose paragraphs, %d sentences"
          % (SEED, len(cov.lines), len(cov.paras), counts["sentences"]), file=out)
    print("  behaviour-stating: %d" % behaviour, file=out)
    print("  cited:             %d (%.1f%% of behaviour-stating), by %d doc: %s lines"
          % (counts["cited"], pct, len(cov.citations), SEED), file=out)
    print("  listed as uncheckable on Linux:", file=out)
    for r in UNCHECKABLE:
        print("    %-20s %3d" % (r, by_reason[r]), file=out)
    print("  listed as stating no behaviour:", file=out)
    for r in NOT_BEHAVIOUR:
        print("    %-20s %3d" % (r, by_reason[r]), file=out)
    print("  neither cited nor listed: %d" % counts["uncovered"], file=out)
    if cov.ambiguous:
        print("ambiguous citations (counted nowhere: add a doc: line or an id that places them):",
              file=out)
        for case_id, path, number, fragment in cov.ambiguous:
            print("  %s (%s:%d): %r" % (case_id, os.path.basename(path), number, fragment),
                  file=out)
    if cov.nowhere:
        print("citations of no sentence (a heading, signature or code): %d" % len(cov.nowhere),
              file=out)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", help="the seeds directory (default: $SOCKREF_SEEDS_DIR, "
                                        "else ../shared/seeds beside the workspace)")
    parser.add_argument("--cases", help="the case files' directory (default: conformance/cases)")
    parser.add_argument("--uncited", help="the list of uncited sentences (default: "
                                          "conformance/" + UNCITED_NAME + ")")
    parser.add_argument("--check", action="store_true",
                        help="exit 1 unless every sentence is cited or listed, and no listed "
                             "fragment is stale")
    parser.add_argument("--list", action="store_true",
                        help="print every sentence: line, section, status, text")
    parser.add_argument("--nowhere", action="store_true",
                        help="print the citations that cover no sentence")
    args = parser.parse_args(argv)

    root = runfiles_root()
    cases_dir = args.cases or os.path.join(root, "conformance", "cases")
    uncited = args.uncited or os.path.join(root, "conformance", UNCITED_NAME)
    looked = seeds_candidates(args.seeds)
    seed_path = None
    for d in looked:
        seed_path = find_seed(d) if os.path.isdir(d) else None
        if seed_path:
            break
    if not seed_path:
        print("seed %s not found (looked in %s); set SOCKREF_SEEDS_DIR or pass --seeds"
              % (SEED, ", ".join(repr(d) for d in looked)), file=sys.stderr)
        return 2
    with open(seed_path, encoding="utf-8") as f:
        seed_text = f.read()
    case_paths = sorted(glob.glob(os.path.join(cases_dir, "*.cases")))
    try:
        cov = Coverage(seed_text, case_paths, uncited if os.path.exists(uncited) else None)
    except ValueError as e:
        print("error: %s" % e, file=sys.stderr)
        return 1
    if args.list:
        for s in cov.sentences:
            print("%4d %-24s %-18s %s" % (s.line, s.section[:24], cov.status(s), s.text))
    if args.nowhere:
        for case_id, path, number, fragment in cov.nowhere:
            print("%s (%s:%d): %r" % (case_id, os.path.basename(path), number, fragment))
    report(cov, sys.stdout)
    if args.check:
        if not os.path.exists(uncited):
            print("error: %s does not exist" % uncited, file=sys.stderr)
            return 1
        for problem in cov.problems:
            print(problem, file=sys.stderr)
        if cov.problems:
            print("%d problem(s): cite each sentence from a case or list it in %s with its reason"
                  % (len(cov.problems), uncited), file=sys.stderr)
            return 1
        print("ok: every sentence of seed %s is cited or listed" % SEED)
    return 0


if __name__ == "__main__":
    sys.exit(main())