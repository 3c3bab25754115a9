"""Loading a long stream reads only its new events, and always equals a full replay."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.intake.domain.households import Answer, Channel, Households
from shared.actor import Actor
from shared.aggregate_cache import cache_for
from shared.db import create_engine
from shared.event import registry
from shared.eventstore import EventStore
from shared.schema import metadata
from shared.unit_of_work import Projection, UnitOfWork

OFFICIAL = Actor(id="staff", role="official")
STREAM = Households.stream_for("c1")


def engine_at(path):
    engine = create_engine(f"sqlite:///{path}")
    metadata.create_all(engine)
    return engine


def work(engine) -> UnitOfWork:
    return UnitOfWork(engine=engine, projection=Projection(), actor=OFFICIAL)


def state(aggregate) -> dict:
    return {key: value for key, value in vars(aggregate).items() if key != "pending"}


def replayed(engine) -> Households | None:
    with engine.connect() as conn:
        envelopes = EventStore().load_stream(conn, STREAM)
    return Households.rehydrate(STREAM, [registry.load(e) for e in envelopes]) if envelopes else None


def consent(uow: UnitOfWork, households: range, answer: Answer = Answer.AGREE) -> Households:
    roll = uow.find(Households, STREAM) or Households.of("c1")
    for number in households:
        roll._record(Households.ConsentRecorded(community_id="c1", household_id=f"1-1-{number}",
                                                answer=answer, channel=Channel.PAPER_FORM))
    uow.save(roll, project_id="c1")
    return roll


class Counting(EventStore):
    """An event store that remembers how many events each stream load read."""

    def __init__(self) -> None:
        self.read: list[int] = []

    def load_stream(self, conn, stream_id, *, after_version=0):
        found = super().load_stream(conn, stream_id, after_version=after_version)
        self.read.append(len(found))
        return found


def test_a_960_household_stream_loads_by_reading_only_what_is_new(tmp_path):
    engine = engine_at(tmp_path / "db.sqlite")
    for first in range(0, 960, 10):
        with work(engine) as uow:
            consent(uow, range(first, first + 10))
            uow.commit()
    counting = Counting()
    with work(engine) as uow:
        uow.store = counting
        roll = uow.get(Households, STREAM, missing="x")
        assert roll.version == 960 and len(roll.consent) == 960
        assert state(roll) == state(replayed(engine))
    assert counting.read == [0], "a warm load read events it already had folded"


def test_a_cold_cache_replays_and_a_rolled_back_save_is_never_kept(tmp_path):
    engine = engine_at(tmp_path / "db.sqlite")
    with work(engine) as uow:
        consent(uow, range(5))
        uow.commit()
    cache_for(engine).clear()
    counting = Counting()
    with work(engine) as uow:
        uow.store = counting
        consent(uow, range(5, 8), Answer.DISAGREE)  # saved, then rolled back: never committed
    with work(engine) as uow:
        uow.store = counting
        roll = uow.get(Households, STREAM, missing="x")
        assert roll.version == 5 and state(roll) == state(replayed(engine))
    assert counting.read == [5, 5], "both loads had to replay: nothing was kept from the rollback"


OPS = st.lists(st.tuples(st.sampled_from(["a", "b"]), st.integers(1, 4), st.booleans(), st.sampled_from(list(Answer))),
               min_size=1, max_size=12)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=OPS)
def test_any_mix_of_writers_commits_and_rollbacks_loads_as_a_full_replay(tmp_path_factory, ops):
    path = tmp_path_factory.mktemp("cache") / "db.sqlite"
    engines = {"a": engine_at(path), "b": engine_at(path)}  # two processes' worth of caches, one database
    household = 0
    for writer, count, commit, answer in ops:
        with work(engines[writer]) as uow:
            consent(uow, range(household, household + count), answer)
            if commit:
                uow.commit()
                household += count
        for engine in engines.values():
            with work(engine) as uow:
                loaded = uow.find(Households, STREAM)
                expected = replayed(engine)
                assert (loaded is None) == (expected is None)
                if loaded is not None:
                    assert state(loaded) == state(expected)
                uow.commit()
    for engine in engines.values():
        engine.dispose()
