"""The forms scripts/scan_sqlmap.py gives sqlmap: what each sends, as whom,
and which parameters or marked cells sqlmap tests."""

from dataclasses import dataclass, field

from scan_server import CSRF_FIELD, LOGIN

BOUNDARY = "----sqlmapScanBoundary7MA4YWxkTrZu0gW"
# Read from load_demo's data once it is loaded; printed as JSON.
DISCOVER = """
import json
from contacts.models import ContactList, User
from contacts.permissions import membership_of
from contacts.selectors.registry import election_current
district = membership_of(User.objects.get(username="district")).organisation
telecom = membership_of(User.objects.get(username="telecom")).organisation
communes = district.unit.children.order_by("code")
print(json.dumps({
    "district_org": district.pk,
    "district_unit": district.unit_id,
    "district_list": ContactList.objects.get(organisation=district).pk,
    "commune_pk": communes[0].pk,
    "commune_codes": [c.code for c in communes[:2]],
    "commune_name": communes[1].name,
    "telecom_org": telecom.pk,
    "polling_day": f"{election_current().polling_day:%d/%m/%Y}",
}))
"""
# Must stay in sync with targets().
TARGET_NAMES = (
    "login",
    "session-cookies",
    "directory",
    "contact-list-filters",
    "incident-board",
    "delivery-log",
    "contact-import",
    "roster-import",
)


@dataclass
class Target:
    """One form: a GET query, a urlencoded POST or a multipart upload
    (`body`: the request file's body, with `*` markers named by `markers`
    in their order)."""

    name: str
    user: str  # "" for anonymous
    path: str
    params: str = ""  # sqlmap -p; empty for multipart (the markers decide)
    query: dict = field(default_factory=dict)
    data: dict = field(default_factory=dict)
    body: str = ""
    markers: tuple[str, ...] = ()
    # sqlmap tests cookies from --level 2 only, even those named by -p.
    min_level: int = 1
    # A --postprocess script of scripts/ that takes the request further.
    postprocess: str = ""
    # The page a signed-in user opens first, for the CSRF token.
    form_path: str = ""


def contact_csv(ids: dict) -> str:
    """Three rows of a contact list in the English template's columns; the
    marked cells reach the database (units by code and name, bodies and
    people by name)."""
    code1, code2 = ids["commune_codes"]
    return (
        "Body kind,Unit code,Unit name,Body name,Polling areas,Working location,"
        "Full name,Position,Phone numbers\r\n"
        f"Election Team,{code1}*,,Team 1*,Area 1,Village hall 1,Le Van An*,"
        "chair,0912 345 678\r\n"
        f"Election Team,,{ids['commune_name']}*,Team 2,Area 2,Village hall 2,"
        "Tran Thi Binh,chair,0987 654 321\r\n"
        f"Election Team,{code2},,Team 3,Area 3,Village hall 3,Pham Van Cuong,"
        "chair,0913 222 333\r\n"
    )


def roster_csv(ids: dict) -> str:
    """Two shifts on polling day; the marked cells are compared with the
    shifts already saved and saved."""
    day = ids["polling_day"]
    return (
        "Date,From,To,Person on duty,Duty,Phone,Location\r\n"
        f"{day},00:00,12:00,Le Van Truc*,Network*,0912 345 678*,Centre A*\r\n"
        f"{day},12:00,00:00,Nguyen Thi Ca,Network,0987 654 321,Centre B\r\n"
    )


def multipart(csv_text: str, filename: str) -> str:
    """The upload's body with CRLF line ends; CSRF_TOKEN is filled in later."""
    return "\r\n".join(
        [
            f"--{BOUNDARY}",
            f'Content-Disposition: form-data; name="{CSRF_FIELD}"',
            "",
            "CSRF_TOKEN",
            f"--{BOUNDARY}",
            f'Content-Disposition: form-data; name="file"; filename="{filename}"',
            "Content-Type: text/csv",
            "",
            csv_text.rstrip("\r\n"),
            f"--{BOUNDARY}--",
            "",
        ]
    )


def targets(ids: dict) -> list[Target]:
    """The login form, every search/filter form that reads GET parameters
    (contacts.forms_directory, contacts.filters, incidents.filters,
    contacts.views.inbox), the session's cookies and the two imports."""
    contact_list, roster = ids["district_list"], ids["telecom_org"]
    upload = f"/contact-lists/{contact_list}/import/"
    board = {"status": "open", "district": ids["district_unit"]}
    board |= {"category": "fibre_cut", "severity": "critical"}
    return [
        # axes writes the user agent and the path to its access log.
        Target(
            "login",
            "",
            LOGIN,
            params="username,password,next,User-Agent,Referer",
            data={"username": "district", "password": "wrong", "next": "/"},
            form_path=LOGIN,
        ),
        Target(
            "session-cookies",
            "observer",
            "/",
            "sessionid,django_language",
            min_level=2,
        ),
        Target(
            "directory",
            "observer",
            "/directory/",
            "q,district,kind",
            {"q": "Team", "district": ids["district_org"], "kind": "team"},
        ),
        Target(
            "contact-list-filters",
            "observer",
            f"/contact-lists/{contact_list}/",
            "q,unit,kind",
            {"q": "0912", "unit": ids["commune_pk"], "kind": "team"},
        ),
        Target(
            "incident-board",
            "observer",
            "/incidents/",
            "status,district,category,severity,organisation",
            board | {"organisation": roster},
        ),
        Target(
            "delivery-log",
            "observer",
            "/notifications/log/",
            "status,channel,organisation",
            {"status": "sent", "channel": "email", "organisation": roster},
        ),
        Target(
            "contact-import",
            "district",
            upload,
            body=multipart(contact_csv(ids), "contacts*.csv"),
            markers=("file name", "Unit code", "Body name", "Full name", "Unit name"),
            form_path=upload,
            postprocess="sqlmap_confirm_import.py",
        ),
        Target(
            "roster-import",
            "telecom",
            f"/duty/{roster}/import/",
            body=multipart(roster_csv(ids), "roster.csv"),
            markers=("Person on duty", "Duty", "Phone", "Location"),
            form_path=f"/duty/{roster}/import/",
        ),
    ]
