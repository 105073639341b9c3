#!/usr/bin/env python
"""Django's command-line utility; the ``gongkai`` command (gongkai/cli.py) is the friendlier front."""

import sys

from gongkai.cli import main

if __name__ == "__main__":
    sys.exit(main(["manage", *sys.argv[1:]]))
