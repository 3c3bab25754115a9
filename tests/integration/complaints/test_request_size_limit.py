"""Every route, streamed or not, refuses a body over the service's limit before reading it."""

from __future__ import annotations

import asyncio

from shared.upload import RequestSizeLimit

MB = 1024 * 1024


def test_the_residents_form_refuses_a_200_mb_body_on_its_length_and_records_nothing(hotline):
    before = len(hotline.events())
    response = hotline.client.post(
        "/file", content=b"category=noise&text=x", headers={
            "content-type": "application/x-www-form-urlencoded", "content-length": str(200 * MB)})
    assert response.status_code == 413
    assert response.json()["error"] == "upload_too_large"
    assert "48 MB" in response.json()["detail"]
    assert response.headers["connection"] == "close"
    assert len(hotline.events()) == before


def _call(app, headers, chunks):
    pulled: list[int] = []
    sent: list[dict] = []
    queue = list(chunks)

    async def receive():
        pulled.append(1)
        body = queue.pop(0) if queue else b""
        return {"type": "http.request", "body": body, "more_body": bool(queue)}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/x", "headers": headers, "query_string": b""}
    asyncio.run(app(scope, receive, send))
    return pulled, sent


def test_a_declared_length_over_the_limit_is_answered_without_reading_one_chunk():
    async def reader(scope, receive, send):
        raise AssertionError("the body must not reach the route")

    pulled, sent = _call(RequestSizeLimit(reader, max_bytes=MB), [(b"content-length", b"209715200")], [b"x" * 1024])
    assert pulled == []
    assert sent[0]["status"] == 413


def test_a_body_without_a_length_is_cut_off_as_it_passes_the_limit():
    seen = {"bytes": 0}

    async def reader(scope, receive, send):
        while True:
            message = await receive()
            seen["bytes"] += len(message["body"])
            if not message["more_body"]:
                break

    chunks = [b"x" * (256 * 1024)] * 40  # 10 MB sent in chunks, no Content-Length
    try:
        _call(RequestSizeLimit(reader, max_bytes=MB), [(b"transfer-encoding", b"chunked")], chunks)
    except Exception as error:  # noqa: BLE001 - the kernel's error handler turns it into the 413
        assert getattr(error, "status", None) == 413
    else:
        raise AssertionError("a body past the limit was read whole")
    assert seen["bytes"] <= MB
