"""PX4 ULog flight logs (``.ulg``), read with pyulog.

Only the GNSS topics are read (``vehicle_gps_position``, else ``sensor_gps``): position
(``lat``/``lon`` in 1e-7 degrees, or ``latitude_deg``/``longitude_deg`` in newer PX4),
altitude MSL, fix type, satellites used, HDOP; the time of each fix is the receiver's
``time_utc_usec`` (GNSS time in UTC) where it is set, else only the boot time is known.
Identity comes from the log's info messages (``sys_name``, ``ver_hw``, ``ver_sw``,
``sys_uuid``...). Dropouts the logger recorded (data it could not write) are counted. PX4
logs do not carry the mission's coordinates (only dataman ids), so no mission is read.
"""

from __future__ import annotations

import io
from datetime import datetime, timezone
from typing import Any

import numpy as np

from .model import MAX_POINTS, Collector, Track, TrackError, quiet

ULOG_MAGIC = b"ULog\x01\x12\x35"
GPS_TOPICS = ("vehicle_gps_position", "sensor_gps")
BARO_TOPIC = "vehicle_air_data"
"""Barometric altitude (``baro_alt_meter``), logged at ~20 Hz: also the log's timeline."""
INFO_KEYS = ("sys_name", "ver_hw", "ver_hw_subtype", "ver_sw", "ver_sw_release",
             "sys_os_name", "sys_mcu", "sys_uuid", "sys_toolchain")


class _NoProgress(Exception):
    """The reader kept reading without getting through the file."""


class _BoundedReader(io.BytesIO):
    """A file for pyulog that refuses to be read more than ``READ_FACTOR`` times its size.

    pyulog 1.3 loops for ever on some damaged logs: a message header whose declared size runs
    past the end of a truncated file makes ``_read_file_definitions`` seek back further than it
    read (seen on a real log cut at 4 KiB with bytes appended). A sound read touches each byte a
    few times at most; past the budget the read stops and the file is reported as damaged."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self._budget = READ_FACTOR * len(data) + 65_536
        self._calls = 8 * len(data) + 10_000

    def read(self, size: int | None = -1, /) -> bytes:
        out = super().read(size)
        self._budget -= len(out)
        self._calls -= 1
        if self._budget < 0 or self._calls < 0:
            raise _NoProgress
        return out


READ_FACTOR = 16
"""A ULog read may touch at most this many times the file's bytes (plus 64 KiB)."""


def parse_ulog(data: bytes) -> Track:
    from pyulog import ULog

    try:
        # pyulog prints its warnings; they must not reach a JSON document on stdout
        with quiet():
            log = ULog(_BoundedReader(data), [*GPS_TOPICS, BARO_TOPIC])
    except _NoProgress as exc:
        raise TrackError("the ULog reader made no progress through the file (damaged "
                         "message headers); nothing was read") from exc
    except Exception as exc:  # noqa: BLE001 - pyulog raises many kinds on damaged logs
        raise TrackError(f"the ULog cannot be read ({type(exc).__name__}: {exc})"[:300]
                         ) from exc
    topic = next((d for name in GPS_TOPICS for d in log.data_list if d.name == name), None)
    vehicle: dict[str, Any] = {k: (v if isinstance(v, (int, float)) else str(v)[:100])
                               for k, v in log.msg_info_dict.items() if k in INFO_KEYS}
    if topic is None:  # a log without positions still says which unit wrote it
        return Track("ulog", (), None, vehicle.get("sys_name"), (),
                     ("no GNSS topic (vehicle_gps_position / sensor_gps) in the log",),
                     vehicle=vehicle, clock=None,
                     integrity={"topic": None, "dropouts": len(getattr(log, "dropouts", None)
                                                                or [])})
    d = topic.data
    n = min(len(d["timestamp"]), MAX_POINTS)
    lat = d["lat"] / 1e7 if "lat" in d else d.get("latitude_deg")
    lon = d["lon"] / 1e7 if "lon" in d else d.get("longitude_deg")
    alt = d["alt"] / 1000.0 if "alt" in d else d.get("altitude_msl_m")
    if lat is None or lon is None:
        raise TrackError(f"the ULog topic {topic.name} has no latitude/longitude fields")
    fix = d.get("fix_type", np.zeros(n))
    sats = d.get("satellites_used", np.full(n, -1))
    hdop = d.get("hdop", np.full(n, np.nan))
    utc = d.get("time_utc_usec", np.zeros(n))
    col = Collector()
    no_fix = boot_only = 0
    for i in range(n):
        if fix[i] < 2:
            no_fix += 1
            continue
        when = None
        if utc[i] > 0:
            when = datetime.fromtimestamp(int(utc[i]) / 1e6, timezone.utc).isoformat(
                timespec="milliseconds").replace("+00:00", "Z")
        else:
            boot_only += 1
        col.add(float(lat[i]), float(lon[i]), float(alt[i]) if alt is not None else None,
                when, kind="track", where=f"{topic.name} {i}", segment=1, fix=int(fix[i]),
                sats=int(sats[i]) if sats[i] >= 0 else None,
                hdop=float(hdop[i]) if np.isfinite(hdop[i]) else None)
    if len(d["timestamp"]) > MAX_POINTS:
        col.skip(f"more than {MAX_POINTS} points: the rest were not read")
    if no_fix:
        col.skip(f"{no_fix} fix(es) without a 2D/3D fix were not used")
    dropouts = getattr(log, "dropouts", None) or []
    sensors = _streams(log, topic, d, n, fix, lat, lon, alt, sats, hdop, utc, vehicle, dropouts)
    integrity = {"topic": topic.name, "samples": int(len(d["timestamp"])),
                 "dropouts": len(dropouts),
                 "dropout_ms": int(sum(getattr(x, "duration", 0) for x in dropouts)),
                 "boot_us": [int(log.start_timestamp), int(log.last_timestamp)]}
    return Track("ulog", tuple(col.points), None, vehicle.get("sys_name"), tuple(col.kinds),
                 tuple(col.problems), vehicle=vehicle,
                 clock="gps" if col.points and not boot_only else "boot",
                 events=tuple({"kind": "logged", "text": str(m.message)[:200],
                               "boot_us": int(m.timestamp)} for m in log.logged_messages[:200]),
                 integrity=integrity, sensors=sensors)


def _streams(log: Any, topic: Any, d: dict[str, Any], n: int, fix: Any, lat: Any, lon: Any,
             alt: Any, sats: Any, hdop: Any, utc: Any, vehicle: dict[str, Any],
             dropouts: list[Any]) -> dict[str, Any]:
    """The sensor streams of :mod:`.sensors`: fixes on the boot clock, barometer, GNSS vs
    boot time, the barometer's timeline with the dropouts the logger itself recorded."""
    ok = np.asarray(fix[:n]) >= 2
    t = np.asarray(d["timestamp"][:n], dtype=float)[ok] / 1e6
    out: dict[str, Any] = {
        "gnss": {"t": t, "alt": np.asarray(alt[:n], float)[ok] if alt is not None
                 else np.full(t.size, np.nan),
                 "lat": np.asarray(lat[:n], float)[ok], "lon": np.asarray(lon[:n], float)[ok],
                 "sats": np.asarray(sats[:n], float)[ok],
                 "hdop": np.asarray(hdop[:n], float)[ok]},
        "simulator": int("SITL" in str(vehicle.get("ver_hw", "")).upper()),
    }
    u = np.asarray(utc[:n], dtype=float)[ok]
    out["clock"] = {"boot_s": t[u > 0], "utc_s": u[u > 0] / 1e6}
    air = next((x for x in log.data_list if x.name == BARO_TOPIC and x.multi_id == 0), None)
    if air is not None and "baro_alt_meter" in air.data:
        bt = np.asarray(air.data["timestamp"], dtype=float) / 1e6
        out["baro"] = {"t": bt, "alt": np.asarray(air.data["baro_alt_meter"], dtype=float)}
        out["timeline"] = {"t": bt, "stream": BARO_TOPIC,
                           "explained": [(int(x.timestamp) / 1e6,
                                          int(getattr(x, "duration", 0)) / 1e3)
                                         for x in dropouts]}
    return out
