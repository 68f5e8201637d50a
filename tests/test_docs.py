"""The documents say what the code does."""

from __future__ import annotations

import re
from pathlib import Path

from kiosk.content.settings import SETTINGS, settings_markdown

ROOT = Path(__file__).resolve().parent.parent


def test_configuration_doc_lists_the_settings_table() -> None:
    text = (ROOT / "docs" / "configuration.md").read_text()
    block = re.search(r"<!-- settings:start.*?-->\n(.*?)<!-- settings:end -->", text, re.S)
    assert block is not None
    assert block.group(1) == settings_markdown(), "stale: run ./dev.sh docs"


def test_configuration_doc_states_the_limits_the_code_has() -> None:
    from kiosk.content.validation import MAX_TEXT_CHARS
    from kiosk.content.yamlfile import MAX_BYTES

    text = (ROOT / "docs" / "configuration.md").read_text()
    limits = text.split("## Limits\n", 1)[1].split("\n## ", 1)[0]
    assert f"at most {MAX_BYTES} bytes (" in limits and "`MAX_BYTES`" in limits
    assert f"at most {MAX_TEXT_CHARS} characters (" in limits and "`MAX_TEXT_CHARS`" in limits


def test_readme_starts_with_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    first_block = re.search(r"```sh\n(.*?)```", readme, re.S)
    assert first_block is not None
    commands = [line.split("#")[0].strip() for line in first_block.group(1).splitlines()]
    assert [c for c in commands if c] == ["./dev.sh run", "./dev.sh test"]


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    assert ci.rstrip().splitlines()[-1] == "exec ./dev.sh test"


def test_every_setting_is_documented_in_defaults() -> None:
    from kiosk.content.settings import defaults_yaml

    text = defaults_yaml()
    for setting in SETTINGS:
        assert f"  {setting.name}:" in text
        assert setting.doc in text


def test_configuration_doc_states_the_limits_for_drawings() -> None:
    from kiosk.ui import imagefile

    text = (ROOT / "docs" / "configuration.md").read_text()
    limits = text.split("## Limits for drawings", 1)[1]
    assert f"{imagefile.MAX_PIXELS // 1_000_000} megapixels" in limits
    assert f"{imagefile.MAX_PIXELS_EXAMPLE}" in limits
    assert f"{imagefile.MAX_RASTER_BYTES // 2**20} MB" in limits
    assert f"{imagefile.MAX_SVG_BYTES // 2**20} MB" in limits
    assert f"{imagefile.MAX_SVG_NUMBERS:,} numbers" in limits
    assert f"{imagefile.MAX_SVG_ELEMENTS} elements" in limits
