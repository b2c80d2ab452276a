from .urls_activity import urlpatterns as activity_urls
from .urls_curricula import urlpatterns as curricula_urls

app_name = "residents"

urlpatterns = [*curricula_urls, *activity_urls]
