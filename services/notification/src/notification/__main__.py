from gegenstrom_runtime.service import serve
from notification.main import create_app
from notification.settings import NotificationSettings

serve(create_app, NotificationSettings())
