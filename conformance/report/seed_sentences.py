"""Seed 002's reST source as paragraphs and sentences (seed_coverage.py's docstring says how the
flattened seed is read back into lines, which paragraphs hold sentences, and where a sentence
ends); each sentence knows its section, line and folded text."""
import re

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


class _ParagraphReader:
    """paragraphs()' state between lines: the paragraph being read, the sections it may belong
    to, and whether the previous prose paragraph ended with '::' (so code may follow)."""

    def __init__(self):
        self.result = []
        self.title_section = ""
        self.section = ""
        self.current = None
        self.after_literal = False   # the previous prose paragraph ended with '::'

    def close(self):
        if self.current is not None:
            self.current.finish()
            self.result.append(self.current)
        self.current = None

    def underlines_title(self, text):
        """Whether `text` underlines the one-line prose paragraph being read: a section title."""
        return (UNDERLINE.match(text) and self.current is not None and
                len(self.current.parts) == 1 and self.current.kind == "prose")

    def title(self):
        self.current.kind = "title"
        self.title_section = self.section = slug(self.current.parts[0][1])
        self.current.section = self.section
        self.close()
        self.after_literal = False

    def directive(self, number, indented, body):
        """A `..` line: a directive (object, silent or with prose) or a target or comment."""
        self.close()
        self.after_literal = False
        named = re.match(r"^([\w:-]+)::\s*(.*)$", body)
        if not indented:
            self.section = self.title_section
        if not named:
            self.current = Paragraph("comment", number, self.section, indented)
            return
        name, args = named.group(1), named.group(2)
        if name in OBJECT_DIRECTIVES:
            self.section = object_name(args) if name != "module" else self.section
            self.current = Paragraph("directive", number, self.section, indented)
        elif name in SILENT_DIRECTIVES:
            self.current = Paragraph("directive", number, self.section, indented)
        else:
            context = (name + " " + args).strip()
            self.current = Paragraph("prose", number, self.section, indented, context)
            if name in ("versionchanged", "versionadded", "deprecated") and " " in args:
                # text on the directive line itself, after the version
                self.current.add(number, args.split(" ", 1)[1])

    def text(self, number, indented, text):
        """Any other non-blank line: it starts a paragraph of its kind or continues one."""
        if self.current is None:
            if not indented and not self.after_literal:
                self.section = self.title_section
            if self.after_literal and CODE_START.match(text):
                self.current = Paragraph("code", number, self.section, indented)
            elif FIELD.match(text):
                self.current = Paragraph("field", number, self.section, indented)
            else:
                self.after_literal = False
                self.current = Paragraph("prose", number, self.section, indented)
        elif self.current.kind == "prose" and re.match(r"^[-*] ", text) and self.current.parts:
            self.close()
            self.current = Paragraph("prose", number, self.section, indented)
        self.current.add(number, text)
        if self.current.kind == "prose" and text.endswith("::"):
            self.after_literal = True
        elif self.current.kind == "code":
            self.after_literal = True


def paragraphs(lines):
    """Paragraphs of the source (lines[0] is line 1), each with its kind and section."""
    reader = _ParagraphReader()
    for number, raw in enumerate(lines, 1):
        indented = raw.startswith(" ")
        text = raw.strip()
        if not text:
            reader.close()
        elif reader.underlines_title(text):
            reader.title()
        else:
            directive = re.match(r"^\.\.(?:\s+(.*))?$", text)
            if directive:
                reader.directive(number, indented, directive.group(1) or "")
            else:
                reader.text(number, indented, text)
    reader.close()
    return reader.result


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
