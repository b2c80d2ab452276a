from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import check_for_language
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language as django_set_language

from organization.selectors import departments_for_user

from .forms import EmailAuthenticationForm


class LoginView(auth_views.LoginView):
    form_class = EmailAuthenticationForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        language = self.request.user.language
        if language and check_for_language(language):
            response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax",
                                secure=settings.SESSION_COOKIE_SECURE, httponly=False)
        return response


@require_POST
def set_language(request):
    """Django's language switch, remembering the choice on the user's account too."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and check_for_language(language) and \
            language in dict(settings.LANGUAGES) and request.user.language != language:
        request.user.language = language
        request.user.save(update_fields=["language"])
    return response


@login_required
@require_GET
def home(request):
    """Send each person to the page of their role; people with several roles pick."""
    user = request.user
    departments = list(departments_for_user(user))
    is_mentor = hasattr(user, "mentor_profile")
    is_resident = hasattr(user, "resident_profile")
    roles = len(departments) + int(is_mentor) + int(is_resident)
    if roles == 1:
        if departments:
            return redirect("mentoring:dashboard", department_id=departments[0].pk)
        if is_mentor:
            return redirect("mentoring:mentor_home")
        return redirect("mentoring:resident_home")
    return render(request, "accounts/home.html", {"departments": departments, "is_mentor_role": is_mentor,
                                                  "is_resident_role": is_resident, "roles": roles})
