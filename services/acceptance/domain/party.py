"""The parties of the joint acceptance (`002` 三(五)) and who may sign for each of them.

The construction unit convenes; the street office, the residents' committee, the owners'
committee (or owner representatives), the designer, the contractor, the supervision engineer
and every pipeline unit of the works accept. Each party is represented by named accounts of
its own role: the convener names them, and nobody else may sign for the party.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from shared.errors import Forbidden, InvalidCommand

# party key → (role of the accounts that may sign for it, zh-CN name)
BASE_PARTIES: dict[str, tuple[str, str]] = {
    "street_office": ("street_office", "街道办事处"),
    "residents_committee": ("community", "社区居委会"),
    "owners_committee": ("owners_committee", "业主委员会（业主代表）"),
    "designer": ("designer", "设计单位"),
    "contractor": ("contractor", "施工单位"),
    "supervision": ("supervision_engineer", "监理单位"),
}
PIPELINE_PREFIX = "pipeline:"


def party_role(key: str) -> str:
    """The account role that represents a party."""
    if key.startswith(PIPELINE_PREFIX):
        return "pipeline_unit"
    return BASE_PARTIES[key][0]


def party_label(key: str) -> str:
    """The zh-CN name of a party."""
    if key.startswith(PIPELINE_PREFIX):
        return f"管线单位（{key[len(PIPELINE_PREFIX):]}）"
    return BASE_PARTIES.get(key, (None, key))[1]


def required_parties(pipeline_units: list[str]) -> list[str]:
    """Every party the acceptance needs: the six, plus one per pipeline unit of the works."""
    return [*BASE_PARTIES, *(f"{PIPELINE_PREFIX}{unit}" for unit in pipeline_units)]


class Representative(BaseModel):
    """A party at the acceptance: its organisation's name and the accounts signing for it."""

    model_config = ConfigDict(frozen=True)

    party: str
    organisation: str = Field(min_length=1, max_length=100)
    accounts: tuple[str, ...] = Field(min_length=1)


def check_roll(roll: list[Representative], required: list[str]) -> None:
    """Refuse a roll that misses a required party or names a party nobody requires."""
    named = {r.party for r in roll}
    missing = [key for key in required if key not in named]
    unknown = sorted(named - set(required))
    if missing:
        raise InvalidCommand(f"初验须有全部参建各方，缺少：{'、'.join(party_label(k) for k in missing)}",
                             code="parties_missing", details={"missing": missing})
    if unknown:
        raise InvalidCommand(f"这些单位不是本项目的验收方：{'、'.join(unknown)}", code="party_unknown",
                             details={"unknown": unknown})
    if len(named) != len(roll):
        raise InvalidCommand("同一验收方只能登记一次", code="party_twice")


def check_signer(roll: dict[str, Representative], party: str, *, account: str, role: str) -> None:
    """Refuse an account that does not represent `party` on this acceptance."""
    rep = roll.get(party)
    if rep is None:
        raise InvalidCommand(f"“{party}”不是本次验收的参加方", code="party_unknown")
    if role != party_role(party) or account not in rep.accounts:
        raise Forbidden(f"账号“{account}”不是{party_label(party)}（{rep.organisation}）在本次验收中的代表，"
                        "不能代其签署", code="not_party_representative", details={"party": party})
