"""Mission files: where a vehicle was *sent* (QGroundControl ``.plan``, Mission Planner / QGC
``WPL 110`` waypoint lists).

A mission has no flown track: its points are the programmed positions (kind ``waypoint``, no
times) and its :class:`~.model.MissionItem` list keeps every item with its MAVLink command,
so a ``DO_*`` action or a ``RETURN_TO_LAUNCH`` is kept in sequence without being taken for a
place. Command names come from pymavlink's MAVLink ``common`` dialect.
"""

from __future__ import annotations

import json
import math
from typing import Any

from .model import MAX_POINTS, Collector, MissionItem, Track, TrackError

MAX_MISSION_ITEMS = 100_000
"""Mission items read at most (a real autopilot holds a few hundred to a few thousand)."""

_NAV_WITHOUT_POSITION = {20}  # NAV_RETURN_TO_LAUNCH: goes home, names no place of its own


def command_name(command_id: int | None) -> str:
    """``16`` -> ``NAV_WAYPOINT`` (MAVLink ``MAV_CMD``), or the number as text."""
    if command_id is None:
        return "unknown"
    try:
        from pymavlink.dialects.v20 import common

        entry = common.enums["MAV_CMD"].get(int(command_id))
        if entry is not None and entry.name.startswith("MAV_CMD_"):
            return entry.name[len("MAV_CMD_"):]
    except (ImportError, KeyError, ValueError, TypeError):
        pass
    return str(command_id)


def _num(value: Any) -> float | None:
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def mission_item(seq: int, command_id: Any, lat: Any, lon: Any, alt: Any) -> MissionItem:
    """One item; a position of 0,0 (what MAVLink sends for 'no position') is no position."""
    cid = int(command_id) if _num(command_id) is not None else None
    la, lo = _num(lat), _num(lon)
    if la is None or lo is None or (la == 0 and lo == 0) or not (-90 <= la <= 90
                                                                 and -180 <= lo <= 180):
        la = lo = None
    name = command_name(cid)
    nav = (name.startswith("NAV_") and la is not None and cid not in _NAV_WITHOUT_POSITION)
    return MissionItem(seq=seq, command=name, command_id=cid, lat=la, lon=lo, alt=_num(alt),
                       is_navigation=nav)


def mission_track(fmt: str, items: list[MissionItem], *, home: tuple | None = None,
                  problems: list[str] | None = None, vehicle: dict[str, Any] | None = None,
                  name: str | None = None, creator: str | None = None) -> Track:
    """A mission-only track: the navigation items' positions as waypoints."""
    col = Collector(problems=list(problems or []))
    for it in items:
        if it.is_navigation:
            col.add(it.lat, it.lon, it.alt, None, kind="waypoint",
                    where=f"mission item {it.seq}", segment=col.new_segment())
    return Track(fmt, tuple(col.points), name, creator, tuple(col.kinds), tuple(col.problems),
                 mission=tuple(items), home=home, vehicle=vehicle or {}, clock=None)


def parse_plan(data: bytes) -> Track:
    """QGroundControl ``.plan`` (JSON, ``fileType: Plan``): ``mission.items`` (SimpleItem:
    ``command`` and ``params[4:7]`` = lat, lon, alt; complex items such as surveys are counted,
    not expanded) and ``plannedHomePosition``."""
    doc = json.loads(data.decode("utf-8-sig"))
    if not isinstance(doc, dict) or str(doc.get("fileType", "")).lower() != "plan":
        raise TrackError("the JSON is not a QGroundControl plan (no fileType 'Plan')")
    mission = doc.get("mission") if isinstance(doc.get("mission"), dict) else {}
    raw = mission.get("items") if isinstance(mission.get("items"), list) else []
    problems: list[str] = []
    items: list[MissionItem] = []
    home = None
    hp = mission.get("plannedHomePosition")
    if isinstance(hp, list) and len(hp) >= 2 and _num(hp[0]) is not None:
        home = (float(hp[0]), float(hp[1]), _num(hp[2]) if len(hp) > 2 else None)
    complex_items = 0
    for i, it in enumerate(raw[:MAX_MISSION_ITEMS]):
        if not isinstance(it, dict):
            continue
        if it.get("type") != "SimpleItem":
            complex_items += 1
            continue
        params = it.get("params") if isinstance(it.get("params"), list) else []
        params = (params + [None] * 7)[:7]
        seq = int(it["doJumpId"]) if _num(it.get("doJumpId")) is not None else i + 1
        items.append(mission_item(seq, it.get("command"), params[4], params[5], params[6]))
    if len(raw) > MAX_MISSION_ITEMS:
        problems.append(f"more than {MAX_MISSION_ITEMS} mission items: the rest were not read")
    if complex_items:
        problems.append(f"{complex_items} complex item(s) (survey, corridor...) not expanded")
    vehicle = {k: mission[k] for k in ("firmwareType", "vehicleType") if k in mission
               and isinstance(mission[k], (int, str))}
    if home is not None and not items:
        problems.append("the plan holds no mission item")
    track = mission_track("plan", items, home=home, problems=problems, vehicle=vehicle,
                          creator=str(doc.get("groundStation"))[:200]
                          if doc.get("groundStation") else None)
    if not track.points and home is not None:  # a plan with only a home still says where
        col = Collector(problems=list(track.problems))
        col.add(home[0], home[1], home[2], None, kind="waypoint", where="plannedHomePosition",
                segment=1)
        return Track("plan", tuple(col.points), None, track.creator, tuple(col.kinds),
                     tuple(col.problems), mission=track.mission, home=home,
                     vehicle=track.vehicle)
    return track


def parse_wpl(data: bytes) -> Track:
    """Mission Planner / QGroundControl ``QGC WPL 110`` lists: one item per line, tab
    separated ``seq current frame command p1 p2 p3 p4 lat lon alt autocontinue``; Mission Planner
    writes home as item 0 (a ``NAV_WAYPOINT``)."""
    lines = data.decode("utf-8-sig", errors="replace").splitlines()
    if not lines or not lines[0].strip().upper().startswith("QGC WPL"):
        raise TrackError("not a 'QGC WPL' waypoint file (first line)")
    items: list[MissionItem] = []
    problems: list[str] = []
    home = None
    for n, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        if len(items) >= min(MAX_MISSION_ITEMS, MAX_POINTS):
            problems.append(f"more than {MAX_MISSION_ITEMS} items: the rest were not read")
            break
        cells = line.split("\t") if "\t" in line else line.split()
        if len(cells) < 11 or _num(cells[0]) is None:
            if len(problems) < 20:
                problems.append(f"line {n}: {len(cells)} fields, not a WPL item")
            continue
        seq = int(float(cells[0]))
        item = mission_item(seq, cells[3], cells[8], cells[9], cells[10])
        if seq == 0 and item.command_id == 16 and item.lat is not None:  # Mission Planner
            home = (item.lat, item.lon, item.alt)
        items.append(item)
    if not items:
        raise TrackError("the waypoint file lists no item" +
                         (f" ({'; '.join(problems[:3])})" if problems else ""))
    return mission_track("wpl", items, home=home, problems=problems)
