"""Shrinking a sequence that leaves the model (vpbx_suite.model_sequences.shrink): the shortest
sequence that breaks the same decisions, within a bound of replays; worlds are made up here."""

from __future__ import annotations

from dataclasses import dataclass, field

from vpbx_model.freedoms import Divergence
from vpbx_suite.model_sequences import ModelDivergence, Step, play, shrink


@dataclass
class FakeWorld:
    """Breaks D24 when a read follows a delete of its pick (a server whose deletes are lost)."""

    log: list[str] = field(default_factory=list)
    deleted: set[int] = field(default_factory=set)
    cleaned: bool = False

    def seed(self) -> None:
        pass

    def apply(self, step: Step) -> None:
        self.log.append(str(step))
        if step.action == "delete":
            self.deleted.add(step.pick)
        if step.action == "read" and step.pick in self.deleted:
            raise ModelDivergence([Divergence(("D24",), f"id {step.pick} reads after its delete")], len(self.log))

    def script(self, divergence: ModelDivergence) -> str:
        return "\n".join(self.log)

    def cleanup(self) -> None:
        self.cleaned = True

    def close(self) -> None:
        pass


def _steps() -> list[Step]:
    noise = [Step("listing", 0, 3, 0), Step("add", 1, 5, 2), Step("edit", 0, 1, 1)]
    return [*noise, Step("delete", 0, 4, 0), *noise, Step("add", 0, 9, 0), Step("read", 0, 4, 1), *noise]


def test_a_failing_sequence_stops_at_its_failing_step_and_cleans_up() -> None:
    worlds: list[FakeWorld] = []

    def make() -> FakeWorld:
        worlds.append(FakeWorld())
        return worlds[-1]

    outcome = play(make, _steps())  # type: ignore[arg-type]
    assert outcome.divergence is not None and outcome.divergence.decisions == ("D24",)
    assert len(outcome.steps) == 9 and worlds[-1].cleaned


def test_shrinking_finds_the_two_steps_that_matter() -> None:
    found = play(FakeWorld, _steps())  # type: ignore[arg-type]
    shortest, replays = shrink(FakeWorld, found, replays=60, can_replay=lambda: True)  # type: ignore[arg-type]
    assert [step.action for step in shortest.steps] == ["delete", "read"]
    assert shortest.script.splitlines() == [str(step) for step in shortest.steps]
    assert replays <= 60


def test_shrinking_keeps_to_its_bound() -> None:
    found = play(FakeWorld, _steps())  # type: ignore[arg-type]
    shortest, replays = shrink(FakeWorld, found, replays=2, can_replay=lambda: True)  # type: ignore[arg-type]
    assert replays == 2 and len(shortest.steps) < 9
    _, none = shrink(FakeWorld, found, replays=60, can_replay=lambda: False)  # type: ignore[arg-type]
    assert none == 0
