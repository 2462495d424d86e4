"""``sumbench run --dry-run``: what each system would send, in tokens and dollars, before any
request (items already in the results folder or the generation cache send nothing)."""

from __future__ import annotations

from bench.run import Run
from bench.run.cost import CHARS_PER_TOKEN, TOKENS_PER_WORD, estimate
from bench.run.generate import item_key
from bench.run.record import index_outputs


def _money(value: float | None) -> str:
    return "–" if value is None else f"${value:,.4f}"


def dry_run_table(job: Run) -> str:
    """A Markdown table of the estimate, one row per system that calls a summarizer, and a
    line saying how tokens were estimated."""
    done = set(index_outputs(job.store.output_offsets())) if job.store.exists() else set()
    prices = job.spending.prices if job.spending is not None else None
    rows = estimate(job.tasks, job.systems, done, job.cache, prices, item_key)
    lines = [
        "| System | Items to send | Prompt tokens (est.) | Completion tokens (est. / cap) "
        "| Cost (est.) | Cost (at most) |",
        "| :-- | --: | --: | --: | --: | --: |",
    ]
    for row in rows:
        lines.append(
            f"| {row.system} | {row.items} | {row.prompt_tokens:,.0f} | "
            f"{row.completion_tokens:,.0f} / {row.completion_cap:,.0f} | "
            f"{_money(row.cost)} | {_money(row.cost_cap)} |"
        )
    priced = [row.cost for row in rows if row.cost is not None]
    if priced:
        capped = sum(row.cost_cap or 0.0 for row in rows)
        lines.append(f"| **total** | | | | {_money(sum(priced))} | {_money(capped)} |")
    lines += [
        "",
        f"Prompt tokens: characters of the messages sent / {CHARS_PER_TOKEN:g}; completion "
        f"tokens: the word budget x {TOKENS_PER_WORD:.2f} (est.) or the adapter's max_tokens "
        "(cap). Cost: per the price table (– for a system without a price). No request was made.",
        "",
    ]
    return "\n".join(lines)
