"""Data that nobody on the team wrote: the team folder beside the repository."""

from pathlib import Path

TEAM_FOLDER = Path(__file__).resolve().parents[3] / "shared"
ESCO_DIR = TEAM_FOLDER / "data" / "esco"


def esco_files() -> dict[str, bytes]:
    """Every ESCO CSV export in the team folder, by file name; fails loudly when absent."""
    files = {path.name: path.read_bytes() for path in sorted(ESCO_DIR.glob("*.csv"))}
    assert files, f"the team's ESCO files are expected in {ESCO_DIR}"
    return files
