"""Assessment pages. Each part keeps its own module of patterns; all share the `assessments` namespace."""

from .urls_exams import urlpatterns as exams
from .urls_observations import urlpatterns as observations
from .urls_progress import urlpatterns as progress

app_name = "assessments"

urlpatterns = observations + progress + exams
