"""Reading an uploaded package: the zip's safety limits, then its manifest.

SCORM 1.2 and SCORM 2004 (3rd and 4th edition) from `imsmanifest.xml`, cmi5 from
`cmi5.xml`, both at the root of the zip. Every refusal is a ValidationError whose message
tells the editor what is wrong; nothing is stored before the whole package has passed.
"""

from __future__ import annotations

import posixpath
import stat
import zipfile
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from defusedxml import ElementTree
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from .conf import limits
from .vocabulary import Standard

__all__ = ["CheckedPackage", "read_package"]

SCORM_MANIFEST = "imsmanifest.xml"
CMI5_MANIFEST = "cmi5.xml"
# Per-file ratios are judged only from this size: small text files compress far better
# than any limit that would still catch a bomb.
RATIO_FROM_BYTES = 1024 * 1024
SUPPORTED_2004 = {"2004 3rd edition": "2004 3rd Edition", "2004 4th edition": "2004 4th Edition"}


@dataclass
class CheckedPackage:
    """What a package that passed every check holds: where to start it and its files."""

    standard: str
    version: str
    title: str
    launch_path: str  # a file of the zip
    launch_query: str = ""  # parameters the manifest gives the launch URL
    mastery_score: float | None = None  # SCORM 1.2 adlcp:masteryscore
    launch_data: str = ""  # SCORM 1.2 adlcp:datafromlms
    aus: list[dict] = field(default_factory=list)  # cmi5 assignable units
    # Every launchable unit in the order a learner meets it: SCORM items with a resource
    # (SCOs and assets), cmi5 AUs. {id, title, path, query, kind, depth, mastery_score,
    # launch_data}; the first is the one launch_path names.
    units: list[dict] = field(default_factory=list)
    # SCORM 2004 imsss:controlMode choice="false" somewhere in the organisation: the
    # learner goes through the units in order (flow), without choosing.
    choice: bool = True
    activity_id: str = ""  # cmi5: the course's id
    files: list[str] = field(default_factory=list)
    unpacked_bytes: int = 0


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(element, name: str):
    return [child for child in element if _local(child.tag) == name]


def _attribute(element, name: str) -> str:
    for key, value in element.attrib.items():
        if _local(key) == name:
            return value
    return ""


def _safe_path(name: str) -> str | None:
    """The normalised path of a zip entry inside the package folder, or None when it
    would land outside it (absolute, drive letter, `..`, backslashes, NUL)."""
    if not name or "\x00" in name or "\\" in name or name.startswith("/"):
        return None
    if len(name) > 1 and name[1] == ":":
        return None
    normal = posixpath.normpath(name)
    if normal.startswith("../") or normal == ".." or normal.startswith("/"):
        return None
    if any(part == ".." for part in name.split("/")):
        return None
    return normal


def _check_zip(upload) -> tuple[zipfile.ZipFile, dict[str, zipfile.ZipInfo]]:
    max_bytes = limits.max_bytes()
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, 2)
        size = upload.tell()
    if size > max_bytes:
        raise ValidationError(
            _("The package is %(size)s; the limit is %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(max_bytes)}
        )
    upload.seek(0)
    try:
        archive = zipfile.ZipFile(upload)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ValidationError(_("The file is not a zip archive.")) from exc
    entries = archive.infolist()
    if len(entries) > limits.max_files():
        raise ValidationError(
            _("The package holds %(count)d files; the limit is %(limit)d.")
            % {"count": len(entries), "limit": limits.max_files()}
        )
    files: dict[str, zipfile.ZipInfo] = {}
    unpacked = compressed = 0
    for info in entries:
        path = _safe_path(info.filename)
        if path is None:
            raise ValidationError(
                _("The file %(name)s would be unpacked outside the package's folder.")
                % {"name": info.filename}
            )
        if stat.S_ISLNK(info.external_attr >> 16):
            raise ValidationError(
                _("The package holds a symbolic link (%(name)s).") % {"name": info.filename}
            )
        if info.is_dir():
            continue
        unpacked += info.file_size
        compressed += info.compress_size
        if info.file_size >= RATIO_FROM_BYTES and info.file_size > limits.max_ratio() * max(
            info.compress_size, 1
        ):
            raise ValidationError(
                _(
                    "The file %(name)s unpacks to more than %(ratio)d times its packed "
                    "size: the package looks like a zip bomb."
                )
                % {"name": info.filename, "ratio": limits.max_ratio()}
            )
        files[path] = info
    if unpacked > limits.max_unpacked_bytes():
        raise ValidationError(
            _("The package unpacks to %(size)s; the limit is %(limit)s.")
            % {
                "size": filesizeformat(unpacked),
                "limit": filesizeformat(limits.max_unpacked_bytes()),
            }
        )
    if unpacked >= RATIO_FROM_BYTES and unpacked > limits.max_ratio() * max(compressed, 1):
        raise ValidationError(
            _(
                "The package unpacks to more than %(ratio)d times its packed size: it "
                "looks like a zip bomb."
            )
            % {"ratio": limits.max_ratio()}
        )
    return archive, files


def _parse(archive: zipfile.ZipFile, info: zipfile.ZipInfo):
    try:
        return ElementTree.fromstring(archive.read(info))
    except Exception as exc:  # defusedxml's refusals and ParseError alike
        raise ValidationError(
            _("%(name)s is not readable XML: %(error)s") % {"name": info.filename, "error": exc}
        ) from exc


def _relative_file(href: str, files, *, base: str = "") -> tuple[str, str]:
    """(path of a file of the package, query) for a launch href; refuses one that leaves
    the package or is missing."""
    parts = urlsplit(href.strip())
    if parts.scheme or parts.netloc:
        raise ValidationError(
            _(
                "The launch address %(href)s is not in the package: only packages that hold "
                "their own content can be played."
            )
            % {"href": href}
        )
    path = _safe_path(posixpath.join(base, parts.path)) if parts.path else None
    if path is None:
        raise ValidationError(
            _("The launch file %(href)s lies outside the package's folder.") % {"href": href}
        )
    if path not in files:
        raise ValidationError(
            _("The launch file %(path)s named in the manifest is not in the package.")
            % {"path": path}
        )
    return path, parts.query


def _scorm_version(root) -> tuple[str, str]:
    metadata = next(iter(_children(root, "metadata")), None)
    schema_version = ""
    if metadata is not None:
        found = next(iter(_children(metadata, "schemaversion")), None)
        schema_version = (found.text or "").strip() if found is not None else ""
    namespaces = " ".join([root.tag, *root.attrib.keys(), *root.attrib.values()])
    if schema_version == "1.2" or (not schema_version and "adlcp_rootv1p2" in namespaces):
        return Standard.SCORM_12, "1.2"
    edition = SUPPORTED_2004.get(schema_version.lower())
    if edition:
        return Standard.SCORM_2004, edition
    raise ValidationError(
        _(
            "The package is SCORM %(version)s, which is not supported: SCORM 1.2 and SCORM "
            "2004 3rd and 4th edition are."
        )
        % {"version": schema_version or _("of an unknown version")}
    )


def _read_scorm(archive, files) -> CheckedPackage:
    root = _parse(archive, files[SCORM_MANIFEST])
    standard, version = _scorm_version(root)
    organizations = next(iter(_children(root, "organizations")), None)
    resources_element = next(iter(_children(root, "resources")), None)
    if organizations is None or resources_element is None:
        raise ValidationError(_("The manifest has no organisation or no resources."))
    resources_base = _attribute(resources_element, "base")
    resources = {
        _attribute(resource, "identifier") or resource.get("identifier", ""): resource
        for resource in _children(resources_element, "resource")
    }
    default = organizations.get("default", "")
    organization_list = _children(organizations, "organization")
    organization = next(
        (o for o in organization_list if o.get("identifier") == default),
        organization_list[0] if organization_list else None,
    )
    if organization is None:
        raise ValidationError(_("The manifest has no organisation or no resources."))
    title_element = next(iter(_children(organization, "title")), None)
    title = (title_element.text or "").strip() if title_element is not None else ""

    units = []

    def walk(element, depth: int, parents: list[str]):
        for item in _children(element, "item"):
            item_title_element = next(iter(_children(item, "title")), None)
            item_title = (
                (item_title_element.text or "").strip() if item_title_element is not None else ""
            )
            resource = resources.get(item.get("identifierref", ""))
            if resource is not None and resource.get("href"):
                base = posixpath.join(resources_base, _attribute(resource, "base"))
                path, query = _relative_file(resource.get("href"), files, base=base)
                parameters = (item.get("parameters") or "").lstrip("?&")
                mastery = next(iter(_children(item, "masteryscore")), None)
                data = next(iter(_children(item, "datafromlms")), None)
                try:
                    mastery_score = (
                        float(mastery.text) if mastery is not None and mastery.text else None
                    )
                except ValueError:
                    mastery_score = None
                kind = _attribute(resource, "scormtype") or _attribute(resource, "scormType")
                units.append(
                    {
                        "id": item.get("identifier", "") or f"item-{len(units) + 1}",
                        "title": item_title or title,
                        "path": path,
                        "query": "&".join(q for q in (query, parameters) if q),
                        "kind": "asset" if kind.lower() == "asset" else "sco",
                        "depth": depth,
                        "parents": list(parents),
                        "mastery_score": mastery_score,
                        "launch_data": (data.text or "").strip() if data is not None else "",
                    }
                )
            walk(item, depth + 1, [*parents, item_title] if item_title else parents)

    walk(organization, 0, [])
    # Simple Sequencing beyond controlMode (rules, objectives, rollup rules) is not
    # implemented and not refused (decision 0047): unknown elements are ignored.
    choice = not any(
        _local(element.tag) == "controlMode" and element.get("choice", "true").strip() == "false"
        for element in organization.iter()
    )
    if units:
        seen = set()
        for unit in units:  # identifiers name a unit's data: make them unique
            while unit["id"] in seen:
                unit["id"] += "+"
            seen.add(unit["id"])
        first = units[0]
        return CheckedPackage(
            standard=standard,
            version=version,
            title=title,
            launch_path=first["path"],
            launch_query=first["query"],
            mastery_score=first["mastery_score"],
            launch_data=first["launch_data"],
            units=units,
            choice=choice,
        )
    raise ValidationError(_("The manifest names no launch file (no item with a resource)."))


def _langstring(element, name: str) -> str:
    found = next(iter(_children(element, name)), None)
    if found is None:
        return ""
    strings = _children(found, "langstring")
    return (strings[0].text or "").strip() if strings else (found.text or "").strip()


def _cmi5_au(au, files, blocks: list[str]) -> dict:
    url_element = next(iter(_children(au, "url")), None)
    href = (url_element.text or "").strip() if url_element is not None else ""
    path, query = _relative_file(href, files)
    mastery = au.get("masteryScore")
    parameters = next(iter(_children(au, "launchParameters")), None)
    return {
        "id": au.get("id", ""),
        "title": _langstring(au, "title"),
        "path": path,
        "query": query,
        "move_on": au.get("moveOn", "NotApplicable"),
        "mastery_score": float(mastery) if mastery else None,
        "launch_method": au.get("launchMethod", "AnyWindow"),
        "launch_parameters": (parameters.text or "").strip() if parameters is not None else "",
        "blocks": list(blocks),
    }


def _read_cmi5(archive, files) -> CheckedPackage:
    root = _parse(archive, files[CMI5_MANIFEST])
    if _local(root.tag) != "courseStructure":
        raise ValidationError(_("cmi5.xml does not describe a cmi5 course structure."))
    aus = []

    def walk(element, blocks: list[str]):
        # Document order, blocks nested in blocks; each AU keeps the ids of the blocks
        # around it (outermost first): the LMS judges a block's satisfaction from them.
        for child in element:
            if _local(child.tag) == "block":
                walk(child, [*blocks, child.get("id", "")])
            elif _local(child.tag) == "au":
                aus.append(_cmi5_au(child, files, blocks))

    walk(root, [])
    if not aus:
        raise ValidationError(_("cmi5.xml names no assignable unit (AU)."))
    course = next(iter(_children(root, "course")), None)
    return CheckedPackage(
        standard=Standard.CMI5,
        version="cmi5",
        title=_langstring(course, "title") if course is not None else "",
        activity_id=(course.get("id", "") if course is not None else ""),
        launch_path=aus[0]["path"],
        launch_query=aus[0]["query"],
        aus=aus,
        units=[
            {
                "id": au["id"],
                "title": au["title"],
                "path": au["path"],
                "query": au["query"],
                "kind": "au",
                "depth": 0,
                "parents": [],
                "mastery_score": au["mastery_score"],
                "launch_data": "",
                "move_on": au["move_on"],
            }
            for au in aus
        ],
    )


def read_package(upload) -> tuple[CheckedPackage, zipfile.ZipFile]:
    """Check an uploaded zip and read its manifest. Returns what it holds and the open
    archive to unpack from. Raises ValidationError saying what is wrong."""
    archive, files = _check_zip(upload)
    if SCORM_MANIFEST in files:
        package = _read_scorm(archive, files)
    elif CMI5_MANIFEST in files:
        package = _read_cmi5(archive, files)
    else:
        raise ValidationError(
            _(
                "The package has no manifest: a SCORM package has imsmanifest.xml and a "
                "cmi5 package cmi5.xml at the top of the zip."
            )
        )
    package.files = sorted(files)
    package.unpacked_bytes = sum(info.file_size for info in files.values())
    return package, archive
