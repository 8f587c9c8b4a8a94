"""The demo's e-learning packages (issue 23): one small SCO in Swedish, packaged as SCORM 1.2
and as SCORM 2004 4th edition, and the same question as a cmi5 AU, each the step of a
module of the course "Likabehandling i vardagen (e-learning)"; passing completes the
module. Built from `home/demo/packages/`
at seeding time, never downloaded. Idempotent."""

from __future__ import annotations

import io
import uuid
import zipfile
from pathlib import Path

from wagtail_learning.courses.models import CoursePage
from wagtail_learning.modules.models import ModulePage
from wagtail_learning.packages.api import ContentPackage, create_package

SCO = Path(__file__).parent / "packages" / "likabehandling"
SLUG = "likabehandling-e-learning"

MANIFEST_12 = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="likabehandling-12" version="1"
  xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="o"><organization identifier="o"><title>{title}</title>
    <item identifier="i" identifierref="r"><title>{title}</title></item>
  </organization></organizations>
  <resources><resource identifier="r" type="webcontent" adlcp:scormtype="sco"
    href="index.html"><file href="index.html"/></resource></resources>
</manifest>"""

# Two SCOs (decision 0047): a reading part, then the question; the step page shows them
# as a table of contents.
MANIFEST_2004 = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="likabehandling-2004" version="1"
  xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3">
  <metadata><schema>ADL SCORM</schema><schemaversion>2004 4th Edition</schemaversion></metadata>
  <organizations default="o"><organization identifier="o"><title>{title}</title>
    <item identifier="grunderna" identifierref="r1"><title>Diskrimineringsgrunderna</title></item>
    <item identifier="fragan" identifierref="r2"><title>Kontrollfråga</title></item>
  </organization></organizations>
  <resources>
    <resource identifier="r1" type="webcontent" adlcp:scormType="sco"
      href="grunderna/index.html"><file href="grunderna/index.html"/></resource>
    <resource identifier="r2" type="webcontent" adlcp:scormType="sco"
      href="index.html"><file href="index.html"/></resource>
  </resources>
</manifest>"""

CMI5_XML = """<?xml version="1.0" encoding="utf-8"?>
<courseStructure xmlns="https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd">
  <course id="https://example.se/likabehandling/cmi5">
    <title><langstring lang="sv">{title}</langstring></title>
    <description><langstring lang="sv">Diskrimineringsgrunderna</langstring></description>
  </course>
  <au id="https://example.se/likabehandling/cmi5/au1" moveOn="CompletedAndPassed">
    <title><langstring lang="sv">{title}</langstring></title>
    <description><langstring lang="sv">En kontrollfråga</langstring></description>
    <url>index.html</url>
  </au>
</courseStructure>"""

PACKAGES = [
    ("Likabehandling i vardagen (SCORM 1.2)", MANIFEST_12, "del-1-scorm-12", SCO, {}),
    (
        "Likabehandling i vardagen (SCORM 2004)",
        MANIFEST_2004,
        "del-2-scorm-2004",
        SCO,
        {"grunderna": SCO.with_name("likabehandling-grunderna")},
    ),
    (
        "Likabehandling i vardagen (cmi5)",
        CMI5_XML,
        "del-3-cmi5",
        SCO.with_name("likabehandling-cmi5"),
        {},
    ),
]


def _zip(manifest: str, folder: Path, subfolders: dict[str, Path]) -> bytes:
    name = "cmi5.xml" if "courseStructure" in manifest else "imsmanifest.xml"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, manifest)
        for path in sorted(folder.iterdir()):
            archive.write(path, path.name)
        for name, sub in subfolders.items():
            for path in sorted(sub.iterdir()):
                archive.write(path, f"{name}/{path.name}")
    return buffer.getvalue()


def seed_packages(command, catalogue) -> None:
    """The course with its two package modules, under the catalogue."""
    course = command.child_page(catalogue, SLUG, CoursePage)
    if course is not None:
        command.note("pages", course.title, created=False)
        return
    course = command.publish_new(
        catalogue,
        CoursePage(
            title="Likabehandling i vardagen (e-learning)",
            slug=SLUG,
            summary=(
                "En kort e-learningkurs från en leverantör, levererad som SCORM-paket: "
                "diskrimineringsgrunderna och en kontrollfråga."
            ),
            enrolment_mode=CoursePage.EnrolmentMode.OPEN,
        ),
    )
    previous = None
    for number, (title, manifest, slug, folder, subfolders) in enumerate(PACKAGES, start=1):
        package = ContentPackage.objects.filter(title=title).first() or create_package(
            _zip(manifest.format(title=title), folder, subfolders), title=title
        )
        module = ModulePage(
            title=f"Del {number}: {title.split(' (')[0]} ({package.standard_display})",
            slug=slug,
            level=number,
            summary="Spela paketet och svara rätt på frågan.",
            steps=[
                {
                    "type": "package",
                    "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"lms-demo/{slug}/package")),
                    "value": {"package": package.pk, "completes_on": "passed",
                              "min_score": None, "required": True},
                }
            ],
        )  # fmt: skip
        module.prerequisites.set([previous] if previous else [])
        command.publish_new(course, module)
        previous = module
    command.note("pages", course.title, created=True)
