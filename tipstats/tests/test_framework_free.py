"""tipstats is usable without Django: it imports with django made unimportable."""

import pkgutil
import subprocess
import sys

import tipstats


def test_tipstats_imports_without_django():
    modules = [m.name for m in pkgutil.walk_packages(tipstats.__path__, "tipstats.")]
    assert modules, "tipstats has no modules"
    code = (
        "import sys, importlib\n"
        "for blocked in ('django', 'matis', 'rest_framework'):\n"
        "    sys.modules[blocked] = None\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print('ok', len(sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok")
