from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from readiness.services.archive import archive_listed, archive_verify, file_sha256


class Command(BaseCommand):
    help = (
        "Check an election's archive (the zip downloaded at close-out, or the "
        "folder it was extracted to) against its MANIFEST.txt: prints OK and "
        "exits 0, or lists the files altered, missing or added and exits 1."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the archive's .zip or its folder")
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default=settings.LANGUAGE_CODE,
            help="the language of the messages (default: the app's, Vietnamese)",
        )

    def handle(self, *args, path: str, language: str, **options):
        with translation.override(language):
            self._check(path)

    def _check(self, path: str) -> None:
        problems = archive_verify(path)
        try:
            # Compared with the SHA-256 the close-out page shows.
            digest = file_sha256(path)
        except OSError:
            digest = None
        if digest:
            self.stdout.write(_("SHA-256 of the zip: %(sha)s") % {"sha": digest})
        if not problems:
            count = len(archive_listed(path))
            self.stdout.write(
                ngettext(
                    "OK: %(count)d file matches the manifest",
                    "OK: %(count)d files match the manifest",
                    count,
                )
                % {"count": count}
            )
            return
        for problem in problems:
            self.stdout.write(f"- {problem}")
        raise CommandError(
            ngettext(
                "%(count)d problem: the archive does not match its manifest",
                "%(count)d problems: the archive does not match its manifest",
                len(problems),
            )
            % {"count": len(problems)},
            returncode=1,
        )
