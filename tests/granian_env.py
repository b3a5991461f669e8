"""The production settings of the application server (deploy/granian.env), for tests."""

import shlex
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENV_FILE = ROOT / "deploy" / "granian.env"
GRANIAN = ROOT / ".venv" / "bin" / "granian"


def read_env_file(path: Path = ENV_FILE) -> dict[str, str]:
    """KEY=value lines as systemd's EnvironmentFile= and the shell read them.

    Blank lines and comments are skipped; a value may be quoted (one shell word).
    """
    values = {}
    for number, line in enumerate(path.read_text().splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, raw = line.partition("=")
        assert sep and key.isidentifier(), f"{path.name}:{number}: {line}"
        words = shlex.split(raw)
        assert len(words) == 1, f"{path.name}:{number}: one value, quoted if need be"
        values[key] = words[0]
    return values
