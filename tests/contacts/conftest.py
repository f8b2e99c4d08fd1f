import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from contacts.importers import ContactRow
from contacts.models import ContactImport, ContactList, Election, UnitLevel
from contacts.services import contact_lists as services


def make_row(n: int, unit, **kw) -> ContactRow:
    values = {
        "row_number": n,
        "body_kind": "team",
        "unit_code": unit.code,
        "unit_name": "",
        "body_name": f"Tổ bầu cử số {n}",
        "polling_areas": f"KVBP số {n}",
        "location": f"Nhà văn hóa thôn {n}",
        "full_name": f"Nguyễn Văn {n}",
        "position": "chair",
        "phones": (f"+8491234{n:04d}",),
        "email": "",
        "note": "",
    }
    values.update(kw)
    return ContactRow(**values)


@pytest.fixture
def list_a(world) -> ContactList:
    return ContactList.objects.create(
        election=Election.objects.get(), organisation=world.district_a
    )


@pytest.fixture
def communes_a(world):
    return list(
        world.district_a.unit.children.filter(level=UnitLevel.COMMUNE).order_by("code")
    )


@pytest.fixture
def import_rows(list_a, world):
    """Import rows into list A's draft through the real service."""

    def run(rows):
        plan = services.import_plan(contact_list=list_a, rows=rows, unit_column="Mã")
        contact_import = ContactImport.objects.create(
            contact_list=list_a,
            original_name="t.xlsx",
            uploaded_by=world.district_a_officer,
        )
        return services.contact_list_import(contact_import=contact_import, plan=plan)

    return run


def make_bodies(contact_list, units, n: int, version=None, prefix="Tổ bầu cử số"):
    """n Election Teams with two contacts each, spread over `units`."""
    from contacts.models import Contact, ElectionBody

    bodies = ElectionBody.objects.bulk_create(
        ElectionBody(
            contact_list=contact_list,
            version=version,
            kind="team",
            level="commune",
            unit=units[i % len(units)],
            name=f"{prefix} {i}",
            location=f"Thôn {i}",
        )
        for i in range(n)
    )
    Contact.objects.bulk_create(
        Contact(
            body=b,
            full_name=f"Người {b.pk}-{j}",
            position="chair",
            phones=f"+849123{b.pk % 100000:05d}",
        )
        for b in bodies
        for j in range(2)
    )
    return bodies


CSV_HEADER = (
    "Loại tổ chức;Mã đơn vị hành chính;Tên tổ chức;Khu vực bỏ phiếu;"
    "Địa điểm làm việc;Họ và tên;Chức vụ;Số điện thoại\n"
)


def contact_csv(communes, n: int) -> bytes:
    """n teams of one person each, spread over `communes`."""
    lines = [
        f"Tổ bầu cử;{communes[i % len(communes)].code};Tổ bầu cử số {i};KVBP {i};"
        f"Thôn {i};Người số {i};Tổ trưởng;0912 {i:06d}\n"
        for i in range(n)
    ]
    return (CSV_HEADER + "".join(lines)).encode()


def uploaded(list_a, world, content: bytes) -> ContactImport:
    """An upload planned as the upload page plans it."""
    contact_import = services.contact_import_upload(
        contact_list=list_a,
        upload=SimpleUploadedFile("danh-sach.csv", content),
        by=world.district_a_officer,
    )
    services.contact_import_plan(contact_import=contact_import)
    return contact_import
