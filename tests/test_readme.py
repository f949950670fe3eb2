"""The README stays true: its example runs, and CI runs exactly the README's test command."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def _python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README, flags=re.S)


def test_readme_example_runs_and_reports(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (block,) = _python_blocks()
    exec(compile(block, "README.md", "exec"), {"__name__": "readme_example"})
    out = capsys.readouterr().out
    lines = [ln for ln in out.splitlines() if ln.startswith("mine.coupling")]
    assert len(lines) == 6
    assert all(" HOLDS " in ln for ln in lines), out
    ratios = [float(ln.rsplit("=", 1)[1]) for ln in lines]
    assert all(0 < r <= 1 for r in ratios)
    for name in ("report.json", "report.md", "report.html"):
        assert (tmp_path / "reports" / "mine" / name).stat().st_size > 0


def test_ci_runs_the_readme_test_command():
    setup = re.search(r"## Set-up: two commands\n+```bash\n(.*?)```", README, flags=re.S).group(1)
    commands = [ln.split("#")[0].strip() for ln in setup.strip().splitlines()]
    assert len(commands) == 2
    assert "sgmverify run" in commands[0]
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert commands[1] in [ln.strip() for ln in ci]
