"""Lineage inside a release: which file was made from which, and what says so.

Lab notes. An edge goes ``from`` the source ``to`` what was made from it, with the
``relation`` and the exact ``basis`` values; ``directed`` is false where the evidence says
only that two files are one picture (a same-size re-encode has no known direction).

* XMP: ``DerivedFrom`` (instance, else document id) pointing at another file's InstanceID /
  DocumentID (``derived_from``); a History event's instance id that is another file's
  InstanceID (``history``: that file is an earlier saved state); ``OriginalDocumentID``
  equal to another file's DocumentID (``original_document``); one DocumentID in several
  files (``same_document``, when nothing more specific links them); one InstanceID in two
  different byte streams (``same_instance``). Ids compare by their core (``xmp.iid:``,
  ``xmp:iid:``, ``uuid:`` prefixes dropped).
* C2PA: an ingredient whose ``active_manifest`` is another file's active manifest, or whose
  ``instance_id`` is another file's XMP InstanceID (``c2pa_ingredient``, with the
  ingredient's relationship); by title only when one file of the release bears that name.
* Containers: a child and its container (``container``; an embedded picture, attachment or
  earlier revision is the source of the container, a keyframe or thumbnail is made from it).
* Pixels: the release duplicate search's ``known_image.duplicate_in_release`` findings
  (``crop`` when the later file shows part of the earlier, ``resized`` when it is smaller,
  else an undirected ``near_duplicate``). EXIF ImageUniqueID shared by two different byte
  streams: ``same_capture``.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from .facts import Facts, norm_id

SOURCE_CHILDREN = ("embedded_image", "decoded_image", "attachment", "revision")
"""Child relations whose child is the container's source (the others are made from it)."""


class _Edges:
    def __init__(self) -> None:
        self.edges: dict[tuple[str, str, str], dict[str, Any]] = {}
        self.linked: set[frozenset[str]] = set()

    def add(self, src: Facts, dst: Facts, relation: str, basis: dict[str, Any],
            directed: bool = True) -> None:
        if src.path == dst.path:
            return
        key = (src.path, dst.path, relation)
        if key in self.edges:
            self.edges[key]["basis"].update(basis)
            return
        self.edges[key] = {"from": src.path, "to": dst.path, "relation": relation,
                           "directed": directed, "basis": dict(basis)}
        self.linked.add(frozenset((src.path, dst.path)))


def _xmp(facts: list[Facts], edges: _Edges) -> None:
    by_inst: dict[str, list[Facts]] = defaultdict(list)
    by_doc: dict[str, list[Facts]] = defaultdict(list)
    for f in facts:
        if (i := norm_id(f.xmp.get("InstanceID"))) is not None:
            by_inst[i].append(f)
        if (d := norm_id(f.xmp.get("DocumentID"))) is not None:
            by_doc[d].append(f)
    for f in facts:
        der = f.xmp.get("DerivedFrom") or {}
        inst = norm_id(der.get("stRef:instanceID"))
        doc = norm_id(der.get("stRef:documentID"))
        targets = by_inst.get(inst, []) if inst else []
        field = "stRef:instanceID"
        if not targets and doc:
            targets, field = by_doc.get(doc, []), "stRef:documentID"
        for src in targets:
            edges.add(src, f, "derived_from", {
                f"xmpMM:DerivedFrom/{field}": der.get(field),
                "source xmpMM:" + ("InstanceID" if field == "stRef:instanceID" else
                                   "DocumentID"):
                    src.xmp.get("InstanceID" if field == "stRef:instanceID" else "DocumentID")})
        own = norm_id(f.xmp.get("InstanceID"))
        for ev in f.xmp.get("History") or []:
            hid = norm_id(ev.get("stEvt:instanceID"))
            if not hid or hid == own:
                continue
            for src in by_inst.get(hid, []):
                edges.add(src, f, "history", {
                    "xmpMM:History/stEvt:instanceID": ev.get("stEvt:instanceID"),
                    "action": ev.get("stEvt:action"),
                    "softwareAgent": ev.get("stEvt:softwareAgent"),
                    "when": ev.get("stEvt:when")})
        orig = norm_id(f.xmp.get("OriginalDocumentID"))
        if orig and orig != norm_id(f.xmp.get("DocumentID")):
            for src in by_doc.get(orig, []):
                edges.add(src, f, "original_document", {
                    "xmpMM:OriginalDocumentID": f.xmp.get("OriginalDocumentID"),
                    "source xmpMM:DocumentID": src.xmp.get("DocumentID")})
    for members in by_inst.values():
        shas = {m.sha256 for m in members}
        if len(shas) > 1:
            for other in members[1:]:
                if other.sha256 != members[0].sha256:
                    edges.add(members[0], other, "same_instance",
                              {"xmpMM:InstanceID": members[0].xmp.get("InstanceID")},
                              directed=False)
    for members in by_doc.values():
        for other in members[1:]:
            if (frozenset((members[0].path, other.path)) not in edges.linked
                    and other.sha256 != members[0].sha256):
                edges.add(members[0], other, "same_document",
                          {"xmpMM:DocumentID": members[0].xmp.get("DocumentID")},
                          directed=False)


def _c2pa(facts: list[Facts], edges: _Edges) -> None:
    by_label = {f.c2pa_label: f for f in facts if f.c2pa_label}
    by_inst = {norm_id(f.xmp.get("InstanceID")): f for f in facts if f.xmp.get("InstanceID")}
    names: dict[str, list[Facts]] = defaultdict(list)
    for f in facts:
        names[f.name].append(f)
    for f in facts:
        for ing in f.ingredients:
            basis = {"relationship": ing.get("relationship"), "title": ing.get("title")}
            src = by_label.get(ing.get("active_manifest"))
            if src is not None:
                basis["ingredient active_manifest"] = ing.get("active_manifest")
            elif (inst := norm_id(ing.get("instance_id"))) and inst in by_inst:
                src = by_inst[inst]
                basis["ingredient instance_id"] = ing.get("instance_id")
            elif len(names.get(str(ing.get("title")), [])) == 1:
                src = names[str(ing.get("title"))][0]
                basis["matched by"] = "title only (the one file of that name)"
            if src is not None and src is not f:
                edges.add(src, f, "c2pa_ingredient", basis)


def _containers(facts: list[Facts], edges: _Edges) -> None:
    by_path = {f.path: f for f in facts}
    for f in facts:
        if not f.parent:
            continue
        parent = by_path.get(str(f.parent.get("path")))
        if parent is None:
            continue
        basis = {"relation": f.relation, "locator": f.locator}
        if f.relation in SOURCE_CHILDREN:
            edges.add(f, parent, "container", basis)
        else:
            edges.add(parent, f, "container", basis)


def _pixels(facts: list[Facts], edges: _Edges) -> None:
    by_path = {f.path: f for f in facts}
    for f in facts:
        for dup in f.duplicates:
            ev = dup.get("evidence") or {}
            src = by_path.get(str(ev.get("other_path")))
            if src is None:
                continue
            tr = ev.get("transformation") or {}
            basis = {"method": ev.get("method"), "distances": ev.get("distances"),
                     "orientation": tr.get("orientation"), "scale": tr.get("scale"),
                     "crop_box": tr.get("crop_box"), "source": tr.get("source")}
            scale = tr.get("scale")
            if tr.get("cropped"):
                edges.add(src, f, "crop", basis)
            elif isinstance(scale, (int, float)) and scale < 0.95:
                edges.add(src, f, "resized", basis)
            elif isinstance(scale, (int, float)) and scale > 1 / 0.95:
                edges.add(f, src, "resized", basis)
            else:
                edges.add(src, f, "near_duplicate", basis, directed=False)
    uid: dict[str, list[Facts]] = defaultdict(list)
    for f in facts:
        if f.unique_id:
            uid[f.unique_id].append(f)
    for value, members in uid.items():
        for other in members[1:]:
            if other.sha256 != members[0].sha256:
                edges.add(members[0], other, "same_capture",
                          {"EXIF:ImageUniqueID": value}, directed=False)


def lineage_edges(facts: list[Facts]) -> list[dict[str, Any]]:
    """Every lineage edge of the release, in a stable order."""
    edges = _Edges()
    _containers(facts, edges)
    _xmp(facts, edges)
    _c2pa(facts, edges)
    _pixels(facts, edges)
    order = {f.path: f.index for f in facts}
    return sorted(edges.edges.values(),
                  key=lambda e: (order.get(e["to"], 0), order.get(e["from"], 0), e["relation"]))
