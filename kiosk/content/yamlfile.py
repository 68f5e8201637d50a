"""Reading a staff YAML file into plain data, keeping where every value came from.

PyYAML's ``safe_load`` forgets line numbers and silently keeps the last of two duplicate keys.
Staff need "config.yaml:12:5: point 2 (UB40) hold_seconds: ..." so this module composes the
node tree itself and records the line and column of every key path.
"""

from __future__ import annotations

import dataclasses
import re
import sys
import unicodedata
from dataclasses import dataclass

import yaml

#: More values than this means aliases expanding without end ("billion laughs").
MAX_VALUES = 20_000

#: Staff files are a few kilobytes; anything much bigger is a mistake (or a log pasted in).
MAX_BYTES = 256 * 1024

#: What PyYAML's constructors raise for a value they cannot make (``2024-02-30``, ``!!int
#: seventeen``, ``!!bool lots``, an integer of 5000 digits): plain Python errors, not
#: ``YAMLError``.
CONSTRUCT_ERRORS = (ValueError, TypeError, KeyError, AttributeError, OverflowError, IndexError)

#: What a tag makes, in the words of the message for a value it cannot make.
TAG_WORDS = {
    "int": "a whole number",
    "float": "a number",
    "bool": "yes or no",
    "timestamp": "a real date",
    "binary": "base64 data",
}

#: What must not reach a log line or a terminal as it is: C0 and C1 controls (escape codes,
#: line breaks), DEL, the Unicode line and paragraph separators, and lone surrogates.
UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")

KeyPath = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or suspicious) in a staff file, with where it is."""

    file: str
    message: str
    path: KeyPath = ()
    line: int | None = None
    column: int | None = None
    severity: str = "error"
    #: The ids of the routine's points, to name a point in words (see :func:`format_path`).
    ids: tuple[str | None, ...] = ()

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        key = f" {format_path(self.path, self.ids)}:" if self.path else ""
        label = "" if self.is_error else " warning:"
        return printable(f"{where}:{label}{key} {self.message}")


def printable(text: str) -> str:
    """``text`` with every :data:`UNSAFE` character written as ``\\xNN`` or ``\\uNNNN``: one
    line that shows as it is (a value with "\\n" or an escape code cannot fake a line)."""
    return UNSAFE.sub(_escaped, text)


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def format_path(path: KeyPath, ids: tuple[str | None, ...] = ()) -> str:
    """A key path in words for staff, counting from 1 as people do:
    ``("points", 1, "hold_seconds")`` -> ``point 2 (UB40) hold_seconds`` (the id when
    ``ids`` has it), ``("safety", "lines", 0)`` -> ``safety.lines item 1`` and
    ``("points", 0, "marker", 1)`` -> ``point 1 marker y``."""
    text = ""
    for index, part in enumerate(path):
        if not isinstance(part, int):
            after_key = index > 0 and isinstance(path[index - 1], str)
            text += f".{part}" if after_key else (f" {part}" if text else part)
        elif path[:index] == ("points",):
            known = ids[part] if 0 <= part < len(ids) else None
            text = f"point {part + 1}" + (f" ({known})" if known else "")
        elif path[index - 1 : index] == ("marker",) and part in (0, 1):
            text += " " + "xy"[part]
        else:
            text += f" item {part + 1}"
    return text


def point_ids(data: object) -> tuple[str | None, ...]:
    """The ``id`` of each entry of ``data``'s ``points:`` list (None where it has none)."""
    points = data.get("points") if isinstance(data, dict) else None
    if not isinstance(points, list):
        return ()
    return tuple(
        item["id"] if isinstance(item, dict) and _is_id(item.get("id")) else None for item in points
    )


def _is_id(value: object) -> bool:
    return isinstance(value, str) and 0 < len(value) <= 12 and value.isprintable()


@dataclass
class Document:
    """Plain data from a YAML file plus the (1-based) line and column of every key path."""

    file: str
    data: object
    marks: dict[KeyPath, tuple[int, int]]
    values: int = 0
    #: Where each value starts (``marks`` has where its key is, when it has one).
    value_marks: dict[KeyPath, tuple[int, int]] = dataclasses.field(default_factory=dict)

    def problem(
        self, path: KeyPath, message: str, severity: str = "error", at_value: bool = False
    ) -> Problem:
        """A problem at ``path``, placed at the nearest line we know of (with ``at_value``,
        where the value starts rather than its key)."""
        ids = point_ids(self.data)
        mark = self.value_marks.get(path) if at_value else None
        if mark is not None:
            return Problem(self.file, message, path, mark[0], mark[1], severity, ids)
        for end in range(len(path), -1, -1):
            mark = self.marks.get(path[:end])
            if mark is not None:
                return Problem(self.file, message, path, mark[0], mark[1], severity, ids)
        return Problem(self.file, message, path, severity=severity, ids=ids)


def parse(raw: bytes, file: str) -> tuple[Document | None, list[Problem]]:
    """Parse ``raw`` bytes of ``file``. Returns the document, or None and the reasons why not."""
    if len(raw) > MAX_BYTES:
        return None, [Problem(file, too_big(len(raw)))]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        column = err.start - raw.rfind(b"\n", 0, err.start)
        return None, [
            Problem(
                file,
                f"byte 0x{raw[err.start]:02x} is not UTF-8 text; save the file as UTF-8",
                line=line,
                column=column,
            )
        ]
    text = text.removeprefix("\ufeff")
    try:
        loader = yaml.SafeLoader(text)  # raises ReaderError for a control character
        try:
            node = loader.get_single_node()
            problems: list[Problem] = []
            doc = Document(file, None, {})
            if node is not None:
                doc.data = _build(node, (), _Maker(loader, doc, problems), doc, problems)
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as err:
        return None, [_syntax_problem(err, text, file)]
    except yaml.reader.ReaderError as err:
        return None, [_character_problem(err, text, file)]
    except yaml.YAMLError as err:
        return None, [Problem(file, f"not valid YAML: {err}")]
    except RecursionError:
        return None, [Problem(file, "the YAML is nested too deeply to be a kiosk config")]
    ids = point_ids(doc.data)
    problems = [dataclasses.replace(p, ids=ids) for p in problems]  # name points by id too
    if any(p.is_error for p in problems):
        return None, problems  # a value that could not be made: nothing to build on
    if doc.data is None:
        return None, [
            Problem(
                file,
                "the file is empty. Put the settings you change in it, or "
                "copy the output of `acupressure-kiosk defaults` "
                "(`./dev.sh kiosk defaults` in the project folder).",
            )
        ]
    return doc, problems


def too_big(size: int) -> str:
    """Why a file of ``size`` bytes is not read."""
    return (
        f"the file is {size} bytes; a config is at most {MAX_BYTES} bytes. Is this the right file?"
    )


def _character_problem(err: yaml.reader.ReaderError, text: str, file: str) -> Problem:
    """A character YAML does not allow, at its line and column (PyYAML gives its index)."""
    index = err.position
    line = text.count("\n", 0, index) + 1
    column = index - text.rfind("\n", 0, index)
    code = f"U+{err.character:04X}"
    if unicodedata.category(chr(err.character)) == "Cc":
        reason = f"a control character ({code}), invisible in most editors, is here; remove it"
    else:
        reason = f"the character {code} cannot be in a config; remove it"
    return Problem(file, reason, line=line, column=column)


def _syntax_problem(err: yaml.MarkedYAMLError, text: str, file: str) -> Problem:
    """A YAML syntax error in plain words, at the line a person must change (which is often
    above the one where PyYAML noticed it)."""
    lines = text.splitlines()
    try:
        line, column, reason = _plain_syntax(err, lines)
    except (IndexError, ValueError):  # a case the words below did not foresee: still one line
        line, column, reason = _marked(err), None, _unforeseen(err)
    return Problem(file, reason, line=line, column=column)


#: What to do with a text that holds characters YAML reads as its own.
QUOTE_IT = 'put the whole text in quotes ("...")'
#: The same for a text with a colon in it.
QUOTE_COLON = 'put the whole text in quotes, for example `invite: "Step 1: sit down"`'


def _plain_syntax(
    err: yaml.MarkedYAMLError, lines: list[str]
) -> tuple[int | None, int | None, str]:
    """(line, column, reason) of a syntax error; lines and columns count from 1."""
    mark = err.problem_mark or err.context_mark
    if mark is None:
        return None, None, _unforeseen(err)
    problem, context = (err.problem or "").strip(), (err.context or "").strip()
    start = err.context_mark
    at, col = mark.line + 1, mark.column + 1
    here = lines[mark.line] if mark.line < len(lines) else ""
    if "\t" in here[: mark.column + 1] or "'\\t'" in problem:
        if not here[: mark.column].strip():
            return (
                at,
                col,
                "a tab is used for indenting; YAML needs spaces. Replace the tab with spaces",
            )
        return at, col, "a tab is here; YAML needs spaces. Replace the tab with spaces"
    if "another document" in problem or ("document separator" in problem and not start):
        return at, col, "a second document (`---`) starts here; a config is one document"
    if isinstance(err, yaml.constructor.ConstructorError) or "for the tag" in problem:
        return at, col, f"{problem or context}; a config needs no `!tags`: remove it"
    if "quoted scalar" in context and start is not None:
        if "end of stream" in problem or "document separator" in problem:
            return (
                start.line + 1,
                start.column + 1,
                _never_closed(_char(lines, start), start.line + 1),
            )
        if "escape" in problem:
            return (
                at,
                col,
                "a \\ in double quotes starts a special character, and this one is not one; "
                "write \\\\ for a backslash, or use single quotes ' ' around the text",
            )
    if "flow sequence" in context or "flow mapping" in context:
        opened, closer = ("[", "]") if "sequence" in context else ("{", "}")
        if start is not None and start.line != mark.line:
            return (
                start.line + 1,
                start.column + 1,
                f"the {opened} opened on line {start.line + 1} is never closed; "
                f"add a {closer} at the end of it",
            )
        return at, col, f"expected a comma between the items, or a {closer} to close the {opened}"
    if "mapping values are not allowed" in problem:
        return _stray_colon(lines, mark.line, mark.column)
    if "could not find expected ':'" in problem and start is not None:
        key = lines[start.line].strip()
        return (
            start.line + 1,
            start.column + 1,
            f"`{_short(key)}` has no `:` after it; a line here must be `key: value`",
        )
    if "sequence entries are not allowed" in problem:
        return (
            at,
            col,
            "a `- ` list item cannot start here; put each item on its own line, lined up with "
            "the other items",
        )
    if "cannot start any token" in problem or "expected the node content" in problem:
        char = _char(lines, mark)
        if char == ",":
            return at, col, "there is nothing before this comma; remove the comma or add a value"
        if char in ("]", "}"):
            return at, col, f"this {char} closes nothing; remove it"
        return at, col, f"a value cannot start with {char}; {QUOTE_IT}"
    if start is not None and (
        "anchor" in context or "alias" in context or "block scalar" in context
    ):
        # `&`, `*`, `|` and `>` start YAML's own kinds of values
        return (
            start.line + 1,
            start.column + 1,
            f"a value cannot start with {_char(lines, start)}; {QUOTE_IT}",
        )
    if "undefined alias" in problem:
        return at, col, f"a value cannot start with *; {QUOTE_IT}"
    if "expected <block end>" in problem:
        return _block_end(lines, mark.line, mark.column, problem, start)
    return at, col, _unforeseen(err)


def _stray_colon(lines: list[str], index: int, column: int) -> tuple[int, int | None, str]:
    """Reasons for a `:` where PyYAML allows none (``index`` and ``column`` from 0)."""
    here = lines[index]
    before = here[:column]
    if ": " in before or before.rstrip().endswith(":") or before.lstrip().startswith("- "):
        return (
            index + 1,
            column + 1,
            f"this line has a second `:`; when a text holds a colon, {QUOTE_COLON}",
        )
    above = _line_above(lines, index)
    if above is not None:
        prev = lines[above]
        body = prev.split(" #", 1)[0].strip().removeprefix("- ")
        if ":" not in body:
            name, _, value = body.partition(" ")
            example = f"{name}: {value.strip()}" if value.strip() else f"{name}:"
            return (
                above + 1,
                _indent(prev) + 1,
                f"`{_short(body)}` has no `:` after its name; write `{_short(example)}`",
            )
        if ": " not in body and not body.endswith(":"):
            name, value = body.split(":", 1)
            return (
                above + 1,
                _indent(prev) + 1,
                f"there is no space after the `:` on this line; write `{_short(name)}: "
                f"{_short(value)}`",
            )
        if _indent(here) > _indent(prev):
            return (
                index + 1,
                column + 1,
                f"this line is indented more than the line above it (line {above + 1}), which "
                "already has a value; line it up with the line above",
            )
    return index + 1, column + 1, f"a `:` cannot be here; when a text holds a colon, {QUOTE_COLON}"


def _block_end(
    lines: list[str], index: int, column: int, problem: str, start: yaml.Mark | None
) -> tuple[int, int | None, str]:
    """Reasons for something PyYAML did not expect after the lines above (from 0)."""
    here = lines[index] if index < len(lines) else ""
    above = _line_above(lines, index)
    prev = lines[above] if above is not None else ""
    if "'-'" in problem:
        if above is not None and prev.lstrip().startswith("-") and prev.lstrip()[1:2] != " ":
            return (
                above + 1,
                _indent(prev) + 1,
                "put a space after the `-` that starts this list item",
            )
        return (
            index + 1,
            column + 1,
            "a list item (`- `) is mixed in with `key: value` lines here; indent the key lines "
            "under the item they belong to, or start each entry with `- `",
        )
    if "'?'" in problem or ("block collection" in problem and "mapping" in problem):
        return (
            index + 1,
            column + 1,
            "this `key: value` line is in the middle of a list of `- ` items: indent it to line "
            "up with the key of the item above, or start it with `- `",
        )
    if "'<scalar>'" in problem and start is not None and start.line <= index:
        text_before = here[:column].rstrip()
        quote = text_before[-1:]
        opened = _unclosed_above(lines, index, quote) if quote in ("'", '"') else None
        if quote and text_before.count(quote) % 2 and opened is not None:
            # this quote closed one opened on a line above: that one is never closed
            return (
                opened + 1,
                lines[opened].index(quote) + 1,
                _never_closed(quote, opened + 1),
            )
        if quote in ("'", '"'):
            return (
                index + 1,
                column + 1,
                f"there is more text after the closing quote {text_before[-1]}; put all of the "
                "text inside the quotes",
            )
    if start is not None and _indent(here) > start.column and _indent(here) < _indent(prev):
        return (
            index + 1,
            column + 1,
            f"this line is indented less than the line above it (line {above + 1}); line it up "
            "with the lines it belongs with",
        )
    if above is not None and _indent(here) > _indent(prev):
        return (
            index + 1,
            column + 1,
            f"this line is indented more than the line above it (line {above + 1}); line it up "
            "with the lines it belongs with",
        )
    return (
        index + 1,
        column + 1,
        "this line does not fit with the lines above it; check its indenting, colons and quotes",
    )


def _unclosed_above(lines: list[str], index: int, quote: str) -> int | None:
    """The nearest line above ``index`` with an odd number of ``quote`` s, if any."""
    for above in range(index - 1, -1, -1):
        if lines[above].count(quote) % 2:
            return above
    return None


def _line_above(lines: list[str], index: int) -> int | None:
    """The index of the nearest line above ``index`` with something on it (not a comment)."""
    for above in range(min(index, len(lines)) - 1, -1, -1):
        content = lines[above].strip()
        if content and not content.startswith("#"):
            return above
    return None


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _char(lines: list[str], mark: yaml.Mark) -> str:
    """The character at ``mark``, as the message shows it."""
    line = lines[mark.line] if mark.line < len(lines) else ""
    char = line[mark.column] if mark.column < len(line) else ""
    return char or "this character"


def _never_closed(quote: str, line: int) -> str:
    kind = {'"': "double quote", "'": "single quote"}.get(quote, "quote")
    return (
        f"the {kind} {quote} opened on line {line} is never closed; "
        f"add a {quote} at the end of the text"
    )


def _short(text: str) -> str:
    text = text.strip()
    return text if len(text) <= 40 else text[:37] + "..."


def _marked(err: yaml.MarkedYAMLError) -> int | None:
    mark = err.problem_mark or err.context_mark
    return mark.line + 1 if mark is not None else None


def _unforeseen(err: yaml.MarkedYAMLError) -> str:
    """The fallback: still one line, PyYAML's words kept in brackets for whoever helps."""
    words = (err.problem or err.context or "").strip()
    shown = f" (YAML says: {words})" if words else ""
    return f"this line is not valid YAML{shown}; check its indenting, colons and quotes"


class _Maker:
    """Makes Python values from scalar nodes; a value PyYAML cannot make becomes one problem
    at the node's start (and None), once even when aliases repeat it."""

    def __init__(self, loader: yaml.SafeLoader, doc: Document, problems: list[Problem]) -> None:
        self.loader, self.doc, self.problems = loader, doc, problems
        self.failed: set[int] = set()

    def make(self, node: yaml.Node, path: KeyPath) -> object:
        if id(node) in self.failed:
            return None
        try:
            return self.loader.construct_object(node)
        except CONSTRUCT_ERRORS as err:
            self.failed.add(id(node))
            self.loader.recursive_objects.clear()  # PyYAML leaves the node there on an error
            mark = node.start_mark
            problem = Problem(
                self.doc.file, _unmade(node, err), path, mark.line + 1, mark.column + 1
            )
            self.problems.append(problem)
            return None


def _unmade(node: yaml.Node, err: Exception) -> str:
    """Why the value of ``node`` cannot be made, in words for the person who typed it."""
    kind = str(node.tag).rsplit(":", 1)[-1]
    value = str(node.value)
    if isinstance(err, ValueError) and "digits" in str(err):
        digits = sum(char.isdigit() for char in value)
        return f"a number of {digits} digits is far too long; write a number of a few digits"
    shown = value if len(value) <= 40 else value[:37] + "..."
    explicit = _explicit_tag(node)
    if explicit:
        shown = f"{explicit} {shown}"
    words = TAG_WORDS.get(kind, f"a {kind}")
    hint = f"remove the `{explicit}` tag" if explicit else "to mean it as text, put it in quotes"
    return f"`{shown}` is not {words}; {hint}"


def _explicit_tag(node: yaml.Node) -> str | None:
    """The tag as written (``!!int``) when the file gives one, else None."""
    start, end = node.start_mark, node.end_mark
    written = start.buffer[start.pointer : end.pointer] if start.buffer else ""
    for word in written.split():
        if not word.startswith("&"):  # an anchor may come first
            return word if word.startswith("!") else None
    return None


def _key_text(key: object) -> str:
    try:
        return str(key)
    except ValueError:  # a whole number too long to write out (0x1111... of 5000 digits)
        return f"(a number of more than {sys.get_int_max_str_digits()} digits)"


def _twice(key: str, first: int, again: int) -> str:
    """Why a second ``key:`` in one mapping is refused, and what to do instead."""
    shown = printable(key if len(key) <= 40 else key[:37] + "...")
    if first == again:
        return f"`{shown}:` appears twice on line {again}; keep one"
    return (
        f"`{shown}:` appears twice: first on line {first}, again on line {again}; "
        "change the one that is there instead of adding another"
    )


def _build(
    node: yaml.Node, path: KeyPath, maker: _Maker, doc: Document, problems: list[Problem]
) -> object:
    doc.values += 1
    if doc.values > MAX_VALUES:
        raise yaml.YAMLError(f"more than {MAX_VALUES} values (aliases expanding?)")
    doc.marks.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
    doc.value_marks[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        result: dict[str, object] = {}
        for key_node, value_node in node.value:
            key = _key_text(maker.make(key_node, path))
            key_path = (*path, key)
            mark = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            if key in result:
                first = doc.marks[key_path][0]
                problems.append(Problem(doc.file, _twice(key, first, mark[0]), path, *mark))
                continue
            doc.marks[key_path] = mark
            result[key] = _build(value_node, key_path, maker, doc, problems)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*path, i), maker, doc, problems) for i, item in enumerate(node.value)]
    return maker.make(node, path)
