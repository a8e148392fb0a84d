"""The navigation unit's own log, in the formats flight controllers write: a MAVLink 2
telemetry log (``.tlog``) and an ArduPilot DataFlash log (``.bin``), encoded with pymavlink.

:func:`navunit_tlog` is what a ground station records while it uploads a mission to the
vehicle and watches it fly: ``HEARTBEAT``, ``SYSTEM_TIME`` (the vehicle's GNSS-disciplined
clock against its boot clock), ``GPS_RAW_INT`` with a receiver's noise (a slowly wandering
error of ~1.5 m plus 0.4 m white noise, satellites and HDOP that change as a constellation
does), ``GLOBAL_POSITION_INT``, ``ATTITUDE``, ``VFR_HUD`` and ``SCALED_PRESSURE`` (ISA
pressure of the true altitude, a weather offset and 0.05 hPa noise), the mission upload
handshake (``MISSION_COUNT`` / ``MISSION_REQUEST_INT`` / ``MISSION_ITEM_INT`` /
``MISSION_ACK``) and ``STATUSTEXT``. Each record is the ground station's 8-byte big-endian
UNIX-microsecond time, then the frame, as MAVProxy and QGroundControl write them. The
mission sends the vehicle to ``mission_to``; the vehicle follows it to the second waypoint,
then turns off to end a few hundred metres from ``flown_to``: a programmed destination and
a flown track that disagree.

:func:`dataflash_log` is a long on-board log at the rates ArduPlane 3.8 logs with its
default ``LOG_BITMASK`` (IMU 50 Hz, attitude, EKF, control and RC 25 Hz, barometer, power
and compass 10 Hz, GPS 5 Hz: the rates and formats measured on the corpus's ``test.BIN``),
every record packed with :mod:`struct` per its own ``FMT`` message, a circuit flown around
``origin``. It sizes itself to ``target_bytes`` (the speed benchmark's 100 MB log) or to
``seconds``.

Both are deterministic: the same arguments give the same bytes.
"""

from __future__ import annotations

import math
import struct
from datetime import datetime, timezone

import numpy as np

from .tracks import destination

_EARTH_RADIUS_M = 6371008.8
GPS_EPOCH = datetime(1980, 1, 6, tzinfo=timezone.utc)
GPS_LEAP_S = 18
"""GPS - UTC since 2017-01-01."""
GROUND_M = 118.0
"""Ground elevation (m MSL) of the demo's lake country."""


def _isa_hpa(alt_m: np.ndarray) -> np.ndarray:
    return 1013.25 * np.power(1.0 - np.asarray(alt_m, float) / 44330.77, 1.0 / 0.190263)


def _receiver_noise(rng: np.random.Generator, n: int, dt: float, sigma_walk: float,
                    tau_s: float, sigma_white: float) -> np.ndarray:
    """A GNSS position error: first-order Gauss-Markov (``sigma_walk``, correlation time
    ``tau_s``) plus white noise, metres."""
    a = math.exp(-dt / tau_s)
    drive = rng.normal(0.0, sigma_walk * math.sqrt(1 - a * a), n)
    e = np.empty(n)
    e[0] = rng.normal(0.0, sigma_walk)
    for i in range(1, n):
        e[i] = a * e[i - 1] + drive[i]
    return e + rng.normal(0.0, sigma_white, n)


def _stepwalk(rng: np.random.Generator, n: int, start: float, lo: float, hi: float,
              p: float, step: float) -> np.ndarray:
    """A value that changes by +-``step`` with probability ``p`` per sample, kept in range."""
    moves = np.where(rng.random(n) < p, rng.choice((-step, step), n), 0.0)
    v = np.empty(n)
    cur = start
    for i in range(n):
        cur = min(hi, max(lo, cur + moves[i]))
        v[i] = cur
    return v


def _plane(legs: list[tuple[float, float]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The legs on the local plane of their first point: vertices, leg lengths, cumulative."""
    k = math.cos(math.radians(legs[0][0]))
    xy = np.array([(math.radians(lo - legs[0][1]) * k * _EARTH_RADIUS_M,
                    math.radians(la - legs[0][0]) * _EARTH_RADIUS_M) for la, lo in legs])
    seg = np.hypot(*np.diff(xy, axis=0).T)
    return xy, seg, np.concatenate([[0.0], np.cumsum(seg)])


def _path(legs: list[tuple[float, float]], t: np.ndarray, speed: float, t0: float
          ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Positions (lat, lon) and course (deg) at times ``t`` flying ``legs`` at ``speed`` m/s
    from ``t0``, straight legs on a local plane; stops at the last point."""
    lat0 = legs[0][0]
    k = math.cos(math.radians(lat0))
    xy, seg, cum = _plane(legs)
    s = np.clip((t - t0) * speed, 0.0, cum[-1])
    x = np.interp(s, cum, xy[:, 0])
    y = np.interp(s, cum, xy[:, 1])
    i = np.clip(np.searchsorted(cum, s, side="right") - 1, 0, len(seg) - 1)
    d = np.diff(xy, axis=0)[i]
    course = np.degrees(np.arctan2(d[:, 0], d[:, 1])) % 360
    lat = lat0 + np.degrees(y / _EARTH_RADIUS_M)
    lon = legs[0][1] + np.degrees(x / (_EARTH_RADIUS_M * k))
    return lat, lon, course


def _altitude(t: np.ndarray, duration: float, cruise_agl: float) -> np.ndarray:
    """AGL altitude: climb for 120 s, a cruise that wanders +-25 m, descend for the last 90 s."""
    climb = np.clip(t / 120.0, 0, 1) * cruise_agl
    wander = 25.0 * np.sin(t / 400.0) * np.clip(t / 300.0, 0, 1)
    down = np.clip((duration - t) / 90.0, 0, 1)
    return np.maximum(0.0, (climb + wander) * down)


# --------------------------------------------------------------------------------------------
# MAVLink 2 telemetry log
# --------------------------------------------------------------------------------------------

DEMO_START = datetime(2025, 12, 29, 19, 8, 30, tzinfo=timezone.utc)
"""When the demo unit's flight starts (22:08 local, inside the event window)."""


def navunit_geometry(mission_to: tuple[float, float], flown_to: tuple[float, float],
                     seed: int = 0) -> dict[str, object]:
    """Where the unit took off, the mission it was sent and where it ended (the same
    geometry :func:`navunit_tlog` flies): home 180 km south-west of the flown end; waypoint
    1 a third of the way to ``mission_to``, waypoint 2 two thirds; the flown track follows
    to waypoint 2 then turns to a point 0.2-0.6 km from ``flown_to``."""
    rng = np.random.default_rng([seed, 16])
    end = destination(flown_to, float(rng.uniform(0, 360)), float(rng.uniform(0.2, 0.6)))
    home = destination(end, 232.0 + float(rng.uniform(-6, 6)), 180.0 + float(rng.uniform(-10, 10)))
    wp1 = (home[0] + (mission_to[0] - home[0]) / 3, home[1] + (mission_to[1] - home[1]) / 3)
    wp2 = (home[0] + 2 * (mission_to[0] - home[0]) / 3,
           home[1] + 2 * (mission_to[1] - home[1]) / 3)
    return {"home": home, "mission": [home, wp1, wp2, mission_to], "flown": [home, wp1, wp2, end],
            "end": (round(end[0], 6), round(end[1], 6))}


def navunit_tlog(mission_to: tuple[float, float], flown_to: tuple[float, float], *,
                 seed: int = 0, start: datetime = DEMO_START, fix_hz: float = 1.0,
                 speed_mps: float = 34.0, cruise_agl_m: float = 280.0) -> bytes:
    """A MAVLink 2 ``.tlog`` of the navigation unit's flight (see the module docstring and
    :func:`navunit_geometry`): deterministic for its arguments."""
    from pymavlink.dialects.v20 import ardupilotmega as mavlink

    rng = np.random.default_rng([seed, 17])
    geo = navunit_geometry(mission_to, flown_to, seed)
    flown = geo["flown"]
    assert isinstance(flown, list)
    length = float(_plane(flown)[2][-1])
    t_takeoff = 30.0
    duration = t_takeoff + length / speed_mps + 20.0
    dt = 1.0 / fix_hz
    t = np.arange(0.0, duration, dt)
    n = t.size
    lat, lon, course = _path(flown, t, speed_mps, t_takeoff)
    agl = _altitude(np.maximum(0.0, t - t_takeoff), duration - t_takeoff, cruise_agl_m)
    alt = GROUND_M + agl
    k = math.cos(math.radians(float(lat[0])))
    north = _receiver_noise(rng, n, dt, 1.5, 60.0, 0.4)
    east = _receiver_noise(rng, n, dt, 1.5, 60.0, 0.4)
    up = _receiver_noise(rng, n, dt, 3.0, 60.0, 0.8)
    glat = lat + np.degrees(north / _EARTH_RADIUS_M)
    glon = lon + np.degrees(east / (_EARTH_RADIUS_M * k))
    galt = alt + up
    sats = _stepwalk(rng, n, 16, 11, 21, 0.02, 1)
    hdop = np.round(_stepwalk(rng, n, 0.8, 0.55, 1.6, 0.15, 0.01) + 0.002 * (20 - sats), 2)
    weather = 1.2 + np.cumsum(rng.normal(0, 0.0008, n))  # hPa below ISA, slowly moving
    press = _isa_hpa(alt) - weather + rng.normal(0, 0.05, n)
    ground_speed = np.where((t > t_takeoff) & (t < duration - 20), speed_mps, 0.0)
    climb = np.gradient(alt, t)
    boot0 = 41.7 + float(rng.uniform(0, 5))  # the vehicle booted before the log started
    unix0 = start.timestamp()

    vehicle = mavlink.MAVLink(None, srcSystem=1, srcComponent=1)
    station = mavlink.MAVLink(None, srcSystem=255, srcComponent=190)
    records: list[bytes] = []

    def emit(link: mavlink.MAVLink, msg: object, when: float) -> None:
        frame = msg.pack(link)  # type: ignore[attr-defined]
        records.append(struct.pack(">Q", round(when * 1e6)) + frame)
        link.seq = (link.seq + 1) % 256

    def rx(when: float) -> float:  # the station receives it a few ms later
        return when + 0.012 + float(rng.uniform(0, 0.03))

    hb_vehicle = vehicle.heartbeat_encode(mavlink.MAV_TYPE_FIXED_WING,
                                          mavlink.MAV_AUTOPILOT_ARDUPILOTMEGA, 209, 10, 4, 3)
    emit(vehicle, hb_vehicle, rx(unix0 - 5.0))
    emit(vehicle, vehicle.statustext_encode(6, b"ArduPlane V4.5.7 (2a3dc4b7)"), rx(unix0 - 4.9))
    emit(vehicle, vehicle.statustext_encode(6, b"ChibiOS: 6a85082c"), rx(unix0 - 4.9))
    emit(vehicle, vehicle.statustext_encode(6, b"CubeOrange 003E0031 3331510B 38373833"),
         rx(unix0 - 4.8))
    mission = geo["mission"]
    assert isinstance(mission, list)
    items = [(16, mission[0], 0.0), (22, mission[0], 60.0)] + \
        [(16, p, cruise_agl_m) for p in mission[1:]]
    when = unix0 - 4.0
    emit(station, station.mission_count_encode(1, 1, len(items)), when)
    for seq, (cmd, (la, lo), z) in enumerate(items):
        emit(vehicle, vehicle.mission_request_int_encode(255, 190, seq), rx(when + 0.05))
        when += 0.11
        frame = 0 if seq == 0 else 3  # MAV_FRAME_GLOBAL (home), GLOBAL_RELATIVE_ALT
        emit(station, station.mission_item_int_encode(
            1, 1, seq, frame, cmd, 0, 1, 0.0, 0.0, 0.0, float("nan"), round(la * 1e7),
            round(lo * 1e7), float(z if seq else GROUND_M)), when)
    emit(vehicle, vehicle.mission_ack_encode(255, 190, 0), rx(when + 0.06))
    emit(vehicle, vehicle.statustext_encode(6, f"Flight plan received: {len(items)} items"
                                            .encode()), rx(when + 0.07))
    for i in range(n):
        tu = unix0 + t[i]
        boot_ms = round((boot0 + t[i] * (1 + 21e-6)) * 1000)  # a crystal 21 ppm fast
        if i % max(1, round(fix_hz)) == 0:
            emit(vehicle, hb_vehicle, rx(tu))
            emit(vehicle, vehicle.system_time_encode(round(tu * 1e6), boot_ms), rx(tu + 0.001))
        if abs(t[i] - t_takeoff) < dt / 2:
            emit(vehicle, vehicle.statustext_encode(6, b"Throttle armed"), rx(tu))
        emit(vehicle, vehicle.gps_raw_int_encode(
            round((boot0 + t[i]) * 1e6), 3, round(float(glat[i]) * 1e7),
            round(float(glon[i]) * 1e7), round(float(galt[i]) * 1000), int(hdop[i] * 100),
            int(hdop[i] * 160), round(float(ground_speed[i]) * 100),
            round(float(course[i]) * 100) % 36000, int(sats[i])), rx(tu + 0.002))
        vn = ground_speed[i] * math.cos(math.radians(course[i]))
        ve = ground_speed[i] * math.sin(math.radians(course[i]))
        emit(vehicle, vehicle.global_position_int_encode(
            boot_ms, round(float(lat[i]) * 1e7), round(float(lon[i]) * 1e7),
            round(float(alt[i]) * 1000), round(float(agl[i]) * 1000), round(vn * 100),
            round(ve * 100), round(-float(climb[i]) * 100), round(float(course[i]) * 100)),
            rx(tu + 0.003))
        emit(vehicle, vehicle.attitude_encode(
            boot_ms, float(rng.normal(0, 0.03)), float(0.05 + rng.normal(0, 0.02)),
            math.radians(float(course[i]) if course[i] <= 180 else float(course[i]) - 360),
            float(rng.normal(0, 0.01)), float(rng.normal(0, 0.01)), float(rng.normal(0, 0.01))),
            rx(tu + 0.004))
        emit(vehicle, vehicle.vfr_hud_encode(
            float(ground_speed[i] + rng.normal(0, 0.8)), float(ground_speed[i]),
            round(float(course[i])) % 360, 55 if ground_speed[i] else 0, float(alt[i]),
            float(climb[i])), rx(tu + 0.005))
        emit(vehicle, vehicle.scaled_pressure_encode(boot_ms, float(press[i]), 0.0,
                                                     round(-1450 - 0.65 * agl[i])),
             rx(tu + 0.006))
    emit(vehicle, vehicle.statustext_encode(6, b"Mission: 4 WP"), rx(unix0 + duration - 21))
    emit(vehicle, vehicle.statustext_encode(4, b"GPS Glitch or Compass error"),
         rx(unix0 + duration - 1))
    return b"".join(records)


# --------------------------------------------------------------------------------------------
# ArduPilot DataFlash log
# --------------------------------------------------------------------------------------------

ARDUPLANE_FORMATS: tuple[tuple[str, str, str, float], ...] = (
    # name, format, columns (ArduPlane 3.8 FMT, as in the corpus's test.BIN), rate Hz
    ("IMU", "QffffffIIfBBHH", "TimeUS,GyrX,GyrY,GyrZ,AccX,AccY,AccZ,EG,EA,T,GH,AH,GHz,AHz", 50),
    ("IMU2", "QffffffIIfBBHH", "TimeUS,GyrX,GyrY,GyrZ,AccX,AccY,AccZ,EG,EA,T,GH,AH,GHz,AHz",
     50),
    ("AHR2", "QccCfLLffff", "TimeUS,Roll,Pitch,Yaw,Alt,Lat,Lng,Q1,Q2,Q3,Q4", 25),
    ("ATT", "QccccCCCC", "TimeUS,DesRoll,Roll,DesPitch,Pitch,DesYaw,Yaw,ErrRP,ErrYaw", 25),
    ("PIDR", "Qffffff", "TimeUS,Des,P,I,D,FF,AFF", 25),
    ("PIDP", "Qffffff", "TimeUS,Des,P,I,D,FF,AFF", 25),
    ("PIDY", "Qffffff", "TimeUS,Des,P,I,D,FF,AFF", 25),
    ("PIDS", "Qffffff", "TimeUS,Des,P,I,D,FF,AFF", 25),
    ("NKF1", "QccCfffffffccce", "TimeUS,Roll,Pitch,Yaw,VN,VE,VD,dPD,PN,PE,PD,GX,GY,GZ,OH", 25),
    ("NKF2", "QbccccchhhhhhB", "TimeUS,AZbias,GSX,GSY,GSZ,VWN,VWE,MN,ME,MD,MX,MY,MZ,MI", 25),
    ("NKF3", "Qcccccchhhcc", "TimeUS,IVN,IVE,IVD,IPN,IPE,IPD,IMX,IMY,IMZ,IYAW,IVT", 25),
    ("NKF4", "QcccccfbbHBHHb", "TimeUS,SV,SP,SH,SM,SVT,errRP,OFN,OFE,FS,TS,SS,GPS,PI", 25),
    ("NKF5", "QBhhhcccCCfff", "TimeUS,NI,FIX,FIY,AFI,HAGL,offset,RI,rng,Herr,eAng,eVel,ePos",
     25),
    ("NKF6", "QccCfffffffccce", "TimeUS,Roll,Pitch,Yaw,VN,VE,VD,dPD,PN,PE,PD,GX,GY,GZ,OH", 25),
    ("NKQ1", "Qffff", "TimeUS,Q1,Q2,Q3,Q4", 25),
    ("NKQ2", "Qffff", "TimeUS,Q1,Q2,Q3,Q4", 25),
    ("CTUN", "Qcccchhh", "TimeUS,NavRoll,Roll,NavPitch,Pitch,ThrOut,RdrOut,ThrDem", 25),
    ("NTUN", "Qfcccfff", "TimeUS,WpDist,TargBrg,NavBrg,AltErr,XT,XTi,ArspdErr", 25),
    ("AETR", "Qhhhhh", "TimeUS,Ail,Elev,Thr,Rudd,Flap", 25),
    ("RCIN", "QHHHHHHHHHHHHHH", "TimeUS,C1,C2,C3,C4,C5,C6,C7,C8,C9,C10,C11,C12,C13,C14", 25),
    ("RCOU", "QHHHHHHHHHHHHHH", "TimeUS,C1,C2,C3,C4,C5,C6,C7,C8,C9,C10,C11,C12,C13,C14", 25),
    ("RSSI", "Qf", "TimeUS,RXRSSI", 25),
    ("POS", "QLLfff", "TimeUS,Lat,Lng,Alt,RelHomeAlt,RelOriginAlt", 25),
    ("VIBE", "QfffIII", "TimeUS,VibeX,VibeY,VibeZ,Clip0,Clip1,Clip2", 25),
    ("AOA", "Qff", "TimeUS,AOA,SSA", 25),
    ("BARO", "QffcfIff", "TimeUS,Alt,Press,Temp,CRt,SMS,Offset,GndTemp", 10),
    ("POWR", "QffH", "TimeUS,Vcc,VServo,Flags", 10),
    ("BAT", "Qffffcf", "TimeUS,Volt,VoltR,Curr,CurrTot,Temp,Res", 10),
    ("MAG", "QhhhhhhhhhBI", "TimeUS,MagX,MagY,MagZ,OfsX,OfsY,OfsZ,MOfsX,MOfsY,MOfsZ,Health,S",
     10),
    ("GPS", "QBIHBcLLefffB", "TimeUS,Status,GMS,GWk,NSats,HDop,Lat,Lng,Alt,Spd,GCrs,VZ,U", 5),
    ("GPA", "QCCCCBIH", "TimeUS,VDop,HAcc,VAcc,SAcc,VV,SMS,Delta", 5),
    ("STAT", "QBfBBBBBB", "TimeUS,isFlying,isFlyProb,Armed,Safety,Crash,Still,Stage,Hit", 10),
    ("RAD", "QBBBBBHH", "TimeUS,RSSI,RemRSSI,TxBuf,Noise,RemNoise,RxErrors,Fixed", 1),
)
_TEXT_FORMATS = (("PARM", "QNf", "TimeUS,Name,Value"), ("MSG", "QZ", "TimeUS,Message"),
                 ("MODE", "QMBB", "TimeUS,Mode,ModeNum,Rsn"),
                 ("CMD", "QHHHfffffff", "TimeUS,CTot,CNum,CId,Prm1,Prm2,Prm3,Prm4,Lat,Lng,Alt"))
_STRUCT = {"a": "64s", "b": "b", "B": "B", "h": "h", "H": "H", "i": "i", "I": "I", "f": "f",
           "n": "4s", "N": "16s", "Z": "64s", "c": "h", "C": "H", "e": "i", "E": "I", "L": "i",
           "d": "d", "M": "b", "q": "q", "Q": "Q"}
_SCALE = {"c": 100.0, "C": 100.0, "e": 100.0, "E": 100.0, "L": 1e7}


def _dtype(fmt: str, columns: str) -> np.dtype:
    names = columns.split(",")
    return np.dtype([(n, "<" + _STRUCT[c]) if not _STRUCT[c].endswith("s") else (n, "S"
                      + _STRUCT[c][:-1]) for n, c in zip(names, fmt, strict=True)])


def _fmt_record(type_id: int, name: str, fmt: str, columns: str) -> bytes:
    length = 3 + struct.calcsize("<" + "".join(_STRUCT[c] for c in fmt))
    return b"\xa3\x95\x80" + struct.pack("<BB4s16s64s", type_id, length, name.encode(),
                                         fmt.encode(), columns.encode())


def dataflash_log(*, seconds: float | None = None, target_bytes: int | None = None,
                  seed: int = 0, origin: tuple[float, float] = (61.27, 33.86),
                  start: datetime = DEMO_START, radius_m: float = 900.0,
                  speed_mps: float = 22.0) -> bytes:
    """An ArduPlane-like binary DataFlash log flying circuits of ``radius_m`` around
    ``origin`` (see the module docstring): ``seconds`` long, or as long as makes about
    ``target_bytes``."""
    rng = np.random.default_rng([seed, 18])
    ids = {name: 64 + i for i, (name, *_rest) in enumerate(ARDUPLANE_FORMATS)}
    ids.update({name: 40 + i for i, (name, *_rest) in enumerate(_TEXT_FORMATS)})
    dtypes = {name: _dtype(f, c) for name, f, c, _ in ARDUPLANE_FORMATS}
    dtypes.update({name: _dtype(f, c) for name, f, c in _TEXT_FORMATS})
    per_s = sum(r * (3 + dtypes[n].itemsize) for n, _, _, r in ARDUPLANE_FORMATS)
    if seconds is None:
        seconds = max(60.0, (target_bytes or 10_000_000) / per_s)
    boot0 = 95.0
    head = [_fmt_record(0x80, "FMT", "BBnNZ", "Type,Length,Name,Format,Columns")]
    for name, f, c, _ in ARDUPLANE_FORMATS:
        head.append(_fmt_record(ids[name], name, f, c))
    for name, f, c in _TEXT_FORMATS:
        head.append(_fmt_record(ids[name], name, f, c))

    def text(name: str, values: tuple) -> bytes:
        dt = dtypes[name]
        rec = np.zeros(1, dt)
        for n, v in zip(dt.names, values, strict=True):
            rec[n] = v
        return b"\xa3\x95" + bytes([ids[name]]) + rec.tobytes()

    us = round(boot0 * 1e6)
    for i in range(600):  # the parameter dump at the start of every log
        head.append(text("PARM", (us + i * 40, f"PARAM_{i:04d}".encode(), float(i % 17))))
    head.append(text("MSG", (us + 30000, b"ArduPlane V3.8.2 (ad9d5ad9)")))
    head.append(text("MSG", (us + 30100, b"PX4: 0384802e NuttX: 1a99ba58")))
    head.append(text("MSG", (us + 30200, b"PX4v2 003E0031 3331510B 38373833")))
    head.append(text("MODE", (us + 40000, 10, 10, 0)))
    circuit = [destination(origin, b, radius_m / 1000) for b in range(0, 361, 30)]
    for i, (la, lo) in enumerate(circuit):
        head.append(text("CMD", (us + 50000 + i, len(circuit), i, 16, 0, 0, 0, 0, la, lo, 150.0)))

    t0 = boot0 + 1.0
    streams: list[tuple[np.ndarray, np.ndarray]] = []  # (time, record bytes as (n, L))
    duration = seconds
    for name, _f, _c, rate in ARDUPLANE_FORMATS:
        n = int(duration * rate)
        t = t0 + np.arange(n) / rate + rng.uniform(0, 2e-4, n)
        rec = _fill(name, dtypes[name], t, t0, duration, rng, origin, radius_m, speed_mps,
                    start)
        rows = np.empty((n, 3 + dtypes[name].itemsize), np.uint8)
        rows[:, 0], rows[:, 1], rows[:, 2] = 0xA3, 0x95, ids[name]
        rows[:, 3:] = rec.view(np.uint8).reshape(n, -1)
        streams.append((t, rows))
    times = np.concatenate([s[0] for s in streams])
    lens = np.concatenate([np.full(s[0].size, s[1].shape[1]) for s in streams])
    order = np.argsort(times, kind="stable")
    starts = np.empty(times.size, np.int64)
    starts[order] = np.concatenate([[0], np.cumsum(lens[order])[:-1]])
    body = np.empty(int(lens.sum()), np.uint8)
    a = 0
    for t, rows in streams:
        pos = starts[a:a + t.size]
        a += t.size
        span = np.arange(rows.shape[1])
        for c0 in range(0, t.size, 100_000):
            body[pos[c0:c0 + 100_000, None] + span] = rows[c0:c0 + 100_000]
    return b"".join(head) + body.tobytes()


def _fill(name: str, dt: np.dtype, t: np.ndarray, t0: float, duration: float,
          rng: np.random.Generator, origin: tuple[float, float], radius_m: float,
          speed_mps: float, start: datetime) -> np.ndarray:
    """One stream's records: the flight's own values for GPS, BARO, POS, AHR2, ATT, IMU;
    plausible small numbers for the rest."""
    n = t.size
    rec = np.zeros(n, dt)
    rel = t - t0
    omega = speed_mps / radius_m
    ang = omega * rel
    k = math.cos(math.radians(origin[0]))
    north, east = radius_m * np.cos(ang), radius_m * np.sin(ang)
    agl = _altitude(rel, duration, 150.0)
    lat = origin[0] + np.degrees(north / _EARTH_RADIUS_M)
    lon = origin[1] + np.degrees(east / (_EARTH_RADIUS_M * k))
    course = (np.degrees(ang) + 90.0) % 360
    for col in dt.names:
        kind = dt[col].kind
        if kind == "f":
            rec[col] = rng.normal(0, 1, n)
        elif kind in "iu":
            hi = min(200, np.iinfo(dt[col]).max)
            rec[col] = rng.integers(0, hi, n)
    rec["TimeUS"] = np.round(t * 1e6).astype(np.uint64)
    if name == "GPS":
        gn = _receiver_noise(rng, n, 0.2, 1.2, 60.0, 0.3)
        ge = _receiver_noise(rng, n, 0.2, 1.2, 60.0, 0.3)
        gu = _receiver_noise(rng, n, 0.2, 2.5, 60.0, 0.6)
        gps_s = (start - GPS_EPOCH).total_seconds() + GPS_LEAP_S + rel
        rec["Status"] = 3
        rec["GWk"] = (gps_s // 604800).astype(np.uint16)
        rec["GMS"] = np.round((gps_s % 604800) * 1000).astype(np.uint32)
        rec["NSats"] = _stepwalk(rng, n, 14, 9, 19, 0.01, 1)
        rec["HDop"] = np.round(_stepwalk(rng, n, 0.8, 0.55, 1.6, 0.05, 0.01) * 100)
        rec["Lat"] = np.round((lat + np.degrees(gn / _EARTH_RADIUS_M)) * 1e7)
        rec["Lng"] = np.round((lon + np.degrees(ge / (_EARTH_RADIUS_M * k))) * 1e7)
        rec["Alt"] = np.round((GROUND_M + agl + gu) * 100)
        rec["Spd"] = speed_mps + rng.normal(0, 0.2, n)
        rec["GCrs"] = course
        rec["VZ"] = rng.normal(0, 0.3, n)
        rec["U"] = 1
    elif name == "BARO":
        drift = np.cumsum(rng.normal(0, 0.002, n))
        rec["Alt"] = agl + drift + rng.normal(0, 0.3, n)
        rec["Press"] = _isa_hpa(GROUND_M + agl) * 100
        rec["Temp"] = 250
    elif name in ("POS", "AHR2"):
        rec["Lat"] = np.round(lat * 1e7)
        rec["Lng"] = np.round(lon * 1e7)
        rec["Alt"] = GROUND_M + agl
    elif name == "ATT":
        bank = math.degrees(math.atan(speed_mps * omega / 9.80665))
        rec["Roll"] = np.round((bank + rng.normal(0, 1.0, n)) * 100)
        rec["DesRoll"] = round(bank * 100)
        rec["Yaw"] = np.round(course * 100)
        rec["DesYaw"] = np.round(course * 100)
    elif name in ("IMU", "IMU2"):
        rec["GyrZ"] = omega + rng.normal(0, 0.01, n)
        rec["AccX"] = rng.normal(0, 0.2, n)
        rec["AccY"] = rng.normal(0, 0.2, n)
        rec["AccZ"] = -9.80665 / math.cos(math.atan(speed_mps * omega / 9.80665)) + \
            rng.normal(0, 0.3, n)
    return rec
