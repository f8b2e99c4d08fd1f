import time
from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers

from contacts.services.second_factor import second_factor_required


class LanguageMiddleware:
    """Vietnamese unless the user chose English with the switcher.

    Unlike django.middleware.locale.LocaleMiddleware, the browser's
    Accept-Language is ignored: officials' browsers are often set to English
    while the office works in Vietnamese, and the default must be the
    language of the directive.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.languages = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in self.languages:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response


class IdleSessionMiddleware:
    """A signed-in session lasts SESSION_COOKIE_AGE from the last request,
    not from the login. Saving the session on every request would write a
    row per page (polling-day load), so its expiry moves on at most every
    SESSION_REFRESH_SECONDS: an idle session ends within that margin."""

    KEY = "_seen"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        if request.user.is_authenticated:
            now = int(time.time())
            if now - session.get(self.KEY, now) >= settings.SESSION_REFRESH_SECONDS:
                session[self.KEY] = now  # saved, with a fresh expiry
        return self.get_response(request)

    @classmethod
    def mark_login(cls, sender, request, user, **kwargs) -> None:
        """A login saves the session anyway: it starts the clock
        (connected to user_logged_in in ContactsConfig.ready)."""
        request.session[cls.KEY] = int(time.time())


class SecondFactorMiddleware:
    """Department staff and admin-site users who have given their password
    but no second factor yet reach only the second-factor page, logout and
    the language switcher (contacts.services.second_factor). After
    django_otp's OTPMiddleware, which tells whether the session is verified;
    every other request, GET or POST, goes to that page, so nothing is read
    or changed with a password alone."""

    OPEN = {"second_factor", "logout", "set_language", "healthz", "login"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not settings.SECOND_FACTOR_FOR_DEPARTMENT:
            return None
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        if request.resolver_match.url_name in self.OPEN:
            return None
        if not second_factor_required(user=user):
            return None
        target = reverse("second_factor")
        if request.method == "GET":
            target += "?" + urlencode({"next": request.get_full_path()})
        return redirect(target)
