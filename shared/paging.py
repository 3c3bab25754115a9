"""Lists that grow: one page of a read-model query, with a bounded size, name search and a sort key."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Annotated, Generic, TypeVar
from urllib.parse import quote, urlencode

import sqlalchemy as sa
from fastapi import Depends, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.engine import Connection
from sqlalchemy.sql import ColumnElement, Select

from shared.errors import InvalidCommand
from shared.text import LineText

# Every list answers at most this many rows, whatever the client asks: a page stays short
# however large the register grows.
MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
MAX_PAGE = 100_000

T = TypeVar("T")
_URL_SAFE = "/:?&=%#+,;@!$'()*[]~"


class PageRequest(BaseModel):
    """Which page of a list, how long, what to search for and how to sort ('-key' = descending)."""

    model_config = ConfigDict(frozen=True)

    page: int = Field(1, ge=1, le=MAX_PAGE)
    size: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)
    q: Annotated[LineText, Field(max_length=100)] | None = None
    sort: str | None = Field(None, max_length=40, pattern=r"^-?[a-z_]+$")

    @property
    def offset(self) -> int:
        """Rows skipped before this page."""
        return (self.page - 1) * self.size

    def link(self, filters: Mapping[str, object] | None = None, **changes: object) -> str:
        """This request's query string with the list's `filters` and `changes` (pagers, sort links)."""
        values = {**self.model_dump(), **(filters or {}), **changes}
        return "?" + urlencode({k: v for k, v in values.items() if v not in (None, "")})


def page_request(
    page: Annotated[int, Query(ge=1, le=MAX_PAGE, description="页码 Page number, from 1")] = 1,
    size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="每页条数 Rows per page")] = DEFAULT_PAGE_SIZE,
    q: Annotated[str | None, Query(max_length=100, description="按名称搜索 Search by name")] = None,
    sort: Annotated[str | None, Query(max_length=40, pattern=r"^-?[a-z_]+$",
                                      description="排序 Sort key, '-' for descending")] = None,
) -> PageRequest:
    """The page request of a list endpoint, from its query string (FastAPI dependency)."""
    return PageRequest(page=page, size=size, q=(q or "").strip() or None, sort=sort or None)


PageQuery = Annotated[PageRequest, Depends(page_request)]


class Page(BaseModel, Generic[T]):
    """One page of a list: its rows, how many there are in all, and where this page is."""

    items: list[T]
    total: int
    page: int
    size: int
    pages: int
    sort: str


def like(text: str) -> str:
    """A LIKE pattern that finds `text` anywhere, its wildcards taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def order_by(request: PageRequest, sortable: Mapping[str, ColumnElement | tuple[ColumnElement, ...]],
             default: str) -> tuple[str, list]:
    """The sort key in force and its ORDER BY clauses; an unknown key is refused with the known ones."""
    key = request.sort or default
    name = key.removeprefix("-")
    if name not in sortable:
        known = "、".join(sorted(sortable))
        raise InvalidCommand(f"无法按“{name}”排序，可用的排序字段：{known}", code="sort_unknown",
                             details={"sort": key, "allowed": sorted(sortable)})
    # A key may name several columns (e.g. "attention": open tasks, then stops); they sort the same way.
    columns = sortable[name] if isinstance(sortable[name], tuple) else (sortable[name],)
    return key, [column.desc() if key.startswith("-") else column.asc() for column in columns]


def paginate(
    conn: Connection, query: Select, request: PageRequest, *,
    sortable: Mapping[str, ColumnElement | tuple[ColumnElement, ...]],
    default_sort: str, search: Sequence[ColumnElement] = (), tiebreak: ColumnElement | None = None,
) -> Page[dict]:
    """Run one page of `query`: search `q` in the `search` columns, sort, count, LIMIT/OFFSET."""
    if request.q and search:
        pattern = like(request.q)
        query = query.where(sa.or_(*[column.like(pattern, escape="\\") for column in search]))
    # Counting needs only the rows, not the columns (some are per-row subqueries).
    counted = query.with_only_columns(sa.literal_column("1"), maintain_column_froms=True).order_by(None)
    total = conn.execute(sa.select(sa.func.count()).select_from(counted.subquery())).scalar_one()
    key, clauses = order_by(request, sortable, default_sort)
    if tiebreak is not None:
        clauses.append(tiebreak)
    rows = conn.execute(query.order_by(None).order_by(*clauses).limit(request.size).offset(request.offset))
    return Page[dict](items=[dict(row._mapping) for row in rows], total=total, page=request.page,
                      size=request.size, pages=max(1, math.ceil(total / request.size)), sort=key)


def answer(page: Page[dict], request: Request, response: Response) -> list[dict]:
    """A list endpoint's body (this page's rows) with X-Total-Count, X-Page(-Size) and RFC 8288 links."""
    response.headers["X-Total-Count"] = str(page.total)
    response.headers["X-Page"] = str(page.page)
    response.headers["X-Page-Size"] = str(page.size)
    response.headers["X-Sort"] = page.sort
    links = {"first": 1, "last": page.pages}
    if page.page > 1:
        links["prev"] = min(page.page - 1, page.pages)
    if page.page < page.pages:
        links["next"] = page.page + 1
    # Percent-encoded: a header is Latin-1, and a path may hold any character (an id in Chinese).
    response.headers["Link"] = ", ".join(
        f'<{quote(str(request.url.include_query_params(page=n)), safe=_URL_SAFE)}>; rel="{rel}"'
        for rel, n in links.items())
    return page.items
