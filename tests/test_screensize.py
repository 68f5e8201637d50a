"""How large the screen's pixels are: EDIDs of real panels, a fake /sys/class/drm, the staff
setting, the usual size for a resolution, and rotation."""

from __future__ import annotations

import math
import os
from pathlib import Path

import pytest

from kiosk.content.config import load_config
from kiosk.core.screensize import (
    CAP_MM,
    Physical,
    believable,
    edid_mode,
    edid_size,
    pitch_mm,
)
from kiosk.devices.edid import MAX_BYTES, screen_size


def hex_bytes(text: str) -> bytes:
    return bytes.fromhex(" ".join(text.split()))


#: Base blocks posted with their edid-decode output to dri-devel when their panels were
#: added to the kernel's panel-edp driver: a Sharp LQ140M1JW46, 14 inch, 1920x1080
#: (edid-decode: 309 mm x 174 mm), and a KD116N3730A07, 11.6 inch, 1366x768 (256 x 144 mm).
SHARP_14 = hex_bytes("""
00 ff ff ff ff ff ff 00 4d 10 23 15 00 00 00 00
35 1e 01 04 a5 1f 11 78 07 de 50 a3 54 4c 99 26
0f 50 54 00 00 00 01 01 01 01 01 01 01 01 01 01
01 01 01 01 01 01 5a 87 80 a0 70 38 4d 40 30 20
35 00 35 ae 10 00 00 18 65 38 80 a0 70 38 4d 40
30 20 35 00 35 ae 10 00 00 18 00 00 00 fd 00 30
90 a7 a7 23 01 00 00 00 00 00 00 00 00 00 00 fc
00 4c 51 31 34 30 4d 31 4a 57 34 39 0a 20 00 77
""")
KD_116 = hex_bytes("""
00 ff ff ff ff ff ff 00 2c 83 10 01 00 00 00 00
02 23 01 04 95 1a 0e 78 03 3a 75 9b 5d 5b 96 28
19 50 54 00 00 00 01 01 01 01 01 01 01 01 01 01
01 01 01 01 01 01 09 1e 56 dc 50 00 28 30 30 20
36 00 00 90 10 00 00 1a 00 00 00 00 00 00 00 00
00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 fe
00 4b 44 31 31 36 4e 33 37 33 30 41 30 37 00 2e
""")


def test_real_edids_give_their_panels_size_and_mode() -> None:
    assert sum(SHARP_14) % 256 == 0 and sum(KD_116) % 256 == 0  # as the kernel read them
    assert edid_size(SHARP_14) == Physical(309, 174)
    assert edid_mode(SHARP_14) == (1920, 1080)
    assert edid_size(KD_116) == Physical(256, 144)
    assert edid_mode(KD_116) == (1366, 768)
    assert edid_size(SHARP_14).diagonal_inches == pytest.approx(14.0, abs=0.1)


def with_timing_size(edid: bytes, width_mm: int, height_mm: int) -> bytes:
    """``edid`` with the first timing's millimetres changed (and its checksum mended)."""
    data = bytearray(edid)
    data[54 + 12] = width_mm & 0xFF
    data[54 + 13] = height_mm & 0xFF
    data[54 + 14] = (width_mm >> 8) << 4 | height_mm >> 8
    data[127] = (-sum(data[:127])) % 256
    return bytes(data)


def test_centimetres_when_the_timing_has_no_size_and_nothing_for_a_projector() -> None:
    assert edid_size(with_timing_size(SHARP_14, 0, 0)) == Physical(310, 170)  # bytes 21-22
    projector = bytearray(with_timing_size(SHARP_14, 0, 0))
    projector[21] = projector[22] = 0
    projector[127] = (-sum(projector[:127])) % 256
    assert edid_size(bytes(projector)) is None
    assert edid_size(with_timing_size(SHARP_14, 1210, 680)) == Physical(1210, 680)  # 12 bits


def test_a_damaged_or_short_edid_is_no_size() -> None:
    broken = bytearray(SHARP_14)
    broken[70] ^= 0xFF
    assert edid_size(bytes(broken)) is None  # the checksum says so
    assert edid_size(SHARP_14[:100]) is None
    assert edid_size(b"\x00" * 128) is None


def test_pitch_from_the_edid_and_its_rotation() -> None:
    sharp = edid_size(SHARP_14)
    pitch = pitch_mm((1920, 1080), physical=sharp)
    assert pitch.mm == pytest.approx(174 / 1080)
    assert "EDID" in pitch.source
    turned = pitch_mm((1080, 1920), physical=sharp, rotation=90)  # on its side
    assert turned.mm == pytest.approx(309 / 1920)
    # not turned, the same EDID cannot be a portrait picture: the resolution decides
    assert not believable(sharp, (1080, 1920))
    assert "EDID" not in pitch_mm((1080, 1920), physical=sharp).source


def test_sizes_that_are_no_screens_are_not_believed() -> None:
    assert not believable(Physical(16, 9), (1920, 1080))  # a television's aspect ratio
    assert not believable(Physical(160, 50), (1920, 1080))  # not the pixels' shape
    assert believable(Physical(1600, 900), (3840, 2160))  # a 72-inch television


def test_the_staff_setting_wins_and_the_usual_size_comes_last() -> None:
    sharp = edid_size(SHARP_14)
    given = pitch_mm((1920, 1080), diagonal_inches=32, physical=sharp)
    assert given.mm == pytest.approx(32 * 25.4 / math.hypot(1920, 1080))
    assert given.source == "screen_diagonal_inches: 32"
    seven = pitch_mm((800, 480))
    assert seven.mm == pytest.approx(85.92 / 480)  # the touchscreen's panel, not a guess
    assert seven.cap_px == pytest.approx(CAP_MM / seven.mm)
    assert round(seven.cap_px) == 27  # PLATFORM-NOTES: about 25 at 0.19 mm per pixel
    assert pitch_mm((480, 800)).mm == pytest.approx(154.08 / 800)  # the same panel upright
    assert round(pitch_mm((1920, 1080)).cap_px) == 17  # 24 inch: 0.28 mm per pixel
    assert pitch_mm((1234, 567)).mm == 0.19  # not known: as fine as the 7-inch screen


def drm(tmp_path: Path, name: str, edid: bytes, status: str = "connected") -> Path:
    folder = tmp_path / "drm" / name
    folder.mkdir(parents=True)
    (folder / "status").write_text(status + "\n")
    (folder / "edid").write_bytes(edid)
    return tmp_path / "drm"


def test_the_connected_screens_edid_is_read_from_sysfs(tmp_path: Path) -> None:
    folder = drm(tmp_path, "card1-HDMI-A-1", SHARP_14)
    drm(tmp_path, "card1-HDMI-A-2", b"", "disconnected")  # empty: nothing plugged in
    (folder / "card1-DSI-1").mkdir()  # the touchscreen: no edid file
    assert screen_size(folder) == Physical(309, 174)


def test_of_two_screens_the_one_in_the_kiosks_mode_is_taken(tmp_path: Path) -> None:
    folder = drm(tmp_path, "card1-HDMI-A-1", KD_116)
    drm(tmp_path, "card1-HDMI-A-2", SHARP_14)
    assert screen_size(folder, mode=(1920, 1080)) == Physical(309, 174)
    assert screen_size(folder, mode=(1366, 768)) == Physical(256, 144)
    assert screen_size(folder) == Physical(256, 144)  # no mode: the first by name


def test_a_pipe_an_oversized_file_or_no_folder_is_no_size(tmp_path: Path) -> None:
    folder = tmp_path / "drm"
    (folder / "card0-HDMI-A-1").mkdir(parents=True)
    os.mkfifo(folder / "card0-HDMI-A-1" / "edid")  # would block a plain read
    (folder / "card0-HDMI-A-2").mkdir()
    (folder / "card0-HDMI-A-2" / "edid").write_bytes(SHARP_14 * (MAX_BYTES // 128 + 1))
    assert screen_size(folder) is None
    assert screen_size(tmp_path / "none") is None


def test_the_kiosk_sizes_its_text_from_the_edid_unless_staff_say(tmp_path: Path, caplog) -> None:  # type: ignore[no-untyped-def]
    import dataclasses

    from kiosk.app.wiring import screen_pitch

    folder = drm(tmp_path, "card1-HDMI-A-1", SHARP_14)
    config = load_config()
    caplog.set_level("INFO")
    pitch = screen_pitch(config, folder, (1920, 1080))
    assert pitch.mm == pytest.approx(174 / 1080)
    assert "Text size: capitals at least 4.8 mm = 30 px" in caplog.text
    assert "the screen's EDID (309 x 174 mm, 14.0 inch)" in caplog.text
    hardware = dataclasses.replace(config.hardware, screen_diagonal_inches=40.0, rotation=90)
    staff = dataclasses.replace(config, hardware=hardware)
    assert screen_pitch(staff, folder, (1080, 1920)).source == "screen_diagonal_inches: 40"


def test_the_setting_is_read_and_checked(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("hardware:\n  screen_diagonal_inches: 10.1\n")
    assert load_config(path).hardware.screen_diagonal_inches == 10.1
    path.write_text("hardware:\n  screen_diagonal_inches: huge\n")
    config = load_config(path)
    assert config.hardware.screen_diagonal_inches is None
    (problem,) = [p for p in config.problems if "screen_diagonal_inches" in str(p)]
    assert "a size in inches" in str(problem)
