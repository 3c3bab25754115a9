"""The relay's producer and the broker it is bound to: started, checked on every connection, dropped."""

from __future__ import annotations

import asyncio
import logging

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from shared.broker_identity import BrokerIdentity
from shared.settings import KernelSettings

log = logging.getLogger("renovation.relay")


class BrokerForgot(KafkaError):
    """The broker is not the one that acknowledged the checkpoint: check, then re-send."""


class RelayLink:
    """One acks=all producer, and the broker (cluster id) the relay's checkpoint refers to.

    Every connection the producer opens is checked against that cluster id before use
    (shared/broker_identity.py); a broker that is now another cluster forgot what it
    acknowledged, and nothing more is sent to it before the relay checked it again.
    """

    def __init__(self, *, topic: str, settings: KernelSettings) -> None:
        self.topic = topic
        self.settings = settings
        self.producer: AIOKafkaProducer | None = None
        # The broker the checkpoint refers to, once verified; None means "check first".
        self.cluster_id: str | None = None
        self.forgot = asyncio.Event()
        self._identity = BrokerIdentity(self._verdict)

    async def start(self) -> None:
        """A new producer, its connections checked against the known cluster."""
        self.forgot.clear()
        producer = AIOKafkaProducer(
            bootstrap_servers=self.settings.kafka_bootstrap_servers, client_id=f"{self.topic}:relay",
            acks="all", enable_idempotence=self.settings.producer_idempotence,
            request_timeout_ms=10_000, metadata_max_age_ms=5_000, linger_ms=0)
        self._identity.install(producer.client)
        try:
            await producer.start()
        except BaseException:
            await producer.stop()
            raise
        self.producer = producer

    async def reset(self) -> None:
        """After any failure: drop the producer and what it still holds, and check the broker again."""
        await self.discard()
        self.cluster_id = None

    async def discard(self) -> None:
        """Stop the producer without delivering what it still holds (the store re-sends it)."""
        producer, self.producer = self.producer, None
        if producer is None:
            return
        sender = getattr(producer, "_sender", None)
        task = getattr(sender, "sender_task", None)
        if task is not None and not task.done():
            task.cancel()
        try:
            await asyncio.wait_for(producer.stop(), timeout=5)
        except (TimeoutError, KafkaError, OSError, asyncio.CancelledError) as error:
            log.debug("relay producer stopped uncleanly: %r", error)

    def _verdict(self, cluster: str | None) -> bool:
        if self.cluster_id is None or cluster is None or cluster == self.cluster_id:
            return True
        if not self.forgot.is_set():
            log.warning("relay for %s: the broker is now cluster %s, not %s: it forgot what it "
                        "acknowledged; nothing more is sent to it before the check",
                        self.topic, cluster, self.cluster_id)
        self.forgot.set()
        return False

    async def current_cluster(self) -> str | None:
        """The cluster id of the broker the producer talks to now (BrokerForgot if it changed)."""
        try:
            cluster = await self._identity.current(self.producer.client)
        except KafkaError:
            if self.forgot.is_set():
                raise BrokerForgot("the broker changed since the last acknowledgement") from None
            raise
        if self.forgot.is_set():
            raise BrokerForgot("the broker changed since the last acknowledgement")
        return cluster

    async def acknowledged(self, futures: list) -> list:
        """The broker's acknowledgements of sent records, or BrokerForgot / TimeoutError."""
        gathered = asyncio.ensure_future(asyncio.gather(*futures))
        forgot = asyncio.ensure_future(self.forgot.wait())
        done, _ = await asyncio.wait({gathered, forgot}, timeout=30, return_when=asyncio.FIRST_COMPLETED)
        forgot.cancel()
        if gathered in done:
            return gathered.result()
        gathered.cancel()
        if self.forgot.is_set():
            raise BrokerForgot("the broker changed while a batch was on its way")
        raise TimeoutError("the broker did not acknowledge within 30 s")
