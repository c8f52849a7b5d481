"""The analysis page (docs/third-party-analysis.md) written from a run's results and the
expectations files: Analysis lays out its summary table, method, one section per implementation
with its clusters and cases, and how to reproduce it."""
import re

from third_party_expectations import ALWAYS_SHOWN, CATEGORIES, MEANING, split_explanation

DOC = "docs/third-party-analysis.md"
COMMAND = ("bazel run //conformance:third_party_analysis -- --json /tmp/analysis.json "
           "--markdown docs/third-party-analysis.md")
# README.md's command, word for word (docs_commands_test compares the two blocks).
MATRIX_COMMAND = ("bazel run //conformance:version_history -- --json /tmp/version-history.json\n"
                  "bazel run //conformance:matrix -- --impl reference --impl reference-python "
                  "--impl cpython \\\n    --impl cpython-debian --impl 'cpython-3.*' --impl pypy3 "
                  "--impl gevent --impl eventlet \\\n    --impl trio --history "
                  "/tmp/version-history.json \\\n    --markdown docs/conformance-matrix.md "
                  "--html docs/conformance-matrix.html")
OUTCOME_WIDTH = 120  # characters of an outcome shown in a table cell


def prose(text):
    """`text` for Markdown: outside code spans, '<' and '*' stand for themselves."""
    parts = text.split("`")
    for i in range(0, len(parts), 2):
        parts[i] = parts[i].replace("<", "&lt;").replace("*", "\\*")
    return "`".join(parts)



def runtime(hello):
    """What runs an implementation, from its hello: 'CPython 3.11.2', 'PyPy (Python 3.9.16)'."""
    implementation = hello.get("implementation", "?")
    version = hello.get("version", "")
    if implementation == "CPython" or not re.match(r"^\d+\.\d+", version):
        return ("%s %s" % (implementation, version)).strip()
    return "%s (Python %s)" % (implementation, version)


def what_runs(impl):
    hello = impl.get("hello") or {}
    module = hello.get("module", "")
    module_version = hello.get("module_version", "")
    if module_version.startswith("//"):
        return "%s, C++ (`%s`)" % (hello.get("implementation", impl["name"]), module_version)
    if module and module != "socket":
        return "`%s` %s on %s" % (module, module_version, runtime(hello))
    return runtime(hello)


def plural(n, word, words=None):
    return "%d %s" % (n, word if n == 1 else (words or word + "s"))


def code(text):
    """`text` as a Markdown code span fit for a table cell."""
    text = " ".join(str(text).split())
    if len(text) > OUTCOME_WIDTH:
        text = text[:OUTCOME_WIDTH - 1] + "…"
    text = text.replace("|", "\\|")
    if "`" in text:
        return "`` %s ``" % text
    return "`%s`" % text if text else ""



# ----- the document -----

class Analysis:
    def __init__(self, results, expectations):
        self.results = results
        self.expectations = expectations
        self.impls = {i["name"]: i for i in results["implementations"]}
        self.cases = {c["id"]: c for c in results["cases"]}
        self.oracle = results.get("oracle")
        # Sections: the run's order, then implementations the run did not include.
        order = [i["name"] for i in results["implementations"]]
        self.sections = [n for n in order if n in expectations and n != self.oracle]
        self.sections += sorted(n for n in expectations if n not in order and n != self.oracle)
        self.categories = [c for c in CATEGORIES if c in ALWAYS_SHOWN or any(
            cl.category == c for _, _, cls in expectations.values() for cl in cls)]

    def counts(self, name):
        counts = dict.fromkeys(CATEGORIES, 0)
        for cluster in self.expectations.get(name, (None, None, []))[2]:
            counts[cluster.category] += len(cluster.cases)
        return counts

    def summary(self, name):
        return self.results["summary"].get(name, {})

    def judged_at(self, name):
        impl = self.impls.get(name, {})
        version = impl.get("python_version", "?")
        source = impl.get("version_source")
        return "%s (%s)" % (version, source) if source and source != "hello" else version

    def applicable(self, name):
        s = self.summary(name)
        return sum(v for k, v in s.items() if k in (
            "pass", "fail", "crash", "hang", "unsupported", "unavailable", "not run",
            "divergence", "unstable"))

    def markdown(self):
        out = []
        out += self.head()
        out += self.table()
        out += self.method()
        for name in self.sections:
            out += self.section(name)
        out += STATIC_TAIL.split("\n")
        out += self.reproducing()
        return "\n".join(out).rstrip("\n") + "\n"

    def head(self):
        cases = self.results["cases"]
        areas = {c.get("area") for c in cases}
        oracle = self.impls.get(self.oracle, {})
        others = [n for n in self.impls if n != self.oracle]
        return [
            "# What the third-party implementations get wrong",
            "",
            "Generated by `%s` from the results of the run below (\"Reproducing\") and the "
            "expectations files `conformance/expectations/<name>.txt`, whose headings hold the "
            "judgement: edit those, not this page (`bazel run //conformance:third_party_analysis "
            "-- --check` says whether this page still lists their cases under their clusters)."
            % COMMAND,
            "",
            "%s in %s, each run on %s (the oracle, twice) and on %s; the per-case results are in "
            "the [conformance matrix](conformance-matrix.md) (also as one "
            "[HTML page](conformance-matrix.html)). Each known failure of a third party is listed "
            "in its expectations file under a heading that names one cause and sorts it into a "
            "category: %s." % (
                plural(len(cases), "case"), plural(len(areas), "area"),
                runtime(oracle.get("hello") or {}),
                plural(len(others), "other implementation"),
                "; ".join("**%s**, %s" % (c, MEANING[c]) for c in self.categories)),
            "",
        ]

    def table(self):
        cats = self.categories
        out = ["| implementation | what runs | judged at | pass | fail | crash | hang | "
               "unsupported | n/a | %s |" % " | ".join(c.lower() for c in cats),
               "| --- | --- | --- |" + " ---: |" * (6 + len(cats))]
        names = [i["name"] for i in self.results["implementations"]]
        names += [n for n in self.sections if n not in names]
        for name in names:
            impl = self.impls.get(name)
            s = self.summary(name)
            counts = self.counts(name)
            listed = name in self.expectations
            label = "[%s](#%s)" % (name, anchor(self.section_title(name))) \
                if name in self.sections else name
            if name == self.oracle:
                label += " (oracle)"
            out.append("| %s | %s | %s | %s | %s |" % (
                label, what_runs(impl) if impl else "(not in this run)",
                self.judged_at(name) if impl else "–",
                " | ".join(str(s.get(k, "–")) for k in
                           ("pass", "fail", "crash", "hang", "unsupported", "n/a")),
                " | ".join(str(counts[c]) if listed else "–" for c in cats)))
        out.append("")
        out.append("The verdicts are this run's; the category columns count the lines of each "
                   "expectations file under each category (a dash: the implementation has no "
                   "known failure). Every result that is not a pass is listed, so the two agree: "
                   "%s." % self.agreement())
        out.append("")
        return out

    def agreement(self):
        bad = []
        for name in self.impls:
            s = self.summary(name)
            for key, one, many in (
                    ("unexpected_passes", "unexpected pass", "unexpected passes"),
                    ("fails_differently", "result failing otherwise than listed",
                     "results failing otherwise than listed"),
                    ("failures", "failure not listed", "failures not listed")):
                if s.get(key):
                    bad.append("%s: %s" % (name, plural(s[key], one, many)))
        stale = self.results.get("stale_expectations") or {}
        for name, ids in sorted(stale.items()):
            if ids:
                bad.append("%s: %s naming no case" % (name, plural(len(ids), "line")))
        if not bad:
            return "in this run every result was a pass or failed as its line says"
        return "in this run, not quite (" + "; ".join(bad) + ")"

    def method(self):
        oracle_name = self.oracle
        oracle = self.impls.get(oracle_name, {})
        oracle_runtime = runtime(oracle.get("hello") or {})
        oracle_version = oracle.get("python_version", "?")
        s = self.summary(oracle_name)
        diverging = s.get("divergence", 0) + s.get("unstable", 0)
        if diverging:
            confirmed = ("in this run %s diverge from the table or are unstable (the report's "
                         "TABLE VS CPYTHON)" % plural(diverging, "case"))
        else:
            confirmed = "in this run no case diverges from the table or is unstable"
        out = ["## Method", "",
               "* **The oracle.** The table records what every CPython version it covers does on "
               "Linux (CASES.md, \"Versions\"); the oracle, %s, confirms it at Python %s on every "
               "run, twice per case: %s. A third party passes a case when each step's outcome "
               "equals CPython's: value by exact type and repr, exception by class, message and "
               "errno. A case stops at its first step that differs: each table below shows that "
               "step, what was expected there and what the implementation did."
               % (oracle_runtime, oracle_version, confirmed)]
        # Judged at the version the driver names.
        by_version = {}
        for name in self.sections:
            if name in self.impls:
                by_version.setdefault(self.impls[name].get("python_version", "?"), []).append(name)
        judged = "; ".join("%s at %s" % (", ".join(names), v)
                           for v, names in sorted(by_version.items()))
        out.append(
            "* **Judged at the version the driver names.** Each implementation is judged against "
            "the table's truth for the Python version its driver's `hello` names "
            "(`python_version`; `--target-version X.Y` overrides it): %s. Python's own "
            "behaviour at that version is therefore no failure, and no expectations line needs "
            "to say so: %s." % (judged, self.version_lines()))
        out += self.controls()
        out += self.other_versions()
        late = self.late_timing()
        out.append(
            "* **Stability.** This run used `SOCKREF_TIME_MULTIPLIER` %s and took %d s. Outcomes "
            "that vary from run to run (ports, object addresses, a garbled path, measured times) "
            "are left out of the expectations lines, which keep the verdict and the step. %s"
            % (fmt_number(self.results.get("multiplier", 1)),
               round(self.results.get("wall_seconds", 0)),
               ("%s a step that took too long (%s): a multiplier large enough to cover such a step "
                "makes it pass, and the run then reports an unexpected pass. Steps that return too "
                "early fail at any multiplier." % (
                    "One known failure is" if len(late) == 1 else
                    "%d known failures are" % len(late),
                    "; ".join("%s: `%s` took %s s" % (n, i, t) for n, i, t in late)))
               if late else "No known failure is a step that took too long, so a larger "
                            "multiplier changes no verdict."))
        out.append(
            "* **Hangs and crashes.** A hang is how a step that can never complete shows (the "
            "runner's case watchdog ends it); it is sorted under its cause, and the "
            "table's hang column counts it. A crash ends the implementation's process, and so "
            "any program that makes the call: crashes are their own category.")
        out.append("")
        return out

    def late_timing(self):
        """[(implementation, case id, seconds)]: listed failures that are steps taking too long."""
        out = []
        for name in self.sections:
            for cluster in self.expectations[name][2]:
                for case_id, _ in cluster.cases:
                    r = (self.cases.get(case_id) or {}).get("results", {}).get(name) or {}
                    m = re.match(r"^took ([\d.]+) s, expected about ([\d.]+) s", r.get("actual", ""))
                    if m and float(m.group(1)) > float(m.group(2)):
                        out.append((name, case_id, m.group(1)))
        return out

    def run_command(self):
        return "bazel run //conformance:report -- %s --json /tmp/analysis.json" % " ".join(
            "--impl " + i["name"] for i in self.results["implementations"])

    def version_lines(self):
        found = [(name, n) for name in self.sections
                 for n in [self.counts(name)["VERSION"]] if n]
        if not found:
            return "no VERSION line is left in any expectations file"
        return ("the VERSION lines left (%s) are differences within a minor version, which the "
                "table's versions cannot express" % ", ".join(
                    "%s: %d" % (name, n) for name, n in found))

    def controls(self):
        """The sentence on libraries that run on an interpreter another column runs bare."""
        out = []
        bare = {}
        for name, impl in self.impls.items():
            hello = impl.get("hello") or {}
            if name != self.oracle and hello.get("module") == "socket":
                bare.setdefault((hello.get("interpreter"), hello.get("version")), name)
        libraries = {}
        for name in self.sections:
            hello = (self.impls.get(name) or {}).get("hello") or {}
            key = (hello.get("interpreter"), hello.get("version"))
            if hello.get("module") not in (None, "socket") and key in bare:
                libraries.setdefault(bare[key], []).append(name)
        for control, names in sorted(libraries.items()):
            hello = self.impls[control].get("hello") or {}
            s = self.summary(control)
            applicable = self.applicable(control)
            if s.get("pass", 0) == applicable:
                agrees = "on all %s" % plural(applicable, "case")
                rest = "So every difference in their columns is the library's own."
            else:
                differ = applicable - s.get("pass", 0)
                agrees = "on %d of %s (%s: %s, below)" % (
                    s.get("pass", 0), plural(applicable, "case"),
                    plural(differ, "differs", "differ"), self.listed_as(control))
                same = self.same_failures(control, names)
                rest = ("Where a library fails one of those cases at the same step in the same "
                        "way (%s), the difference is the interpreter's, and its line is "
                        "sorted accordingly; every other difference in their columns is the "
                        "library's own." % "; ".join(
                            "%s: `%s`" % (n, "`, `".join(ids)) for n, ids in same)
                        if same else
                        "No library fails those cases the same way: every difference in their "
                        "columns is the library's own.")
            out.append(
                "* **%s run on %s** (`%s`), which, run bare as `%s`, agrees with the oracle %s. %s"
                % (join_names(names), runtime(hello), hello.get("interpreter", "?"), control,
                   agrees, rest))
        return out

    def same_failures(self, control, names):
        """[(library, [case ids])]: the control's failures a library shares, step and outcome."""
        out = []
        for name in names:
            ids = []
            for c in self.results["cases"]:
                mine, theirs = c["results"].get(control), c["results"].get(name)
                if mine and theirs and mine["verdict"] not in ("pass", "n/a") and \
                        mine.get("signature") and mine.get("signature") == theirs.get("signature"):
                    ids.append(c["id"])
            if ids:
                out.append((name, ids))
        return out

    def listed_as(self, name):
        counts = self.counts(name)
        parts = ["%d %s" % (counts[c], c) for c in CATEGORIES if counts[c]]
        return ", ".join(parts) if parts else "not listed"

    def other_versions(self):
        out = []
        oracle_version = (self.impls.get(self.oracle) or {}).get("python_version")
        for name in self.sections:
            impl = self.impls.get(name) or {}
            version = impl.get("python_version")
            if not version or version == oracle_version:
                continue
            hello = impl.get("hello") or {}
            out.append(
                "* **%s implements Python %s**, and its driver's `hello` says so, so the runner "
                "judges it against the table's recorded truth for Python %s (CASES.md, "
                "\"Versions\"): Python %s's own behaviour is no failure, and what remains in its "
                "column is %s's. The table's %s truth is checked against a real CPython %s by "
                "`bazel run //conformance:version_sweep`. The matrix shows every CPython found "
                "beside it (`--impl 'cpython-3.*'`), CPython %s among them."
                % (runtime(hello), version, version, version, hello.get("implementation", name),
                   version, version, version))
        return out

    def section_title(self, name):
        impl = self.impls.get(name)
        if not impl:
            return "%s (not in this run)" % name
        return "%s: %s, judged at %s" % (name, what_runs(impl), impl.get("python_version", "?"))

    def section(self, name):
        path, preamble, clusters = self.expectations[name]
        counts = self.counts(name)
        total = sum(counts.values())
        s = self.summary(name)
        out = ["## " + self.section_title(name), "<!-- analysis: %s -->" % name, ""]
        run = ("Of the run's %s, %d pass." % (plural(self.applicable(name), "applicable case"),
                                              s.get("pass", 0))) if name in self.impls else ""
        out.append("%s in `%s`, in %s: %s. %s" % (
            plural(total, "known failure"), path, plural(len(clusters), "cluster"),
            ", ".join("%d %s" % (counts[c], c) for c in CATEGORIES if counts[c]), run))
        out.append("")
        if preamble:
            out += ["From the file's header: " + prose(preamble[0]), ""]
        for cluster in clusters:
            out += self.cluster(name, cluster)
        return out

    def cluster(self, name, cluster):
        _, separator, rest = split_explanation(cluster.explanation)
        count = plural(len(cluster.cases), "case")
        if separator == ":":
            text = "%s: %s" % (count, rest)
        elif rest:
            text = "%s. %s" % (count, rest[:1].upper() + rest[1:])
        else:
            text = count + "."
        out = [heading(cluster), "", prose(text), "",
               "| case | step | expected | %s |" % name,
               "| --- | --- | --- | --- |"]
        for case_id, _ in cluster.cases:
            c = self.cases.get(case_id)
            r = (c or {}).get("results", {}).get(name)
            if r is None:
                out.append("| `%s` | – | – | (not in this run) |" % case_id)
                continue
            if "step" in r:
                step = r["step"].replace("step ", "")
                step = "%s %s" % (step, code(r.get("source", ""))) if r.get("source") else step
                expected = code(r.get("expected", ""))
                actual = code(r.get("actual", ""))
            else:
                step, expected = "–", "–"
                actual = "%s: %s" % (r["verdict"], r.get("detail", "")) if r.get("detail") \
                    else r["verdict"]
            if r.get("expectation") not in (None, "as listed"):
                actual += " **(%s)**" % r["expectation"]
            out.append("| `%s` | %s | %s | %s |" % (case_id, step, expected, actual))
        out.append("")
        return out

    def reproducing(self):
        hangs = sum(self.summary(n).get("hang", 0) for n in self.impls)
        return [
            "## Reproducing",
            "",
            "```sh",
            wrap_command(self.run_command()),
            wrap_command(COMMAND),
            "bazel run //conformance:third_party_analysis -- --check",
            "```",
            "",
            "The run took %d s here, %s; its exit status is 0 as long as every result matches the "
            "expectations files. On a loaded machine set `SOCKREF_TIME_MULTIPLIER=2` (see "
            "\"Stability\" above). `--check` needs no run (a test runs it). The matrix this page "
            "links to is regenerated by:" % (
                round(self.results.get("wall_seconds", 0)),
                "with %s, each cut off by the case watchdog (which `SOCKREF_TIME_MULTIPLIER` scales)"
                % plural(hangs, "hang") if hangs else "with no hang"),
            "",
            "```sh",
            MATRIX_COMMAND,
            "```",
        ]


def heading(cluster):
    return "### %s: %s" % (cluster.category, prose(cluster.title))


def wrap_command(command, width=96):
    """`command` as a shell line continued with backslashes within `width` columns."""
    lines, line = [], ""
    for word in re.findall(r"--\S+ \S+|\S+", command):
        if line and len(line) + 1 + len(word) > width - 2:
            lines.append(line + " \\")
            line = "    " + word
        else:
            line = (line + " " + word) if line else word
    return "\n".join(lines + [line])


def join_names(names):
    names = ["%s" % n for n in names]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def fmt_number(x):
    return ("%g" % x) if isinstance(x, (int, float)) else str(x)


def anchor(title):
    """GitHub's anchor of a heading."""
    text = re.sub(r"[^\w\- ]", "", title.lower())
    return text.replace(" ", "-")


# The parts of the page that are prose, not data.
STATIC_TAIL = """## Other implementations of the socket API installable here

Looked for with `apt-cache search` (socket, async, green, trio, curio, micropython, ...) and by
exact name on the npm registry (which offers no search here). What was found, and why none is a
column:

| found | what it is | why it is not a column |
| --- | --- | --- |
| `python3-trio` (Debian) | an asynchronous socket API | it is one: above |
| `python3-anyio`, `python3-uvloop`, `python3-socketpool`, `python3-websocket*`, ... (Debian) | libraries over sockets (asyncio loop methods take stdlib sockets; anyio has streams) | no `socket` module API to drive |
| `jython` 2.7.3 (Debian) | Python 2.7 on the JVM, with its own `socket` module over Java NIO | Python 2: the kit, the protocol's builtins (`ConnectionRefusedError`, ...) and the cases are Python 3 |
| `pyodide` (npm) | CPython 3.14 compiled to WebAssembly, run here under Node 20 | its `socket` is CPython's own module over emscripten's emulated sockets: tried, `socketpair()` fails with EINVAL, `bind()` succeeds in emulation only, and threads cannot start, so a driver could run only the functions that touch no socket |
| `@micropython/micropython-webassembly-pyscript`, `brython` (npm) | Python in the browser | no working sockets in WebAssembly or JavaScript |
| `firmware-microbit-micropython` (Debian) | MicroPython for the BBC micro:bit | firmware for a microcontroller; Debian 12 packages no MicroPython for Linux |

## On the examples in the issue

* *PyPy's `htons(65536) == 0`* is Python 3.9's documented (deprecated) truncation, not a PyPy
  invention: CPython 3.9.18 returns 0 too. Only the missing `DeprecationWarning` is PyPy's, which
  the table cannot see.
* *PyPy's `socket.timeout` vs `TimeoutError`* is the 3.9/3.10 difference (bpo-42413), confirmed
  case by case against CPython 3.9.18: judged at 3.9, those cases pass.
* *gevent's family/type as plain ints* is a genuine deviation: CPython has returned enum members
  since 3.4, on every version gevent 22.10 supports.
* *eventlet's gaierror messages* are genuine too, and wider than messages: its resolver gives other
  error codes (EAI_NONAME for EAI_ADDRFAMILY), fails inputs the C library accepts, and raises
  gaierror where CPython raises TypeError.
"""
