"""`make bench`: quality and speed of the assistant, printed as a table and written as JSON.

Sections: domain questions (hit@1/hit@3/MRR, flags), XQuAD-de (paragraph and chunked), ingest
rate, unchanged re-ingest, warm answer latency, cold start to first answer, peak memory, and the
bot, handoff and service benchmarks when their modules are present.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks import domain, xquad
from benchmarks.trust import data as trust_data
from benchmarks.trust.evaluate import evaluate as evaluate_trust
from bot.context import build_context
from bot.settings import Settings
from ingest.sync import sync

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "benchmarks" / "results"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def bench_knowledge(tmp: Path) -> dict[str, Any]:
    settings = Settings(
        _env_file=None,
        data_dir=tmp / "data",
        knowledge_dir=REPO / "knowledge",
        prompts_dir=REPO / "prompts",
    )  # type: ignore[call-arg]
    ctx = build_context(settings)
    started = time.perf_counter()
    report = sync(
        ctx.index, [settings.knowledge_dir], settings.knowledge_dir, ctx.limits, ctx.chunking
    )
    cold = time.perf_counter() - started
    chunks = len(ctx.index.manifest.live_chunk_ids())
    started = time.perf_counter()
    again = sync(
        ctx.index, [settings.knowledge_dir], settings.knowledge_dir, ctx.limits, ctx.chunking
    )
    unchanged = time.perf_counter() - started
    questions = domain.load_questions()
    quality = domain.evaluate_flags(
        ctx.engine, questions, domain.evaluate_retrieval(ctx.retriever, questions)
    )
    quality = domain.evaluate_answered(ctx.engine, questions, quality)
    trust: dict[str, Any] = {}
    for part in trust_data.PARTS:
        outcome = evaluate_trust(ctx.engine, trust_data.load_part(part))
        trust[part] = outcome.as_dict()
        if part == "tuning":
            trust["tuning_failures"] = outcome.failures
    engine = ctx.engine
    positives = [q.question for q in questions if q.doc]
    for q in positives[:5]:
        engine.reply("warm-up", q)
    latencies = []
    for i, q in enumerate(positives):
        started = time.perf_counter()
        engine.reply(f"bench-{i}", q)
        latencies.append(1000 * (time.perf_counter() - started))
    return {
        "documents": len(report.added),
        "chunks": chunks,
        "ingest_s": round(cold, 1),
        "ingest_chunks_per_s": round(chunks / cold, 1),
        "reingest_unchanged_s": round(unchanged, 3),
        "reingest_unchanged_files": len(again.unchanged),
        "domain": quality.as_dict(),
        "trust": trust,
        "domain_misses": quality.misses,
        "answer_ms_p50": round(statistics.median(latencies), 1),
        "answer_ms_p95": round(percentile(latencies, 95), 1),
        "data_dir": str(settings.data_dir),
    }


def bench_cli(data_dir: Path) -> dict[str, Any]:
    env = {**os.environ, "DT_DATA_DIR": str(data_dir), "DT_KNOWLEDGE_DIR": str(REPO / "knowledge")}
    cli = [sys.executable, "-m", "bot.cli"]
    started = time.perf_counter()
    subprocess.run(
        [*cli, "chat"],
        input="/ende\n",
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )
    console_ready = time.perf_counter() - started
    started = time.perf_counter()
    subprocess.run(
        [*cli, "ask", "--json", "Wie hoch ist der Heimat-Scheck?"],
        env=env,
        capture_output=True,
        check=True,
        cwd=REPO,
    )
    first_answer = time.perf_counter() - started
    questions = "\n".join(q.question for q in domain.load_questions()) + "\n"
    subprocess.run(
        [*cli, "ask", "--json", "-"],
        input=questions,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {
        "console_ready_s": round(console_ready, 2),
        "cold_start_to_first_answer_s": round(first_answer, 2),
        "peak_rss_mb": round(peak_mb, 1),
    }


def optional(module: str) -> dict[str, Any] | None:
    try:
        bench = importlib.import_module(module)
    except ModuleNotFoundError:
        return None
    result: dict[str, Any] = bench.run()
    return result


def table(results: dict[str, Any]) -> str:
    rows: list[tuple[str, str, str]] = []
    kb, cli = results.get("knowledge"), results.get("cli")
    if kb:
        rows += [
            (
                "Domain questions hit@1 / hit@3 / MRR@10",
                f"{kb['domain']['hit@1']} / {kb['domain']['hit@3']} / {kb['domain']['mrr@10']}",
                "top-3 ≥ 0.90",
            ),
            (
                "Domain: answerable rate / flags correct",
                f"{kb['domain']['answerable_rate']} / {kb['domain']['negatives_correct']} of "
                f"{kb['domain']['negatives']}",
                "",
            ),
        ]
    if results.get("xquad"):
        for variant, target in (("chunked", "hit@1 ≥ 0.82, hit@5 ≥ 0.96"), ("paragraph", "")):
            x = results["xquad"][variant]
            rows.append(
                (
                    f"XQuAD-de {variant} hit@1 / hit@5 / MRR@10",
                    f"{x['hit@1']} / {x['hit@5']} / {x['mrr@10']}",
                    target,
                )
            )
    if kb:
        rows += [
            (
                "Warm extractive answer p50 / p95",
                f"{kb['answer_ms_p50']} ms / {kb['answer_ms_p95']} ms",
                "p95 ≤ 150 ms",
            ),
            (
                "Ingest knowledge/ (cold)",
                f"{kb['documents']} docs, {kb['chunks']} chunks in {kb['ingest_s']} s "
                f"({kb['ingest_chunks_per_s']} chunks/s)",
                "",
            ),
            ("Re-ingest unchanged knowledge/", f"{kb['reingest_unchanged_s']} s", "≤ 3 s"),
        ]
    if cli:
        rows += [
            ("Console ready (process start to prompt)", f"{cli['console_ready_s']} s", "≤ 10 s"),
            ("Cold start to first answer", f"{cli['cold_start_to_first_answer_s']} s", ""),
            ("Peak RSS (ask over all domain questions)", f"{cli['peak_rss_mb']} MB", "≤ 1 GB"),
        ]
    for name in ("bot", "handoff", "service"):
        if results.get(name):
            rows.append(
                (f"{name} benchmark", json.dumps(results[name], ensure_ascii=False)[:160], "")
            )
    if kb:
        rows += trust_rows(kb["trust"])
    width = max((len(r[0]) for r in rows), default=7)
    lines = [f"| {'measure'.ljust(width)} | value | target |", f"|{'-' * (width + 2)}|---|---|"]
    lines += [f"| {a.ljust(width)} | {b} | {c} |" for a, b, c in rows]
    return "\n".join(lines)


def _rate(entry: dict[str, Any]) -> str:
    return f"{entry['rate']} ({entry['ok']}/{entry['n']})" if entry["n"] else "–"


def trust_rows(trust: dict[str, Any]) -> list[tuple[str, str, str]]:
    """Answer-trust metrics of every reported part (fresh, held-out, tuning), per category."""
    targets = {
        "answer_accuracy": "≥ 0.90",
        "unknown_declined": "≥ 0.90",
        "false_refusals": "≤ 0.05",
        "consultation": "1.0",
        "offtopic": "1.0",
        "follow_ups": "≥ 0.90",
        "switches": "",
    }
    parts = trust_data.PARTS
    label = " / ".join(parts)
    rows = []
    for metric, target in targets.items():
        values = " / ".join(_rate(trust[p][metric]) for p in parts)
        rows.append((f"Trust {metric} ({label})", values, target))
    previous = " / ".join(str(trust[p]["switch_to_previous_topic"]) for p in parts)
    rows.append((f"Trust switch answered about previous topic ({label})", previous, "0"))
    for group in ("by_asks", "by_topic", "by_unknown_category"):
        keys = sorted({k for p in parts for k in trust[p][group]})
        for key in keys:
            values = " / ".join(_rate(trust[p][group].get(key, {"n": 0})) for p in parts)
            rows.append((f"Trust {group[3:]} {key} ({label})", values, ""))
    return rows


SECTIONS = ("knowledge", "cli", "xquad", "bot", "handoff", "service")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run")
    parser.add_argument(
        "--sections",
        default=",".join(SECTIONS),
        help="comma-separated subset of: " + ", ".join(SECTIONS) + " (cli needs knowledge)",
    )
    chosen = {s.strip() for s in parser.parse_args(argv).sections.split(",") if s.strip()}
    if unknown := chosen - set(SECTIONS):
        parser.error(f"unknown sections: {', '.join(sorted(unknown))}")
    if "cli" in chosen:
        chosen.add("knowledge")
    tmp = Path(tempfile.mkdtemp(prefix="dt-bench-"))
    try:
        results: dict[str, Any] = {
            "machine": {"cores": os.cpu_count(), "python": sys.version.split()[0]}
        }
        if "knowledge" in chosen:
            results["knowledge"] = bench_knowledge(tmp)
        if "cli" in chosen:
            results["cli"] = bench_cli(tmp / "data")
        if "xquad" in chosen:
            results["xquad"] = xquad.run()
        if "bot" in chosen:
            results["bot"] = optional("benchmarks.bot")
        if "handoff" in chosen:
            results["handoff"] = optional("benchmarks.handoff")
        if "service" in chosen:
            results["service"] = optional("benchmarks.service")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.json").write_text(
        json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    print(table(results))
    print(f"\nFull results: {RESULTS / 'latest.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
