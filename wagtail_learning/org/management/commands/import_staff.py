"""Import staff from the HR system's export (CSV or XLSX).

    python manage.py import_staff export.xlsx --organisation "Huddinge" [--full]
        [--create-units] [--dry-run] [--map field=Heading ...]

Prints the report; exits with status 1 when rows had errors (they were not imported;
the good rows were, unless --dry-run), 0 otherwise.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from wagtail_learning.org.api import FIELDS, InvalidInput, find_unit, import_staff


class Command(BaseCommand):
    help = "Import staff from the HR system's export (CSV or XLSX): upsert by employee number."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The export: .csv or .xlsx")
        parser.add_argument(
            "--organisation",
            required=True,
            help='The organisation the file covers, as a path: "Huddinge" or "Huddinge/Soc".',
        )
        parser.add_argument(
            "--full",
            action="store_true",
            help="The file lists everyone: mark people missing from it as left.",
        )
        parser.add_argument(
            "--create-units", action="store_true", help="Create units missing from the tree."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would change; save nothing."
        )
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="FIELD=HEADING",
            help=f"Read FIELD from the column HEADING. Fields: {', '.join(FIELDS)}.",
        )

    def handle(self, *args, **options):
        mapping = {}
        for item in options["map"]:
            name, sep, heading = item.partition("=")
            if not sep or name.strip() not in FIELDS:
                raise CommandError(
                    f"--map takes FIELD=HEADING with FIELD one of {', '.join(FIELDS)}, "
                    f'not "{item}".'
                )
            mapping[name.strip()] = heading.strip()
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror or exc}") from exc
        scope = find_unit(options["organisation"])
        if scope is None:
            raise CommandError(f'No organisation "{options["organisation"]}".')
        try:
            report = import_staff(
                data,
                filename=path.name,
                mapping=mapping or None,
                scope=scope,
                full=options["full"],
                create_units=options["create_units"],
                dry_run=options["dry_run"],
            )
        except InvalidInput as exc:
            raise CommandError(exc.message) from exc

        out = self.stdout
        if report.dry_run:
            out.write("Dry run: nothing was saved.")
        counts = report.counts()
        out.write(f"created: {counts['created']}")
        out.write(f"updated: {counts['updated']}")
        out.write(f"unchanged: {counts['unchanged']}")
        out.write(f"marked as left: {counts['left']}")
        out.write(f"units created: {counts['units_created']}")
        out.write(f"blank rows skipped: {counts['blank_rows']}")
        out.write(f"rows with errors (not imported): {counts['rows_with_errors']}")
        for error in report.errors:
            out.write(f'row {error.row}, column "{error.column}": {error.message}')
        if report.errors:
            raise SystemExit(1)
