"""The README's commands work as written: every `flask …` it or docs/ shows names a real command with
options it has and the required ones it needs, and `make run` serves on the port it is given."""

import os
import re
import shlex
import signal
import socket
import subprocess
import time
from pathlib import Path

import click
import httpx
import pytest

from app import create_app

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
INLINE = re.compile(r"`(flask [^`]+)`")
FLASK_OWN = {"run", "shell", "routes"}  # Flask's own commands, not the app's
IN_BLOCK = re.compile(r"^\s*(?:[A-Z_]+=\S+\s+)*(?:\S*/)?(?:docker compose exec \w+ )?(flask \S.*)$")


def flask_commands(text: str) -> list[str]:
    """Return each `flask …` command shown in a Markdown text, inline or as a line of a code block."""
    found = [match.group(1) for match in INLINE.finditer(text)]
    block = False
    for line in re.sub(r"\\\n\s*", " ", text).splitlines():  # a shell line continued with a backslash
        if line.lstrip().startswith("```"):
            block = not block
        elif block and (match := IN_BLOCK.match(line)):
            found.append(match.group(1).split("  #")[0])
    return found


def alternatives(command: str) -> list[list[str]]:
    """Split a shown command into the concrete ones it stands for (`a\\|b` and `a|b` are alternatives)."""
    plain = re.sub(r"<[^>]+>", "VALUE", command.replace("\\|", "|")).replace("[", " ").replace("]", " ")
    words = shlex.split(plain)[1:]
    expanded: list[list[str]] = [[]]
    for word in words:
        options = word.split("|") if "|" in word and not word.startswith('"') else [word]
        if word.startswith("-"):  # [--failed|--dead]: both are options of one command
            expanded = [shown + options for shown in expanded]
        else:
            expanded = [[*shown, option] for shown in expanded for option in options]
    return expanded


def resolved(group: click.Group, words: list[str]) -> tuple[click.Command | None, list[str], list[str]]:
    """Walk `words` down the command groups; return the command reached, its path and the words after."""
    command: click.Command = group
    path: list[str] = []
    context = click.Context(group)
    while isinstance(command, click.Group) and words and not words[0].startswith(("-", "…")):
        sub = command.get_command(context, words[0])
        if sub is None:
            return None, [*path, words[0]], words[1:]
        command, path, words = sub, [*path, words[0]], words[1:]
    return command, path, words


def problems_with(group: click.Group, shown: str) -> list[str]:
    """Return what is wrong with one shown command: unknown command or option, or a missing required one."""
    found = []
    for words in alternatives(shown):
        command, path, rest = resolved(group, words)
        name = "flask " + " ".join(path)
        if command is None and path[0] in FLASK_OWN:
            continue
        if command is None:
            found.append(f"{shown!r}: there is no command {name!r}")
            continue
        if isinstance(command, click.Group) or not rest or rest[0] == "…":
            continue  # a command named in prose, or its arguments elided
        options = {opt: param for param in command.params for opt in param.opts + param.secondary_opts}
        given, positional, words_left = set(), 0, list(rest)
        while words_left:
            word = words_left.pop(0)
            if word.startswith("--"):
                param = options.get(word.split("=")[0])
                if param is None:
                    found.append(f"{shown!r}: {name} has no option {word}")
                    continue
                given.add(param.name)
                if not getattr(param, "is_flag", False) and "=" not in word and words_left:
                    words_left.pop(0)
            elif word != "…":
                positional += 1
        arguments = [param for param in command.params if isinstance(param, click.Argument)]
        required_options = [
            param for param in command.params if isinstance(param, click.Option) and param.required
        ]
        found += [
            f"{shown!r}: {name} needs {param.opts[0]}"
            for param in required_options
            if param.name not in given and "…" not in rest
        ]
        least = sum(1 for param in arguments if param.required)
        most = None if any(param.nargs == -1 for param in arguments) else len(arguments)
        if positional < least or (most is not None and positional > most):
            found.append(f"{shown!r}: {name} takes {least}–{most} arguments, {positional} shown")
    return found


def test_every_flask_command_the_documents_show_exists_with_the_options_it_needs():
    group = create_app({"ENV_NAME": "testing", "DATABASE_URL": "sqlite://"}).cli
    shown = [(path, command) for path in DOCUMENTS for command in flask_commands(path.read_text())]

    assert len(shown) > 40
    problems = [
        f"{path.relative_to(ROOT)}: {problem}"
        for path, command in shown
        for problem in problems_with(group, command)
    ]
    assert problems == []


def test_the_checker_finds_a_missing_required_option_an_unknown_option_and_an_unknown_command():
    group = create_app({"ENV_NAME": "testing", "DATABASE_URL": "sqlite://"}).cli

    assert problems_with(group, 'flask clients create --org CODE --scopes "council:read"') == [
        "'flask clients create --org CODE --scopes \"council:read\"': flask clients create needs --name"
    ]
    assert problems_with(group, "flask jobs list --everything") == [
        "'flask jobs list --everything': flask jobs list has no option --everything"
    ]
    assert problems_with(group, "flask demo sow") == [
        "'flask demo sow': there is no command 'flask demo sow'"
    ]
    assert problems_with(group, "flask deliveries list\\|retry") == []
    assert problems_with(group, "flask authorities add CODE NAME --nation england\\|wales\\|scotland") == []


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _set_up_by_make() -> bool:
    """Tell whether make's venv and front-end files are up to date (as `make test` leaves them)."""
    stamps = [".venv/.installed", "app/static/govuk/.installed"]
    return subprocess.run(["make", "-q", *stamps], cwd=ROOT, capture_output=True).returncode == 0


@pytest.mark.skipif(not _set_up_by_make(), reason="make run would build the venv first: use make test")
def test_make_run_migrates_seeds_and_serves_on_the_port_it_is_given(tmp_path):
    port = _free_port()
    environment = {
        **os.environ,
        "PORT": str(port),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'run.db'}",
        "PYTHONUNBUFFERED": "1",
    }
    environment.pop("TEST_DATABASE_URL", None)
    log = tmp_path / "make-run.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            ["make", "--no-print-directory", "run"],
            cwd=ROOT,
            env=environment,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        answer = None
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and process.poll() is None:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/sign-in", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.5)
        output = log.read_text()
        assert answer is not None and answer.status_code == 200, output[-3000:]
        assert f"http://127.0.0.1:{port}/sign-in" in output
        assert "manager@" in output and "Demo API keys" in output
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
