"""The usage counts as Prometheus counters (``usage.metrics_file``): the exact text, an
atomic replace, totals that survive a restart, a failing file that never stops recording,
and Debian's real node_exporter serving the file."""

from __future__ import annotations

import logging
import os
import shutil
import socket
import subprocess
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from fakes import FakeClock
from prometheus_client.parser import text_string_to_metric_families

from kiosk.core.session import Effect, Phase, View, plan_steps
from kiosk.devices import metricsfile
from kiosk.devices.metricsfile import COMPLAIN_EVERY, MetricsFile, Totals
from kiosk.devices.usagedb import DB_NAME, Recorder, read_records

IDS = ("UB60", "LI4")
STEPS = plan_steps([(30.0, 2), (45.0, 1)])  # UB60 on both sides, then LI4 on one
PROM = "acupressure_kiosk.prom"


def settled(recorder: Recorder, count: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while recorder.written + recorder.lost < count:
        assert time.monotonic() < deadline, (recorder.written, recorder.lost)
        time.sleep(0.01)


def completed(recorder: Recorder) -> int:
    """A whole session: started, three holds, completed (five records)."""
    recorder.note([Effect.SESSION_STARTED], View(Phase.SAFETY))
    for step in range(len(STEPS)):
        recorder.note([Effect.HOLD_STARTED], View(Phase.HOLD, STEPS[step].point, step))
        recorder.note([Effect.HOLD_ENDED], View(Phase.DONE, STEPS[step].point, step))
    recorder.note([Effect.SESSION_COMPLETED], View(Phase.IDLE))
    return 5


def stopped(recorder: Recorder, how: Effect) -> int:
    """A session started and cancelled or abandoned on the safety screen (two records)."""
    recorder.note([Effect.SESSION_STARTED], View(Phase.SAFETY))
    recorder.note([how], View(Phase.IDLE))
    return 2


EXPECTED = """\
# HELP acupressure_kiosk_sessions_started_total Sessions started at the kiosk.
# TYPE acupressure_kiosk_sessions_started_total counter
acupressure_kiosk_sessions_started_total 4
# HELP acupressure_kiosk_sessions_total Sessions ended, by how they ended.
# TYPE acupressure_kiosk_sessions_total counter
acupressure_kiosk_sessions_total{outcome="completed"} 2
acupressure_kiosk_sessions_total{outcome="cancelled"} 1
acupressure_kiosk_sessions_total{outcome="abandoned"} 1
# HELP acupressure_kiosk_holds_total Holds completed, by point id and side \
(side "" for a point done on one side).
# TYPE acupressure_kiosk_holds_total counter
acupressure_kiosk_holds_total{point="LI4",side=""} 2
acupressure_kiosk_holds_total{point="UB60",side="1"} 2
acupressure_kiosk_holds_total{point="UB60",side="2"} 2
"""


def four_sessions(recorder: Recorder) -> int:
    count = completed(recorder) + stopped(recorder, Effect.SESSION_CANCELLED)
    count += stopped(recorder, Effect.SESSION_ABANDONED) + completed(recorder)
    settled(recorder, count)
    return count


def values(text: str) -> dict[tuple, float]:
    """Every sample of the text by (name, labels), through prometheus_client's parser."""
    found = {}
    for family in text_string_to_metric_families(text):
        assert family.type == "counter" and family.documentation, family
        for sample in family.samples:
            assert sample.timestamp is None, sample
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def test_the_file_is_the_text_format_exactly(tmp_path: Path) -> None:
    prom = tmp_path / PROM
    recorder = Recorder(tmp_path / DB_NAME, IDS, STEPS, metrics_file=prom)
    four_sessions(recorder)
    recorder.close()
    text = prom.read_text()
    assert text == EXPECTED
    parsed = values(text)
    assert parsed[("acupressure_kiosk_sessions_started_total", ())] == 4
    assert parsed[("acupressure_kiosk_sessions_total", (("outcome", "cancelled"),))] == 1
    assert parsed[("acupressure_kiosk_holds_total", (("point", "UB60"), ("side", "1")))] == 2
    assert prom.stat().st_mode & 0o777 == 0o644  # node_exporter's user reads it
    assert not prom.with_name(PROM + ".tmp").exists()


def test_before_any_session_the_file_says_zero(tmp_path: Path) -> None:
    prom = tmp_path / PROM
    Recorder(tmp_path / DB_NAME, IDS, STEPS, metrics_file=prom).close()
    assert values(prom.read_text()) == {
        ("acupressure_kiosk_sessions_started_total", ()): 0,
        **{
            ("acupressure_kiosk_sessions_total", (("outcome", end),)): 0
            for end in ("completed", "cancelled", "abandoned")
        },
    }


def test_label_values_are_escaped() -> None:
    totals = Totals()
    totals.count("hold", 'a"b\\c\nd', 2)
    line = totals.text().splitlines()[-1]
    assert line == 'acupressure_kiosk_holds_total{point="a\\"b\\\\c\\nd",side="2"} 1'
    assert (
        values(totals.text())[
            ("acupressure_kiosk_holds_total", (("point", 'a"b\\c\nd'), ("side", "2")))
        ]
        == 1
    )


def test_the_file_is_replaced_whole_never_written_in_place(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    prom = tmp_path / PROM
    seen = []
    real_replace = os.replace

    def replace(src, dst):  # type: ignore[no-untyped-def]
        src, dst = Path(src), Path(dst)
        # the new text is whole and on its own, in the same folder, before it takes the name
        assert src == prom.with_name(PROM + ".tmp") and dst == prom
        assert src.read_text().endswith("\n") and values(src.read_text())
        assert src.stat().st_mode & 0o777 == 0o644
        seen.append(dst.read_text() if dst.exists() else None)
        real_replace(src, dst)

    monkeypatch.setattr(metricsfile.os, "replace", replace)
    recorder = Recorder(tmp_path / DB_NAME, IDS, STEPS, metrics_file=prom)
    settled(recorder, stopped(recorder, Effect.SESSION_CANCELLED))
    recorder.close()
    assert len(seen) == 3  # at start, then after each of the two records
    assert seen[0] is None and "started_total 0\n" in seen[1] and "started_total 1\n" in seen[2]


def test_a_reader_never_sees_a_partial_file(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    written: set[str] = set()  # every text the writer made
    real_text = Totals.text

    def text(self):  # type: ignore[no-untyped-def]
        made = real_text(self)
        written.add(made)
        return made

    monkeypatch.setattr(Totals, "text", text)
    prom = tmp_path / PROM
    recorder = Recorder(tmp_path / DB_NAME, IDS, STEPS, metrics_file=prom)
    while not prom.exists():
        time.sleep(0.01)
    done = threading.Event()
    reads: list[str] = []

    def read() -> None:
        while not done.is_set():
            reads.append(prom.read_text())  # always there: a rename, never a delete first

    reader = threading.Thread(target=read)
    reader.start()
    count = 0
    for _ in range(40):
        count += completed(recorder)
    settled(recorder, count)
    done.set()
    reader.join()
    recorder.close()
    assert len(written) == 1 + count and len(set(reads)) > 1
    assert [r for r in reads if r not in written] == []
    assert "acupressure_kiosk_sessions_started_total 40\n" in prom.read_text()


def test_the_counts_go_on_from_the_database_after_a_restart(tmp_path: Path) -> None:
    prom = tmp_path / PROM
    first = Recorder(tmp_path / DB_NAME, IDS, STEPS, metrics_file=prom)
    settled(first, completed(first) + stopped(first, Effect.SESSION_CANCELLED))
    first.close()
    prom.unlink()  # the file is not where the totals come from: the database is
    second = Recorder(tmp_path / DB_NAME, IDS, STEPS, metrics_file=prom)
    settled(second, 0)
    second.close()
    assert "acupressure_kiosk_sessions_started_total 2\n" in prom.read_text()
    third = Recorder(tmp_path / DB_NAME, IDS, STEPS, metrics_file=prom)
    settled(third, stopped(third, Effect.SESSION_ABANDONED) + completed(third))
    third.close()
    assert prom.read_text() == EXPECTED


def test_a_file_that_cannot_be_written_is_logged_once_and_recording_goes_on(
    tmp_path: Path, caplog
) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.INFO)
    folder = tmp_path / "node-exporter"  # not made yet: node_exporter not installed
    prom = folder / PROM
    clock = FakeClock()
    recorder = Recorder(tmp_path / DB_NAME, IDS, STEPS, clock=clock, metrics_file=prom)
    count = 0
    for _ in range(5):
        count += completed(recorder)
    settled(recorder, count)
    complaints = [r for r in caplog.records if "metrics cannot be written" in r.message]
    assert len(complaints) == 1 and str(prom) in complaints[0].message
    assert complaints[0].levelno == logging.ERROR
    assert recorder.metrics is not None and recorder.metrics.failures == 1 + count
    clock.advance(COMPLAIN_EVERY + 1)  # an hour on: said again, with how many failed since
    quiet = count
    count += stopped(recorder, Effect.SESSION_CANCELLED)
    settled(recorder, count)
    complaints = [r for r in caplog.records if "metrics cannot be written" in r.message]
    assert len(complaints) == 2 and f"({quiet} more failed" in complaints[1].message
    folder.mkdir()  # now it can be written
    count += stopped(recorder, Effect.SESSION_CANCELLED)
    settled(recorder, count)
    recorder.close()
    assert recorder.written == count == len(read_records(tmp_path / DB_NAME))
    assert any("written to" in r.message and "again" in r.message for r in caplog.records)
    assert "acupressure_kiosk_sessions_started_total 7\n" in prom.read_text()


def test_the_file_is_readable_by_all_under_the_units_umask(tmp_path: Path) -> None:
    old = os.umask(0o077)  # the unit's UMask=
    try:
        assert MetricsFile(tmp_path / PROM).write(Totals(), 0.0)
    finally:
        os.umask(old)
    assert (tmp_path / PROM).stat().st_mode & 0o777 == 0o644  # node_exporter's user reads it


def test_a_read_only_folder_fails_the_write_and_leaves_the_old_file(tmp_path: Path) -> None:
    prom = tmp_path / PROM
    file = MetricsFile(prom)
    assert file.write(Totals(), 0.0)
    before = prom.read_text()
    totals = Totals()
    totals.count("started", None, None)
    os.mkdir(prom.with_name(PROM + ".tmp"))  # the tmp name taken: the open fails
    assert not file.write(totals, 1.0)
    assert prom.read_text() == before and file.failures == 1


# -- Debian's node_exporter serves the file ----------------------------------------------------

NODE_EXPORTER = shutil.which("prometheus-node-exporter") or shutil.which("node_exporter")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.skipif(
    NODE_EXPORTER is None,
    reason="Debian's prometheus-node-exporter is not installed "
    "(sudo apt-get install prometheus-node-exporter; .ci/run installs it)",
)
def test_node_exporters_textfile_collector_serves_the_counters(tmp_path: Path) -> None:
    folder = tmp_path / "textfile"
    folder.mkdir()
    recorder = Recorder(tmp_path / DB_NAME, IDS, STEPS, metrics_file=folder / PROM)
    four_sessions(recorder)
    recorder.close()
    port = free_port()
    exporter = subprocess.Popen(
        [
            str(NODE_EXPORTER),
            "--collector.disable-defaults",
            "--collector.textfile",
            f"--collector.textfile.directory={folder}",
            f"--web.listen-address=127.0.0.1:{port}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        text = ""
        deadline = time.monotonic() + 20
        while True:
            try:
                url = f"http://127.0.0.1:{port}/metrics"
                with urllib.request.urlopen(url, timeout=5) as response:
                    text = response.read().decode()
                break
            except OSError:
                assert exporter.poll() is None, exporter.communicate()[1]
                assert time.monotonic() < deadline, "node_exporter did not answer"
                time.sleep(0.1)
    finally:
        exporter.terminate()
        exporter.wait(10)
    served = values(
        "\n".join(line for line in text.splitlines() if "acupressure_kiosk_" in line) + "\n"
    )
    assert served[("acupressure_kiosk_sessions_started_total", ())] == 4
    assert served[("acupressure_kiosk_sessions_total", (("outcome", "completed"),))] == 2
    assert served[("acupressure_kiosk_sessions_total", (("outcome", "abandoned"),))] == 1
    assert served[("acupressure_kiosk_holds_total", (("point", "UB60"), ("side", "1")))] == 2
    assert served[("acupressure_kiosk_holds_total", (("point", "LI4"), ("side", "")))] == 2
    # node_exporter read the file without complaint (a bad file sets this to 1)
    assert "node_textfile_scrape_error 0" in text, text
