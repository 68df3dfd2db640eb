import sys

try:
    from journeymap.cli import run
except KeyboardInterrupt:
    # Ctrl-C while the CLI is still importing: the same one line and code as later
    print("interrupted", file=sys.stderr)
    sys.exit(130)

run()
