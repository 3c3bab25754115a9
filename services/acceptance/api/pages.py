"""Acceptance's pages (zh-CN, phone first): the supervisor's view, the convener's page, signing, the evaluation."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from services.acceptance.adapters import queries
from services.acceptance.adapters.community import list_community_rolls
from services.acceptance.api.deps import CtxDep, PartyRep, Viewer, Voter
from services.acceptance.application.view import STAGE_ZH, project_view, yuan
from services.acceptance.domain.party import party_label, required_parties
from shared.actor import Actor
from shared.auth import OptionalActor
from shared.service import ServiceDep

router = APIRouter(include_in_schema=False)


def render(request: Request, name: str, context: dict, status_code: int = 200) -> HTMLResponse:
    """Render an acceptance page in the shell."""
    return request.app.state.templates.render(request, f"acceptance/{name}", context | {"yuan": yuan},
                                              status_code=status_code)


def _messages(error: str | None, done: str | None) -> dict:
    return {"errors": [error] if error else [], "done": done}


def supervision(conn, today: date, payment_days: int) -> dict:
    """The supervisor's lists: acceptances under way, late filings, tranches due."""
    files = queries.files(conn)
    missing = queries.parties_missing(conn)
    waiting = [f | {"stage_label": STAGE_ZH[f["stage"]], "parties_missing": missing.get(f["project_id"], "")}
               for f in files if f["stage"] != "filed"]
    late = [f | {"days_late": (today - date.fromisoformat(f["filing_due_on"])).days} for f in files
            if f["stage"] == "accepted" and f["filing_due_on"] < today.isoformat()]
    names = {f["project_id"]: f["community_name"] for f in files}
    due = [t | {"community_name": names.get(t["project_id"], t["project_id"]),
                "overdue": (today - date.fromisoformat(t["due_on"])).days > payment_days}
           for t in queries.tranches(conn) if t["due_on"] and not t["paid_on"]]
    return {"waiting": waiting, "late": late, "due": due, "due_fen": sum(t["amount_fen"] for t in due)}


@router.get("/", response_class=HTMLResponse)
def home(request: Request, service: ServiceDep, ctx: CtxDep, actor: OptionalActor) -> HTMLResponse:
    """The supervisor's view: acceptances waiting, late filings, money due; the communities known."""
    with service.engine.connect() as conn:
        context = supervision(conn, ctx.today(), ctx.settings.tranche_payment_days)
        context["communities"] = list_community_rolls(conn)
    return render(request, "home.html", context | {"role": actor.role if actor else None})


@router.get("/projects/{project_id}", response_class=HTMLResponse)
def project_page(project_id: str, request: Request, service: ServiceDep, ctx: CtxDep, actor: Viewer,
                 error: str | None = None, done: str | None = None) -> HTMLResponse:
    """The convening unit's page: preconditions, party roll, checklist, items, residents, money, filing, archive."""
    with service.engine.connect() as conn:
        view = project_view(conn, project_id, today=ctx.today(), payment_days=ctx.settings.tranche_payment_days)
    file = view["file"]
    proposed = _proposed_roll(file)
    for check in view["checks"]:  # short-lived links: the photos show people's homes
        for photo in check["evidence"]:
            photo["view_url"] = ctx.store.url(photo["key"], media_type=photo["media_type"] or "image/jpeg")
    return render(request, "project.html", {"v": view, "f": file, "role": actor.role, "proposed": proposed,
                                            "today": ctx.today().isoformat(), "page_title": file["community_name"],
                                            **_messages(error, done)})


def _proposed_roll(file: dict) -> list[dict]:
    """The roll the convener starts from: names from intake's plan and construction's parties."""
    names = {"street_office": file["plan_parties"].get("street_office", file["street_office"]),
             "residents_committee": file["plan_parties"].get("residents_committee", ""),
             "owners_committee": file["plan_parties"].get("owners_committee", ""),
             "designer": file["designer"] or file["plan_parties"].get("designer", ""),
             "contractor": file["contractor"] or "", "supervision": file["supervision_unit"] or ""}
    accounts = file["party_accounts"]
    known = {"contractor": accounts.get("contractor", []), "supervision": accounts.get("supervision_engineer", []),
             "designer": accounts.get("designer", [])}
    return [{"party": key, "label": party_label(key),
             "organisation": names.get(key) or key.removeprefix("pipeline:"),
             "accounts": ",".join(known.get(key, accounts.get("pipeline_unit", [])
                                            if key.startswith("pipeline:") else []))}
            for key in required_parties(file["pipeline_units"])]


@router.get("/projects/{project_id}/sign", response_class=HTMLResponse)
def sign_page(project_id: str, request: Request, service: ServiceDep, ctx: CtxDep, actor: PartyRep,
              error: str | None = None, done: str | None = None) -> HTMLResponse:
    """A party's signing page on a phone: what the dossier holds now, its root, the verdict."""
    with service.engine.connect() as conn:
        view = project_view(conn, project_id, today=ctx.today(), payment_days=ctx.settings.tranche_payment_days)
    mine = [p for p in view["parties"] if actor.id in p["accounts"]]
    title = f"签署 · {view['file']['community_name']}"
    return render(request, "sign.html", {"v": view, "mine": mine, "page_title": title, **_messages(error, done)})


@router.get("/projects/{project_id}/evaluation", response_class=HTMLResponse)
def evaluation_page(project_id: str, request: Request, service: ServiceDep, ctx: CtxDep, actor: Voter,
                    error: str | None = None, done: str | None = None) -> HTMLResponse:
    """The residents' evaluation: a resident scores their household; staff enter paper forms."""
    with service.engine.connect() as conn:
        view = project_view(conn, project_id, today=ctx.today(), payment_days=ctx.settings.tranche_payment_days)
        linked = queries.linked_households(conn, view["file"]["community_id"], actor.id)
    evaluation = view["evaluation"]
    voted = set(evaluation["voted"]) if evaluation else set()
    return render(request, "evaluation.html", {
        "v": view, "e": evaluation, "role": actor.role, "mine": [h for h in linked if h not in voted],
        "mine_done": [h for h in linked if h in voted],
        "open_households": [h for h in (evaluation["households"] if evaluation else []) if h not in voted],
        "page_title": f"民意验收 · {view['file']['community_name']}", **_messages(error, done)})


def actor_role(actor: Actor | None) -> str | None:
    """The role of whoever looks, if anyone."""
    return actor.role if actor else None
