"""What a test needs to know about the build a stampede binary comes from: where its Python module
is, and whether it is a sanitizer build. Not a test itself (ctest runs tests/*/test_*.py); tests
import it with tests/ on sys.path."""
import glob
import os
import subprocess

SANITIZER_RUNTIMES = ("libasan", "libtsan", "libubsan")


def python_package(exe):
    """build/python, beside the binary's build/tools: what goes on sys.path for `import stampede`."""
    return os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(exe))), "python")


def python_module(exe):
    """The compiled module of the binary's build, or None when the build has none."""
    found = glob.glob(os.path.join(python_package(exe), "stampede", "_stampede*.so"))
    return found[0] if found else None


def sanitized(path, runtimes=SANITIZER_RUNTIMES):
    """True when the binary or library at `path` links one of these sanitizer runtimes."""
    linked = subprocess.run(["ldd", path], capture_output=True, text=True).stdout
    return any(name in linked for name in runtimes)
