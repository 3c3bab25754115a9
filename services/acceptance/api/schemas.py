"""Request bodies of acceptance's API: every free text is a checked LineText/FreeText."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.text import FreeText, LineText

Hex64 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PartyCreate(_Body):
    """One party at the initial acceptance and the accounts that sign for it."""

    party: Annotated[LineText, Field(min_length=1, max_length=120)]
    organisation: Annotated[LineText, Field(min_length=1, max_length=100)]
    accounts: list[Annotated[LineText, Field(min_length=1, max_length=64)]] = Field(min_length=1, max_length=10)


class ConveneCreate(_Body):
    """Convene the initial acceptance (初验) with every required party."""

    parties: list[PartyCreate] = Field(min_length=1, max_length=40)


class VerdictCreate(_Body):
    """A party's verdict on the dossier state it saw."""

    party: Annotated[LineText, Field(min_length=1, max_length=120)]
    verdict: Literal["pass", "fail"]
    comments: Annotated[FreeText, Field(max_length=2000)] = ""
    dossier_root: Hex64


class ItemCreate(_Body):
    """A rectification item raised by hand."""

    text: Annotated[FreeText, Field(min_length=2, max_length=500)]


class RecheckCreate(_Body):
    """The re-check of a fixed item."""

    passed: bool
    note: Annotated[FreeText, Field(max_length=1000)] = ""


class VoiceCreate(_Body):
    """One household's voice in the residents' evaluation."""

    household_id: Annotated[LineText, Field(min_length=1, max_length=64)]
    score: int = Field(ge=1, le=5)
    comments: Annotated[FreeText, Field(max_length=1000)] = ""
    channel: Literal["online", "paper_form"] = "online"


class FilingCreate(_Body):
    """备案 with the filing authority."""

    filed_on: date
    filing_no: Annotated[LineText, Field(min_length=1, max_length=60)]
    authority: Annotated[LineText, Field(min_length=1, max_length=100)]


class SettlementCreate(_Body):
    """The final accounts (竣工财务决算)."""

    settled_fen: int = Field(gt=0, le=10**13)
    settled_on: date


class PaymentCreate(_Body):
    """A tranche paid."""

    amount_fen: int = Field(gt=0, le=10**13)
    paid_on: date
    voucher: Annotated[LineText, Field(min_length=1, max_length=60)]
