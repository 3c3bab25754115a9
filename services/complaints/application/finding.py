"""A policy: construction's inspection for a complaint becomes a finding the operator confirms as the response."""

from __future__ import annotations

from services.complaints.application.context import save
from services.complaints.domain.complaint import Complaint
from shared.unit_of_work import UnitOfWork


def record_finding(uow: UnitOfWork, *, complaint_id: str, inspection_id: str, result: str, summary: str) -> bool:
    """Keep the finding on the complaint; False when the complaint is not ours, closed, or already has it."""
    complaint = uow.find(Complaint, Complaint.stream_for(complaint_id))
    if complaint is None or not complaint.receive_finding(inspection_id=inspection_id, result=result, summary=summary):
        return False
    save(uow, complaint)
    return True
