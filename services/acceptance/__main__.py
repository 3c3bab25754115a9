"""Run acceptance: `python -m services.acceptance`."""

from services.acceptance.bootstrap import AcceptanceSettings, create_app
from shared.service import serve

serve(create_app, AcceptanceSettings())
