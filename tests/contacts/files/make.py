"""Write the .xls and .ods forms of tests.contacts.district_lists.ROWS.

Nothing the project installs writes these formats, so they are made once
with LibreOffice and committed:

    apt-get install -y libreoffice-calc-nogui
    .venv/bin/python tests/contacts/files/make.py

The .xlsx written by district_lists.as_xlsx is converted by
`soffice --headless --convert-to xls|ods`. Run it again whenever ROWS
changes: tests/contacts/test_import_district_layouts.py compares these
files with the .xlsx the tests write from ROWS.
"""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
NAME = "danh-sach-dong-son"


def main() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from tests.contacts.district_lists import as_xlsx

    with tempfile.TemporaryDirectory() as work:
        source = Path(work) / f"{NAME}.xlsx"
        source.write_bytes(as_xlsx())
        for target in ("xls", "ods"):
            subprocess.run(
                [
                    "soffice",
                    f"-env:UserInstallation=file://{work}/profile",
                    "--headless",
                    "--convert-to",
                    target,
                    "--outdir",
                    work,
                    str(source),
                ],
                check=True,
                capture_output=True,
            )
            shutil.copy(Path(work) / f"{NAME}.{target}", HERE / f"{NAME}.{target}")
            print(f"wrote {HERE / f'{NAME}.{target}'}")


if __name__ == "__main__":
    main()
