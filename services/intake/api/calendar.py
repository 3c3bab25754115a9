"""The working-day calendar: which years are official, and an official loading a year (API and page)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Request, UploadFile, status
from fastapi.responses import HTMLResponse
from pydantic import BaseModel

from services.intake.api.deps import IntakeDep, Official, work
from services.intake.api.forms import back
from services.intake.application.calendar_year import MAX_FILE_BYTES, load_calendar_year
from shared.auth import CurrentActor
from shared.calendar.sync import loaded_years
from shared.errors import RenovationError
from shared.service import ServiceDep

router = APIRouter(tags=["calendar 工作日历"])


class YearLoaded(BaseModel):
    """What was recorded: the year, the notice it comes from and the file's SHA-256."""

    year: int
    source: str
    sha256: str


def calendar_state(service, intake) -> dict[str, Any]:
    """The official years, the years loaded by event, and whether this year and the next are provisional."""
    today = intake.today()
    with service.engine.connect() as conn:
        loaded = loaded_years(conn)
    official = intake.calendar.official_years()
    return {"official_years": official, "loaded": loaded,
            "provisional_years": [y for y in (today.year, today.year + 1) if not intake.calendar.is_official(y)]}


@router.get("/api/calendar", summary="工作日历 Official and provisional years")
def get_calendar(_: CurrentActor, service: ServiceDep, intake: IntakeDep) -> dict[str, Any]:
    """Which years have their official schedule; this year and the next if only provisional."""
    return calendar_state(service, intake)


@router.post("/api/calendar/years", status_code=status.HTTP_201_CREATED, response_model=YearLoaded,
             summary="载入年度节假日安排 Load a year's official schedule",
             openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": {
                 "type": "object", "description": "The schedule file `<year>.json` as it is (see README)."}}}}})
async def post_year(request: Request, actor: Official, service: ServiceDep) -> YearLoaded:
    """Record the year's schedule (the body is the file); every service recomputes its provisional dates."""
    raw = await _body(request)
    schedule = load_calendar_year(work(service, actor, request), raw=raw,
                                  filename=request.headers.get("x-filename", "request body"))
    return YearLoaded(year=schedule.year, source=schedule.source, sha256=schedule.sha256)


async def _body(request: Request) -> bytes:
    # Read no more than one byte past the limit: the handler then refuses the file by its size.
    chunks, size = [], 0
    async for chunk in request.stream():
        chunks.append(chunk[: MAX_FILE_BYTES + 1 - size])
        size += len(chunks[-1])
        if size > MAX_FILE_BYTES:
            break
    return b"".join(chunks)


@router.get("/calendar", response_class=HTMLResponse, include_in_schema=False)
def calendar_page(request: Request, service: ServiceDep, intake: IntakeDep, actor: CurrentActor,
                  errors: list[str] | None = None) -> HTMLResponse:
    """The calendar page: official years, loads with their hashes, and the upload form for officials."""
    context = calendar_state(service, intake) | {
        "page_title": "工作日历", "errors": errors or [], "done": request.query_params.get("done"),
        "can_load": actor.role == "official"}
    return request.app.state.templates.render(request, "intake/calendar.html", context,
                                              status_code=422 if errors else 200)


@router.post("/calendar", response_class=HTMLResponse, include_in_schema=False)
async def calendar_upload(request: Request, service: ServiceDep, intake: IntakeDep, actor: Official,
                          file: Annotated[UploadFile, File()]) -> HTMLResponse:
    """An official uploads the year's schedule file."""
    raw = await file.read(MAX_FILE_BYTES + 1)
    try:
        load_calendar_year(work(service, actor, request), raw=raw, filename=file.filename or "upload.json")
    except RenovationError as error:
        return calendar_page(request, service, intake, actor, errors=[error.message])
    return back("/calendar", "loaded")
