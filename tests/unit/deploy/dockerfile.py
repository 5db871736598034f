"""A small reader of deploy/Dockerfile: its stages and their instructions, enough for the
structural tests (no Docker runs here)."""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from tests.unit.deploy.compose_file import REPO

DOCKERFILE = REPO / "deploy" / "Dockerfile"
DOCKERIGNORE = REPO / ".dockerignore"


@dataclass(frozen=True)
class Instruction:
    keyword: str
    text: str

    def flags_and_words(self) -> tuple[dict[str, str], list[str]]:
        """``--flag=value`` options first, then the rest (a JSON array or shell words)."""
        flags: dict[str, str] = {}
        rest = self.text.strip()
        while rest.startswith("--"):
            word, _, rest = rest.partition(" ")
            name, _, value = word[2:].partition("=")
            flags[name] = value
            rest = rest.strip()
        if rest.startswith("["):
            return flags, list(json.loads(rest))
        head, _, tail = rest.partition(" ")
        if head == "CMD" and tail.lstrip().startswith("["):  # HEALTHCHECK ... CMD [...]
            return flags, [head, *json.loads(tail)]
        return flags, shlex.split(rest)


@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[Instruction] = field(default_factory=list)

    def all(self, keyword: str) -> list[Instruction]:
        return [i for i in self.instructions if i.keyword == keyword]

    def last(self, keyword: str) -> Instruction | None:
        found = self.all(keyword)
        return found[-1] if found else None

    def env(self) -> dict[str, str]:
        """What the stage's ENV instructions set (``ENV A=1 B=2`` form)."""
        values: dict[str, str] = {}
        for instruction in self.all("ENV"):
            for word in shlex.split(instruction.text):
                name, _, value = word.partition("=")
                values[name] = value
        return values


def logical_lines(text: str) -> list[str]:
    """Instructions one a line: comments dropped, continuations joined."""
    lines: list[str] = []
    pending = ""
    for line in text.splitlines():
        if line.strip().startswith("#"):
            continue  # a comment, also in the middle of a continued instruction
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        joined = (pending + line).strip()
        pending = ""
        if joined:
            lines.append(joined)
    if pending.strip():
        lines.append(pending.strip())
    return lines


def parse(text: str) -> list[Stage]:
    stages: list[Stage] = []
    for line in logical_lines(text):
        keyword, _, rest = line.partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            words = rest.split()
            name = words[2] if len(words) >= 3 and words[1].upper() == "AS" else None
            stages.append(Stage(base=words[0], name=name))
        elif keyword != "ARG" or stages:
            stages[-1].instructions.append(Instruction(keyword, rest.strip()))
    return stages


def stages() -> list[Stage]:
    return parse(DOCKERFILE.read_text(encoding="utf-8"))


def copied(stage: Stage) -> list[tuple[str, str]]:
    """``(source, destination)`` for each COPY of the build context (not ``--from``)."""
    pairs = []
    for instruction in stage.all("COPY"):
        flags, words = instruction.flags_and_words()
        if "from" in flags:
            continue
        *sources, destination = words
        pairs += [(source, destination) for source in sources]
    return pairs


def ignored_patterns() -> list[str]:
    """The exclusions of .dockerignore (negations are not used there)."""
    patterns = []
    for line in Path(DOCKERIGNORE).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            patterns.append(line.rstrip("/"))
    return patterns
