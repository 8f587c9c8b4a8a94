"""Organisation units by path: "Huddinge/Socialförvaltningen/Enhet X"."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from ..errors import InvalidInput
from ..models import Organisation

__all__ = ["find_unit", "get_or_create_unit", "split_path", "unit_index"]


def split_path(path: str) -> list[str]:
    return [part.strip() for part in path.replace("\\", "/").split("/") if part.strip()]


def find_unit(path: str) -> Organisation | None:
    """The unit at 'Huddinge/Socialförvaltningen/Enhet X', or None."""
    node = None
    for name in split_path(path):
        siblings = Organisation.get_root_nodes() if node is None else node.get_children()
        node = siblings.filter(name=name).first()
        if node is None:
            return None
    return node


def get_or_create_unit(path: str) -> tuple[Organisation, list[str]]:
    """The unit at `path`, creating missing levels; returns it and the paths created."""
    parts = split_path(path)
    if not parts:
        raise InvalidInput(_("An empty unit path."))
    node = None
    created: list[str] = []
    for depth, name in enumerate(parts, start=1):
        siblings = Organisation.get_root_nodes() if node is None else node.get_children()
        child = siblings.filter(name=name).first()
        if child is None:
            child = Organisation.add_root(name=name) if node is None else node.add_child(name=name)
            created.append("/".join(parts[:depth]))
        node = child
    return node, created


def unit_index(scope: Organisation | None) -> tuple[dict[str, int], str | None]:
    """Unit path ('Huddinge/Soc/Enhet X') -> id, for `scope`'s ancestors and subtree (or
    the whole tree), and the scope's own path. Where siblings share a name the first by
    tree order wins, as in find_unit; a same-named sibling of the scope is not loaded, so
    paths under the scope's name always lead into the scope."""
    nodes = Organisation.objects.order_by("path")
    if scope is not None:
        ancestors = [
            scope.path[:end] for end in range(scope.steplen, len(scope.path), scope.steplen)
        ]
        nodes = nodes.filter(Q(path__in=ancestors) | Q(path__startswith=scope.path))
    labels: dict[str, str] = {}
    index: dict[str, int] = {}
    for pk, path, name in nodes.values_list("pk", "path", "name"):
        parent = labels.get(path[: -Organisation.steplen])
        labels[path] = f"{parent}/{name.strip()}" if parent else name.strip()
        index.setdefault(labels[path], pk)
    return index, (labels[scope.path] if scope is not None else None)
