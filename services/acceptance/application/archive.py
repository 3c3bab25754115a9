"""The archive of a project: the bundle, its root over any prefix, inclusion proofs, the zh-CN report."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.engine import Connection

from services.acceptance.adapters import queries
from services.acceptance.adapters import bundle as archive
from shared.calendar import CHINA
from shared.errors import InvalidCommand, RenovationError

TEMPLATES = Path(__file__).resolve().parent.parent / "api" / "templates" / "acceptance"
_env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))


def build(conn: Connection, project_id: str, *, generated_at: datetime) -> dict:
    """Every event about the project (own and consumed, in applied order), the evidence manifest, the root."""
    file = queries.file_row(conn, project_id)
    project = {k: file[k] for k in ("project_id", "community_id", "community_name", "district", "street_office",
                                    "plan_year")}
    return archive.bundle(project=project, events=queries.records(conn, project_id),
                          evidence=queries.manifest(conn, project_id), generated_at=generated_at.isoformat())


def _hashes(document: dict) -> list[bytes]:
    return [archive.leaf_hash(archive.event_leaf(leaf["event"]) if leaf["kind"] == "event"
                              else archive.evidence_leaf(leaf["evidence"])) for leaf in document["leaves"]]


def root_of_prefix(document: dict, size: int) -> str:
    """The root over the first `size` leaves (what a bundle of that size must state)."""
    if not 0 <= size <= document["size"]:
        raise InvalidCommand(f"档案共有 {document['size']} 项，没有前 {size} 项", code="archive_size")
    return archive.root_from_leaf_hashes(_hashes(document)[:size]).hex()


def proof(document: dict, index: int) -> dict:
    """The inclusion proof of one leaf: the leaf, its index, the tree size, the audit path and the root."""
    if not 0 <= index < document["size"]:
        raise InvalidCommand(f"档案共有 {document['size']} 项，没有第 {index} 项", code="archive_index")
    hashes = _hashes(document)
    return {"index": index, "size": document["size"], "root": document["root"], "leaf": document["leaves"][index],
            "path": [h.hex() for h in archive.inclusion_proof(index, hashes)]}


def _local(value: str | None) -> str:
    if not value:
        return ""
    return datetime.fromisoformat(value).astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S")


def report_html(document: dict, view: dict) -> str:
    """The readable zh-CN report of the archive (standalone HTML, also the PDF's source)."""
    from services.acceptance.application.view import yuan

    return _env.get_template("report.html").render(doc=document, view=view, local=_local, yuan=yuan, groups=_groups)


def _groups(digest: str) -> str:
    # Four groups of 16 wrap as words: far cheaper to lay out than `word-break: break-all`.
    return " ".join(digest[i:i + 16] for i in range(0, len(digest), 16))


class PdfUnavailable(RenovationError):
    """This machine lacks the system libraries WeasyPrint lays text out with (Pango)."""

    status = 503
    code = "pdf_unavailable"


def report_pdf(html: str) -> bytes:
    """The report as PDF; WeasyPrint embeds the (subset) Noto CJK fonts it lays the text out with."""
    try:
        import weasyprint
    except OSError as error:  # Pango and its fonts come from the OS, not from PyPI
        raise PdfUnavailable(
            "本机缺少生成 PDF 所需的 Pango 库和中文字体（Debian：apt-get install libpango-1.0-0 "
            "libpangoft2-1.0-0 fonts-noto-cjk）；档案的 JSON 和 HTML 版本照常可下载",
            details={"cause": str(error)[:200]}) from error

    return weasyprint.HTML(string=html).write_pdf()
