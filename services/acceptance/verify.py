"""Check an archive bundle offline, and against the live stores: `python -m services.acceptance.verify`.

    python -m services.acceptance.verify archive-p1.json --root <hex>
    python -m services.acceptance.verify archive-p1.json --live http://127.0.0.1:8104 --token <bearer>
    python -m services.acceptance.verify archive-p1.json --store intake=sqlite:///var/intake.db ...

Offline: every event's own hash, every manifest entry against its event, the root over all
leaves (and the one given). Live: the acceptance service's root over the same number of
leaves, and each event as the producing service's event store holds it.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import httpx
import sqlalchemy as sa

from services.acceptance.adapters import bundle as archive
from shared.db import create_engine
from shared.schema import events


def verify_live(document: dict, *, url: str | None = None, token: str | None = None, client=None,
                stores: dict[str, str] | None = None) -> list[dict]:
    """Problems found comparing the bundle with the live archive root and the services' event stores.

    `client` is anything with httpx's `get` (a test passes the app's client); else one is made for `url`.
    """
    problems = []
    if client is None and url:
        client = httpx.Client(base_url=url, timeout=30)
    if client is not None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        project_id = document["project"]["project_id"]
        answer = client.get(f"/api/projects/{project_id}/archive/root", params={"size": document["size"]},
                            headers=headers)
        if answer.status_code != 200:
            problems.append({"index": None, "event_id": None,
                             "reason": f"验收服务未给出根哈希：HTTP {answer.status_code}"})
        elif answer.json()["root"] != document["root"]:
            problems.append({"index": None, "event_id": None,
                             "reason": f"验收服务现存档案前 {document['size']} 项的根哈希与档案包不符"})
    for service, db_url in (stores or {}).items():
        problems += _against_store(document, service, db_url)
    return problems


def _against_store(document: dict, service: str, db_url: str) -> list[dict]:
    mine = [(i, leaf["event"]) for i, leaf in enumerate(document["leaves"])
            if leaf["kind"] == "event" and leaf["event"]["event_type"].startswith(f"{service}.")]
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            held = dict(conn.execute(sa.select(events.c.event_id, events.c.hash).where(
                events.c.event_id.in_([e["event_id"] for _, e in mine]))).all()) if mine else {}
    finally:
        engine.dispose()
    return [{"index": i, "event_id": e["event_id"],
             "reason": f"{service} 的事件库中{'没有该事件' if e['event_id'] not in held else '该事件的哈希不同'}"}
            for i, e in mine if held.get(e["event_id"]) != e["hash"]]


def main(argv: list[str] | None = None) -> int:
    """Print the verdict in zh-CN; exit 0 when the bundle holds, 1 when it does not."""
    parser = argparse.ArgumentParser(description="核验竣工验收档案包 Verify an archive bundle")
    parser.add_argument("bundle", type=Path)
    parser.add_argument("--root", help="根哈希（例如打印在档案报告上的）")
    parser.add_argument("--live", help="验收服务地址，如 http://127.0.0.1:8104")
    parser.add_argument("--token", help="访问验收服务的 Bearer 令牌")
    parser.add_argument("--store", action="append", default=[], help="service=数据库 URL，可重复")
    args = parser.parse_args(argv)
    document = json.loads(args.bundle.read_text(encoding="utf-8"))
    result = archive.verify(document, expected_root=args.root)
    stores = dict(item.split("=", 1) for item in args.store)
    problems = result["problems"] + verify_live(document, url=args.live, token=args.token, stores=stores)
    print(f"根哈希 {result['root']}，共 {result['size']} 项")  # noqa: T201 - a command-line tool
    for problem in problems:
        where = f"第 {problem['index']} 项" if problem["index"] is not None else "整体"
        print(f"✗ {where}：{problem['reason']}")  # noqa: T201
    print("✓ 档案包完整，未被改动" if not problems else f"✗ 发现 {len(problems)} 处问题")  # noqa: T201
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
