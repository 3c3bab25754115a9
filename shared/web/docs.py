"""API documentation served from vendored assets: Swagger UI at /docs, AsyncAPI at /asyncapi."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from faststream.specification import Specification
from faststream.specification.asyncapi.site import get_asyncapi_html

from shared.web.templates import root_path

SWAGGER_JS = "vendor/swagger-ui/swagger-ui-bundle.js"
SWAGGER_CSS = "vendor/swagger-ui/swagger-ui.css"
ASYNCAPI_JS = "vendor/asyncapi/index.js"
ASYNCAPI_CSS = "vendor/asyncapi/default.min.css"
FAVICON = "favicon.svg"

# FastStream hard-codes asyncapi.com favicons; sites may be offline, so they are swapped for ours.
_EXTERNAL_ICON = re.compile(r"""\s*<link\s+rel="icon"[^>]*href="https?://[^"]*"[^>]*>""")

SpecificationSource = Callable[[], Any]


def specification(source: SpecificationSource) -> Specification:
    """The AsyncAPI document of `source`: a Specification or a factory like `AsyncAPI(broker)`."""
    spec = source()
    return spec.to_specification() if hasattr(spec, "to_specification") else spec


def offline_asyncapi_html(spec: Specification, *, static_root: str) -> str:
    """FastStream's AsyncAPI page, loading its script, style and icon from this site only."""
    html = get_asyncapi_html(
        spec,
        asyncapi_js_url=f"{static_root}/{ASYNCAPI_JS}",
        asyncapi_css_url=f"{static_root}/{ASYNCAPI_CSS}",
        # the try-it-out plugin comes from a CDN and would publish to the live broker
        try_it_out_path=None,
    )
    html = _EXTERNAL_ICON.sub("", html)
    head = (
        '<head>\n        <meta charset="utf-8">\n'
        '        <meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'        <link rel="icon" href="{static_root}/{FAVICON}" type="image/svg+xml">'
    )
    return html.replace("<head>", head, 1)


def install_api_docs(
    app: FastAPI, *, title: str, asyncapi: SpecificationSource | None = None
) -> None:
    """Serve /docs (OpenAPI) and, given a source, /asyncapi and /asyncapi.json, all offline."""
    router = APIRouter(include_in_schema=False)

    if app.openapi_url:

        @router.get("/docs")
        async def swagger_ui(request: Request) -> HTMLResponse:
            static_root = f"{root_path(request)}/static"
            return get_swagger_ui_html(
                openapi_url=f"{root_path(request)}{app.openapi_url}",
                title=f"{title} · OpenAPI",
                swagger_js_url=f"{static_root}/{SWAGGER_JS}",
                swagger_css_url=f"{static_root}/{SWAGGER_CSS}",
                swagger_favicon_url=f"{static_root}/{FAVICON}",
                # the default validator badge calls validator.swagger.io
                swagger_ui_parameters={"validatorUrl": None},
            )

    if asyncapi is not None:

        @router.get("/asyncapi")
        async def asyncapi_ui(request: Request) -> HTMLResponse:
            html = offline_asyncapi_html(
                specification(asyncapi), static_root=f"{root_path(request)}/static"
            )
            return HTMLResponse(html)

        @router.get("/asyncapi.json")
        async def asyncapi_json() -> JSONResponse:
            return JSONResponse(specification(asyncapi).to_jsonable())

    app.include_router(router)
