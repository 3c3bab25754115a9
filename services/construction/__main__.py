"""Run construction: `python -m services.construction`."""

from services.construction.bootstrap import ConstructionSettings, create_app
from shared.service import serve

serve(create_app, ConstructionSettings())
