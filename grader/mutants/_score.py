"""The score of the grader: what it did with each mutant and rewrite, and the table of it.

A mutant is *killed* when its function loses points, and *equivalent* when it gives the
reference's answer on every input (``_equivalence``). The grader must kill every mutant that is
not equivalent, give every equivalent mutant and every rewrite full marks, and for killed mutants
name the mutation in its "Likely mistake" (``Mutant.named_by``) at least ``HIT_TARGET`` of the
time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from grader.mutants._catalogue import Mutant, Rewrite
from grader.mutants._false_failures import FalseFailures
from grader.mutants._run import Grade

HIT_TARGET = 0.9


@dataclass(frozen=True)
class MutantResult:
    mutant: Mutant
    grade: Grade
    equivalent: bool

    @property
    def killed(self) -> bool:
        return self.grade.score < self.grade.max_score

    @property
    def named(self) -> bool:
        return self.mutant.named_by(self.grade.diagnosis)


@dataclass(frozen=True)
class RewriteResult:
    rewrite: Rewrite
    grade: Grade
    equivalent: bool

    @property
    def full_marks(self) -> bool:
        return self.grade.total == self.grade.max_total and self.grade.error is None


@dataclass(frozen=True)
class Summary:
    mutants: tuple[MutantResult, ...]
    rewrites: tuple[RewriteResult, ...]
    false_failures: FalseFailures
    seconds: Mapping[str, float] = field(default_factory=dict)  # wall time of each phase

    @property
    def equivalent(self) -> list[MutantResult]:
        return [r for r in self.mutants if r.equivalent]

    @property
    def killed(self) -> list[MutantResult]:
        return [r for r in self.mutants if r.killed and not r.equivalent]

    @property
    def survivors(self) -> list[MutantResult]:
        """Mutants that change the answer yet keep full marks."""
        return [r for r in self.mutants if not r.killed and not r.equivalent]

    @property
    def wrongly_failed(self) -> list[MutantResult]:
        """Equivalent mutants that lost points: correct work failed."""
        return [r for r in self.mutants if r.killed and r.equivalent]

    @property
    def missed(self) -> list[MutantResult]:
        """Killed mutants whose diagnosis does not name the mutation."""
        return [r for r in self.killed if not r.named]

    @property
    def hit_rate(self) -> float:
        killed = self.killed
        return sum(r.named for r in killed) / len(killed) if killed else 1.0

    @property
    def unexplained(self) -> list[MutantResult]:
        """Equivalent mutants nobody wrote a reason for."""
        return [r for r in self.equivalent if not r.mutant.why]

    @property
    def met(self) -> bool:
        return not (
            self.survivors
            or self.wrongly_failed
            or self.unexplained
            or self.false_failures.failed
            or not all(r.full_marks for r in self.rewrites)
            or self.hit_rate < HIT_TARGET
        )


def _count_by_method(results: list[MutantResult] | tuple[MutantResult, ...]) -> str:
    counts: dict[str, int] = {}
    for result in results:
        counts[result.mutant.method] = counts.get(result.mutant.method, 0) + 1
    return ", ".join(f"{method} {n}" for method, n in counts.items())


def table(summary: Summary) -> str:
    """The README's table, in Markdown."""
    killed, equivalent = summary.killed, summary.equivalent
    different = len(summary.mutants) - len(equivalent)
    passed = sum(r.full_marks for r in summary.rewrites)
    ff = summary.false_failures
    rows = [
        ("mutants", f"{len(summary.mutants)} ({_count_by_method(summary.mutants)})", ""),
        ("killed (the function loses points)", f"{len(killed)} of {different}", "all"),
        ("equivalent (same answer on every input)", f"{len(equivalent)}", "listed"),
        ("equivalent but failed", f"{len(summary.wrongly_failed)}", "0"),
        ("correct rewrites with full marks", f"{passed} of {len(summary.rewrites)}", "all"),
        (
            '"Likely mistake" names the mutation',
            f"{summary.hit_rate:.1%} ({len(killed) - len(summary.missed)} of {len(killed)})",
            f">= {HIT_TARGET:.0%}",
        ),
        (
            "false failures of the scale check",
            f"{ff.failed} of {ff.gradings:,} correct gradings ({ff.layers:,} layers; "
            f"{ff.expected:.2g} expected at {ff.rate_per_layer:g} per layer)",
            "0",
        ),
    ]
    lines = ["| measure | result | target |", "|---|---|---|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    return "\n".join(lines)


def details(summary: Summary) -> str:
    """Every equivalent mutant with why, then whatever missed a target."""
    lines = ["", "Equivalent mutants:"]
    lines += [
        f"- {r.mutant.ident}: {r.mutant.change}; {r.mutant.why or 'NO REASON WRITTEN'}"
        for r in summary.equivalent
    ]
    sections = (
        ("Survivors (changed answer, full marks)", summary.survivors),
        ("Equivalent but failed", summary.wrongly_failed),
        ("Killed, mistake not named", summary.missed),
    )
    for title, results in sections:
        if results:
            lines += ["", f"{title}:"]
            for r in results:
                lines.append(f"- {r.mutant.ident}: {r.mutant.change}")
                lines.append(f"    expected {' & '.join(r.mutant.expect) or 'equivalent'}")
                lines.append(
                    f"    got {r.grade.score:g}/{r.grade.max_score:g}: {r.grade.diagnosis}"
                )
    failing = [r for r in summary.rewrites if not r.full_marks]
    if failing:
        lines += ["", "Rewrites without full marks:"]
        for fix in failing:
            grade = fix.grade
            lines.append(f"- {fix.rewrite.ident} ({fix.rewrite.description}): ")
            lines.append(
                f"    {grade.total:g}/{grade.max_total:g}, failed {', '.join(grade.failed)}"
            )
            lines.append(f"    {grade.diagnosis or grade.error}")
    return "\n".join(lines)
