"""``python -m sgmverify.cli``: the ``sgmverify`` command."""

import sys

from sgmverify.cli import main

if __name__ == "__main__":
    sys.exit(main())
