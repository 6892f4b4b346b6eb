from gegenstrom_runtime.service import serve
from profiling.main import create_app
from profiling.settings import ProfilingSettings

serve(create_app, ProfilingSettings())
