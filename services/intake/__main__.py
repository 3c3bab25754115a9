"""Run intake: `python -m services.intake`."""

from services.intake.bootstrap import IntakeSettings, create_app
from shared.service import serve

serve(create_app, IntakeSettings())
