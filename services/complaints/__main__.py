"""Run complaints: `python -m services.complaints`."""

from services.complaints.bootstrap import ComplaintsSettings, create_app
from shared.service import serve

serve(create_app, ComplaintsSettings())
