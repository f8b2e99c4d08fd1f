import time
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers

from contacts.models import Election
from contacts.selectors.registry import election_current
from contacts.services.closure import ElectionClosed
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

    OPEN = {
        "second_factor",
        "logout",
        "set_language",
        "healthz",
        "login",
        "invitation_accept",
        "invitation_renew",
        "password_reset",
        "password_reset_done",
        "password_reset_confirm",
        "password_reset_complete",
    }

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


def request_election(request: HttpRequest) -> Election | None:
    """The election the request works on (election_current: the latest
    polling day), read once per request: by ClosedElectionMiddleware for a
    write, by the base template's closed banner for a page
    (contacts.context_processors)."""
    cache = vars(request)
    if "_current_election" not in cache:
        cache["_current_election"] = election_current()
    return cache["_current_election"]


def closed_election_response(
    request: HttpRequest, election: Election | None
) -> HttpResponse:
    """403 with the closed-election page, or the API's JSON error."""
    message = str(ElectionClosed(election).args[0])
    if request.path.startswith("/api/"):
        error = {"status": 403, "code": "election_closed", "message": message}
        return JsonResponse({"error": error}, status=403)
    ctx = {"closed_election": election}
    return render(request, "closed_election.html", ctx, status=403)


class ClosedElectionMiddleware:
    """A closed election is read-only (contacts.services.closure): a POST,
    PUT, PATCH or DELETE while the current election is closed answers 403
    with a page that says why, before the view runs; an ElectionClosed
    raised by a service (an older closed election's record reached by id)
    answers the same.

    Let through: the URLs below, which change no election's data; anyone
    signed out (the view sends them to the login page); the API without a
    token (it answers 401); and the Django admin, where superusers may
    still correct a closed election's data (each change is kept in the
    audit trail). After the authentication and second-factor middlewares.
    """

    SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
    # URL names whose POST changes one's session, password, notifications,
    # API tokens or an organisation's members, or only reads (the archive
    # download, the exports).
    ALLOWED = frozenset(
        {
            "login",
            "logout",
            "second_factor",
            "set_language",
            "password_change",
            "invitation_accept",
            "invitation_renew",
            "password_reset",
            "password_reset_done",
            "password_reset_confirm",
            "password_reset_complete",
            "inbox:mark_read",
            "inbox:preferences",
            "inbox:defaults",
            "contacts:api_tokens",
            "contacts:api_token_revoke",
            "contacts:directory_export",
            # People come and go between elections too.
            "contacts:members",
            "contacts:member_role",
            "contacts:member_deactivate",
            "contacts:member_reactivate",
            "contacts:member_resend",
            "contacts:people_import",
            "contacts:adoption_resend",
            "closeout:download",
        }
    )
    # Setting up the next election (readiness.views.cycles) and the admin.
    ALLOWED_NAMESPACES = frozenset({"cycles", "admin"})

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method in self.SAFE_METHODS or self._allowed(request):
            return None
        if request.path.startswith("/api/"):
            if "HTTP_AUTHORIZATION" not in request.META:
                return None
        elif not request.user.is_authenticated:
            return None
        election = request_election(request)
        if election is None or not election.is_closed:
            return None
        return closed_election_response(request, election)

    def process_exception(self, request, exception):
        if isinstance(exception, ElectionClosed):
            return closed_election_response(request, exception.election)
        return None

    def _allowed(self, request) -> bool:
        match = request.resolver_match
        if match is None:
            return False
        namespaces = set(match.namespaces)
        return match.view_name in self.ALLOWED or bool(
            namespaces & self.ALLOWED_NAMESPACES
        )
