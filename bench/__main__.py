"""python -m bench NAME [options] — see `python -m bench --help`."""

from __future__ import annotations

import argparse
import os
import sys

COMMANDS = {
    "dng": "bench.dng",
    "ingest": "bench.ingest",
    "proofs": "bench.proofs",
    "gallery": "bench.gallery",
    "pages": "bench.pages",
    "slots": "bench.slots",
    "zip": "bench.zip",
    "upload": "bench.upload",
    "load": "bench.load",
    "lighthouse": "bench.lighthouse",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", add_help=False)
    parser.add_argument("name", choices=sorted(COMMANDS))
    args, rest = parser.parse_known_args(argv)
    # -h after the name is the command's own help, not this dispatcher's.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "booke.settings.dev")
    import django

    django.setup()
    from importlib import import_module

    return import_module(COMMANDS[args.name]).run(rest) or 0


if __name__ == "__main__":
    sys.exit(main())
