"""The validated description of a funnel: steps, mode, windows, exclusions, breakdown."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from journeymap.errors import AnalysisError

MODES = ("ordered", "strict", "any_order")
# An ordered funnel joins once per step, and the nested expression grows with each:
# 100 steps took 15 s and 0.5 GB to compile, 200 hit Python's recursion limit (issue 8).
MAX_STEPS = 50
# Windows are microsecond intervals (int64): a century is far inside, and longer is
# no window at all.
MAX_WINDOW_S = 100 * 365.25 * 86400
TOUCHES = ("first_touch", "last_touch")


@dataclass(frozen=True)
class FunnelSpec:
    """What to measure; built by :func:`make_spec`, which checks every argument."""

    steps: tuple[str, ...]
    mode: str = "ordered"
    window_s: float | None = None
    step_windows_s: tuple[float | None, ...] = ()  # one per step; index 0 is None
    exclude: tuple[str, ...] = ()
    optional: frozenset[int] = frozenset()  # 0-based step indexes
    breakdown: str | None = None
    breakdown_at: str = "first_touch"

    def reference(self, j: int) -> int:
        """Index of the step that step ``j`` is measured from: the last required before."""
        return max(i for i in range(j) if i not in self.optional)

    def step_window(self, j: int) -> float | None:
        return self.step_windows_s[j] if self.step_windows_s else None

    def breakdown_step(self) -> int | None:
        """0-based step whose matched event gives the breakdown value (None: last)."""
        if self.breakdown_at == "first_touch":
            return 0
        if self.breakdown_at == "last_touch":
            return None
        return self.steps.index(self.breakdown_at)


def make_spec(
    steps: Sequence[str],
    *,
    mode: str = "ordered",
    window_s: float | None = None,
    step_windows_s: Sequence[float | None] | None = None,
    exclude: Sequence[str] = (),
    optional: Sequence[str | int] = (),
    breakdown: str | None = None,
    breakdown_at: str = "first_touch",
) -> FunnelSpec:
    names = _steps(steps)
    _check_mode(mode, exclude, optional, breakdown_at)
    _check_window(window_s, "window_s")
    return FunnelSpec(
        steps=names,
        mode=mode,
        window_s=window_s,
        step_windows_s=_step_windows(step_windows_s, len(names)),
        exclude=_exclusions(exclude, names),
        optional=_optional(optional, names),
        breakdown=breakdown,
        breakdown_at=_breakdown_at(breakdown_at, names),
    )


def _steps(steps: Sequence[str]) -> tuple[str, ...]:
    if isinstance(steps, str):
        raise AnalysisError("steps must be a list of event names, not one string")
    names = tuple(steps)
    if not names:
        raise AnalysisError("a funnel needs at least one step", field="steps")
    if len(names) > MAX_STEPS:
        raise AnalysisError(
            f"a funnel has at most {MAX_STEPS} steps, not {len(names)}", field="steps"
        )
    if not all(isinstance(n, str) and n for n in names):
        raise AnalysisError("every step must be a non-empty event name", field="steps")
    return names


def _check_mode(
    mode: str, exclude: Sequence[str], optional: Sequence[str | int], at: str
) -> None:
    if mode not in MODES:
        raise AnalysisError(f"unknown mode {mode!r}; known: {', '.join(MODES)}")
    if mode == "strict" and (exclude or optional):
        raise AnalysisError("strict funnels allow no exclusions or optional steps")
    if mode == "any_order" and exclude:
        raise AnalysisError("any_order funnels have no 'between steps' for exclusions")
    if mode == "any_order" and at != "first_touch":
        raise AnalysisError("any_order funnels support only breakdown_at='first_touch'")


def _check_window(value: float | None, field: str) -> None:
    if value is not None and not value >= 0:
        raise AnalysisError(f"a window must be >= 0 seconds, not {value}", field=field)
    if value is not None and not value <= MAX_WINDOW_S:
        raise AnalysisError(
            f"a window must be at most 100 years ({MAX_WINDOW_S:.0f} s), not {value}",
            field=field,
        )


def _step_windows(
    windows: Sequence[float | None] | None, n: int
) -> tuple[float | None, ...]:
    if windows is None:
        return ()
    windows = tuple(windows)
    if len(windows) != n - 1:
        raise AnalysisError(
            f"step_windows_s needs one entry per step after the first ({n - 1}), "
            f"got {len(windows)}",
            field="step_windows_s",
        )
    for value in windows:
        _check_window(value, "step_windows_s")
    return (None, *windows)


def _exclusions(exclude: Sequence[str], names: tuple[str, ...]) -> tuple[str, ...]:
    if isinstance(exclude, str):
        exclude = (exclude,)
    clash = sorted(set(exclude) & set(names))
    if clash:
        raise AnalysisError(f"events both step and exclusion: {', '.join(clash)}")
    return tuple(dict.fromkeys(exclude))


def _optional(optional: Sequence[str | int], names: tuple[str, ...]) -> frozenset[int]:
    if isinstance(optional, str | int):
        optional = (optional,)
    found: set[int] = set()
    for item in optional:
        if isinstance(item, int):
            if not 1 <= item <= len(names):
                raise AnalysisError(f"no step number {item}", field="optional")
            found.add(item - 1)
        elif item in names:
            found |= {i for i, name in enumerate(names) if name == item}
        else:
            raise AnalysisError(
                f"optional step {item!r} is not a step", field="optional"
            )
    if 0 in found:
        raise AnalysisError("the first step cannot be optional", field="optional")
    return frozenset(found)


def _breakdown_at(at: str, names: tuple[str, ...]) -> str:
    if at in TOUCHES or at in names:
        return at
    known = ", ".join([*TOUCHES, *names])
    raise AnalysisError(
        f"breakdown_at {at!r} is neither a touch nor a step; known: {known}"
    )
