"""The evals HTML report: one self-contained file rendered from ``results.json``.

``render_html(results)`` turns the dict written by ``python -m evals run`` (shape:
``/work/evals_results_schema.md``) into one HTML page; ``write_html(results, path)`` writes it. The page
has no external resource: CSS and the matplotlib figures (:mod:`evals.plots`) are inline, there is no
web font, no CDN script. It reads fully without JavaScript — every scenario and trial is a
``<details>`` element; a few lines of inline JS only add a "failing only" filter and a text filter.

Contents, top to bottom: a banner (red with the count of failed trials when anything failed, green when
every trial passed), the run's header (desk model, caller, k, date, machine, command), summary tiles,
the pass^k curve, the latency plots, the wall-time plot, pass^1 per agent, and the scenario table. Each
scenario opens to its trials; each trial shows its error, failed checks first, then all checks
(what / expected / seen / ok), its measures, the transcript (caller and agent lines styled apart, agent
name, a ``code`` badge on lines spoken by code, timestamps), the tool calls with their outcome, the
per-turn latencies and the database diff (rows inserted, updated, deleted per table).

Every string from the results is escaped with :func:`html.escape` (transcripts hold arbitrary caller
text). Long tool outputs and arguments are cut at :data:`MAX_TEXT` characters so a 42 × 4 report stays
well under 5 MB.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from evals import plots

MAX_TEXT = 1500
"""Longest tool argument/output shown, in characters; longer text is cut with a note of the full length."""

SUMMARY_ID = "summary"
"""``id`` of the summary tiles section (the screenshot check looks for it in the rendered DOM)."""


def esc(value: object) -> str:
    """``value`` as escaped HTML text (``None`` → empty string; quotes escaped too, safe in attributes)."""
    if value is None:
        return ""
    return html.escape(str(value), quote=True)


def _cut(text: object, limit: int = MAX_TEXT) -> str:
    raw = "" if text is None else str(text)
    if len(raw) <= limit:
        return esc(raw)
    return esc(raw[:limit]) + f'<span class="muted"> … (cut, {len(raw)} characters in all)</span>'


def _num(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _pct(value: object) -> str:
    number = _num(value)
    return "—" if number is None else f"{number * 100:.0f} %"


def _secs(value: object, digits: int = 2) -> str:
    number = _num(value)
    return "—" if number is None else f"{number:.{digits}f} s"


def _slug(value: object) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", str(value)).strip("-") or "x"


def _badge(ok: bool | None, yes: str = "PASS", no: str = "FAIL", unknown: str = "—") -> str:
    if ok is None:
        return f'<span class="badge badge-na">{esc(unknown)}</span>'
    return (
        f'<span class="badge badge-ok">{esc(yes)}</span>' if ok else f'<span class="badge badge-bad">{esc(no)}</span>'
    )


def _max_k(pass_hat_k: Mapping[str, Any] | None) -> tuple[int, float | None]:
    """The largest k in a pass^k mapping and its value (``(0, None)`` when empty)."""
    best: tuple[int, float | None] = (0, None)
    for key, value in (pass_hat_k or {}).items():
        try:
            k = int(key)
        except (TypeError, ValueError):
            continue
        if k > best[0]:
            best = (k, _num(value))
    return best


# ---------------------------------------------------------------- verdict


def suite_failures(results: Mapping[str, Any]) -> dict[str, int]:
    """What makes the suite fail, counted.

    Args:
        results: the parsed results dict.

    Returns:
        ``{"trials": n, "failed_trials": f, "failed_scenarios": s, "errors": e,
        "actions_before_verification": a}``. The suite has failed when ``failed_trials``,
        ``actions_before_verification`` (the house rule: must be 0) is non-zero, or no trial ran.
    """
    summary = results.get("summary") or {}
    scenarios = [s for s in results.get("scenarios") or [] if isinstance(s, Mapping)]
    trials = [t for s in scenarios for t in s.get("trials") or []]
    n_trials = int(_num(summary.get("trials")) or len(trials))
    passed = _num(summary.get("passed"))
    n_passed = int(passed) if passed is not None else sum(bool(t.get("passed")) for t in trials)
    measures = summary.get("measures") or {}
    abv = _num(measures.get("actions_before_verification"))
    if abv is None:
        abv = sum(_num((t.get("measures") or {}).get("actions_before_verification")) or 0 for t in trials)
    return {
        "trials": n_trials,
        "failed_trials": n_trials - n_passed,
        "failed_scenarios": sum(1 for s in scenarios if any(not t.get("passed") for t in s.get("trials") or [])),
        "errors": sum(1 for t in trials if t.get("error")),
        "actions_before_verification": int(abv),
    }


def suite_failed(results: Mapping[str, Any]) -> bool:
    """Whether the report shows the red banner (see :func:`suite_failures`)."""
    f = suite_failures(results)
    return f["trials"] == 0 or f["failed_trials"] > 0 or f["actions_before_verification"] > 0


def _banner(results: Mapping[str, Any]) -> str:
    f = suite_failures(results)
    if not suite_failed(results):
        return (
            '<div class="banner banner-pass" id="verdict"><strong>PASSED</strong> — '
            f"all {f['trials']} trials passed every check; 0 actions before verification.</div>"
        )
    parts: list[str] = []
    if f["trials"] == 0:
        parts.append("no trial ran")
    if f["failed_trials"]:
        parts.append(
            f"<strong>{f['failed_trials']} of {f['trials']} trials failed</strong> "
            f"in {f['failed_scenarios']} scenario{'s' if f['failed_scenarios'] != 1 else ''}"
        )
    if f["errors"]:
        parts.append(f"{f['errors']} trial{'s' if f['errors'] != 1 else ''} ended with an error")
    if f["actions_before_verification"]:
        parts.append(f"<strong>{f['actions_before_verification']} action(s) before verification</strong> (must be 0)")
    return f'<div class="banner banner-fail" id="verdict"><strong>FAILED</strong> — {"; ".join(parts)}.</div>'


# ---------------------------------------------------------------- header and tiles


def _header(results: Mapping[str, Any]) -> str:
    suite = results.get("suite") or {}
    machine = suite.get("machine") or {}
    machine_text = ", ".join(
        part
        for part in (
            str(machine.get("cpu") or ""),
            f"{machine['cores']} cores" if machine.get("cores") else "",
            f"Python {machine['python']}" if machine.get("python") else "",
            f"livekit-agents {machine['livekit_agents']}" if machine.get("livekit_agents") else "",
        )
        if part
    )
    started = str(suite.get("started_at") or "")
    finished = str(suite.get("finished_at") or "")
    rows = [
        ("Desk model", esc(suite.get("desk_llm"))),
        ("Caller", esc(suite.get("caller"))),
        ("Trials per scenario (k)", esc(suite.get("k"))),
        ("Scenarios", esc(suite.get("scenarios_total", len(results.get("scenarios") or [])))),
        ("Started → finished", f"{esc(started)} → {esc(finished)}" if finished else esc(started)),
        ("Wall time", esc(_secs(suite.get("wall_s"), 1))),
        ("Machine", esc(machine_text)),
        ("Command", f"<code>{esc(suite.get('command'))}</code>"),
    ]
    cells = "".join(f"<dt>{label}</dt><dd>{value}</dd>" for label, value in rows)
    title = f"Evals — {esc(suite.get('desk_llm') or 'desk')}"
    date = esc(started[:10]) if started else ""
    return f'<header><h1>{title} <span class="muted">{date}</span></h1><dl class="meta">{cells}</dl></header>'


def _tile(label: str, value: str, note: str = "", tone: str = "") -> str:
    cls = f"tile tile-{tone}" if tone else "tile"
    note_html = f'<div class="tile-note">{note}</div>' if note else ""
    return (
        f'<div class="{cls}"><div class="tile-label">{label}</div>'
        f'<div class="tile-value">{value}</div>{note_html}</div>'
    )


def _rate_tone(value: float | None, good: float = 0.999, fair: float = 0.8) -> str:
    if value is None:
        return ""
    return "good" if value >= good else "warn" if value >= fair else "bad"


def _tiles(results: Mapping[str, Any]) -> str:
    summary = results.get("summary") or {}
    measures = summary.get("measures") or {}
    pass_hat_k = summary.get("pass_hat_k") or {}
    f = suite_failures(results)
    p1 = _num(pass_hat_k.get("1"))
    k_max, pk = _max_k(pass_hat_k)
    passed = f["trials"] - f["failed_trials"]
    abv = f["actions_before_verification"]
    judge = measures.get("judge") or {}
    latency = summary.get("latency_s") or {}
    tiles = [
        _tile("pass^1", _pct(p1), "mean over scenarios", _rate_tone(p1)),
        _tile(f"pass^{k_max or 'k'}", _pct(pk), f"all {k_max} trials pass" if k_max else "", _rate_tone(pk)),
        _tile(
            "Trials passed",
            f"{passed} / {f['trials']}",
            f"{f['errors']} ended with an error" if f["errors"] else "",
            "good" if f["failed_trials"] == 0 and f["trials"] else "bad",
        ),
        _tile("Actions before verification", str(abv), "must be 0", "bad" if abv > 0 else "good"),
        _tile(
            "Disclosure verbatim",
            _pct(measures.get("disclosure_verbatim_rate")),
            "required sentences said word for word",
            _rate_tone(_num(measures.get("disclosure_verbatim_rate"))),
        ),
        _tile(
            "Right agent reached",
            _pct(measures.get("right_agent_rate")),
            f"mean hops {_num(measures.get('mean_hops')):.1f}" if _num(measures.get("mean_hops")) is not None else "",
            _rate_tone(_num(measures.get("right_agent_rate"))),
        ),
        _tile("Transfers refused", esc(measures.get("transfers_refused", "—")), "by code, e.g. unverified"),
        _tile(
            "Judge pass / fail",
            f"{esc(judge.get('passed', 0))} / {esc(judge.get('failed', 0))}",
            f"{esc(judge.get('not_run', 0))} trials without a judge",
            "bad" if (_num(judge.get("failed")) or 0) > 0 else "",
        ),
    ]
    for key, label in (("code", "Code-led turn latency"), ("llm", "LLM turn latency")):
        stats = latency.get(key) or {}
        if stats.get("count"):
            tiles.append(
                _tile(
                    label,
                    f"{_secs(stats.get('p50'))}",
                    f"p50 · p90 {_secs(stats.get('p90'))} · p99 {_secs(stats.get('p99'))}"
                    f" · n={esc(stats.get('count'))}",
                )
            )
    return f'<section id="{SUMMARY_ID}" class="tiles">{"".join(tiles)}</section>'


def _by_agent(results: Mapping[str, Any]) -> str:
    by_agent = (results.get("summary") or {}).get("by_agent") or {}
    if not by_agent:
        return ""
    rows = []
    for agent in sorted(by_agent):
        info = by_agent[agent] or {}
        p1 = _num(info.get("pass_hat_1"))
        width = 0 if p1 is None else round(p1 * 100)
        tone = _rate_tone(p1)
        rows.append(
            f"<tr><td>{esc(agent)}</td><td class='num'>{esc(info.get('scenarios', ''))}</td>"
            f"<td class='num'>{_pct(p1)}</td><td class='bar-cell'><div class='bar bar-{tone}' style='width:{width}%'>"
            "</div></td></tr>"
        )
    return (
        "<section><h2>pass^1 by agent</h2><table class='grid agents'><thead><tr><th>Agent</th>"
        "<th class='num'>Scenarios</th><th class='num'>pass^1</th><th></th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></section>"
    )


# ---------------------------------------------------------------- trials


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]], cls: str = "grid") -> str:
    """A table from already-escaped cells."""
    head = "".join(f"<th>{h}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _checks(checks: Sequence[Mapping[str, Any]]) -> str:
    if not checks:
        return '<p class="muted">No checks recorded.</p>'
    failed = [c for c in checks if not c.get("ok")]
    out = ""
    if failed:
        out += '<h4 class="bad-text">Failed checks</h4>' + _table(
            ["What", "Expected", "Seen"],
            ([esc(c.get("what")), esc(c.get("expected")), esc(c.get("seen"))] for c in failed),
            "grid checks failed",
        )
    out += f"<h4>All checks ({len(checks) - len(failed)} of {len(checks)} ok)</h4>" + _table(
        ["", "What", "Expected", "Seen"],
        (
            [_badge(bool(c.get("ok")), "ok", "✗"), esc(c.get("what")), esc(c.get("expected")), esc(c.get("seen"))]
            for c in checks
        ),
        "grid checks",
    )
    return out


def _measures(measures: Mapping[str, Any]) -> str:
    if not measures:
        return ""
    visited = measures.get("agents_visited") or []
    judge = measures.get("judge")
    items = [
        ("Right agent", _badge(measures.get("right_agent"), "yes", "no")),
        ("Agents visited", " → ".join(esc(a) for a in visited) or "—"),
        ("Hops", esc(measures.get("hops"))),
        (
            "Actions before verification",
            f'<span class="{"bad-text" if (_num(measures.get("actions_before_verification")) or 0) > 0 else ""}">'
            f"{esc(measures.get('actions_before_verification'))}</span>",
        ),
        ("Disclosure verbatim", _badge(measures.get("disclosure_verbatim"), "yes", "no", "n/a")),
        ("Transfers refused", esc(measures.get("transfers_refused"))),
    ]
    if isinstance(judge, Mapping):
        verdict = judge.get("verdict")
        badge = _badge(None if verdict not in ("pass", "fail") else verdict == "pass", "pass", "fail", "not run")
        items.append(("Judge", f"{badge} <em>{esc(judge.get('intent'))}</em><br>{esc(judge.get('reason'))}"))
    cells = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in items)
    return f'<h4>Measures</h4><dl class="measures">{cells}</dl>'


def _transcript(lines: Sequence[Mapping[str, Any]]) -> str:
    if not lines:
        return '<h4>Transcript</h4><p class="muted">Empty transcript.</p>'
    out = []
    for line in lines:
        caller = line.get("role") == "caller"
        who = "Caller" if caller else esc(line.get("agent") or line.get("role") or "agent")
        code = (
            '<span class="badge badge-code" title="spoken by code, no LLM">code</span>' if line.get("by_code") else ""
        )
        at = _num(line.get("at_s"))
        stamp = f"{at:7.1f}s" if at is not None else ""
        out.append(
            f'<div class="line {"line-caller" if caller else "line-agent"}"><span class="at">{esc(stamp)}</span>'
            f'<span class="who">{who}{code}</span><span class="text">{esc(line.get("text"))}</span></div>'
        )
    return f'<h4>Transcript</h4><div class="transcript">{"".join(out)}</div>'


def _tool_calls(calls: Sequence[Mapping[str, Any]]) -> str:
    if not calls:
        return '<h4>Tool calls</h4><p class="muted">No tool calls.</p>'
    tone = {"ok": "ok", "error": "bad", "no_output": "na"}
    rows = []
    for call in calls:
        outcome = str(call.get("outcome") or "")
        rows.append(
            [
                esc(call.get("agent")),
                f"<code>{esc(call.get('name'))}</code>",
                f"<code class='args'>{_cut(call.get('arguments'))}</code>",
                f'<span class="badge badge-{tone.get(outcome, "na")}">{esc(outcome or "?")}</span>',
                f"<span class='output'>{_cut(call.get('output'))}</span>",
                esc(_secs(call.get("duration_s"), 3)),
            ]
        )
    return "<h4>Tool calls</h4>" + _table(
        ["Agent", "Tool", "Arguments", "Outcome", "Output", "Took"], rows, "grid tools"
    )


def _rows_table(rows: Sequence[Mapping[str, Any]]) -> str:
    columns: list[str] = []
    for row in rows:
        for column in row:
            if column not in columns:
                columns.append(column)
    return _table(
        [esc(c) for c in columns],
        (
            [_cut(json.dumps(r.get(c)) if not isinstance(r.get(c), str) else r.get(c), 200) for c in columns]
            for r in rows
        ),
        "grid rows",
    )


def _db_diff(diff: Mapping[str, Any] | None) -> str:
    if not diff:
        return '<h4>Database diff</h4><p class="muted">No rows changed.</p>'
    parts = []
    for table in sorted(diff):
        change = diff[table] or {}
        inserted = change.get("inserted") or []
        updated = change.get("updated") or {}
        deleted = change.get("deleted") or []
        if not (inserted or updated or deleted):
            continue
        block = [f'<div class="db-table"><h5><code>{esc(table)}</code></h5>']
        if inserted:
            block.append(f'<div class="db-op db-ins">inserted ({len(inserted)})</div>' + _rows_table(inserted))
        if updated:
            upd_rows = [
                [esc(pk), esc(col), _cut(_as_text(pair, 0), 200), _cut(_as_text(pair, 1), 200)]
                for pk, cols in updated.items()
                for col, pair in (cols or {}).items()
            ]
            block.append(
                f'<div class="db-op db-upd">updated ({len(updated)})</div>'
                + _table(["Key", "Column", "Before", "After"], upd_rows, "grid rows")
            )
        if deleted:
            block.append(f'<div class="db-op db-del">deleted ({len(deleted)})</div>' + _rows_table(deleted))
        block.append("</div>")
        parts.append("".join(block))
    if not parts:
        return '<h4>Database diff</h4><p class="muted">No rows changed.</p>'
    return "<h4>Database diff</h4>" + "".join(parts)


def _as_text(pair: object, index: int) -> str:
    if isinstance(pair, Sequence) and not isinstance(pair, str) and len(pair) > index:
        value = pair[index]
        return value if isinstance(value, str) else json.dumps(value)
    return str(pair) if index == 1 else ""


def _turns(turns: Sequence[Mapping[str, Any]]) -> str:
    if not turns:
        return ""
    rows = []
    for i, turn in enumerate(turns, 1):
        who = (
            '<span class="badge badge-code">code</span>'
            if turn.get("by_code")
            else '<span class="badge badge-llm">LLM</span>'
        )
        latency = (
            '<span class="badge badge-bad">timed out</span>'
            if turn.get("timed_out")
            else esc(_secs(turn.get("response_latency_s")))
        )
        rows.append([str(i), who, latency, esc(turn.get("caller_input"))])
    return "<h4>Turn latency</h4>" + _table(["#", "Answered by", "Latency", "Caller said"], rows, "grid turns")


def _trial(scenario_id: str, trial: Mapping[str, Any]) -> str:
    passed = bool(trial.get("passed"))
    checks = trial.get("checks") or []
    n_failed = sum(1 for c in checks if not c.get("ok"))
    note = f"{n_failed} failed check{'s' if n_failed != 1 else ''}" if n_failed else f"{len(checks)} checks ok"
    error = trial.get("error")
    if error:
        note += " · error"
    summary = (
        f'<summary class="trial-summary">{_badge(passed)} <strong>Trial {esc(trial.get("trial"))}</strong>'
        f'<span class="muted"> · {esc(_secs(trial.get("wall_s"), 1))} · {note}</span></summary>'
    )
    body = []
    if error:
        body.append(f'<div class="error"><strong>Error:</strong> {esc(error)}</div>')
    body.append(_checks(checks))
    body.append(_measures(trial.get("measures") or {}))
    body.append(_transcript(trial.get("transcript") or []))
    body.append(_tool_calls(trial.get("tool_calls") or []))
    body.append(_db_diff(trial.get("db_diff")))
    body.append(_turns(trial.get("turns") or []))
    if trial.get("report_path"):
        body.append(f'<p class="muted small">Call report: <code>{esc(trial.get("report_path"))}</code></p>')
    anchor = f"t-{_slug(scenario_id)}-{_slug(trial.get('trial'))}"
    cls = "trial trial-pass" if passed else "trial trial-fail"
    return f'<details class="{cls}" id="{anchor}">{summary}<div class="trial-body">{"".join(body)}</div></details>'


def _scenarios(results: Mapping[str, Any]) -> str:
    scenarios = [s for s in results.get("scenarios") or [] if isinstance(s, Mapping)]
    if not scenarios:
        return '<section><h2>Scenarios</h2><p class="muted">No scenarios in this run.</p></section>'
    k = results.get("suite", {}).get("k")
    rows = []
    for scenario in scenarios:
        sid = str(scenario.get("id", "?"))
        n = int(_num(scenario.get("n")) or len(scenario.get("trials") or []))
        passes = int(_num(scenario.get("passes")) or sum(bool(t.get("passed")) for t in scenario.get("trials") or []))
        ok = n > 0 and passes == n
        _, pk = _max_k(scenario.get("pass_hat_k"))
        p1 = _num((scenario.get("pass_hat_k") or {}).get("1"))
        dots = "".join(
            f'<span class="dot dot-{"ok" if t.get("passed") else "bad"}" title="trial {esc(t.get("trial"))}"></span>'
            for t in scenario.get("trials") or []
        )
        summary = (
            '<summary class="srow">'
            f'<span class="c-id"><code>{esc(sid)}</code><span class="title">{esc(scenario.get("title"))}</span></span>'
            f'<span class="c-agent">{esc(scenario.get("agent"))}</span>'
            f'<span class="c-mode"><span class="mode mode-{_slug(scenario.get("mode"))}">'
            f"{esc(scenario.get('mode'))}</span></span>"
            f'<span class="c-passes">{dots} {passes}/{n}</span>'
            f'<span class="c-p1">{_pct(p1)}</span>'
            f'<span class="c-pk">{_pct(pk)}</span>'
            f'<span class="c-badge">{_badge(ok)}</span>'
            "</summary>"
        )
        goal = f'<p class="goal"><strong>Goal:</strong> {esc(scenario.get("goal"))}</p>' if scenario.get("goal") else ""
        trials = "".join(_trial(sid, t) for t in scenario.get("trials") or [])
        search = esc(" ".join(str(scenario.get(key) or "") for key in ("id", "title", "agent", "mode")).lower())
        rows.append(
            f'<details class="scenario {"scenario-pass" if ok else "scenario-fail"}" id="s-{_slug(sid)}" '
            f'data-search="{search}">{summary}<div class="scenario-body">{goal}{trials}</div></details>'
        )
    header = (
        '<div class="srow shead"><span class="c-id">Scenario</span><span class="c-agent">Agent</span>'
        '<span class="c-mode">Mode</span><span class="c-passes">Passes</span><span class="c-p1">pass^1</span>'
        f'<span class="c-pk">pass^{esc(k or "k")}</span><span class="c-badge">Result</span></div>'
    )
    filters = (
        '<div id="filters" class="filters" hidden><label><input type="checkbox" id="only-failing"> failing only'
        '</label><input type="search" id="filter-text" placeholder="filter by id, agent, mode…">'
        '<button type="button" id="open-failing">open failing trials</button></div>'
    )
    return (
        f'<section id="scenarios"><h2>Scenarios ({len(scenarios)})</h2>{filters}'
        f'<div class="stable">{header}{"".join(rows)}</div></section>'
    )


# ---------------------------------------------------------------- page

_CSS = """
:root{--ink:#1a202c;--muted:#718096;--line:#e2e8f0;--bg:#f7f9fc;--ok:#2f855a;--ok-bg:#e6f4ea;--bad:#c53030;
--bad-bg:#fdecec;--warn:#b7791f;--warn-bg:#fff6e0;--code:#2b6cb0;--llm:#dd6b20}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,
"Helvetica Neue",Arial,sans-serif}
main{max-width:1320px;margin:0 auto;padding:20px 28px 60px}
h1{font-size:22px;margin:0 0 10px}h2{font-size:17px;margin:28px 0 10px}h4{font-size:13px;margin:16px 0 6px;
text-transform:uppercase;letter-spacing:.04em;color:#4a5568}h5{margin:8px 0 4px;font-size:13px}
code{font:12.5px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
.muted{color:var(--muted);font-weight:normal}.small{font-size:12px}
.banner{padding:14px 28px;font-size:16px;color:#fff}
.banner-fail{background:var(--bad)}.banner-pass{background:var(--ok)}
header{background:#fff;border:1px solid var(--line);border-radius:8px;padding:16px 20px;margin-top:18px}
dl.meta{display:grid;grid-template-columns:max-content 1fr max-content 1fr;gap:4px 14px;margin:0}
dl.meta dt{color:var(--muted)}dl.meta dd{margin:0;overflow-wrap:anywhere}
.tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(190px,1fr));gap:12px;margin-top:18px}
.tile{background:#fff;border:1px solid var(--line);border-left:5px solid #cbd5e0;border-radius:8px;padding:10px 14px}
.tile-good{border-left-color:var(--ok)}.tile-warn{border-left-color:var(--warn);background:var(--warn-bg)}
.tile-bad{border-left-color:var(--bad);background:var(--bad-bg)}
.tile-bad .tile-value{color:var(--bad)}
.tile-label{font-size:12px;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}
.tile-value{font-size:26px;font-weight:650;margin:2px 0}.tile-note{font-size:12px;color:var(--muted)}
.plots{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1.5fr);gap:14px}
.plot-card{background:#fff;border:1px solid var(--line);border-radius:8px;padding:8px}
.plot-card.wide{grid-column:1/-1}
svg.plot{display:block;width:100%;height:auto}
table.grid{border-collapse:collapse;width:100%;background:#fff;font-size:13px}
table.grid th,table.grid td{border-bottom:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
table.grid th{background:#edf2f7;font-weight:600;font-size:12px}
table.grid td{overflow-wrap:anywhere}
table.checks.failed td{background:var(--bad-bg)}
.num{text-align:right!important}
table.agents{max-width:640px}.bar-cell{width:45%}
.bar{height:10px;border-radius:5px;background:#a0aec0}.bar-good{background:var(--ok)}.bar-warn{background:var(--warn)}
.bar-bad{background:var(--bad)}
.badge{display:inline-block;font-size:11px;font-weight:700;padding:1px 7px;border-radius:10px;letter-spacing:.03em;
vertical-align:1px}
.badge-ok{background:var(--ok-bg);color:var(--ok)}.badge-bad{background:var(--bad);color:#fff}
.badge-na{background:#edf2f7;color:var(--muted)}.badge-code{background:#e6eefb;color:var(--code);margin-left:6px}
.badge-llm{background:#fdf0e6;color:var(--llm)}
.bad-text{color:var(--bad)}
.stable{background:#fff;border:1px solid var(--line);border-radius:8px;overflow:hidden}
.srow{display:grid;grid-template-columns:minmax(0,1fr) 140px 70px 150px 70px 70px 70px;gap:10px;align-items:center;
padding:8px 14px}
.shead{background:#edf2f7;font-size:12px;font-weight:600;color:#4a5568}
details.scenario{border-top:1px solid var(--line)}
details.scenario>summary{cursor:pointer;list-style:none}
details.scenario>summary::-webkit-details-marker{display:none}
details.scenario>summary .c-id::before{content:"▸";color:var(--muted);margin-right:8px;display:inline-block;
transition:transform .1s}
details.scenario[open]>summary .c-id::before{transform:rotate(90deg)}
details.scenario-fail>summary{background:#fff8f8}
details.scenario>summary:hover{background:#f1f5fb}
.c-id .title{display:block;color:var(--muted);font-size:12px;margin-left:18px}
.c-p1,.c-pk{text-align:right}.c-badge{text-align:right}
.mode{font-size:11px;padding:1px 6px;border-radius:4px;background:#edf2f7}.mode-audio{background:#ebe4ff;color:#553c9a}
.dot{display:inline-block;width:9px;height:9px;border-radius:50%;margin-right:2px}.dot-ok{background:var(--ok)}
.dot-bad{background:var(--bad)}
.scenario-body{padding:4px 18px 14px 32px;background:#fbfcfe;border-top:1px dashed var(--line)}
.goal{margin:8px 0}
details.trial{background:#fff;border:1px solid var(--line);border-radius:6px;margin:8px 0}
details.trial-fail{border-left:4px solid var(--bad)}details.trial-pass{border-left:4px solid var(--ok)}
details.trial>summary{cursor:pointer;padding:7px 12px}
.trial-body{padding:0 14px 12px}
.error{background:var(--bad-bg);border:1px solid #f5b5b5;color:#822727;padding:8px 12px;border-radius:6px;
margin-top:8px}
dl.measures{display:grid;grid-template-columns:max-content 1fr;gap:3px 14px;margin:0}
dl.measures dt{color:var(--muted)}dl.measures dd{margin:0}
.transcript{border:1px solid var(--line);border-radius:6px;padding:6px 0;max-height:520px;overflow:auto;background:#fff}
.line{display:grid;grid-template-columns:64px 170px 1fr;gap:8px;padding:3px 10px}
.line .at{color:var(--muted);font:12px ui-monospace,Menlo,Consolas,monospace;white-space:pre}
.line .who{font-weight:600;font-size:12.5px}
.line-caller{background:#f6f8fa}.line-caller .who{color:#4a5568}
.line-agent .who{color:var(--code)}.line-agent .text{color:#102a43}
.line .text{white-space:pre-wrap;overflow-wrap:anywhere}
table.tools td:nth-child(-n+2),table.tools td:nth-child(4),table.tools td:nth-child(6){white-space:nowrap;
overflow-wrap:normal}
table.turns td:nth-child(-n+3),table.turns th{white-space:nowrap;width:1%}
code.args{white-space:pre-wrap}.output{white-space:pre-wrap}
.db-table{margin:6px 0 10px}.db-op{font-size:12px;font-weight:600;margin:6px 0 2px}
.db-ins{color:var(--ok)}.db-upd{color:var(--warn)}.db-del{color:var(--bad)}
table.rows{width:auto;min-width:40%}
.filters{display:flex;gap:14px;align-items:center;margin:0 0 10px}
.filters input[type=search]{padding:4px 8px;border:1px solid #cbd5e0;border-radius:4px;min-width:260px}
.filters button{padding:4px 10px;border:1px solid #cbd5e0;border-radius:4px;background:#fff;cursor:pointer}
footer{margin-top:30px;color:var(--muted);font-size:12px}
@media (max-width:900px){.plots{grid-template-columns:1fr}.srow{grid-template-columns:1fr 90px 60px 110px}
.c-p1,.c-pk,.c-badge{display:none}dl.meta{grid-template-columns:max-content 1fr}}
@media print{details{display:block}}
"""

_JS = """
(function(){
  var f=document.getElementById('filters'); if(!f) return; f.hidden=false;
  var only=document.getElementById('only-failing'), text=document.getElementById('filter-text');
  function apply(){
    var q=(text.value||'').toLowerCase();
    document.querySelectorAll('details.scenario').forEach(function(d){
      var show=(!only.checked||d.classList.contains('scenario-fail'))&&(!q||d.dataset.search.indexOf(q)>=0);
      d.style.display=show?'':'none';
    });
  }
  only.addEventListener('change',apply); text.addEventListener('input',apply);
  document.getElementById('open-failing').addEventListener('click',function(){
    document.querySelectorAll('details.scenario-fail').forEach(function(d){d.open=true;});
    document.querySelectorAll('details.trial-fail').forEach(function(d){d.open=true;});
  });
})();
"""


def render_html(results: Mapping[str, Any]) -> str:
    """Render the whole report.

    Args:
        results: the parsed ``results.json`` dict (``suite``, ``summary``, ``scenarios``; shape in
            ``/work/evals_results_schema.md``). Missing keys render as "—" rather than raising.

    Returns:
        One self-contained HTML document (UTF-8 text): inline CSS, inline SVG figures, a few lines of
        optional inline JS, no reference to any network resource.
    """
    suite = results.get("suite") or {}
    title = f"Evals report — {suite.get('desk_llm') or 'desk'} — {str(suite.get('started_at') or '')[:16]}"
    figures = (
        '<section id="plots"><h2>Reliability and latency</h2><div class="plots">'
        f'<div class="plot-card">{plots.pass_hat_k_svg(results)}</div>'
        f'<div class="plot-card">{plots.latency_svg(results)}</div>'
        f'<div class="plot-card wide">{plots.wall_time_svg(results)}</div>'
        "</div></section>"
    )
    body = "".join(
        [
            _banner(results),
            "<main>",
            _header(results),
            _tiles(results),
            figures,
            _by_agent(results),
            _scenarios(results),
            "<footer>pass^k: τ-bench estimator (Yao et al. 2024), per scenario C(c,k)/C(n,k) with c passes of n "
            "trials, averaged over scenarios. Latency: caller stops speaking → agent starts answering.</footer>",
            "</main>",
        ]
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{_CSS}</style></head>"
        f"<body>{body}<script>{_JS}</script></body></html>\n"
    )


def write_html(results: Mapping[str, Any], path: Path) -> Path:
    """Render the report and write it to ``path`` (parent folders created).

    Args:
        results: the parsed results dict.
        path: where to write, e.g. ``runs/evals/<run>/report.html``.

    Returns:
        ``path``.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(results), encoding="utf-8")
    return path
