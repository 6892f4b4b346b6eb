from gegenstrom_runtime.service import serve
from intake.main import create_app
from intake.settings import IntakeSettings

serve(create_app, IntakeSettings())
