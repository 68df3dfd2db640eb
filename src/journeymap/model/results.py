"""Result types: plain, frozen data that render and report can draw without the engine."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class IngestReport:
    """What happened to every input row: ``read = loaded + quarantined + duplicates``."""

    source: str
    read: int
    loaded: int
    quarantined: int
    duplicates: int
    columns: dict[str, str] = field(default_factory=dict)  # canonical -> source column
    reasons: dict[str, int] = field(default_factory=dict)  # quarantine reason -> rows
    quarantine_file: str | None = None

    def __post_init__(self) -> None:
        if self.read != self.loaded + self.quarantined + self.duplicates:
            raise ValueError(
                f"ingest accounting broken: read {self.read} != loaded {self.loaded} "
                f"+ quarantined {self.quarantined} + duplicates {self.duplicates}"
            )

    def summary(self) -> str:
        text = (
            f"{self.source}: read {self.read:,} = loaded {self.loaded:,} "
            f"+ quarantined {self.quarantined:,}"
        )
        if self.duplicates:
            text += f" + duplicates dropped {self.duplicates:,}"
        return text

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
