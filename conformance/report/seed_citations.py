"""The two ways a sentence of the seed is accounted for: a case's `doc: 002 "fragment"` line
citing it (credited to the sentence it overlaps), or an entry of conformance/seed_002_uncited.txt
listing it with a reason."""
import ast
import re

from seed_sentences import fold

SEED = "002"

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
