"""Dead letters: list them with the reason each failed, re-apply them through the idempotent consumer."""

from __future__ import annotations

import logging
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from shared.actor import Actor, Role
from shared.auth import require_roles
from shared.consumer import IdempotentConsumer, PoisonMessage
from shared.errors import InvalidCommand, NotFound
from shared.schema import dead_letter

log = logging.getLogger("renovation.dlq")

Reader = Annotated[Actor, Depends(require_roles(Role.ADMIN, Role.AUDITOR))]
Replayer = Annotated[Actor, Depends(require_roles(Role.ADMIN))]


def listed(consumer: IdempotentConsumer) -> list[dict[str, Any]]:
    """Every dead letter of this consumer, oldest first, with why it failed."""
    with consumer.engine.connect() as conn:
        rows = conn.execute(sa.select(dead_letter).where(dead_letter.c.consumer == consumer.name)
                            .order_by(dead_letter.c.id)).all()
    return [{"id": r.id, "event_id": r.event_id, "event_type": _event_type(r.body), "topic": r.topic,
             "partition": r.partition, "offset": r.offset, "attempts": r.attempts, "error": r.error,
             "created_at": r.created_at} for r in rows]


def replay(consumer: IdempotentConsumer, dead_letter_id: int) -> str:
    """Re-apply one dead letter: 'applied', or 'duplicate' if applied meanwhile; a failure commits nothing."""
    with consumer.engine.connect() as conn:
        row = conn.execute(sa.select(dead_letter).where(
            dead_letter.c.id == dead_letter_id, dead_letter.c.consumer == consumer.name)).first()
    if row is None:
        raise NotFound(f"死信 {dead_letter_id} 不存在（可能已重放）", code="dead_letter_not_found")
    try:
        envelope = consumer._parse(row.body.encode("utf-8"))
    except PoisonMessage as error:
        raise InvalidCommand(f"死信 {dead_letter_id} 不是事件，无法重放：{error}",
                             code="dead_letter_unparseable") from None
    try:
        outcome = consumer.apply(envelope, replaying=row.id)
    except Exception as error:  # noqa: BLE001 - the reason goes back to the operator; nothing committed
        raise InvalidCommand(f"重放死信 {dead_letter_id} 仍然失败：{error.__class__.__name__}: {error}",
                             code="dead_letter_still_failing") from None
    if outcome == "duplicate":  # applied some other way meanwhile: the letter is settled
        with consumer.engine.begin() as conn:
            conn.execute(dead_letter.delete().where(dead_letter.c.id == row.id))
    log.warning("%s: dead letter %d (%s) replayed: %s", consumer.name, row.id, envelope.event_id, outcome)
    return outcome


def dead_letter_router() -> APIRouter:
    """GET /dlq (admin, auditor); POST /dlq/{id}/replay and /dlq/replay-all (admin)."""
    router = APIRouter(tags=["operations"])

    @router.get("/dlq", summary="死信列表 Dead letters with their reasons")
    def get_dead_letters(request: Request, _: Reader) -> list[dict[str, Any]]:
        return listed(request.app.state.service.consumer)

    @router.post("/dlq/{dead_letter_id}/replay", summary="重放死信 Re-apply one dead letter")
    async def post_replay(dead_letter_id: int, request: Request, _: Replayer) -> dict[str, Any]:
        consumer = request.app.state.service.consumer
        return {"id": dead_letter_id, "outcome": await run_in_threadpool(replay, consumer, dead_letter_id)}

    @router.post("/dlq/replay-all", summary="重放全部死信 Re-apply every dead letter")
    async def post_replay_all(request: Request, _: Replayer) -> list[dict[str, Any]]:
        consumer = request.app.state.service.consumer
        results = []
        for letter in await run_in_threadpool(listed, consumer):
            try:
                outcome = await run_in_threadpool(replay, consumer, letter["id"])
                results.append({"id": letter["id"], "outcome": outcome})
            except (InvalidCommand, NotFound) as error:
                results.append({"id": letter["id"], "outcome": "failed", "error": error.message})
        return results

    return router


def _event_type(body: str) -> str | None:
    import json

    try:
        value = json.loads(body)
    except ValueError:
        return None
    return value.get("event_type") if isinstance(value, dict) else None
