"""The score of the grader: what it did with each mutant and rewrite, and the table of it.

A mutant is *killed* when its function loses points, and *equivalent* when it gives the
reference's answer on every input (``_equivalence``). The grader must kill every mutant that is
not equivalent and give every equivalent mutant and every rewrite full marks. Of the killed
mutants of each family (``single``: the catalogue; ``pair``: two mutations together;
``formula``: a scale drawn from the grammar), the diagnosis is judged against what the mutation
did (``_truth``): named, wrong (a mistake the mutant does not have), partly named, or silent.
Targets: the catalogue all named, the generated families at least ``HIT_TARGET``; none wrong.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from grader.mutants._catalogue import Mutant, Rewrite
from grader.mutants._false_failures import FalseFailures
from grader.mutants._run import Grade
from grader.mutants._truth import VERDICTS

HIT_TARGET = 0.9  # named, of the killed mutants of a generated family
FAMILIES = ("single", "pair", "formula")


@dataclass(frozen=True)
class MutantResult:
    mutant: Mutant
    grade: Grade
    equivalent: bool

    @property
    def killed(self) -> bool:
        return self.grade.score < self.grade.max_score

    @property
    def verdict(self) -> str:
        return self.mutant.verdict(self.grade.found)

    @property
    def named(self) -> bool:
        return self.verdict == "named"


@dataclass(frozen=True)
class RewriteResult:
    rewrite: Rewrite
    grade: Grade
    equivalent: bool

    @property
    def full_marks(self) -> bool:
        return self.grade.total == self.grade.max_total and self.grade.error is None


def _rate(results: Sequence[MutantResult]) -> float:
    return sum(r.named for r in results) / len(results) if results else 1.0


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

    def killed_of(self, family: str) -> list[MutantResult]:
        return [r for r in self.killed if r.mutant.family == family]

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
    def wrong(self) -> list[MutantResult]:
        """Killed mutants whose diagnosis names a mistake they do not have."""
        return [r for r in self.killed if r.verdict == "wrong"]

    @property
    def hit_rate(self) -> float:
        return _rate(self.killed_of("single"))

    def family_rate(self, family: str) -> float:
        return _rate(self.killed_of(family))

    @property
    def unexplained(self) -> list[MutantResult]:
        """Equivalent mutants nobody wrote a reason for."""
        return [r for r in self.equivalent if not r.mutant.why and r.mutant.family == "single"]

    @property
    def met(self) -> bool:
        generated = [f for f in FAMILIES[1:] if self.killed_of(f)]
        return not (
            self.survivors
            or self.wrongly_failed
            or self.unexplained
            or self.wrong
            or self.false_failures.failed
            or not all(r.full_marks for r in self.rewrites)
            or self.hit_rate < 1.0
            or any(self.family_rate(f) < HIT_TARGET for f in generated)
        )


def _count_by_method(results: Sequence[MutantResult]) -> str:
    counts: dict[str, int] = {}
    for result in results:
        counts[result.mutant.method] = counts.get(result.mutant.method, 0) + 1
    return ", ".join(f"{method} {n}" for method, n in counts.items())


def _family_row(summary: Summary, family: str) -> tuple[str, str, str]:
    results = [r for r in summary.mutants if r.mutant.family == family]
    killed = summary.killed_of(family)
    counts = {v: sum(r.verdict == v for r in killed) for v in VERDICTS}
    shown = ", ".join(f"{counts[v]} {v}" for v in VERDICTS)
    different = len([r for r in results if not r.equivalent])
    target = "all named, 0 wrong" if family == "single" else f">= {HIT_TARGET:.0%} named, 0 wrong"
    rate = f"{_rate(killed):.1%} named" if killed else "none killed"
    return (f'"Likely mistake", {family} mutants', f"{len(killed)} of {different} killed: "
            f"{shown} ({rate})", target)  # fmt: skip


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
        *(
            _family_row(summary, f)
            for f in FAMILIES
            if any(r.mutant.family == f for r in summary.mutants)
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


def _expected(mutant: Mutant) -> str:
    shown = [m.id + "(" + ", ".join(f"{k}={v!r}" for k, v in m.fields) + ")" for m in mutant.expect]
    return " & ".join(shown) or "equivalent"


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
                lines.append(f"    expected {_expected(r.mutant)}")
                lines.append(f"    got {r.grade.score:g}/{r.grade.max_score:g} ({r.verdict}): "
                             f"{r.grade.diagnosis}")  # fmt: skip
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
