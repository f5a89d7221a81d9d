"""Fails when stdin has more than argv[1] lines (a --help that grew too long)."""
import sys

lines = sys.stdin.read().splitlines()
limit = int(sys.argv[1])
if len(lines) > limit:
    sys.exit(f"{len(lines)} lines, more than {limit}")
print(f"{len(lines)} lines")
