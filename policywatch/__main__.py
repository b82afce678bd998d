"""Entry point of the `policywatch` command and of `python -m policywatch`.

`policywatch check` runs on every push, so it goes straight to the check module,
before the command-line framework is imported: that halves its start-up time.
"""

from __future__ import annotations

import sys


def main() -> None:
    args = sys.argv[1:]
    if args[:1] == ["check"]:
        from policywatch.check import main as check_main

        sys.exit(check_main(args[1:]))
    from policywatch.cli import main as cli_main

    cli_main()


if __name__ == "__main__":
    main()
