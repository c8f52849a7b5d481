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
import ast
import glob
import os
import re
import sys

SEED = "002"
UNCITED_NAME = "seed_002_uncited.txt"

# The reasons a sentence may be listed instead of cited. The first group states no behaviour (it
# is not counted as behaviour-stating); the second states behaviour that cannot be checked by a
# case on Linux over loopback.
NOT_BEHAVIOUR = {
    "not-behaviour": "states no behaviour of the module (introduction, advice, cross-reference)",
    "example-code": "introduces or is part of an example",
    "truncated": "the seed ends in the middle of the sentence",
}
UNCHECKABLE = {
    "other-platform": "about Windows, BSD, OS X or other systems only",
    "not-on-this-kernel": "needs a protocol family or device this kernel or container lacks",
    "needs-network": "needs real name resolution or a network beyond loopback",
    "needs-privilege": "needs rights the tests do not have, or would change the machine",
    "deprecated-removed": "about an API that later versions removed or changed",
    "untestable": "a property no black-box case can observe (timing of the network stack, "
                  "implementation internals)",
}
REASONS = dict(NOT_BEHAVIOUR, **UNCHECKABLE)

# Directives that document an object: their arguments are signatures, not sentences.
OBJECT_DIRECTIVES = {"function", "method", "data", "exception", "attribute", "class", "module",
                     "classmethod", "staticmethod", "decorator"}
# Directives without content of their own worth reading as prose.
SILENT_DIRECTIVES = {"index", "highlight", "currentmodule", "sectionauthor", "moduleauthor",
                     "toctree", "code-block", "literalinclude"}
UNDERLINE = re.compile(r"^([=\-^'~\"`#*+])\1{2,}$")
FIELD = re.compile(r"^:[\w-]+:(\s|$)")
CODE_START = re.compile(r"^(>>>|\.\.\.|import |from \S+ import|def |class \S+[:(]|return |for |"
                        r"if |while |try:|with |#|\[|\(|\w+(, \w+)* = )")
ABBREVIATIONS = ("e.g.", "i.e.", "etc.", "vs.", "cf.")


def fold(text):
    """VerifyDocRefs' folding: typographic quotes to ASCII, whitespace runs to one space."""
    text = text.translate({0x2018: "'", 0x2019: "'", 0x201C: '"', 0x201D: '"'})
    return re.sub(r"\s+", " ", text)


# ---------------------------------------------------------------------------------------------
# The seed's source lines
# ---------------------------------------------------------------------------------------------

def flattened_text(seed_text):
    """The text line that holds the flattened source: the longest line starting with `1`."""
    candidates = [line for line in seed_text.splitlines() if re.match(r"1(?!\d)", line)]
    if not candidates:
        raise ValueError("no line of the seed starts with source line number 1")
    return max(candidates, key=len)


def source_lines(flat, wrap=80):
    """The source lines of a flattened text `1first 2second 3 4fourth` (index 0 is line 1).

    A number n is a line number where it follows a space and no digit follows it; the numbers
    1, 2, 3... must appear in order, up to the last one the text has. A number can also occur
    inside a line's text (`port 80`, `2-tuple`). Of all the ways to place the numbers, the one
    taken has the fewest characters beyond `wrap` per line (the seed's source is wrapped
    prose), and among those the earliest positions: a number in the text before its line is
    taken for the marker only when that does not make a line overlong.
    """
    by_number = {}
    for m in re.finditer(r"(?:^|(?<= ))(\d+)(?!\d)", flat):
        by_number.setdefault(int(m.group(1)), []).append((m.start(), m.end()))
    occurrences = []
    while len(occurrences) + 1 in by_number:
        occurrences.append(by_number[len(occurrences) + 1])
    if not occurrences or occurrences[0][0][0] != 0:
        raise ValueError("the flattened text does not start with line number 1")
    occurrences[0] = occurrences[0][:1]
    last = len(occurrences)

    def overlong(end, next_start):
        return max(0, (next_start - 1) - end - wrap)

    # cost[i][k]: the least overlong total from occurrence k of number i+1 to the end.
    inf = float("inf")
    cost = [None] * last
    cost[last - 1] = [overlong(e, len(flat) + 1) for _, e in occurrences[last - 1]]
    for i in range(last - 2, -1, -1):
        row = []
        nexts = occurrences[i + 1]
        for _, end in occurrences[i]:
            best = inf
            for k, (start, _) in enumerate(nexts):
                if start > end and cost[i + 1][k] < inf:
                    best = min(best, overlong(end, start) + cost[i + 1][k])
            row.append(best)
        cost[i] = row
    if cost[0][0] == inf:
        raise ValueError("the line numbers of the flattened text are out of order")
    chosen = [occurrences[0][0]]
    remaining = cost[0][0]
    for i in range(1, last):
        _, end = chosen[-1]
        for k, (start, e) in enumerate(occurrences[i]):
            if start > end and overlong(end, start) + cost[i][k] == remaining:
                remaining -= overlong(end, start)
                chosen.append((start, e))
                break
    lines = []
    for i, (start, end) in enumerate(chosen):
        stop = chosen[i + 1][0] - 1 if i + 1 < len(chosen) else len(flat)
        lines.append(flat[end:stop])
    return lines


# ---------------------------------------------------------------------------------------------
# Paragraphs and sentences
# ---------------------------------------------------------------------------------------------

class Paragraph:
    def __init__(self, kind, first_line, section, indented, context=""):
        self.kind = kind          # "prose", "title", "directive", "comment", "code", "field"
        self.first_line = first_line
        self.section = section
        self.indented = indented
        self.context = context    # "versionchanged 3.3", "note", ... for prose in a directive
        self.parts = []           # (line number, stripped text)
        self.text = ""
        self.line_at = []         # (offset in text, line number)

    def add(self, number, text):
        self.parts.append((number, text))

    def finish(self):
        offset = 0
        pieces = []
        for number, text in self.parts:
            if not text:
                continue
            self.line_at.append((offset, number))
            pieces.append(text)
            offset += len(text) + 1
        self.text = re.sub(r"\s+", " ", " ".join(pieces))
        self.folded = fold(self.text)   # only quotes change: offsets stay valid

    def line_of(self, offset):
        number = self.first_line
        for start, n in self.line_at:
            if start <= offset:
                number = n
        return number


class Sentence:
    def __init__(self, paragraph, start, end):
        self.paragraph = paragraph
        self.start = start
        self.end = end
        self.text = paragraph.text[start:end]
        self.folded = paragraph.folded[start:end]
        self.line = paragraph.line_of(start)
        self.section = paragraph.section
        self.cited_by = []        # case ids

    def __repr__(self):
        return "Sentence(%d, %r)" % (self.line, self.text)


def slug(title):
    title = re.sub(r"[`:*]|\b(mod|func|meth|class|const)\b", "", title)
    return re.sub(r"[^a-z0-9_.]+", "-", title.lower()).strip("-")


def object_name(args):
    name = args.split("(")[0].strip()
    return name.split()[0] if name else ""


def paragraphs(lines):
    """Paragraphs of the source (lines[0] is line 1), each with its kind and section."""
    result = []
    title_section = ""
    section = ""
    current = None
    after_literal = False   # the previous prose paragraph ended with '::'

    def close():
        nonlocal current
        if current is not None:
            current.finish()
            result.append(current)
        current = None

    for number, raw in enumerate(lines, 1):
        indented = raw.startswith(" ")
        text = raw.strip()
        if not text:
            close()
            continue
        if UNDERLINE.match(text) and current is not None and len(current.parts) == 1 \
                and current.kind == "prose":
            current.kind = "title"
            title_section = section = slug(current.parts[0][1])
            current.section = section
            close()
            after_literal = False
            continue
        directive = re.match(r"^\.\.(?:\s+(.*))?$", text)
        if directive:
            close()
            after_literal = False
            body = directive.group(1) or ""
            named = re.match(r"^([\w:-]+)::\s*(.*)$", body)
            if not indented:
                section = title_section
            if named:
                name, args = named.group(1), named.group(2)
                if name in OBJECT_DIRECTIVES:
                    section = object_name(args) if name != "module" else section
                    current = Paragraph("directive", number, section, indented)
                elif name in SILENT_DIRECTIVES:
                    current = Paragraph("directive", number, section, indented)
                else:
                    context = (name + " " + args).strip()
                    current = Paragraph("prose", number, section, indented, context)
                    if name in ("versionchanged", "versionadded", "deprecated") and " " in args:
                        # text on the directive line itself, after the version
                        current.add(number, args.split(" ", 1)[1])
                continue
            current = Paragraph("comment", number, section, indented)   # a target or a comment
            continue
        if current is None:
            if not indented and not after_literal:
                section = title_section
            if after_literal and CODE_START.match(text):
                current = Paragraph("code", number, section, indented)
            elif FIELD.match(text):
                current = Paragraph("field", number, section, indented)
            else:
                after_literal = False
                current = Paragraph("prose", number, section, indented)
        elif current.kind == "prose" and re.match(r"^[-*] ", text) and current.parts:
            close()
            current = Paragraph("prose", number, section, indented)
        elif current.kind == "directive" and FIELD.match(text):
            pass
        current.add(number, text)
        if current.kind == "prose" and text.endswith("::"):
            after_literal = True
        elif current.kind == "code":
            after_literal = True
    close()
    return result


def split_sentences(paragraph):
    text = paragraph.text
    sentences = []
    start = 0
    for m in re.finditer(r"[.!?][\"')\]]*(?= +(?=[A-Z(:`*'\"\[]))", text):
        end = m.end()
        word = text[:m.start() + 1].rsplit(" ", 1)[-1].lstrip("(")
        if word.lower() in ABBREVIATIONS:
            continue
        piece = text[start:end].strip()
        if piece:
            first = start + (len(text[start:end]) - len(text[start:end].lstrip()))
            sentences.append(Sentence(paragraph, first, end))
        start = end
    rest = text[start:]
    if rest.strip() == "::" and sentences:
        # `text. ::` introduces a literal block; the marker belongs to the sentence before it.
        last = sentences.pop()
        sentences.append(Sentence(paragraph, last.start, len(text.rstrip())))
    elif rest.strip():
        first = start + (len(rest) - len(rest.lstrip()))
        sentences.append(Sentence(paragraph, first, len(text.rstrip())))
    return sentences


def seed_sentences(seed_text):
    lines = source_lines(flattened_text(seed_text))
    paras = [p for p in paragraphs(lines) if p.kind == "prose"]
    sentences = []
    for p in paras:
        sentences.extend(split_sentences(p))
    return lines, paras, sentences


# ---------------------------------------------------------------------------------------------
# Citations and the list of uncited sentences
# ---------------------------------------------------------------------------------------------

STRING = re.compile(r"""[rRuU]?("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')""")


def case_citations(case_paths, seed=SEED):
    """[(case id, path, line number, fragment)] of every `doc: <seed> "..."` line."""
    found = []
    for path in case_paths:
        case_id = None
        with open(path, encoding="utf-8-sig") as f:
            for number, line in enumerate(f, 1):
                m = re.match(r"^case\s+(\S+)", line)
                if m:
                    case_id = m.group(1)
                    continue
                m = re.match(r"^\s+doc:\s*(\d{3})\s+(.*)$", line)
                if not m or m.group(1) != seed:
                    continue
                s = STRING.match(m.group(2))
                if not s:
                    raise ValueError("%s:%d: doc: line without a string literal" % (path, number))
                found.append((case_id, path, number, ast.literal_eval(s.group(0))))
    return found


# A fragment cites a sentence it contains, or overlaps by this many words or characters at
# least: a citation of one source line that runs on into the first word or two of the next
# sentence ("...see above.) On some", "...inherit that timeout. Otherwise, the") does not cite
# that sentence.
MIN_OVERLAP_WORDS = 3
MIN_OVERLAP_CHARS = 20


def overlaps_enough(hay, start, end, sentence):
    if sentence.start <= start and end <= sentence.end:
        return True   # the fragment lies within the sentence
    if start <= sentence.start and sentence.end <= end:
        return True   # the sentence lies within the fragment
    overlap = hay[max(start, sentence.start):min(end, sentence.end)].strip()
    return len(overlap.split()) >= MIN_OVERLAP_WORDS or len(overlap) >= MIN_OVERLAP_CHARS


def locate(fragment, paras, sentences_of):
    """Each occurrence of `fragment` in the prose: the list of sentences it overlaps."""
    needle = fold(fragment).strip()
    places = []
    if not needle:
        return places
    for p in paras:
        hay = p.folded
        start = hay.find(needle)
        while start >= 0:
            end = start + len(needle)
            hit = [s for s in sentences_of[id(p)] if s.start < end and start < s.end
                   and overlaps_enough(hay, start, end, s)]
            if hit:
                places.append(hit)
            start = hay.find(needle, start + 1)
    return places


def named_by_id(case_id, places):
    """The places whose section the case id names (`transfer.recv_into.x` -> socket.recv_into,
    `documented.af_can.x` -> AF_CAN, `documented.so.x` -> SO_*), the longest name winning
    (`recv_into` over `recv`)."""
    best, chosen = 0, []
    for place in places:
        for s in place:
            name = s.section.rsplit(".", 1)[-1].lower().rstrip("*").rstrip("_")
            if name and re.search(r"(^|[._])%s($|[._])" % re.escape(name), case_id):
                if len(name) > best:
                    best, chosen = len(name), [place]
                elif len(name) == best and place not in chosen:
                    chosen.append(place)
    return chosen


def credit(citations, paras, sentences):
    """Marks the sentences each citation covers; returns the ambiguous and the sentence-less."""
    sentences_of = {}
    for s in sentences:
        sentences_of.setdefault(id(s.paragraph), []).append(s)
    by_case = {}
    for case_id, path, number, fragment in citations:
        by_case.setdefault(case_id, []).append((path, number, fragment))
    ambiguous, nowhere = [], []
    for case_id, refs in by_case.items():
        located = [(ref, locate(ref[2], paras, sentences_of)) for ref in refs]
        home = {s.section for _, places in located if len(places) == 1 for s in places[0]}
        for ref, places in located:
            if not places:
                nowhere.append((case_id,) + ref)
                continue
            chosen = places
            if len(places) > 1:
                chosen = [pl for pl in places if any(s.section in home for s in pl)]
                if not chosen:
                    chosen = named_by_id(case_id, places)
                if not chosen:
                    ambiguous.append((case_id,) + ref)
            for place in chosen:
                for s in place:
                    if case_id not in s.cited_by:
                        s.cited_by.append(case_id)
    return ambiguous, nowhere


class Listed:
    def __init__(self, line_number, reason, fragment, section, note):
        self.line_number = line_number
        self.reason = reason
        self.fragment = fragment
        self.section = section
        self.note = note


LISTED = re.compile(r"""^(?P<reason>[a-z-]+)\s+(?P<frag>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')"""
                    r"""(?:\s+@(?P<section>\S+))?\s*(?::\s*(?P<note>.*))?$""")


def load_uncited(path):
    """The entries of the uncited file; raises ValueError naming a malformed line."""
    entries = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            text = line.strip()
            if not text or text.startswith("#"):
                continue
            m = LISTED.match(text)
            if not m:
                raise ValueError("%s:%d: expected `reason \"fragment\" [@section]: why`, got %r"
                                 % (path, number, text))
            if m.group("reason") not in REASONS:
                raise ValueError("%s:%d: unknown reason %r (one of %s)"
                                 % (path, number, m.group("reason"), ", ".join(sorted(REASONS))))
            if not (m.group("note") or "").strip():
                raise ValueError("%s:%d: say why in a few words after a colon" % (path, number))
            entries.append(Listed(number, m.group("reason"), ast.literal_eval(m.group("frag")),
                                  m.group("section"), m.group("note").strip()))
    return entries


def match_listed(entry, sentences):
    """The sentences an entry names: those containing its fragment (in its section, if given)."""
    needle = fold(entry.fragment).strip()
    hits = [s for s in sentences if needle in s.folded
            and (entry.section is None or s.section == entry.section)]
    return hits


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
