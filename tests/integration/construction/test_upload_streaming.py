"""Evidence uploads on a real server: refused before the body is read, memory bounded while streaming."""

from __future__ import annotations

import os
import socket
import threading
import time

import httpx
import pytest
import uvicorn

from shared.embedded import free_port

from .conftest import start

MB = 1024 * 1024
BOUNDARY = "renovation-test-boundary"


@pytest.fixture
def served(tmp_path, sqlite_url):
    """Construction under uvicorn in this process (so its RSS is this process's), one hidden work declared."""
    site = start(tmp_path, sqlite_url)
    site.ready()
    site.hidden_work = site.declare()
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(site.app, host="127.0.0.1", port=port, lifespan="off",
                                          log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    site.url, site.port = f"http://127.0.0.1:{port}", port
    yield site
    server.should_exit = True
    thread.join(10)
    site.service.engine.dispose()


def send_until_refused(port: int, path: str, headers: dict[str, str], total: int) -> tuple[int, bytes]:
    """Send a `total`-byte body in 64 KB pieces until the server answers or closes; bytes sent, answer."""
    sock = socket.create_connection(("127.0.0.1", port))
    sock.settimeout(10)
    head = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", f"Content-Length: {total}",
            f"Content-Type: multipart/form-data; boundary={BOUNDARY}", *[f"{k}: {v}" for k, v in headers.items()]]
    sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
    piece, sent = b"\0" * 65536, 0
    sock.setblocking(False)
    try:
        while sent < total:
            try:
                sent += sock.send(piece[: total - sent])
            except BlockingIOError:
                time.sleep(0.01)  # the server is not reading: has it answered?
                try:
                    if sock.recv(1, socket.MSG_PEEK):
                        break
                except BlockingIOError:
                    continue
            except (BrokenPipeError, ConnectionResetError):
                break
        sock.setblocking(True)
        answer = b""
        try:
            while chunk := sock.recv(65536):
                answer += chunk
        except (ConnectionResetError, TimeoutError):
            pass
    finally:
        sock.close()
    return sent, answer


# 150 MB is within the 160 MB request limit, so the route's own checks (login, then the hidden
# work) are what refuse it; 200 MB is over it and refused by the kernel on its length alone.
@pytest.mark.parametrize("who, target, size_mb, status", [
    ("nobody", "known", 150, b"401"), ("con", "unknown", 150, b"404"), ("con", "known", 200, b"413"),
    ("nobody", "known", 200, b"413")])
def test_a_large_upload_is_refused_before_its_body_is_read(served, who, target, size_mb, status):
    headers = {} if who == "nobody" else served.as_(who)
    hidden_work = served.hidden_work if target == "known" else "no-such-hidden-work"
    sent, answer = send_until_refused(served.port, f"/api/hidden-works/{hidden_work}/evidence", headers,
                                      size_mb * MB)
    assert answer.split(b" ", 2)[1] == status, answer[:300]
    # Socket buffers on both sides take a few MB; the server read none of the rest.
    assert sent < 24 * MB, f"{sent / MB:.0f} MB of {size_mb} MB were sent before the refusal"


def multipart(files: int, size: int):
    """A multipart body of `files` files of `size` bytes each, generated piece by piece."""
    block = os.urandom(MB)
    for index in range(files):
        yield (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"big{index}.jpg\"\r\n"
               "Content-Type: image/jpeg\r\n\r\n").encode()
        for _ in range(size // MB):
            yield block
        yield b"\r\n"
    yield f"--{BOUNDARY}--\r\n".encode()


def peak_rss_reset() -> None:
    with open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")  # resets VmHWM, the peak resident set size


def peak_rss() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmHWM")


def current_rss() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def test_memory_stays_bounded_while_several_large_files_stream_in(served):
    files, size = 5, 30 * MB  # 150 MB: under the request limit (160 MB), so all of it is read
    headers = {**served.as_("con"), "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
    before = current_rss()
    peak_rss_reset()
    response = httpx.post(f"{served.url}/api/hidden-works/{served.hidden_work}/evidence",
                          content=multipart(files, size), headers=headers, timeout=120)
    grown = peak_rss() - before
    # Not pictures: refused, but only after all of it arrived and the first file was examined.
    assert response.status_code == 422, response.text
    assert response.json()["error"] == "evidence_unsupported"
    assert grown < files * size / 2, f"the service grew by {grown / MB:.0f} MB for {files * size / MB:.0f} MB sent"
    assert not list((served.tmp / "uploads").glob("upload-*")), "temporary files are left behind"


def test_a_malformed_form_is_refused_with_a_reason_not_a_server_error(served):
    headers = {**served.as_("con"), "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
    url = f"{served.url}/api/hidden-works/{served.hidden_work}/evidence"
    garbage = httpx.post(url, content=b"\0" * 100_000, headers=headers)
    assert garbage.status_code == 400 and garbage.json()["error"] == "upload_malformed", garbage.text
    not_multipart = httpx.post(url, json={"files": []}, headers=served.as_("con"))
    assert not_multipart.status_code == 400 and "multipart" in not_multipart.json()["detail"]
    assert not list((served.tmp / "uploads").glob("upload-*"))
