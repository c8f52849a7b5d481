#include "conformance/report/matrix/html.h"

#include <cstdio>

namespace sockref::conformance::matrix {
namespace {

// Page furniture. The script only reads the static tables' data-* attributes, so the page is
// complete without it.
constexpr char kStyle[] = R"css(
:root { --pass:#e3f4e1; --fail:#fbdcdc; --crash:#f3b5b5; --hang:#fde3c4; --unsupported:#ececec;
  --unavailable:#f7f7f7; --divergence:#e8ddf7; --unstable:#fbf3c4; --line:#d0d4d9; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 1.5em 3em;
  color: #1d2228; }
h1 { margin: .8em 0 .2em; } h2 { margin-top: 1.6em; border-bottom: 1px solid var(--line); }
code { font: 12.5px ui-monospace, "DejaVu Sans Mono", monospace; word-break: break-all; }
table { border-collapse: collapse; margin: .5em 0; }
th, td { border: 1px solid var(--line); padding: 2px 6px; vertical-align: top; text-align: left; }
th { background: #f3f5f7; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.legend span, .v { white-space: nowrap; }
.v-pass { background: var(--pass); } .v-fail { background: var(--fail); }
.v-crash { background: var(--crash); } .v-hang { background: var(--hang); }
.v-unsupported { background: var(--unsupported); color: #555; }
.v-unavailable { background: var(--unavailable); color: #888; }
.v-divergence { background: var(--divergence); } .v-unstable { background: var(--unstable); }
.v-notrun { background: var(--unavailable); color: #888; } .v-na { color: #888; }
.legend span { padding: 1px 6px; margin-right: 4px; border: 1px solid var(--line); }
.known { color: #555; font-style: italic; } .changed { font-weight: bold; color: #a00; }
#m { width: 100%; } #m thead th { position: sticky; top: var(--bar, 0px); z-index: 1; cursor: pointer; }
h2 { scroll-margin-top: calc(var(--bar, 0px) + .5em); }
#m thead th[data-dir="1"]::after { content: " ▲"; }
#m thead th[data-dir="-1"]::after { content: " ▼"; }
#m tr.group th { background: #dfe5ec; font-weight: 600; cursor: default; position: static; }
#m td.case { max-width: 34em; } .loc { color: #667; font-size: 12px; margin-left: .4em; }
details summary { cursor: pointer; } details[open] { min-width: 22em; }
dl { margin: .3em 0; } dt { font-weight: 600; margin-top: .2em; } dd { margin: 0 0 0 1em; }
#filters { position: sticky; top: 0; background: #fff; padding: .4em 0; z-index: 2;
  border-bottom: 1px solid var(--line); }
#filters label { margin-right: 1em; } #f-count { color: #556; margin-left: 1em; }
.clickable { cursor: pointer; text-decoration: underline dotted; }
.hidden { display: none; }
)css";

constexpr char kScript[] = R"js(
(function () {
  var $ = function (id) { return document.getElementById(id); };
  var rank = {fail: 0, crash: 1, hang: 2, unsupported: 3, unavailable: 4, divergence: 5,
              unstable: 6, notrun: 7, na: 8, pass: 9};
  var rows = Array.prototype.slice.call(document.querySelectorAll('#m tr.case'));
  var details = Array.prototype.slice.call(document.querySelectorAll('tr.detail'));
  function state() {
    return {area: $('f-area').value, impl: $('f-impl').value, verdict: $('f-verdict').value,
            differ: $('f-differ').checked, text: $('f-text').value.trim().toLowerCase()};
  }
  function verdictMatches(v, want) {
    if (!want) return true;
    if (want === '!pass') return v !== 'pass';
    return v === want;
  }
  function apply() {
    var s = state(), shown = 0;
    rows.forEach(function (r) {
      var vs = r.dataset.verdicts.split(' '), ok = true;
      if (s.area && r.parentNode.dataset.area !== s.area) ok = false;
      if (ok && s.text && r.dataset.id.indexOf(s.text) < 0) ok = false;
      if (ok && s.verdict) {
        ok = s.impl ? verdictMatches(vs[+s.impl], s.verdict)
                    : vs.some(function (v) { return verdictMatches(v, s.verdict); });
      }
      if (ok && s.differ) ok = vs.some(function (v) { return v !== vs[0]; });
      r.classList.toggle('hidden', !ok);
      if (ok) shown++;
    });
    document.querySelectorAll('#m tbody').forEach(function (b) {
      b.classList.toggle('hidden', !b.querySelector('tr.case:not(.hidden)'));
    });
    details.forEach(function (r) {
      var ok = (!s.area || r.dataset.area === s.area) &&
               (!s.impl || r.dataset.impl === s.impl) &&
               (!s.text || r.dataset.id.indexOf(s.text) >= 0) &&
               verdictMatches(r.dataset.v, s.verdict);
      r.classList.toggle('hidden', !ok);
    });
    $('f-count').textContent = shown + ' of ' + rows.length + ' cases shown';
    var h = [];
    if (s.area) h.push('area=' + encodeURIComponent(s.area));
    if (s.impl) h.push('impl=' + encodeURIComponent($('f-impl').selectedOptions[0].text));
    if (s.verdict) h.push('verdict=' + encodeURIComponent(s.verdict));
    if (s.differ) h.push('differ=1');
    if (s.text) h.push('q=' + encodeURIComponent(s.text));
    try {  // some browsers refuse history changes on file: pages; the filter works regardless
      history.replaceState(null, '', h.length ? '#' + h.join('&') : location.href.split('#')[0]);
    } catch (e) {}
  }
  function fromHash() {
    location.hash.replace(/^#/, '').split('&').forEach(function (kv) {
      var p = kv.split('='), v = decodeURIComponent(p[1] || '');
      if (p[0] === 'area') $('f-area').value = v;
      if (p[0] === 'verdict') $('f-verdict').value = v;
      if (p[0] === 'differ') $('f-differ').checked = true;
      if (p[0] === 'q') $('f-text').value = v;
      if (p[0] === 'impl') {
        Array.prototype.forEach.call($('f-impl').options, function (o) {
          if (o.text === v) $('f-impl').value = o.value;
        });
      }
    });
  }
  function sortBy(th, dir) {
    var key = th.dataset.sort;
    dir = dir || (th.dataset.dir === '1' ? -1 : 1);
    document.querySelectorAll('#m thead th').forEach(function (h) { delete h.dataset.dir; });
    th.dataset.dir = String(dir);
    document.querySelectorAll('#m tbody').forEach(function (b) {
      var rs = Array.prototype.slice.call(b.querySelectorAll('tr.case'));
      rs.sort(function (a, c) {
        var x, y;
        if (key === 'id') { x = a.dataset.id; y = c.dataset.id; }
        else if (key === 'order') { x = +a.dataset.i; y = +c.dataset.i; }
        else {
          x = rank[a.dataset.verdicts.split(' ')[+key]];
          y = rank[c.dataset.verdicts.split(' ')[+key]];
          if (x === y) { x = +a.dataset.i; y = +c.dataset.i; return x - y; }
        }
        return (x < y ? -1 : x > y ? 1 : 0) * dir;
      });
      rs.forEach(function (r) { b.appendChild(r); });
    });
  }
  document.querySelectorAll('#m thead th').forEach(function (th) {
    th.addEventListener('click', function () { sortBy(th, 0); });
  });
  ['f-area', 'f-impl', 'f-verdict', 'f-differ'].forEach(function (id) {
    $(id).addEventListener('change', apply);
  });
  $('f-text').addEventListener('input', apply);
  $('f-reset').addEventListener('click', function () {
    $('f-area').value = ''; $('f-impl').value = ''; $('f-verdict').value = '';
    $('f-differ').checked = false; $('f-text').value = '';
    var order = document.querySelector('#m thead th[data-sort="order"]');
    sortBy(order, 1);
    delete order.dataset.dir;
    apply();
  });
  // Clicking a count in the totals filters the matrix to it.
  document.querySelectorAll('[data-filter-impl],[data-filter-area]').forEach(function (el) {
    el.classList.add('clickable');
    el.addEventListener('click', function () {
      if (el.dataset.filterArea !== undefined) $('f-area').value = el.dataset.filterArea;
      if (el.dataset.filterImpl !== undefined) $('f-impl').value = el.dataset.filterImpl;
      if (el.dataset.filterVerdict !== undefined) $('f-verdict').value = el.dataset.filterVerdict;
      apply();
      $('matrix').scrollIntoView();
    });
  });
  // The filter bar stays at the top once scrolled past: the matrix's header row sticks just under
  // it, and a heading jumped to stops below it (--bar is its height, which wraps with the width).
  function measureBar() {
    document.documentElement.style.setProperty('--bar', $('filters').offsetHeight + 'px');
  }
  window.addEventListener('resize', measureBar);
  measureBar();
  fromHash();
  apply();
})();
)js";

std::string Number(double v, const char* format) {
  char buf[32];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

std::string Code(const std::string& s) {
  return s.empty() ? "" : "<code>" + HtmlEscape(Shorten(s, 2000)) + "</code>";
}

// Mark is the short text of a cell: symbol, verdict, step, expectation.
std::string Mark(const MatrixCell& c) {
  std::string s = VerdictSymbol(c.verdict);
  if (c.Passed()) {
    return c.expectation == "unexpected pass"
               ? s + " pass <span class=\"changed\">but listed as failing</span>"
               : s + " pass";
  }
  s += std::string(" ") + VerdictLabel(c.verdict);
  if (c.verdict != "unsupported" && c.verdict != "unavailable" && c.verdict != "n/a" &&
      c.verdict != "not run") {
    s += StepMark(c);
  }
  if (c.Listed()) s += " <span class=\"known\">(known)</span>";
  if (c.expectation == "fails differently") s += " <span class=\"changed\">(changed)</span>";
  return s;
}

std::string Location(const MatrixRow& row, const PageOptions& options) {
  const std::string file = row.file.substr(row.file.find_last_of('/') + 1);
  const std::string text = HtmlEscape(file + ":" + std::to_string(row.line));
  if (options.source_prefix.empty() || row.file.empty() || row.file[0] == '/') {
    return "<span class=\"loc\">" + text + "</span>";
  }
  return "<a class=\"loc\" href=\"" + HtmlEscape(options.source_prefix + row.file) + "\">" + text +
         "</a>";
}

// Explanation is what a cell opens to: where, the statement, expected, actual, detail.
std::string Explanation(const MatrixCell& c) {
  std::string s = "<dl>";
  if (!c.step.empty()) {
    s += "<dt>" + HtmlEscape(c.step) +
         (c.line > 0 ? ", line " + std::to_string(c.line) : std::string()) + "</dt>";
    if (!c.source.empty()) s += "<dd>" + Code(c.source) + "</dd>";
  }
  if (!c.expected.empty()) s += "<dt>expected</dt><dd>" + Code(c.expected) + "</dd>";
  if (!c.actual.empty()) s += "<dt>actual</dt><dd>" + Code(c.actual) + "</dd>";
  if (!c.note.empty()) s += "<dt>why</dt><dd>" + HtmlEscape(Shorten(c.note, 2000)) + "</dd>";
  if (!c.detail.empty() && c.detail != c.actual) {
    s += "<dt>detail</dt><dd>" + HtmlEscape(Shorten(c.detail, 2000)) + "</dd>";
  }
  if (!c.signature.empty() && !c.Listed()) {
    s += "<dt>expectations line</dt><dd>" + Code(c.signature) + "</dd>";
  }
  return s + "</dl>";
}

std::string CellHtml(const MatrixCell& c) {
  std::string td = "<td class=\"v v-" + c.verdict + "\">";
  const bool explained = !c.Passed() && (!c.step.empty() || !c.detail.empty() ||
                                         !c.expected.empty() || !c.actual.empty());
  if (!explained) return td + Mark(c) + "</td>";
  return td + "<details><summary>" + Mark(c) + "</summary>" + Explanation(c) + "</details></td>";
}

void WriteHead(std::ostream& out, const Matrix& m) {
  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
         "<title>sockref conformance matrix</title>\n<style>"
      << kStyle << "</style>\n</head>\n<body>\n";
  out << "<h1>sockref conformance matrix</h1>\n<p>" << m.CaseCount() << " cases in "
      << m.areas.size() << " areas on " << m.columns.size() << " implementations. "
      << (m.oracle.empty()
              ? "No oracle ran: every implementation is judged against the case table's "
                "documented expectations."
              : "Oracle: <b>" + HtmlEscape(m.oracle) +
                    "</b> (CPython's own <code>socket</code>, run twice per case); every other "
                    "implementation is judged against what it did.")
      << "</p>\n<p>";
  if (!m.command.empty()) out << "Generated by <code>" << HtmlEscape(m.command) << "</code>";
  if (!m.date.empty()) out << (m.command.empty() ? "Generated" : "") << " on " << m.date;
  out << (m.command.empty() && m.date.empty() ? "" : "; ") << "wall time "
      << Number(m.wall_seconds, "%.0f") << " s, <code>SOCKREF_TIME_MULTIPLIER</code> "
      << Number(m.multiplier, "%g") << ".</p>\n";
  out << "<p class=\"legend\">";
  for (const char* v : kVerdicts) {
    out << "<span class=\"v-" << VerdictToken(v) << "\">" << VerdictSymbol(v) << " " << VerdictLabel(v)
        << "</span>";
  }
  out << "<br>Unsupported (a lacking capability or a missing name) is never a pass. "
         "<code>@3</code> is the first differing step; <span class=\"known\">(known)</span> marks "
         "a failure listed in <code>conformance/expectations/&lt;implementation&gt;.txt</code>, "
         "<span class=\"changed\">(changed)</span> one that now fails otherwise. Click a cell "
         "to see both outcomes, a header to sort, a count to filter.</p>\n";
}

void WriteImplementations(std::ostream& out, const Matrix& m) {
  out << "<h2 id=\"implementations\">Implementations</h2>\n<table>\n<tr><th>name</th>"
         "<th>description</th><th>implementation</th><th>interpreter</th><th>module</th>"
         "<th>concurrency</th><th>drivers</th></tr>\n";
  for (const MatrixColumn& c : m.columns) {
    out << "<tr><td><b>" << HtmlEscape(c.name) << "</b>" << (c.oracle ? " (oracle)" : "")
        << "</td><td>" << HtmlEscape(c.description) << "</td>";
    if (!c.available) {
      out << "<td colspan=\"5\" class=\"v-unavailable\">unavailable: "
          << HtmlEscape(c.unavailable_reason) << "</td></tr>\n";
      continue;
    }
    out << "<td>" << HtmlEscape(c.implementation + " " + c.version) << "</td><td>"
        << Code(c.interpreter) << "</td><td>" << Code(c.module)
        << (c.module_version.empty() || c.module_version == c.version
                ? ""
                : " " + HtmlEscape(c.module_version))
        << "</td><td>" << HtmlEscape(c.concurrency) << "</td><td class=\"num\">" << c.drivers
        << (c.restarts > 0 ? ", " + std::to_string(c.restarts) + " restarted" : "")
        << "</td></tr>\n";
  }
  out << "</table>\n";
}

void WriteTotals(std::ostream& out, const Matrix& m) {
  out << "<h2 id=\"totals\">Totals</h2>\n<table>\n<tr><th>implementation</th><th>cases</th>";
  for (const char* v : kVerdicts) {
    out << "<th class=\"v-" << VerdictToken(v) << "\">" << VerdictSymbol(v) << " "
        << VerdictLabel(v) << "</th>";
  }
  out << "<th>agrees with the oracle</th><th>known failures</th><th>unexpected</th></tr>\n";
  for (std::size_t i = 0; i < m.columns.size(); ++i) {
    const MatrixTotals& t = m.totals[i];
    out << "<tr><td><b data-filter-impl=\"" << i << "\" data-filter-verdict=\"\">"
        << HtmlEscape(m.columns[i].name) << "</b></td><td class=\"num\">" << t.cases << "</td>";
    for (const char* v : kVerdicts) {
      const int n = t.Count(v);
      out << "<td class=\"num" << (n > 0 ? std::string(" v-") + v : "") << "\">";
      if (n > 0) {
        out << "<span data-filter-impl=\"" << i << "\" data-filter-verdict=\"" << v << "\">" << n
            << "</span>";
      } else {
        out << "0";
      }
      out << "</td>";
    }
    out << "<td class=\"num\">";
    if (m.columns[i].oracle) {
      out << "(oracle)";
    } else if (t.agree + t.disagree == 0) {
      out << "–";
    } else {
      out << t.agree << " of " << (t.agree + t.disagree);
    }
    out << "</td><td class=\"num\">" << t.listed << "</td><td class=\"num\">" << t.unexpected
        << "</td></tr>\n";
  }
  out << "</table>\n";
}

std::string AreaSummary(const MatrixTotals& t) {
  std::string s;
  for (const char* v : kVerdicts) {
    const int n = t.Count(v);
    if (n == 0) continue;
    s += "<span class=\"v v-" + VerdictToken(v) + "\">" + std::to_string(n) + " " +
         VerdictSymbol(v) + "</span> ";
  }
  return s;
}

void WriteAreaTotals(std::ostream& out, const Matrix& m) {
  out << "<h2 id=\"areas\">Totals by area</h2>\n<table>\n<tr><th>area</th><th>cases</th>";
  for (const MatrixColumn& c : m.columns) out << "<th>" << HtmlEscape(c.name) << "</th>";
  out << "</tr>\n";
  for (const MatrixArea& a : m.areas) {
    out << "<tr><td><span data-filter-area=\"" << HtmlEscape(a.name) << "\">" << HtmlEscape(a.name)
        << "</span></td><td class=\"num\">" << a.rows.size() << "</td>";
    for (const MatrixTotals& t : a.totals) out << "<td>" << AreaSummary(t) << "</td>";
    out << "</tr>\n";
  }
  out << "</table>\n";
}

void WriteFilters(std::ostream& out, const Matrix& m) {
  out << "<form id=\"filters\" onsubmit=\"return false\"><label>area <select id=\"f-area\">"
         "<option value=\"\">all areas</option>";
  for (const MatrixArea& a : m.areas) {
    out << "<option>" << HtmlEscape(a.name) << "</option>";
  }
  out << "</select></label><label>implementation <select id=\"f-impl\"><option value=\"\">any"
         "</option>";
  for (std::size_t i = 0; i < m.columns.size(); ++i) {
    out << "<option value=\"" << i << "\">" << HtmlEscape(m.columns[i].name) << "</option>";
  }
  out << "</select></label><label>verdict <select id=\"f-verdict\"><option value=\"\">any"
         "</option><option value=\"!pass\">anything but pass</option>";
  for (const char* v : kVerdicts) {
    out << "<option value=\"" << VerdictToken(v) << "\">" << VerdictLabel(v) << "</option>";
  }
  out << "</select></label><label><input type=\"checkbox\" id=\"f-differ\"> implementations "
         "differ</label><label>case <input type=\"search\" id=\"f-text\" placeholder=\"id "
         "contains…\"></label><button type=\"button\" id=\"f-reset\">reset</button>"
         "<span id=\"f-count\"></span></form>\n";
}

void WriteMatrixTable(std::ostream& out, const Matrix& m, const PageOptions& options) {
  out << "<h2 id=\"matrix\">The matrix</h2>\n";
  WriteFilters(out, m);
  out << "<table id=\"m\">\n<thead><tr><th data-sort=\"order\" title=\"table order\">#</th>"
         "<th data-sort=\"id\">case</th>";
  for (std::size_t i = 0; i < m.columns.size(); ++i) {
    out << "<th data-sort=\"" << i << "\">" << HtmlEscape(m.columns[i].name) << "</th>";
  }
  out << "</tr></thead>\n";
  int index = 0;
  for (const MatrixArea& a : m.areas) {
    out << "<tbody data-area=\"" << HtmlEscape(a.name)
        << "\">\n<tr class=\"group\"><th colspan=\"2\">" << HtmlEscape(a.name) << " — "
        << a.rows.size() << " cases</th>";
    for (const MatrixTotals& t : a.totals) out << "<th>" << AreaSummary(t) << "</th>";
    out << "</tr>\n";
    for (const MatrixRow& r : a.rows) {
      std::string verdicts;
      for (const MatrixCell& c : r.cells) {
        verdicts += (verdicts.empty() ? "" : " ") + VerdictToken(c.verdict);
      }
      ++index;
      out << "<tr class=\"case\" data-i=\"" << index << "\" data-id=\"" << HtmlEscape(r.id)
          << "\" data-verdicts=\"" << verdicts << "\"><td class=\"num\">" << index
          << "</td><td class=\"case\"><code>" << HtmlEscape(r.id) << "</code>"
          << Location(r, options);
      if (!r.divergence_note.empty()) {
        out << "<br><small>divergence noted in the case: " << HtmlEscape(r.divergence_note)
            << "</small>";
      }
      out << "</td>";
      for (const MatrixCell& c : r.cells) out << CellHtml(c);
      out << "</tr>\n";
    }
    out << "</tbody>\n";
  }
  out << "</table>\n";
}

void WriteDivergences(std::ostream& out, const Matrix& m, const PageOptions& options) {
  out << "<h2 id=\"divergences\">Divergences</h2>\n<p>Every result that is not what was "
         "expected, with the first step that differs and both outcomes. For the oracle, "
         "<i>expected</i> is what the case documents; for the others, what CPython did when the "
         "oracle ran (else what the case documents). The filters above apply here too.</p>\n";
  out << "<table>\n<tr><th>case</th><th>implementation</th><th>verdict</th><th>where</th>"
         "<th>statement</th><th>expected</th><th>actual</th></tr>\n";
  int n = 0;
  for (const MatrixArea& a : m.areas) {
    for (const MatrixRow& r : a.rows) {
      for (std::size_t i = 0; i < r.cells.size(); ++i) {
        const MatrixCell& c = r.cells[i];
        if (!c.Diverges()) continue;
        ++n;
        std::string where = c.step;
        if (c.line > 0) {
          where += (where.empty() ? "" : ", ") + std::string("line ") + std::to_string(c.line);
        }
        out << "<tr class=\"detail\" data-area=\"" << HtmlEscape(a.name) << "\" data-impl=\"" << i
            << "\" data-id=\"" << HtmlEscape(r.id) << "\" data-v=\"" << VerdictToken(c.verdict) << "\"><td><code>"
            << HtmlEscape(r.id) << "</code>" << Location(r, options) << "</td><td>"
            << HtmlEscape(m.columns[i].name) << "</td><td class=\"v v-" << VerdictToken(c.verdict) << "\">"
            << Mark(c) << "</td><td>" << HtmlEscape(where) << "</td><td>" << Code(c.source)
            << "</td><td>" << Code(c.expected) << "</td><td>"
            << (c.actual.empty() ? HtmlEscape(Shorten(c.detail, 2000)) : Code(c.actual))
            << "</td></tr>\n";
      }
    }
  }
  if (n == 0) out << "<tr><td colspan=\"7\">None.</td></tr>\n";
  out << "</table>\n";
}

void WriteUnsupported(std::ostream& out, const Matrix& m) {
  out << "<h2 id=\"unsupported\">Unsupported</h2>\n<p>Cases an implementation could not run: "
         "a capability it lacks (<code>needs:</code>), or a name its module does not have. "
         "Counted apart, never as passes.</p>\n<table>\n<tr><th>case</th><th>implementation</th>"
         "<th>what is missing</th></tr>\n";
  int n = 0;
  for (const MatrixArea& a : m.areas) {
    for (const MatrixRow& r : a.rows) {
      for (std::size_t i = 0; i < r.cells.size(); ++i) {
        const MatrixCell& c = r.cells[i];
        if (c.verdict != "unsupported") continue;
        ++n;
        out << "<tr class=\"detail\" data-area=\"" << HtmlEscape(a.name) << "\" data-impl=\"" << i
            << "\" data-id=\"" << HtmlEscape(r.id) << "\" data-v=\"unsupported\"><td><code>"
            << HtmlEscape(r.id) << "</code></td><td>" << HtmlEscape(m.columns[i].name)
            << "</td><td>"
            << (c.actual.empty() ? HtmlEscape(c.detail)
                                 : HtmlEscape(c.step) + ": " + Code(c.actual))
            << "</td></tr>\n";
      }
    }
  }
  if (n == 0) out << "<tr><td colspan=\"3\">None.</td></tr>\n";
  out << "</table>\n";
}

// WriteVersionHistory lists what the table records changing from one Python version to the
// next, grouped by the version that made the change (docs/version-history.md is the same list).
void WriteVersionHistory(std::ostream& out, const Matrix& m) {
  if (m.history.empty()) return;
  out << "<h2 id=\"history\">What changed, when: CPython 3.6 to 3.13</h2>\n<p>Every change of "
         "behaviour the case table records, by the version that made it. Implementations are "
         "judged against the truth of the Python version they implement.</p>\n";
  std::string version;
  for (const HistoryEntry& e : m.history) {
    if (e.version != version) {
      if (!version.empty()) out << "</table>\n";
      version = e.version;
      out << "<h3>Python " << HtmlEscape(version) << "</h3>\n<table>\n<tr><th>case</th>"
          << "<th>step</th><th>before</th><th>after</th></tr>\n";
    }
    out << "<tr><td><code>" << HtmlEscape(e.case_id) << "</code> " << HtmlEscape(e.where)
        << "</td><td>" << Code(e.step) << "</td><td>" << Code(e.before) << "</td><td>"
        << Code(e.after) << "</td></tr>\n";
  }
  out << "</table>\n";
}

void WriteFooter(std::ostream& out, const Matrix& m) {
  if (!m.stale_expectations.empty()) {
    out << "<h2>Stale expectation lines</h2>\n<ul>\n";
    for (const auto& [name, ids] : m.stale_expectations) {
      for (const std::string& id : ids) {
        out << "<li>" << HtmlEscape(name) << ": <code>" << HtmlEscape(id) << "</code></li>\n";
      }
    }
    out << "</ul>\n";
  }
  out << "<p><b>Result:</b> "
      << (m.failures == 0
              ? std::string("every result is a pass or listed in its expectations "
                            "file.")
              : std::to_string(m.failures) + " results are not covered by the expectations files.")
      << "</p>\n<script>" << kScript << "</script>\n</body>\n</html>\n";
}

}  // namespace

std::string HtmlEscape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    switch (ch) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += ch;
    }
  }
  return out;
}

void WriteHtmlMatrix(std::ostream& out, const Matrix& m, const PageOptions& options) {
  WriteHead(out, m);
  WriteImplementations(out, m);
  WriteTotals(out, m);
  WriteAreaTotals(out, m);
  WriteMatrixTable(out, m, options);
  WriteDivergences(out, m, options);
  WriteUnsupported(out, m);
  WriteVersionHistory(out, m);
  WriteFooter(out, m);
}

}  // namespace sockref::conformance::matrix
