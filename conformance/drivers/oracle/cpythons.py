"""cpythons: the CPython interpreters of this machine, one per version from 3.6 to 3.13, and a
launcher that runs a program under the one of a given version.

    python3 cpythons.py 3.9 -- driver.py --module socket    # exec driver.py under CPython 3.9
    python3 cpythons.py --list                              # 3.9 /root/.pyenv/.../python3 3.9.18

Interpreters are looked for among pyenv's versions ($PYENV_ROOT, else ~/.pyenv), then
/usr/bin/python3.X and /usr/local/bin/python3.X; the first of each version found wins. The
registry's cpython-3.X implementations start their driver through this launcher, so a machine
without that version reports the implementation absent, saying where it looked (exit status
77, PROTOCOL.md "Starting"), and the same entries serve every machine. version_sweep uses find_cpythons.
"""
import glob
import os
import re
import subprocess
import sys

OLDEST, NEWEST = (3, 6), (3, 13)
VERSION_PROBE = ("import platform, sys; print(platform.python_implementation(), "
                 "'%d.%d' % sys.version_info[:2], platform.python_version())")
# The launcher's exit status when no interpreter of the version is here: the runner's
# kAbsentExitStatus (PROTOCOL.md, "Starting"), so a pattern-chosen column is left out.
NOT_FOUND = 77


def pyenv_root():
    return os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")


def candidate_interpreters(extra=()):
    """Paths that may be CPython interpreters: given ones first, then pyenv's and the system's."""
    found = list(extra)
    found += sorted(glob.glob(os.path.join(pyenv_root(), "versions", "*", "bin", "python3")))
    for directory in ("/usr/bin", "/usr/local/bin"):
        found += sorted(p for p in glob.glob(os.path.join(directory, "python3.*"))
                        if re.fullmatch(r"python3\.\d+", os.path.basename(p)))
    return found


def probe(path):
    """(implementation, "3.9", "3.9.18") of the interpreter at `path`, or None."""
    try:
        out = subprocess.run([path, "-c", VERSION_PROBE], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, timeout=30, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    parts = out.decode().split()
    return tuple(parts) if len(parts) == 3 else None


def find_cpythons(extra=(), wanted=None):
    """One CPython per version from 3.6 to 3.13: {"3.9": (path, "3.9.18")}, first found wins.
    With `wanted` ("3.9"), only interpreters whose path names that version are probed."""
    chosen, seen = {}, set()
    for path in candidate_interpreters(extra):
        if wanted is not None and not re.search(r"(^|[^\d.])%s(\.|$)" % re.escape(wanted),
                                                path.replace("/", " ")):
            continue
        real = os.path.realpath(path)
        if real in seen or not os.access(real, os.X_OK):
            continue
        seen.add(real)
        info = probe(path)
        if info is None or info[0] != "CPython":
            continue
        major, minor = (int(x) for x in info[1].split("."))
        if OLDEST <= (major, minor) <= NEWEST and info[1] not in chosen:
            chosen[info[1]] = (path, info[2])
    return dict(sorted(chosen.items(), key=lambda kv: tuple(int(x) for x in kv[0].split("."))))


def launch(version, argv):
    """Replaces this process by argv run under CPython `version`; returns NOT_FOUND if none."""
    found = find_cpythons(wanted=version).get(version)
    if found is None:
        sys.stderr.write("cpythons: no CPython %s on this machine (looked in %s/versions, "
                         "/usr/bin/python%s, /usr/local/bin/python%s)\n"
                         % (version, pyenv_root(), version, version))
        return NOT_FOUND
    os.execv(found[0], [found[0]] + argv)
    return 1  # not reached


def main(args):
    if args == ["--list"]:
        for version, (path, patch) in find_cpythons().items():
            print(version, path, patch)
        return 0
    if len(args) >= 3 and re.fullmatch(r"3\.\d+", args[0]) and args[1] == "--":
        return launch(args[0], args[2:])
    sys.stderr.write("usage: cpythons.py X.Y -- PROGRAM [ARGS...] | cpythons.py --list\n")
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
