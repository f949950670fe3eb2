"""A reader that closes the pipe early (``sgmverify list | head``) ends the command quietly: status 141 and
nothing on stderr, instead of an OSError message."""

from __future__ import annotations

import subprocess
import sys


def test_list_into_a_closed_pipe_is_quiet():
    code = "import sys; from sgmverify.cli import main; sys.exit(main(['list']))"
    p = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p.stdout.read(10)  # read a little of the listing (longer than the pipe buffer), then go away
    p.stdout.close()
    err = p.stderr.read().decode()
    p.stderr.close()
    assert p.wait(timeout=120) == 141, err
    assert "Broken pipe" not in err and "Traceback" not in err, err
