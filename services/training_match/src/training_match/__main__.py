from gegenstrom_runtime.service import serve
from training_match.main import create_app
from training_match.settings import TrainingMatchSettings

serve(create_app, TrainingMatchSettings())
