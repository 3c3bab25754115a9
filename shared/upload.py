"""Streamed multipart uploads: refused early, spooled to temporary files with a running SHA-256."""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import ClientDisconnect, Request

from shared.errors import RenovationError


class UploadTooLarge(RenovationError):
    """The request or one of its files is over the limit (answered before reading further)."""

    status = 413
    code = "upload_too_large"


class UploadMalformed(RenovationError):
    """Not a multipart form this endpoint can read."""

    status = 400
    code = "upload_malformed"


@dataclass(frozen=True)
class UploadLimits:
    """How much one request may send: per file, files per request, all of it, each text field."""

    max_file_bytes: int
    max_files: int = 20
    max_total_bytes: int | None = None
    max_field_bytes: int = 16 * 1024

    @property
    def total(self) -> int:
        """The whole body's limit (files, fields and multipart framing)."""
        return self.max_total_bytes or self.max_file_bytes * self.max_files + 1024 * 1024


@dataclass
class ReceivedFile:
    """One file part, on disk: where, how big, its SHA-256 (computed while it streamed in)."""

    field: str
    filename: str
    content_type: str | None
    path: Path
    size: int
    sha256: str

    def read_bytes(self) -> bytes:
        """The file's bytes (read it when you need them, one file at a time)."""
        return self.path.read_bytes()


@dataclass
class ReceivedForm:
    """The files and text fields of one request; the temporary files go when it is closed."""

    files: list[ReceivedFile] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)

    def close(self) -> None:
        """Delete the temporary files."""
        for received in self.files:
            received.path.unlink(missing_ok=True)

    def __enter__(self) -> ReceivedForm:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()


def refuse_early(request: Request, limits: UploadLimits) -> None:
    """Refuse on the headers alone: not multipart, or a Content-Length over the limit."""
    kind, _ = parse_options_header(request.headers.get("content-type", ""))
    if kind != b"multipart/form-data":
        raise UploadMalformed("请以 multipart/form-data 表单上传文件", code="upload_not_multipart")
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > limits.total:
        raise UploadTooLarge(f"上传内容共 {int(length) / 1048576:.0f} MB，超过本次上传 "
                             f"{limits.total / 1048576:.0f} MB 的上限", details={"limit": limits.total})


async def receive_form(request: Request, limits: UploadLimits, *, directory: Path | None = None) -> ReceivedForm:
    """Read a multipart body chunk by chunk into temporary files; memory stays at a chunk or two.

    Call it only after authentication and every check that needs no body (the target
    exists): until then the body is not read, and a refusal closes the connection.
    """
    refuse_early(request, limits)
    _, options = parse_options_header(request.headers["content-type"])
    boundary = options.get(b"boundary")
    if not boundary:
        raise UploadMalformed("表单缺少 boundary", code="upload_malformed")
    if directory is not None:
        os.makedirs(directory, mode=0o700, exist_ok=True)
    sink = _Sink(limits, directory)
    parser = MultipartParser(boundary, sink.callbacks())
    received = 0
    try:
        async for chunk in request.stream():
            received += len(chunk)
            if received > limits.total:
                raise UploadTooLarge(f"上传内容超过 {limits.total / 1048576:.0f} MB 的上限",
                                     details={"limit": limits.total})
            parser.write(chunk)
            sink.raise_pending()
        parser.finalize()
        sink.raise_pending()
    except ClientDisconnect:
        sink.abort()
        raise UploadMalformed("上传中断：客户端断开了连接", code="upload_interrupted") from None
    except MultipartParseError as error:
        sink.abort()
        raise UploadMalformed(f"无法读取上传的表单：{error}", code="upload_malformed") from None
    except BaseException:
        sink.abort()
        raise
    if sink.current is not None:
        sink.abort()
        raise UploadMalformed("表单不完整", code="upload_malformed")
    return sink.form


class _Sink:
    """Receives the parser's callbacks: headers of a part, then its data, to a file or a field."""

    def __init__(self, limits: UploadLimits, directory: Path | None) -> None:
        self.limits, self.directory = limits, directory
        self.form = ReceivedForm()
        self.error: RenovationError | None = None
        self.current: dict | None = None
        self._header_field = b""
        self._header_value = b""
        self._headers: dict[bytes, bytes] = {}

    def callbacks(self) -> dict:
        return {"on_part_begin": self._begin, "on_header_field": self._field_name,
                "on_header_value": self._field_value, "on_header_end": self._header_end,
                "on_headers_finished": self._headers_done, "on_part_data": self._data,
                "on_part_end": self._end}

    def raise_pending(self) -> None:
        if self.error is not None:
            raise self.error

    def abort(self) -> None:
        if self.current is not None and self.current.get("file") is not None:
            self.current["file"].close()
            Path(self.current["file"].name).unlink(missing_ok=True)
        self.current = None
        self.form.close()

    def _begin(self) -> None:
        self._headers, self._header_field, self._header_value = {}, b"", b""

    def _field_name(self, data: bytes, start: int, end: int) -> None:
        self._header_field += data[start:end]

    def _field_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _header_end(self) -> None:
        self._headers[self._header_field.strip().lower()] = self._header_value.strip()
        self._header_field, self._header_value = b"", b""

    def _headers_done(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        name = options.get(b"name", b"").decode("utf-8", "replace")
        filename = options.get(b"filename")
        if filename is None:
            self.current = {"name": name, "text": bytearray(), "file": None}
            return
        if len(self.form.files) >= self.limits.max_files:
            self.error = UploadTooLarge(f"一次最多上传 {self.limits.max_files} 个文件", code="upload_too_many_files")
            self.current = {"name": name, "text": None, "file": None}
            return
        spool: IO[bytes] = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed in _end or abort
            prefix="upload-", dir=self.directory, delete=False)
        os.chmod(spool.name, 0o600)
        content_type = self._headers.get(b"content-type")
        self.current = {"name": name, "text": None, "file": spool, "size": 0, "hash": hashlib.sha256(),
                        "filename": _safe_name(filename.decode("utf-8", "replace")),
                        "content_type": content_type.decode("latin-1") if content_type else None}

    def _data(self, data: bytes, start: int, end: int) -> None:
        part = self.current
        if part is None or self.error is not None:
            return
        piece = data[start:end]
        if part["file"] is not None:
            part["size"] += len(piece)
            if part["size"] > self.limits.max_file_bytes:
                self.error = UploadTooLarge(
                    f"文件“{part['filename']}”超过 {self.limits.max_file_bytes / 1048576:.0f} MB 的上限",
                    code="upload_too_large", details={"limit": self.limits.max_file_bytes})
                return
            part["hash"].update(piece)
            part["file"].write(piece)
        elif part["text"] is not None:
            part["text"] += piece
            if len(part["text"]) > self.limits.max_field_bytes:
                self.error = UploadTooLarge(f"表单字段“{part['name']}”过长", code="upload_field_too_large")

    def _end(self) -> None:
        part, self.current = self.current, None
        if part is None:
            return
        if part["file"] is not None:
            part["file"].close()
            self.form.files.append(ReceivedFile(
                field=part["name"], filename=part["filename"], content_type=part["content_type"],
                path=Path(part["file"].name), size=part["size"], sha256=part["hash"].hexdigest()))
        elif part["text"] is not None:
            self.form.fields[part["name"]] = part["text"].decode("utf-8", "replace")


def _safe_name(filename: str) -> str:
    return (filename.replace("\\", "/").rsplit("/", 1)[-1] or "upload")[:200]


class CloseUnreadBody:
    """ASGI middleware: an answer given before the request body was read closes the connection.

    A refusal (401, 403, 404, 413) must not make the server swallow the rest of a large
    body to keep the connection alive: the client stops sending when the socket closes.
    """

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or not _has_body(scope):
            await self.app(scope, receive, send)
            return
        finished = False

        async def counting_receive():
            nonlocal finished
            message = await receive()
            if message["type"] != "http.request" or not message.get("more_body", False):
                finished = True
            return message

        async def closing_send(message) -> None:
            if message["type"] == "http.response.start" and not finished:
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"connection"]
                message = {**message, "headers": [*headers, (b"connection", b"close")]}
            await send(message)

        await self.app(scope, counting_receive, closing_send)


def _has_body(scope) -> bool:
    headers = dict(scope.get("headers") or [])
    length = headers.get(b"content-length")
    return (length is not None and length.strip() not in (b"", b"0")) or b"chunked" in headers.get(
        b"transfer-encoding", b"").lower()


class RequestSizeLimit:
    """ASGI middleware: a body over the service's limit is refused on its Content-Length, unread.

    Every route is covered, whether it streams (construction's evidence) or lets Starlette parse
    the form (pages, complaints, acceptance): a declared length over the limit is answered 413
    before one byte of the body is read, and a body sent without a length is cut off with a 413
    the moment it passes the limit.
    """

    def __init__(self, app, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None:
            try:
                length = int(declared)
            except ValueError:
                await self._refuse(scope, receive, send, UploadMalformed("请求头 Content-Length 不是数字"))
                return
            if length > self.max_bytes:
                await self._refuse(scope, receive, send, self._too_large(length))
                return
        received = 0

        async def limited_receive():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise self._too_large(received)
            return message

        await self.app(scope, limited_receive, send)

    def _too_large(self, size: int) -> UploadTooLarge:
        return UploadTooLarge(
            f"请求太大（{size / 1048576:.1f} MB），本服务一次最多接收 {self.max_bytes / 1048576:.0f} MB",
            details={"limit_bytes": self.max_bytes})

    @staticmethod
    async def _refuse(scope, receive, send, error: RenovationError) -> None:
        from starlette.responses import JSONResponse

        response = JSONResponse(error.to_dict(), status_code=error.status, headers={"Connection": "close"})
        await response(scope, receive, send)
