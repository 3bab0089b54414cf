"""``python -m evals``: the scenario suite, graded like τ-bench, with pass^k and an HTML report.

    python -m evals run                                  # every scenario, scripted model, k=1 (CI)
    python -m evals run --llm local --k 4                # the local model (scripts/setup_local_llm.sh start)
    python -m evals run --llm https://api.openai.com/v1 --model gpt-4o-mini --k 4 --parallel 4
    python -m evals run --scenarios 'returns_*' agent:books --k 2
    python -m evals list

Exit status: 0 when every trial passed, 1 when any failed, 2 on a usage error or an unreachable model.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shlex
import sys
import time
from pathlib import Path
from typing import Any

from livekit.agents import llm

from worker.logging_setup import configure_logging
from worker.settings import Settings

from . import desk_model
from .callers import Caller, ModelCaller, ScriptedCaller
from .runner import SuiteOptions, finished_trials, print_summary, run_suite
from .scenario import Scenario, ScenarioError, load_scenarios, select


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m evals", description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="play the scenarios and grade them")
    run.add_argument(
        "--llm",
        default="scripted",
        help="the desk's model: scripted (default; the scenarios' planned replies), local (LOCAL_LLM_URL), "
        "or an OpenAI-compatible URL such as https://api.openai.com/v1",
    )
    run.add_argument("--model", help="model name at --llm URL (default gpt-4o-mini; local: LOCAL_LLM_MODEL)")
    run.add_argument(
        "--adapter",
        choices=["native_tools", "json_actions"],
        help="how tools are offered: native tool calls (default for a URL) or the JSON-action adapter "
        "small local models need (default for local)",
    )
    run.add_argument(
        "--caller",
        default="scripted",
        help="who plays the caller: scripted (default; the scenario's lines) or model (a model given only "
        "the persona, goal and facts; see --caller-llm)",
    )
    run.add_argument("--caller-llm", help="the caller model's URL (default: the desk's; 'local' for LOCAL_LLM_URL)")
    run.add_argument("--caller-model", help="model name at --caller-llm (default: the desk's)")
    run.add_argument(
        "--judge-llm",
        default="auto",
        help="model for LiveKit's judge on scenarios with a judge intent: auto (the desk's model unless scripted), "
        "none, local, or a URL",
    )
    run.add_argument("--k", type=int, default=1, help="trials per scenario (pass^k is reported for k = 1..N)")
    run.add_argument(
        "--scenarios",
        nargs="+",
        default=[],
        metavar="PATTERN",
        help="ids or globs (returns_*), agent:NAME, tag:NAME or mode:audio (default: all)",
    )
    run.add_argument("--parallel", type=int, default=1, help="trials at once (default 1; each is a whole call)")
    run.add_argument("--out", type=Path, help="output folder (default runs/evals/<timestamp>-<model>)")
    run.add_argument("--turn-timeout", type=float, default=180.0, help="seconds allowed per caller turn")
    run.add_argument("--no-html", action="store_true", help="write results.json only")
    run.add_argument(
        "--resume",
        action="store_true",
        help="keep the trials already in --out's results.json (for unchanged scenario files) and play only the rest",
    )
    sub.add_parser("list", help="list the scenarios")
    return p


def _model_factory(choice: desk_model.DeskModelChoice, settings: Settings) -> Any:
    def build() -> llm.LLM:
        return desk_model.build(choice, settings)

    return build


def main(argv: list[str] | None = None) -> int:
    """Entry of ``python -m evals``; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        scenarios = load_scenarios()
    except ScenarioError as exc:
        print(f"evals: {exc}", file=sys.stderr)
        return 2
    if args.command == "list":
        for s in scenarios:
            print(f"{s.id:<34} {s.agent:<18} {s.mode:<6} {s.title}")
        print(f"{len(scenarios)} scenarios over {len({s.agent for s in scenarios})} agents")
        return 0
    try:
        chosen = select(scenarios, args.scenarios)
        if args.k < 1 or args.parallel < 1:
            raise ValueError("--k and --parallel must be at least 1")
        settings = Settings(provider_profile="local")
        choice = desk_model.choose(args.llm, model=args.model, adapter=args.adapter, settings=settings)
        caller_factory, caller_label = _caller(args, choice, settings)
        judge = _judge(args, choice, settings)
    except (ScenarioError, ValueError) as exc:
        print(f"evals: {exc}", file=sys.stderr)
        return 2
    for needed in {choice} | ({judge[1]} if judge else set()):
        if not desk_model.reachable(needed):
            hint = " Start it with 'bash scripts/setup_local_llm.sh start'." if needed.kind == "local" else ""
            print(f"evals: no model server answers at {needed.url}.{hint}", file=sys.stderr)
            return 2
    if choice.kind == "scripted" and args.caller != "scripted":
        print(
            "evals: the scripted desk model follows the scripted caller's lines; use --caller scripted", file=sys.stderr
        )
        return 2
    configure_logging("ERROR")
    out = args.out or Path("runs/evals") / f"{time.strftime('%Y%m%d-%H%M%S')}-{choice.kind}"
    opts = SuiteOptions(
        scenarios=chosen,
        k=args.k,
        parallel=args.parallel,
        desk_llm=_model_factory(choice, settings),
        desk_label=choice.label,
        caller=caller_factory,
        caller_label=caller_label,
        judge_llm=_model_factory(judge[1], settings) if judge else None,
        settings=settings,
        out_dir=out,
        turn_timeout_s=args.turn_timeout,
        command="python -m evals " + shlex.join(argv if argv is not None else sys.argv[1:]),
    )
    print(
        f"evals: {len(chosen)} scenario(s) × {args.k} trial(s), desk model {choice.label}, caller {caller_label}, "
        f"{args.parallel} at a time → {out}",
        flush=True,
    )
    if choice.kind != "scripted":
        from worker.offline.simulate import warm_prompt_cache

        async def warm() -> None:
            model = desk_model.build(choice, settings)
            try:
                await warm_prompt_cache(model)
            finally:
                await model.aclose()

        asyncio.run(warm())

    def progress(sid: str, entry: dict[str, Any]) -> None:
        verdict = "pass" if entry["passed"] else "FAIL"
        failed = [c["what"] for c in entry["checks"] if not c["ok"]]
        detail = f"  failed: {', '.join(failed[:3])}" if failed else ""
        print(f"  [{verdict}] {sid} trial {entry['trial']} ({entry['wall_s']:.0f}s){detail}", flush=True)

    done: dict[str, list[dict[str, Any]]] = {}
    if args.resume and (out / "results.json").exists():
        done = finished_trials(json.loads((out / "results.json").read_text()), chosen, args.k)
        print(f"  resuming: {sum(len(t) for t in done.values())} trial(s) kept from {out / 'results.json'}")
    results = asyncio.run(run_suite(opts, on_trial=progress, done=done))
    print()
    print_summary(results)
    print(f"\nresults: {out / 'results.json'}")
    if not args.no_html:
        from .html_report import write_html

        print(f"report:  {write_html(results, out / 'report.html')}")
    failed = results["summary"]["trials"] - results["summary"]["passed"]
    if failed:
        print(f"\nFAILED: {failed} of {results['summary']['trials']} trial(s) did not meet their scenario.")
        return 1
    print(f"\nAll {results['summary']['trials']} trial(s) met their scenario.")
    return 0


def _caller(args: argparse.Namespace, choice: desk_model.DeskModelChoice, settings: Settings) -> tuple[Any, str]:
    if args.caller == "scripted":

        def scripted(scenario: Scenario) -> Caller:
            return ScriptedCaller(scenario)

        return scripted, "scripted"
    if args.caller != "model":
        raise ValueError(f"--caller {args.caller!r}: use scripted or model")
    where = args.caller_llm or (choice.url if choice.kind != "scripted" else None)
    if where is None:
        raise ValueError("--caller model needs --caller-llm (a URL or local) when the desk model is scripted")
    caller_choice = desk_model.choose(where, model=args.caller_model or None, adapter="native_tools", settings=settings)
    key = desk_model.api_key(caller_choice)

    def model(scenario: Scenario) -> Caller:
        assert caller_choice.url is not None
        return ModelCaller(scenario, base_url=caller_choice.url, model=caller_choice.model, api_key=key)

    return model, f"model:{caller_choice.label}"


def _judge(
    args: argparse.Namespace, choice: desk_model.DeskModelChoice, settings: Settings
) -> tuple[str, desk_model.DeskModelChoice] | None:
    if args.judge_llm == "none" or (args.judge_llm == "auto" and choice.kind == "scripted"):
        return None
    if args.judge_llm == "auto":
        return ("auto", choice)
    return (args.judge_llm, desk_model.choose(args.judge_llm, model=None, adapter=None, settings=settings))


if __name__ == "__main__":
    sys.exit(main())
