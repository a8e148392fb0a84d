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

A binary DataFlash log is read from its bytes (:class:`DataFlashIndex`): pymavlink's C
indexer finds every message's offset per type, the ``FMT`` messages give the formats, and only
``GPS``, ``BARO``, the densest stream's times and the low-rate text types are decoded (numpy
columns, pymavlink's ``DFMessage`` for text); ``integrity`` says how much was indexed and
decoded, ``bytes_read`` where a damaged region stopped the index. pymavlink reads text logs
and tlogs from a file name, so those bytes are written to a private temporary file first
(deleted at once); nothing is written next to the evidence. The sensor streams of
:mod:`.sensors` go to ``Track.sensors``.
"""

from __future__ import annotations

import contextlib
import os
import struct
import sys
import tempfile
import threading
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

import numpy as np

from .missions import mission_item
from .model import MAX_POINTS, Collector, MissionItem, Track, TrackError, quiet
from .sensors import SIMULATOR_MESSAGES, pressure_altitude_m

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
    if data.startswith(DATAFLASH_MAGIC):
        return _parse_dataflash_binary(data)
    return _parse_dataflash_text(data)


# --------------------------------------------------------------------------------------------
# Binary DataFlash: pymavlink's offset index, then only the message types needed
# --------------------------------------------------------------------------------------------

_NUMPY_CODES = {"b": "i1", "B": "u1", "h": "<i2", "H": "<u2", "i": "<i4", "I": "<u4",
                "q": "<i8", "Q": "<u8", "f": "<f4", "d": "<f8", "e": "<f2"}
"""struct codes of pymavlink's ``FORMAT_TO_STRUCT`` -> numpy dtypes (little-endian)."""
_GATHER_ROWS = 200_000
"""Rows gathered at once (bounds the index array numpy builds: rows x field bytes x 8)."""
_STDERR_LOCK = threading.Lock()
_NOT_TIMELINE = frozenset({"PARM", "FMT", "FMTU", "UNIT", "MULT", "FILE", "MSG", "ISBH", "ISBD"})
"""Types logged in bursts (the parameter dump, formats), not at a rate: never the timeline."""
TEXT_TYPES = ("MSG", "ERR", "EV", "MODE", "VER", "CMD")
"""Low-rate DataFlash types decoded message by message (pymavlink's ``DFMessage``)."""


@contextlib.contextmanager
def _quiet_fd2() -> Iterator[None]:
    """Silence file descriptor 2 itself for a C call: pymavlink's ``dfindexer`` prints a line
    per bad header byte with C ``fprintf(stderr)``, which ``sys.stderr`` redirection does not
    catch (a damaged 100 MB log would print millions of lines). Process-wide while it lasts,
    so serialised."""
    with _STDERR_LOCK:
        try:
            sys.stderr.flush()
            saved = os.dup(2)
        except (OSError, ValueError, AttributeError):
            yield
            return
        try:
            with open(os.devnull, "wb") as null:
                os.dup2(null.fileno(), 2)
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


class DataFlashIndex:
    """A binary DataFlash log indexed without decoding it: the offset of every message per
    type (pymavlink's C indexer ``dfindexer.build_offsets``, the pass ``DFReader_binary``
    itself starts with) and the formats its ``FMT`` messages define (pymavlink's
    ``DFFormat``). Message types are then decoded only when asked for: whole columns at
    once with numpy (:meth:`columns`) or message by message as pymavlink's ``DFMessage``
    (:meth:`messages`). A log whose type has no ``FMT`` before it stops the index there
    (as in pymavlink): :attr:`indexed_bytes` says how far it got."""

    def __init__(self, data: bytes) -> None:
        from pymavlink import DFReader, dfindexer

        self.data = data
        self._buf = np.frombuffer(data, dtype=np.uint8)
        fmt0 = DFReader.DFFormat(0x80, "FMT", 89, "BBnNZ", "Type,Length,Name,Format,Columns")
        if dfindexer.available:
            with _quiet_fd2():
                offsets = dfindexer.build_offsets(memoryview(data), 0x80, 89, 3, 4, 0xA3, 0x95)
        else:  # pymavlink installed without its C indexer: its Python pass (slower)
            with _as_file(data, ".bin") as name:
                log = DFReader.DFReader_binary(name, zero_time_base=True)
                offsets = [list(o) for o in log.offsets]
                log.close()
        self.formats: dict[int, Any] = {0x80: fmt0}
        self.bad_formats = 0
        with quiet():  # DFFormat prints each unsupported format character
            self._formats(offsets[0x80], fmt0)
        self.by_name = {f.name: t for t, f in self.formats.items()}
        self._offsets: dict[int, np.ndarray] = {}
        self.counts = {t: len(o) for t, o in enumerate(offsets) if o}
        ends = [o[-1] + self.formats[t].len for t, o in enumerate(offsets)
                if o and t in self.formats]
        self.indexed_bytes = min(len(data), max(ends)) if ends else 0
        self._raw = offsets
        self.decoded: dict[str, int] = {}

    def _formats(self, offsets: list[int], fmt0: Any) -> None:
        """The formats the ``FMT`` messages define (the last definition of a type wins, as in
        pymavlink); a damaged one (an unknown format character) is counted and skipped."""
        from pymavlink import DFReader

        for ofs in offsets:
            body = self.data[ofs + 3:ofs + 89]
            if len(body) < 86:
                break
            el = struct.unpack(fmt0.msg_struct, body)
            if el[0] == 0x80:  # FMT itself is fixed: a damaged FMT must not redefine it
                continue
            try:
                fmt = DFReader.DFFormat(el[0], DFReader.null_term(el[2]), el[1],
                                        DFReader.null_term(el[3]), DFReader.null_term(el[4]),
                                        oldfmt=self.formats.get(el[0]))
            except Exception:  # noqa: BLE001 - a damaged FMT (unknown format character)
                self.bad_formats += 1
                continue
            self.formats[el[0]] = fmt

    def offsets(self, name: str) -> np.ndarray:
        t = self.by_name.get(name)
        if t is None or t not in self.counts:
            return np.zeros(0, dtype=np.int64)
        if t not in self._offsets:
            o = np.asarray(self._raw[t], dtype=np.int64)
            self._offsets[t] = o[o + self.formats[t].len <= len(self.data)]
        return self._offsets[t]

    def count(self, name: str) -> int:
        return int(self.offsets(name).size)

    def names(self) -> dict[str, int]:
        """Messages per type name, as indexed."""
        return {self.formats[t].name if t in self.formats else str(t): n
                for t, n in sorted(self.counts.items())}

    def columns(self, name: str, fields: Sequence[str]) -> dict[str, np.ndarray]:
        """The named fields of every message of one type (multipliers applied as pymavlink
        does: ``L`` degrees * 1e7, ``e``/``c`` hundredths...), float64; fields the format
        lacks are absent."""
        from pymavlink.DFReader import FORMAT_TO_STRUCT

        offs = self.offsets(name)
        if offs.size == 0:
            return {}
        fmt = self.formats[self.by_name[name]]
        self.decoded[name] = int(offs.size)
        out: dict[str, np.ndarray] = {}
        pos = 3
        for col, ch in zip(fmt.columns, fmt.format, strict=False):
            code, mult, _ = FORMAT_TO_STRUCT[ch]
            size = struct.calcsize("<" + code)
            if pos + size > fmt.len:  # a FMT whose Length is shorter than its format
                break
            if col in fields and code in _NUMPY_CODES:
                dt = np.dtype(_NUMPY_CODES[code])
                vals = np.empty(offs.size, dtype=np.float64)
                span = np.arange(size)
                for a in range(0, offs.size, _GATHER_ROWS):
                    idx = offs[a:a + _GATHER_ROWS, None] + pos + span
                    vals[a:a + _GATHER_ROWS] = np.ascontiguousarray(
                        self._buf[idx]).view(dt).reshape(-1)
                if mult is not None:
                    vals = vals / (1 / mult) if 0 < mult < 1 else vals * mult
                out[col] = vals
            pos += size
        return out

    def messages(self, name: str) -> list[tuple[int, dict[str, Any]]]:
        """Every message of one type as ``(offset, pymavlink DFMessage.to_dict())``."""
        from pymavlink.DFReader import DFMessage

        offs = self.offsets(name)
        if offs.size == 0:
            return []
        fmt = self.formats[self.by_name[name]]
        unpack = struct.Struct(fmt.msg_struct).unpack_from
        out = []
        for ofs in offs.tolist():
            try:
                d = DFMessage(fmt, list(unpack(self.data, ofs + 3)), True, None).to_dict()
            except (struct.error, ValueError, TypeError, UnicodeDecodeError):
                continue
            out.append((ofs, d))
        self.decoded[name] = len(out)
        return out

    def densest(self) -> str | None:
        """The most frequent type whose first column is ``TimeUS`` (the timeline)."""
        best = None
        for t, _n in sorted(self.counts.items(), key=lambda kv: -kv[1]):
            f = self.formats.get(t)
            if f is not None and f.columns[:1] == ["TimeUS"] and f.format[:1] == "Q" \
                    and f.name not in _NOT_TIMELINE:
                best = f.name
                break
        return best


def _first_instance(cols: dict[str, np.ndarray]) -> np.ndarray:
    """Rows of instance 0 where the type logs several (``I``/``Instance`` column)."""
    n = len(next(iter(cols.values()))) if cols else 0
    inst = cols.get("I", cols.get("Instance"))
    return np.ones(n, dtype=bool) if inst is None else inst == 0


def _gps_unix(week: np.ndarray, ms: np.ndarray) -> np.ndarray:
    """GNSS week + milliseconds -> UNIX seconds (UTC, leap seconds of :data:`LEAP_SECONDS`)."""
    gps = (GPS_EPOCH.timestamp() + week * 604800.0 + ms / 1000.0)
    leap = np.full(gps.shape, 13.0)
    for since, sec in reversed(LEAP_SECONDS):
        leap[gps >= since.timestamp() + sec] = sec
    return gps - leap


def _parse_dataflash_binary(data: bytes) -> Track:
    try:
        idx = DataFlashIndex(data)
    except Exception as exc:  # noqa: BLE001 - pymavlink raises many kinds on bad logs
        raise TrackError(f"the DataFlash log cannot be read ({type(exc).__name__}: "
                         f"{exc})"[:300]) from exc
    col = Collector()
    events = _Events()
    vehicle: dict[str, Any] = {}
    versions: dict[int, list[tuple[Any, ...]]] = {}
    sensors: dict[str, Any] = {}
    g = idx.columns("GPS", ("TimeUS", "T", "Status", "GMS", "GWk", "TimeMS", "Week", "NSats",
                            "HDop", "Lat", "Lng", "Alt", "I", "Instance"))
    no_fix = boot_only = 0
    if g:
        keep = _first_instance(g)
        g = {k: v[keep] for k, v in g.items()}
        n = len(g["Lat"])
        status = g.get("Status", np.zeros(n))
        week = g.get("GWk", g.get("Week", np.zeros(n)))
        ms = g.get("GMS", g.get("TimeMS", np.zeros(n)))
        boot = g["TimeUS"] / 1e6 if "TimeUS" in g else (g["T"] / 1e3 if "T" in g else
                                                         np.full(n, np.nan))
        fixed = status >= 2
        no_fix = int((~fixed).sum())
        rows = np.flatnonzero(fixed)[:MAX_POINTS]
        if int(fixed.sum()) > MAX_POINTS:
            col.skip(f"more than {MAX_POINTS} points: the rest were not read")
        sats, hdop = g.get("NSats"), g.get("HDop")
        lat, lon, alt = g["Lat"], g["Lng"], g.get("Alt", np.full(n, np.nan))
        for i in rows.tolist():
            when = _iso(gps_to_utc(int(week[i]), float(ms[i]))) if week[i] else None
            boot_only += when is None
            col.add(float(lat[i]), float(lon[i]), float(alt[i]), when, kind="track",
                    where=f"GPS {i + 1}", segment=1, fix=int(status[i]),
                    sats=int(sats[i]) if sats is not None else None,
                    hdop=float(hdop[i]) if hdop is not None else None)
        sensors["gnss"] = {"t": boot[rows], "alt": alt[rows], "lat": lat[rows],
                           "lon": lon[rows],
                           "sats": sats[rows] if sats is not None else np.full(rows.size, np.nan),
                           "hdop": hdop[rows] if hdop is not None else np.full(rows.size, np.nan)}
        timed = rows[week[rows] > 0]
        sensors["clock"] = {"boot_s": boot[timed], "utc_s": _gps_unix(week[timed], ms[timed])}
    b = idx.columns("BARO", ("TimeUS", "Alt", "I", "Instance"))
    if b and "TimeUS" in b and "Alt" in b:
        keep = _first_instance(b)
        sensors["baro"] = {"t": b["TimeUS"][keep] / 1e6, "alt": b["Alt"][keep]}
    dense = idx.densest()
    if dense is not None:
        sensors["timeline"] = {"t": idx.columns(dense, ("TimeUS",))["TimeUS"] / 1e6,
                               "stream": dense}
    sim = sum(idx.count(n) for n in SIMULATOR_MESSAGES)
    sensors["simulator"] = sim
    text = sorted((ofs, kind, d) for kind in TEXT_TYPES for ofs, d in idx.messages(kind))
    for _, kind, d in text:
        _low_rate_record(kind, d, versions, vehicle, events)
    mission, changed, home = _dataflash_mission(col, versions, no_fix, events)
    if idx.indexed_bytes < len(data) - 528:  # pymavlink's allowance for block padding
        col.skip(f"the log could be read up to byte {idx.indexed_bytes:,} of {len(data):,}: "
                 "a damaged or unknown message stops the reader there")
    decoded_bytes = sum(idx.formats[idx.by_name[n]].len * k for n, k in idx.decoded.items())
    counts = idx.names()
    return Track("dataflash", tuple(col.points), None, vehicle.get("firmware"),
                 tuple(col.kinds), tuple(col.problems), mission=tuple(mission), home=home,
                 vehicle=vehicle, clock="gps" if col.points and not boot_only else "boot",
                 events=tuple(events.items),
                 integrity={"messages_read": {n: idx.decoded[n] for n in sorted(idx.decoded)},
                            "messages_indexed": sum(counts.values()),
                            "types_indexed": len(counts), "binary": True,
                            "bytes_indexed": idx.indexed_bytes,
                            "bytes_decoded": decoded_bytes,
                            "fraction_decoded": round(decoded_bytes / max(1, len(data)), 4),
                            "bad_formats": idx.bad_formats,
                            "mission_items_changed": changed},
                 bytes_read=None if idx.indexed_bytes >= len(data) - 528 else idx.indexed_bytes,
                 sensors=sensors)


def _low_rate_record(kind: str, d: dict[str, Any], versions: dict[int, list[tuple[Any, ...]]],
                     vehicle: dict[str, Any], events: _Events) -> None:
    """One DataFlash CMD (a mission item version), VER (firmware identity) or text/event
    record (MSG, MODE, EV, ERR), binary or text log alike."""
    if kind == "CMD":
        seq = int(d.get("CNum", 0))
        versions.setdefault(seq, []).append(
            (d.get("TimeUS"), d.get("CId"), d.get("Lat"), d.get("Lng"), d.get("Alt")))
    elif kind == "VER":
        for key in ("BU", "FWS", "GH", "FWT", "BT"):
            if d.get(key) not in (None, ""):
                vehicle[f"ver_{key.lower()}"] = str(d[key])[:100]
    else:
        _text_event(kind, d, vehicle, events)


def _dataflash_mission(col: Collector, versions: dict[int, list[tuple[Any, ...]]],
                       no_fix: int, events: _Events
                       ) -> tuple[list[MissionItem], int, tuple[Any, Any, Any] | None]:
    """(mission, items changed, home) of a DataFlash log, with what was left out noted in
    ``col``; a log with neither a fix nor a mission is refused."""
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
    return mission, changed, home


def _text_event(kind: str, d: dict[str, Any], vehicle: dict[str, Any], events: _Events) -> None:
    text = str(d.get("Message", ""))[:200]
    if kind == "MSG" and text and "firmware" not in vehicle:
        vehicle["firmware"] = text
    elif kind == "MSG" and text and text.split(":")[0] in ("PX4", "ChibiOS", "NuttX"):
        vehicle.setdefault("os", text)
    elif kind == "MSG" and text and "board" not in vehicle and \
            text[:4].lower() in ("px4v", "cube", "pixh", "matek"):
        vehicle["board"] = text
    if kind == "EV" and int(d.get("Id", -1)) not in ARMED_EVENTS:
        return
    events.add(kind=kind.lower(), boot_us=d.get("TimeUS"), text=text or None,
               mode=d.get("Mode"), event=ARMED_EVENTS.get(int(d.get("Id", -1)))
               if kind == "EV" else None,
               subsystem=d.get("Subsys"), code=d.get("ECode"))


def _parse_dataflash_text(data: bytes) -> Track:
    """A DataFlash text log (``.log``: one CSV-like line per message), through pymavlink's
    ``DFReader_text``, which indexes line offsets per type first as well."""
    from pymavlink import DFReader

    with _as_file(data, ".log") as name:
        try:
            log = DFReader.DFReader_text(name, zero_time_base=False)
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
                msg = log.recv_match(type=wanted, strict=True)
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
            else:
                _low_rate_record(kind, d, versions, vehicle, events)
    mission, changed, home = _dataflash_mission(col, versions, no_fix, events)
    return Track("dataflash", tuple(col.points), None, vehicle.get("firmware"),
                 tuple(col.kinds), tuple(col.problems), mission=tuple(mission), home=home,
                 vehicle=vehicle, clock="gps" if col.points and not boot_only else "boot",
                 events=tuple(events.items),
                 integrity={"messages_read": counts, "binary": False,
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
        gaps = lost = bad = no_fix = sim = 0
        offsets: list[float] = []
        gnss: list[tuple[float, ...]] = []
        baro: list[tuple[float, float]] = []
        clock: list[tuple[float, float]] = []
        lines: dict[tuple[int, int], list[float]] = {}
        missing: dict[tuple[int, int], dict[int, int]] = {}
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
                line = lines.setdefault(src, [])
                if src in last_seq:
                    step = (seq - last_seq[src]) % 256
                    if step > 1:
                        gaps += 1
                        lost += step - 1
                        at = missing.setdefault(src, {})
                        at[len(line) - 1] = at.get(len(line) - 1, 0) + step - 1
                last_seq[src] = seq
                stamp = getattr(msg, "_timestamp", None)
                boot_ms = getattr(msg, "time_boot_ms", None)
                if boot_ms is not None:
                    line.append(boot_ms / 1000.0)
                if kind == "GPS_RAW_INT":
                    if len(col.points) >= MAX_POINTS:
                        col.skip(f"more than {MAX_POINTS} points: the rest were not read")
                        break
                    if msg.fix_type < 2:
                        no_fix += 1
                        continue
                    when = _iso(datetime.fromtimestamp(stamp, timezone.utc)) if stamp else None
                    hdop = msg.eph / 100.0 if msg.eph != 65535 else None
                    before = len(col.points)
                    col.add(msg.lat / 1e7, msg.lon / 1e7, msg.alt / 1000.0, when, kind="track",
                            where=f"GPS_RAW_INT {counts[kind]}", segment=1,
                            fix=int(msg.fix_type), sats=int(msg.satellites_visible),
                            hdop=hdop)
                    if len(col.points) > before:  # one row per point
                        gnss.append((stamp or np.nan, msg.alt / 1000.0, msg.lat / 1e7,
                                     msg.lon / 1e7, float(msg.satellites_visible),
                                     np.nan if hdop is None else hdop, msg.time_usec / 1e6))
                elif kind == "SCALED_PRESSURE" and stamp and msg.press_abs > 0:
                    baro.append((stamp, float(msg.press_abs)))
                elif kind in ("MISSION_ITEM", "MISSION_ITEM_INT"):
                    scale = 1e7 if kind == "MISSION_ITEM_INT" else 1.0
                    versions.setdefault(int(msg.seq), []).append(
                        (stamp, msg.command, msg.x / scale, msg.y / scale, msg.z))
                elif kind == "SYSTEM_TIME" and stamp and msg.time_unix_usec:
                    offsets.append(stamp - msg.time_unix_usec / 1e6)
                    if src[1] == 1:
                        clock.append((msg.time_boot_ms / 1000.0, msg.time_unix_usec / 1e6))
                elif kind in SIMULATOR_MESSAGES:
                    sim += 1
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
    sensors: dict[str, Any] = {"simulator": sim}
    if gnss:
        a = np.array(gnss, dtype=float)
        sensors["gnss"] = dict(zip(("t", "alt", "lat", "lon", "sats", "hdop", "fix_t"), a.T,
                                   strict=True))
    if baro:  # on the same (station) time axis as the fixes
        a = np.array(baro, dtype=float)
        sensors["baro"] = {"t": a[:, 0], "alt": pressure_altitude_m(a[:, 1])}
    if clock:
        a = np.array(clock, dtype=float)
        sensors["clock"] = {"boot_s": a[:, 0], "utc_s": a[:, 1]}
    if lines:  # the vehicle: the sender with the most boot-timed messages
        src = max(lines, key=lambda k: len(lines[k]))
        sensors["timeline"] = {"t": np.array(lines[src], dtype=float),
                               "stream": f"time_boot_ms of system {src[0]} component {src[1]}",
                               "seq_missing_at": missing.get(src, {})}
    return Track("tlog", tuple(col.points), None, vehicle.get("firmware"), tuple(col.kinds),
                 tuple(col.problems), mission=tuple(mission), home=home, vehicle=vehicle,
                 clock="ground_station", events=tuple(events.items), integrity=integrity,
                 sensors=sensors)


def _enum(name: str, value: int) -> str:
    try:
        from pymavlink.dialects.v20 import common

        entry = common.enums[name].get(int(value))
        return entry.name if entry is not None else str(value)
    except (ImportError, KeyError, ValueError):
        return str(value)
