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


def run_module_tests(test_file, argv):
    """The main() of a pytest file testing the Python module: `test_file STAMPEDE_BINARY WORK_DIR`.
    Exits 77 (skipped) when the binary's build has no module or is a sanitizer build (its module
    cannot be loaded into an uninstrumented python3); otherwise runs the file's tests with the
    module's package on sys.path and STAMPEDE_BIN, STAMPEDE_WORK, STAMPEDE_PACKAGE set."""
    import sys

    import pytest

    if len(argv) != 3:
        sys.exit(f"usage: {os.path.basename(test_file)} STAMPEDE_BINARY WORK_DIR")
    binary, work = map(os.path.abspath, argv[1:])
    package, module = python_package(binary), python_module(binary)
    if module is None:
        print(f"skipped: the Python module was not built ({package}/stampede; apt-get install pybind11-dev python3-dev)")
        sys.exit(77)
    if sanitized(module):
        print("skipped: a sanitizer build's module cannot be loaded into an uninstrumented python3 "
              "(the Release build's test runs it)")
        sys.exit(77)
    os.makedirs(work, exist_ok=True)
    os.environ.update(STAMPEDE_BIN=binary, STAMPEDE_WORK=work, STAMPEDE_PACKAGE=package)
    sys.path.insert(0, package)
    sys.exit(pytest.main([test_file, "-q", "-p", "no:cacheprovider"]))


def log_datasets(path):
    """Every dataset of a run log, by path, as numpy arrays (for comparing two logs)."""
    import h5py

    out = {}
    with h5py.File(path, "r") as f:
        f.visititems(lambda name, obj: out.__setitem__(name, obj[()]) if isinstance(obj, h5py.Dataset) else None)
    return out
