"""Active content in a PDF, listed and never run: JavaScript, actions, embedded files, XFA.

Every indirect object is visited once (at most ``max_objects``), with the direct
dictionaries and arrays inside it (at most 16 levels deep, 64 entries each visited, so a
deeply nested or huge structure costs a bounded walk); an action is a dictionary with
``/S`` naming its type (ISO 32000-1 12.6.4).

Lab notes:

* ``/OpenAction`` is often a harmless ``/GoTo`` to the first page, or a bare destination
  array (what LibreOffice writes): only an OpenAction whose action runs JavaScript,
  launches something or opens a URI is reported above info.
* JavaScript lives in ``/JS`` (a string or a stream) of ``/S /JavaScript`` actions and in
  the Names tree ``/JavaScript``; a stream ``/JS`` is read through the inflate cap.
* Acrobat forms with ``/XFA`` are XML forms that can script; RichMedia annotations carry
  Flash or video. Both are rare in a press release.
"""

from __future__ import annotations

from typing import Any

from .pdf_streams import InflateBudget, StreamCapError, read_stream, to_text

MAX_DEPTH = 16
MAX_ENTRIES = 64
MAX_LISTED = 50
_SNIPPET = 200


def _name(value: Any) -> str | None:
    try:
        import pikepdf

        return str(value) if isinstance(value, pikepdf.Name) else None
    except Exception:  # noqa: BLE001
        return None


def _js_text(value: Any) -> str | None:
    import pikepdf

    if isinstance(value, pikepdf.Stream):
        try:
            raw = read_stream(value, InflateBudget(1 << 20, 1 << 20))
        except (StreamCapError, Exception):  # noqa: BLE001
            return "(a script stream that could not be read within the cap)"
        return raw[:_SNIPPET].decode("latin-1", "replace")
    return (to_text(value, _SNIPPET) or "")


def active_content(ex: Any, pdf: Any, max_objects: int) -> tuple[dict[str, Any], list[Any]]:
    """(``metadata.PDF.active_content``, findings) for the document."""
    import pikepdf

    found: dict[str, list[dict[str, Any]]] = {
        "javascript": [], "launch": [], "uri": [], "submit_form": [], "remote_goto": [],
        "embedded_file": [], "rich_media": [], "additional_actions": [], "xfa": []}
    visited = 0
    truncated = False

    def note(kind: str, entry: dict[str, Any]) -> None:
        if len(found[kind]) < MAX_LISTED:
            found[kind].append(entry)

    def walk(obj: Any, where: str) -> None:
        stack: list[tuple[Any, int]] = [(obj, 0)]
        while stack:
            node, depth = stack.pop()
            if isinstance(node, pikepdf.Stream):
                d = node.stream_dict
            elif isinstance(node, pikepdf.Dictionary):
                d = node
            elif isinstance(node, pikepdf.Array):
                if depth < MAX_DEPTH:
                    for v in list(node)[:MAX_ENTRIES]:
                        # numbers and names come back as Python values (no is_indirect):
                        # only direct containers are walked here
                        if isinstance(v, (pikepdf.Dictionary, pikepdf.Array, pikepdf.Stream)) \
                                and not v.is_indirect:
                            stack.append((v, depth + 1))
                continue
            else:
                continue
            try:
                keys = list(d.keys())[:MAX_ENTRIES]
            except Exception:  # noqa: BLE001
                continue
            action = _name(d.get("/S")) if "/S" in keys else None
            if action == "/JavaScript" or "/JS" in keys:
                note("javascript", {"where": where, "script": _js_text(d.get("/JS"))})
            elif action == "/Launch":
                target = d.get("/F") or d.get("/Win")
                note("launch", {"where": where, "target": to_text(
                    target.get("/F") if isinstance(target, pikepdf.Dictionary) else target,
                    300)})
            elif action == "/URI":
                note("uri", {"where": where, "uri": to_text(d.get("/URI"), 500)})
            elif action in ("/SubmitForm", "/ImportData"):
                note("submit_form", {"where": where, "action": action,
                                     "target": to_text(d.get("/F"), 300)})
            elif action in ("/GoToR", "/GoToE"):
                note("remote_goto", {"where": where, "action": action})
            if _name(d.get("/Type")) == "/EmbeddedFile" if "/Type" in keys else False:
                note("embedded_file", {"where": where})
            if "/RichMediaContent" in keys or _name(d.get("/Subtype")) == "/RichMedia":
                note("rich_media", {"where": where})
            if "/AA" in keys:
                aa = d.get("/AA")
                triggers = [str(k) for k in aa.keys()][:20] if isinstance(
                    aa, pikepdf.Dictionary) else []
                note("additional_actions", {"where": where, "triggers": triggers})
            if "/XFA" in keys:
                note("xfa", {"where": where})
            if depth < MAX_DEPTH:
                for k in keys:
                    try:
                        v = d.get(k)
                    except Exception:  # noqa: BLE001
                        continue
                    if isinstance(v, (pikepdf.Dictionary, pikepdf.Array)) and not v.is_indirect:
                        stack.append((v, depth + 1))

    try:
        for obj in pdf.objects:
            visited += 1
            if visited > max_objects:
                truncated = True
                break
            try:
                walk(obj, f"object {obj.objgen[0]} {obj.objgen[1]}")
            except Exception:  # noqa: BLE001, S112 - one damaged object
                continue
    except Exception:  # noqa: BLE001 - a damaged object table
        truncated = True
    open_action = None
    try:
        oa = pdf.Root.get("/OpenAction")
        if oa is not None:
            if isinstance(oa, pikepdf.Dictionary):
                open_action = {"action": _name(oa.get("/S")) or "(none)"}
                if open_action["action"] == "/JavaScript":
                    open_action["script"] = _js_text(oa.get("/JS"))
                elif open_action["action"] == "/URI":
                    open_action["uri"] = to_text(oa.get("/URI"), 500)
            else:
                open_action = {"action": "destination"}
    except Exception:  # noqa: BLE001
        pass
    names_js = False
    try:
        names = pdf.Root.get("/Names")
        names_js = names is not None and names.get("/JavaScript") is not None
    except Exception:  # noqa: BLE001
        pass
    meta: dict[str, Any] = {k: v for k, v in found.items() if v}
    meta["open_action"] = open_action
    meta["names_javascript"] = names_js
    meta["objects_visited"] = min(visited, max_objects)
    if truncated:
        meta["truncated"] = True
    return meta, _findings(ex, found, open_action, names_js)


def _findings(ex: Any, found: dict[str, list[dict[str, Any]]], open_action: Any,
              names_js: bool) -> list[Any]:
    out = []
    js = found["javascript"]
    if js or names_js:
        out.append(ex.finding(
            "pdf.javascript", "medium", "high",
            f"The PDF contains JavaScript ({len(js)} script(s)): it can run when the file is "
            "opened or used (never run here); unusual in a press release",
            {"scripts": js[:10], "names_tree": names_js}))
    if found["launch"]:
        out.append(ex.finding(
            "pdf.launch", "high", "high",
            "The PDF has a Launch action: it asks the viewer to start a program or open a "
            "file", {"actions": found["launch"][:10]}))
    if found["submit_form"]:
        out.append(ex.finding(
            "pdf.submit_form", "low", "high",
            "The PDF can send form data to, or import data from, somewhere else",
            {"actions": found["submit_form"][:10]}))
    if open_action and open_action.get("action") in ("/JavaScript", "/Launch", "/URI"):
        out.append(ex.finding(
            "pdf.open_action", "medium", "high",
            f"The PDF runs an action when it is opened ({open_action['action'].lstrip('/')})",
            {"open_action": open_action}))
    if found["additional_actions"]:
        out.append(ex.finding(
            "pdf.additional_actions", "low", "high",
            "The PDF has actions triggered by events (/AA: opening a page, closing, "
            "printing, focusing a field)", {"where": found["additional_actions"][:10]}))
    if found["rich_media"]:
        out.append(ex.finding("pdf.rich_media", "low", "high",
                              "The PDF carries RichMedia (Flash or video) content",
                              {"where": found["rich_media"][:10]}))
    if found["xfa"]:
        out.append(ex.finding("pdf.xfa", "low", "high",
                              "The PDF has an XFA form (XML forms that can hold scripts)",
                              {"where": found["xfa"][:10]}))
    if found["uri"]:
        out.append(ex.finding(
            "pdf.uri", "info", "high",
            f"The PDF links to {len(found['uri'])} web address(es) (URI actions)",
            {"uris": [u["uri"] for u in found["uri"]][:MAX_LISTED]}))
    if found["embedded_file"] or found["remote_goto"]:
        out.append(ex.finding(
            "pdf.embedded_file", "info", "high",
            f"The PDF embeds {len(found['embedded_file'])} file(s) (each is scanned as a "
            "child item)" + (" and points to other documents (GoToR/GoToE)"
                             if found["remote_goto"] else ""),
            {"embedded": found["embedded_file"][:20], "remote": found["remote_goto"][:20]}))
    return out
