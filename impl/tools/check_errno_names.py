"""Compares sockref's errno and EAI_* name tables (impl/errno_names.cc) with the
errno and socket modules of the python3 running this script.

Usage: check_errno_names.py DUMP_BINARY
"""
import errno
import socket
import subprocess
import sys


def main():
    dump = subprocess.run([sys.argv[1]], check=True, capture_output=True, text=True).stdout
    tables = {"errno": {}, "alias": {}, "eai": {}}
    for line in dump.splitlines():
        table, value, name = line.split()
        tables[table][name] = int(value)

    errorcode = {name: value for value, name in errno.errorcode.items()}
    aliases = {name: getattr(errno, name) for name in dir(errno)
               if name.startswith("E") and name not in errorcode}
    eai = {name: getattr(socket, name) for name in dir(socket) if name.startswith("EAI_")}
    expected = {"errno": errorcode, "alias": aliases, "eai": eai}

    failures = []
    for table, want in expected.items():
        got = tables[table]
        for name in sorted(set(want) | set(got)):
            if want.get(name) != got.get(name):
                failures.append("%s %s: python %s, sockref %s"
                                % (table, name, want.get(name), got.get(name)))
    for line in failures:
        print(line)
    print("%d rows compared, %d differ" % (sum(len(t) for t in expected.values()), len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
