"""ArduPilot DataFlash logs (binary ``.bin`` and text ``.log``) and MAVLink telemetry logs
(``.tlog``, MAVLink 1 and 2), read with pymavlink.

Only the message types needed are read (pymavlink's DataFlash reader indexes message offsets
first and skips the rest): positions (DataFlash ``GPS``; MAVLink ``GPS_RAW_INT``), the mission
(``CMD``; ``MISSION_ITEM``/``MISSION_ITEM_INT``, every upload or download of it), identity
(``MSG``/``VER``; ``STATUSTEXT``, ``AUTOPILOT_VERSION``, ``HEARTBEAT``), modes, arming and
errors. Times: DataFlash GPS week + milliseconds are GNSS time, converted to UTC with the
leap seconds in force (:func:`gps_to_utc`); a tlog's records carry the ground station's
clock, compared with the vehicle's own ``SYSTEM_TIME`` where logged. Structure: MAVLink
sequence-number gaps per sender (messages missing from the log) and frames that failed their
CRC (``BAD_DATA``) are counted in ``Track.integrity``.

pymavlink reads from a file name, so the bytes are written to a private temporary file first
(deleted at once); nothing is written next to the evidence.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

from .missions import mission_item
from .model import MAX_POINTS, Collector, MissionItem, Track, TrackError, quiet

GPS_EPOCH = datetime(1980, 1, 6, tzinfo=timezone.utc)
LEAP_SECONDS = ((datetime(2017, 1, 1, tzinfo=timezone.utc), 18),
                (datetime(2015, 7, 1, tzinfo=timezone.utc), 17),
                (datetime(2012, 7, 1, tzinfo=timezone.utc), 16),
                (datetime(2009, 1, 1, tzinfo=timezone.utc), 15),
                (datetime(2006, 1, 1, tzinfo=timezone.utc), 14))
"""GPS - UTC offset (s) from each date on (IERS bulletins C; none announced after 2017)."""
MAX_EVENTS = 200
ARMED_EVENTS = {10: "armed", 11: "disarmed", 15: "auto_armed", 18: "land_complete",
                28: "not_landed"}
"""ArduPilot ``EV`` ids worth stating (LogEvent enum)."""
DATAFLASH_MAGIC = b"\xa3\x95\x80"
"""A binary DataFlash log starts with its first FMT message: head 0xA3 0x95, type 128."""


def gps_to_utc(week: int, ms: float) -> datetime:
    """GNSS week number + milliseconds of week -> UTC."""
    t = GPS_EPOCH + timedelta(weeks=int(week), milliseconds=float(ms))
    leap = next((s for since, s in LEAP_SECONDS if t >= since), 13)
    return t - timedelta(seconds=leap)


def _iso(t: datetime) -> str:
    return t.isoformat(timespec="milliseconds").replace("+00:00", "Z")


@contextlib.contextmanager
def _as_file(data: bytes, suffix: str) -> Iterator[str]:
    fd, name = tempfile.mkstemp(prefix="provenance-log-", suffix=suffix)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        # pymavlink prints its complaints; they must not reach a JSON document on stdout
        # nor a user's terminal
        with quiet():
            yield name
    finally:
        with contextlib.suppress(OSError):
            os.unlink(name)


def looks_like_tlog(data: bytes) -> bool:
    """A tlog is records of an 8-byte big-endian microsecond UNIX time followed by a MAVLink
    frame (0xFE: v1, 0xFD: v2). Two consecutive records with plausible times (2000-2100)."""
    if len(data) < 20 or data[8] not in (0xFE, 0xFD):
        return False
    t0 = int.from_bytes(data[:8], "big")
    if not 946_684_800_000_000 <= t0 <= 4_102_444_800_000_000:
        return False
    n = data[9] + (12 if data[8] == 0xFD else 8)
    if data[8] == 0xFD and data[10] & 0x01:
        n += 13  # signed frame
    nxt = 8 + n
    if len(data) < nxt + 9:
        return True
    t1 = int.from_bytes(data[nxt:nxt + 8], "big")
    return data[nxt + 8] in (0xFE, 0xFD) and abs(t1 - t0) < 3_600_000_000


def looks_like_dataflash_text(head: bytes) -> bool:
    return head.startswith(b"fmt,") and b"fmt" in head[:64]


class _Events:
    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []
        self.dropped = 0

    def add(self, **event: Any) -> None:
        if len(self.items) < MAX_EVENTS:
            self.items.append({k: v for k, v in event.items() if v is not None})
        else:
            self.dropped += 1


def _r(v: Any, n: int) -> Any:
    """Rounded for comparison (MISSION_ITEM sends float32 degrees, _INT integers)."""
    try:
        return round(float(v), n)
    except (TypeError, ValueError):
        return v


def _missions(versions: dict[int, list[tuple[Any, ...]]]) -> tuple[list[MissionItem], int]:
    """The last state of each mission item and how many items changed during the log."""
    items, changed = [], 0
    for seq in sorted(versions):
        states = versions[seq]
        if len({(s[1], _r(s[2], 6), _r(s[3], 6), _r(s[4], 1)) for s in states}) > 1:
            changed += 1
        cid, lat, lon, alt = states[-1][1:]
        items.append(mission_item(seq, cid, lat, lon, alt))
    return items, changed


def parse_dataflash(data: bytes) -> Track:
    """An ArduPilot DataFlash log, binary or text."""
    from pymavlink import DFReader

    binary = data.startswith(DATAFLASH_MAGIC)
    with _as_file(data, ".bin" if binary else ".log") as name:
        try:
            log = DFReader.DFReader_binary(name, zero_time_base=False) if binary \
                else DFReader.DFReader_text(name, zero_time_base=False)
        except Exception as exc:  # noqa: BLE001 - pymavlink raises many kinds on bad logs
            raise TrackError(f"the DataFlash log cannot be read ({type(exc).__name__}: "
                             f"{exc})"[:300]) from exc
        col = Collector()
        events = _Events()
        vehicle: dict[str, Any] = {}
        versions: dict[int, list[tuple[Any, ...]]] = {}
        counts: dict[str, int] = {}
        no_fix = boot_only = 0
        wanted = ["GPS", "CMD", "MSG", "VER", "MODE", "EV", "ERR"]
        while True:
            try:
                msg = log.recv_match(type=wanted)
            except Exception as exc:  # noqa: BLE001 - a cut or corrupt tail ends the read
                col.skip(f"the log could not be read past a damaged message ({exc})"[:200])
                break
            if msg is None:
                break
            kind = msg.get_type()
            counts[kind] = counts.get(kind, 0) + 1
            d = msg.to_dict()
            if kind == "GPS":
                if len(col.points) >= MAX_POINTS:
                    col.skip(f"more than {MAX_POINTS} points: the rest were not read")
                    break
                status = d.get("Status", 0) or 0
                if status < 2:
                    no_fix += 1
                    continue
                week, ms = d.get("GWk", d.get("Week")), d.get("GMS", d.get("TimeMS"))
                when = _iso(gps_to_utc(week, ms)) if week else None
                boot_only += when is None
                col.add(d.get("Lat"), d.get("Lng"), d.get("Alt"), when, kind="track",
                        where=f"GPS {counts[kind]}", segment=1, fix=int(status),
                        sats=d.get("NSats"), hdop=d.get("HDop"))
            elif kind == "CMD":
                seq = int(d.get("CNum", 0))
                versions.setdefault(seq, []).append(
                    (d.get("TimeUS"), d.get("CId"), d.get("Lat"), d.get("Lng"), d.get("Alt")))
            elif kind in ("MSG", "ERR", "EV", "MODE"):
                text = str(d.get("Message", ""))[:200]
                if kind == "MSG" and text and "firmware" not in vehicle:
                    vehicle["firmware"] = text
                elif kind == "MSG" and text and text.split(":")[0] in ("PX4", "ChibiOS",
                                                                         "NuttX"):
                    vehicle.setdefault("os", text)
                elif kind == "MSG" and text and "board" not in vehicle and \
                        text[:4].lower() in ("px4v", "cube", "pixh", "matek"):
                    vehicle["board"] = text
                if kind == "EV" and int(d.get("Id", -1)) not in ARMED_EVENTS:
                    continue
                events.add(kind=kind.lower(), boot_us=d.get("TimeUS"), text=text or None,
                           mode=d.get("Mode"), event=ARMED_EVENTS.get(int(d.get("Id", -1)))
                           if kind == "EV" else None,
                           subsystem=d.get("Subsys"), code=d.get("ECode"))
            elif kind == "VER":
                for key in ("BU", "FWS", "GH", "FWT", "BT"):
                    if d.get(key) not in (None, ""):
                        vehicle[f"ver_{key.lower()}"] = str(d[key])[:100]
    if not col.points and not versions:
        raise TrackError("the DataFlash log holds no GPS position with a fix and no mission"
                         + (f" ({no_fix} GPS message(s) without a fix)" if no_fix else ""))
    mission, changed = _missions(versions)
    home = (mission[0].lat, mission[0].lon, mission[0].alt) \
        if mission and mission[0].seq == 0 and mission[0].lat is not None else None
    if no_fix:
        col.skip(f"{no_fix} GPS message(s) without a 2D/3D fix were not used")
    if events.dropped:
        col.skip(f"{events.dropped} more event(s) not listed")
    return Track("dataflash", tuple(col.points), None, vehicle.get("firmware"),
                 tuple(col.kinds), tuple(col.problems), mission=tuple(mission), home=home,
                 vehicle=vehicle, clock="gps" if col.points and not boot_only else "boot",
                 events=tuple(events.items),
                 integrity={"messages_read": counts, "binary": binary,
                            "mission_items_changed": changed})


def parse_tlog(data: bytes) -> Track:
    """A MAVLink telemetry log (what a ground station records)."""
    from pymavlink import mavutil

    with _as_file(data, ".tlog") as name:
        try:
            log = mavutil.mavlink_connection(name, robust_parsing=True, notimestamps=False)
        except Exception as exc:  # noqa: BLE001
            raise TrackError(f"the telemetry log cannot be read ({type(exc).__name__}: "
                             f"{exc})"[:300]) from exc
        col = Collector()
        events = _Events()
        vehicle: dict[str, Any] = {}
        versions: dict[int, list[tuple[Any, ...]]] = {}
        counts: dict[str, int] = {}
        last_seq: dict[tuple[int, int], int] = {}
        gaps = lost = bad = no_fix = 0
        offsets: list[float] = []
        try:
            while True:
                msg = log.recv_match(blocking=False)
                if msg is None:
                    break
                kind = msg.get_type()
                counts[kind] = counts.get(kind, 0) + 1
                if kind == "BAD_DATA":
                    bad += 1
                    continue
                src = (msg.get_srcSystem(), msg.get_srcComponent())
                seq = msg.get_seq()
                if src in last_seq:
                    step = (seq - last_seq[src]) % 256
                    if step > 1:
                        gaps += 1
                        lost += step - 1
                last_seq[src] = seq
                stamp = getattr(msg, "_timestamp", None)
                if kind == "GPS_RAW_INT":
                    if len(col.points) >= MAX_POINTS:
                        col.skip(f"more than {MAX_POINTS} points: the rest were not read")
                        break
                    if msg.fix_type < 2:
                        no_fix += 1
                        continue
                    when = _iso(datetime.fromtimestamp(stamp, timezone.utc)) if stamp else None
                    col.add(msg.lat / 1e7, msg.lon / 1e7, msg.alt / 1000.0, when, kind="track",
                            where=f"GPS_RAW_INT {counts[kind]}", segment=1,
                            fix=int(msg.fix_type), sats=int(msg.satellites_visible),
                            hdop=msg.eph / 100.0 if msg.eph != 65535 else None)
                elif kind in ("MISSION_ITEM", "MISSION_ITEM_INT"):
                    scale = 1e7 if kind == "MISSION_ITEM_INT" else 1.0
                    versions.setdefault(int(msg.seq), []).append(
                        (stamp, msg.command, msg.x / scale, msg.y / scale, msg.z))
                elif kind == "SYSTEM_TIME" and stamp and msg.time_unix_usec:
                    offsets.append(stamp - msg.time_unix_usec / 1e6)
                elif kind == "STATUSTEXT":
                    text = str(msg.text)[:200]
                    if "firmware" not in vehicle and " V" in text:
                        vehicle["firmware"] = text
                    events.add(kind="statustext", time=_iso(datetime.fromtimestamp(
                        stamp, timezone.utc)) if stamp else None, text=text,
                        severity=int(msg.severity))
                elif kind == "AUTOPILOT_VERSION":
                    vehicle.update({"flight_sw_version": int(msg.flight_sw_version),
                                    "board_version": int(msg.board_version),
                                    "vendor_id": int(msg.vendor_id),
                                    "product_id": int(msg.product_id), "uid": int(msg.uid)})
                elif kind == "HEARTBEAT" and "autopilot" not in vehicle and src[1] == 1:
                    vehicle.update({"autopilot": _enum("MAV_AUTOPILOT", msg.autopilot),
                                    "vehicle_type": _enum("MAV_TYPE", msg.type)})
        except Exception as exc:  # noqa: BLE001 - a damaged tail ends the read, said so
            col.skip(f"the log could not be read past a damaged record ({exc})"[:200])
    if not col.points and not versions:
        raise TrackError("the telemetry log holds no GPS position with a fix and no mission")
    mission, changed = _missions(versions)
    home = (mission[0].lat, mission[0].lon, mission[0].alt) \
        if mission and mission[0].seq == 0 and mission[0].lat is not None else None
    if no_fix:
        col.skip(f"{no_fix} GPS_RAW_INT message(s) without a 2D/3D fix were not used")
    offsets.sort()
    integrity = {"messages_read": sum(counts.values()), "bad_crc_frames": bad,
                 "sequence_gaps": gaps, "messages_missing": lost,
                 "senders": len(last_seq), "mission_items_changed": changed,
                 "station_minus_vehicle_clock_s": round(offsets[len(offsets) // 2], 3)
                 if offsets else None}
    return Track("tlog", tuple(col.points), None, vehicle.get("firmware"), tuple(col.kinds),
                 tuple(col.problems), mission=tuple(mission), home=home, vehicle=vehicle,
                 clock="ground_station", events=tuple(events.items), integrity=integrity)


def _enum(name: str, value: int) -> str:
    try:
        from pymavlink.dialects.v20 import common

        entry = common.enums[name].get(int(value))
        return entry.name if entry is not None else str(value)
    except (ImportError, KeyError, ValueError):
        return str(value)
